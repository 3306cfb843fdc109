package io.tranche.server.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.server.ServerConfig;
import io.tranche.server.TrancheServer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's figure: offline verification time of a ledger of {@code tranche.measure.releases} tranches
 * (default 1,000) over {@code tranche.measure.claims} queued claims (default 10,000). A measurement, not a unit
 * test: run with {@code mvn -B -pl server -am test -Dgroups=measurement -Dtest=VerifyMeasurement
 * -Dsurefire.failIfNoSpecifiedTests=false -Dtranche.excludedGroups=none}.
 */
@Tag("measurement")
class VerifyMeasurement
{
    private static final int CLAIMS = Integer.getInteger("tranche.measure.claims", 10_000);
    private static final int RELEASES = Integer.getInteger("tranche.measure.releases", 1_000);

    @TempDir
    Path dir;

    @Test
    void shouldVerifyALedgerOfAThousandTranchesOverTenThousandClaims() throws Exception
    {
        final long writeStart = System.nanoTime();
        try (TrancheServer server = TrancheServer.start(new ServerConfig().listen("127.0.0.1:0").dataDir(dir)))
        {
            final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
            try
            {
                final QueueServiceGrpc.QueueServiceBlockingStub queue = QueueServiceGrpc.newBlockingStub(channel);
                for (int i = 0; i < CLAIMS; i++)
                {
                    queue.createClaim(CreateClaimRequest.newBuilder().setClaim(Claim.newBuilder()
                        .setId("firm-" + i).setDemand(1_000_000_000L + i).setTier(i % 3)).build());
                }
                for (int t = 0; t < RELEASES; t++)
                {
                    queue.releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("t" + t).setSupply(400_000)
                        .setPolicy(Policy.newBuilder().setMethod(Method.forNumber(1 + t % 10)).setLot(8)).build());
                }
            }
            finally
            {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        final long writeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - writeStart);
        final long start = System.nanoTime();
        final OfflineVerifier.Report report = OfflineVerifier.verify(dir, CLAIMS + 1);
        final long verifyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.printf("VerifyMeasurement: %,d claims, %,d tranches (all ten methods, lot 8): written in %,d ms; " +
            "offline verify of %,d records, %,d awards recomputed in %,d ms; problem: %s%n", CLAIMS, RELEASES, writeMs,
            report.records, report.awards, verifyMs, report.problem);
        assertThat(report.problem).isNull();
        assertThat(report.tranches).isEqualTo(RELEASES);
    }
}
