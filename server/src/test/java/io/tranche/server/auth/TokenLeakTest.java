package io.tranche.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tranche.proto.v1.GetClaimHistoryRequest;
import io.tranche.proto.v1.GetTrancheRequest;
import io.tranche.proto.v1.ListClaimsRequest;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.UpdateClaimRequest;
import io.tranche.server.TestServer;
import io.tranche.server.cli.CliRun;
import io.tranche.server.grpc.QueueServiceTest;
import io.tranche.server.ledger.LedgerChild;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * No token ever reaches the data directory, the server's log (its standard output and error) or the metrics: a
 * real {@code tranche serve} child takes every kind of call with every token (good, unknown, two at once), and
 * the client commands' errors are checked too. The principals' names do reach the data directory, which shows
 * that the search would find a token there.
 */
@Tag("slow")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TokenLeakTest
{
    private static final String OPS = "tok-ops-7c1e9a5d2b";
    private static final String ALPHA = "tok-alpha-4f8b0e6a13";
    private static final String AUDIT = "tok-audit-9d2c7b1e55";
    private static final String GUESS = "tok-guess-0a1b2c3d4e";

    @TempDir
    Path dir;

    @Test
    void shouldKeepEveryTokenOutOfTheDataDirectoryTheLogAndTheMetrics() throws Exception
    {
        final Path tokens = Files.writeString(dir.resolve("tokens"), OPS + " admin name=ops\n" +
            AUDIT + " auditor name=regulator\n" + ALPHA + " claimant name=alpha claims=alpha-*\n");
        final Path data = dir.resolve("data");
        final List<String> leaks = new ArrayList<>();
        try (LedgerChild child = LedgerChild.start(dir, data, "serve", List.of(), "--tokens", tokens.toString(),
            "--metrics", "127.0.0.1:0", "--snapshot-every", "4"))
        {
            final ManagedChannel channel = NettyChannelBuilder.forTarget(child.address).usePlaintext().build();
            try
            {
                calls(channel, child.address, leaks);
            }
            finally
            {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            final String metrics = child.scrapeMetrics();
            assertThat(metrics).contains("grpc_server_call_started_total");
            leaks.addAll(find("/metrics", metrics.getBytes(StandardCharsets.UTF_8)));
            assertThat(child.terminate()).isZero();
            leaks.addAll(find("the server's standard error", Files.readAllBytes(child.err)));
        }
        boolean names = false;
        try (Stream<Path> files = Files.walk(data))
        {
            for (final Path file : (Iterable<Path>)files.filter(Files::isRegularFile)::iterator)
            {
                final byte[] bytes = Files.readAllBytes(file);
                leaks.addAll(find(file.toString(), bytes));
                names |= contains(bytes, "regulator".getBytes(StandardCharsets.UTF_8)) ||
                    contains(bytes, "alpha".getBytes(StandardCharsets.UTF_8));
            }
        }
        assertThat(names).as("the principals' names are in the data directory").isTrue();
        assertThat(leaks).isEmpty();
    }

    private static void calls(final ManagedChannel channel, final String address, final List<String> leaks)
    {
        final QueueServiceGrpc.QueueServiceBlockingStub ops = stub(channel, OPS);
        final QueueServiceGrpc.QueueServiceBlockingStub alpha = stub(channel, ALPHA);
        for (int i = 0; i < 5; i++)
        {
            alpha.createClaim(TenancyTest.create("alpha-" + i, 100 + i, 0));
        }
        ops.createClaim(TenancyTest.create("beta-1", 50, 0));
        ops.releaseTranche(io.tranche.proto.v1.ReleaseTrancheRequest.newBuilder().setRequestId("t1").setSupply(60)
            .setPolicy(io.tranche.proto.v1.Policy.newBuilder().setMethod(io.tranche.proto.v1.Method.EQUAL)).build());
        stub(channel, AUDIT).getClaimHistory(GetClaimHistoryRequest.newBuilder().setId("alpha-1").build());
        stub(channel, AUDIT).getTranche(GetTrancheRequest.newBuilder().setNumber(1).build());
        // Refused calls: an unknown token, a token of another role, two authorization headers, a malformed request.
        QueueServiceTest.catchError(() -> stub(channel, GUESS).listClaims(ListClaimsRequest.getDefaultInstance()));
        QueueServiceTest.catchError(() -> alpha.updateClaim(UpdateClaimRequest.newBuilder().setClaim(
            io.tranche.proto.v1.Claim.newBuilder().setId("beta-1").setDemand(1)).build()));
        QueueServiceTest.catchError(() -> stub(channel, AUDIT).releaseTranche(io.tranche.proto.v1
            .ReleaseTrancheRequest.newBuilder().setRequestId("t2").setSupply(1).build()));
        final Metadata two = new Metadata();
        two.put(io.tranche.server.grpc.AuthInterceptor.AUTHORIZATION, "Bearer " + OPS);
        two.put(io.tranche.server.grpc.AuthInterceptor.AUTHORIZATION, "Bearer " + GUESS);
        RoleMatrixTest.call(channel, QueueServiceGrpc.getListClaimsMethod(), new byte[0], two);
        final Metadata garbage = new Metadata();
        garbage.put(io.tranche.server.grpc.AuthInterceptor.AUTHORIZATION, "Bearer " + OPS);
        RoleMatrixTest.call(channel, QueueServiceGrpc.getCreateClaimMethod(), new byte[] {(byte)0xff, 1}, garbage);
        // The command line's own messages.
        for (final String token : List.of(GUESS, ALPHA, AUDIT))
        {
            final CliRun run = CliRun.run("claim", "add", "--server", address, "--token", token, "--id", "beta-9",
                "--demand", "1");
            assertThat(run.status()).isEqualTo(2);
            leaks.addAll(find("tranche claim add's error with " + token, run.err().getBytes(StandardCharsets.UTF_8)));
            leaks.addAll(find("tranche claim add's output", run.out().getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static QueueServiceGrpc.QueueServiceBlockingStub stub(final ManagedChannel channel, final String token)
    {
        return QueueServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
            .withCallCredentials(TestServer.bearer(token));
    }

    private static List<String> find(final String where, final byte[] bytes)
    {
        final List<String> found = new ArrayList<>();
        for (final String token : List.of(OPS, ALPHA, AUDIT, GUESS))
        {
            if (contains(bytes, token.getBytes(StandardCharsets.UTF_8)))
            {
                found.add(token + " in " + where);
            }
        }
        return found;
    }

    private static boolean contains(final byte[] haystack, final byte[] needle)
    {
        for (int i = 0; i + needle.length <= haystack.length; i++)
        {
            if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length))
            {
                return true;
            }
        }
        return false;
    }
}
