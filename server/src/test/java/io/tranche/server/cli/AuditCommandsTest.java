package io.tranche.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tranche.proto.v1.AllocateRequest;
import io.tranche.proto.v1.AllocateResponse;
import io.tranche.proto.v1.AllocationServiceGrpc;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.AwardExplanation;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.ListTranchesRequest;
import io.tranche.proto.v1.ListTranchesResponse;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.ServerConfig;
import io.tranche.server.TrancheServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit features through gRPC and the CLI: Allocate with explain on a real server, the "why" column,
 * and verify / tranches --csv / release --dry-run against a real Netty server on a loopback port that
 * serves a ledger built here.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AuditCommandsTest
{
    @TempDir
    Path dir;

    private Server ledgerServer;
    private TrancheServer trancheServer;
    private final List<ReleaseTrancheRequest> releases = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws InterruptedException
    {
        if (ledgerServer != null)
        {
            ledgerServer.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        if (trancheServer != null)
        {
            trancheServer.close();
        }
    }

    @Test
    void shouldExplainTheSeedScenarioThroughGrpcOnlyWhenAsked() throws Exception
    {
        trancheServer = TrancheServer.start(new ServerConfig().listen("127.0.0.1", 0).dataDir(dir.resolve("data")));
        final ManagedChannel channel =
            NettyChannelBuilder.forAddress("127.0.0.1", trancheServer.port()).usePlaintext().build();
        try
        {
            final AllocateRequest.Builder request = AllocateRequest.newBuilder();
            JsonFormat.parser().merge(Files.readString(seed()), request);
            final AllocationServiceGrpc.AllocationServiceBlockingStub stub =
                AllocationServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
            final AllocateResponse plain = stub.allocate(request.build());
            final AllocateResponse explained = stub.allocate(request.setExplain(true).build());
            assertThat(plain.hasExplanation()).isFalse();
            assertThat(plain.getAwards(0).hasExplanation()).isFalse();
            // The same awards either way.
            for (int i = 0; i < plain.getAwardsCount(); i++)
            {
                assertThat(explained.getAwards(i).getUnits()).isEqualTo(plain.getAwards(i).getUnits());
            }
            assertThat(explained.getExplanation().getSplitTier()).isZero();
            assertThat(explained.getExplanation().getLevel().getNumerator()).isEqualTo("1");
            assertThat(explained.getExplanation().getLevel().getDenominator()).isEqualTo("13");
            assertThat(explained.getExplanation().getExtraLots()).isEqualTo(2);
            final AwardExplanation alpha = explained.getAwards(0).getExplanation();
            assertThat(alpha.getReason()).isEqualTo(AwardExplanation.Reason.SPLIT);
            assertThat(alpha.getShareLots().getNumerator()).isEqualTo("300000");
            assertThat(alpha.getShareLots().getDenominator()).isEqualTo("13");
            assertThat(alpha.getExtraLot()).isTrue();
            assertThat(explained.getAwards(2).getExplanation().getExtraLot()).isFalse();
            assertThat(explained.getAwards(3).getExplanation().getReason())
                .isEqualTo(AwardExplanation.Reason.TIER_NOT_REACHED);
        }
        finally
        {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldPrintAWhyColumnWithExplain()
    {
        final CliRun run =
            QueueClientCommandsTest.run("allocate", seed().toString(), "--explain", "--table");
        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).contains("why").contains("split, exact share 23076 12/13 lots, +1 lot by remainder")
            .contains("tier not reached: floor").contains("why: tier 0 split, level lambda=1/13, 2 extra lot(s)");
        final CliRun plain = QueueClientCommandsTest.run("allocate", seed().toString(), "--table");
        assertThat(plain.out()).doesNotContain("why");
    }

    @Test
    void shouldVerifyTheNumberingAndTotalsAndNameTheFirstBadTranche() throws Exception
    {
        final List<Tranche> ledger = ledger(5);
        String address = serve(ledger);
        final CliRun ok = QueueClientCommandsTest.run("verify", "--server", address);
        assertThat(ok.status()).as(ok.toString()).isZero();
        assertThat(ok.out()).contains("verified 5 tranche(s), 10 award(s)");

        // A deleted tranche breaks the numbering.
        final List<Tranche> deleted = new ArrayList<>(ledger);
        deleted.remove(1);
        address = restart(deleted);
        final CliRun gap = QueueClientCommandsTest.run("verify", "--server", address);
        assertThat(gap.status()).as(gap.toString()).isEqualTo(1);
        assertThat(gap.err()).contains("tranche 3: number: expected 2, found 3");

        // Units moved between two awards of tranche 3 without the total: the sum no longer matches.
        final List<Tranche> edited = new ArrayList<>(ledger);
        final Tranche t3 = edited.get(2);
        edited.set(2, t3.toBuilder().setAwards(0, t3.getAwards(0).toBuilder().setUnits(t3.getAwards(0).getUnits() + 8))
            .build());
        address = restart(edited);
        final CliRun sum = QueueClientCommandsTest.run("verify", "--server", address);
        assertThat(sum.status()).as(sum.toString()).isEqualTo(1);
        assertThat(sum.err()).contains("tranche 3: awards: sum of units 1008 != allocated 1000");
    }

    @Test
    void shouldExportOneCsvRowPerTrancheAndClaimWithRfc4180Quoting() throws Exception
    {
        final List<Tranche> ledger = ledger(2);
        final Tranche first = ledger.get(0);
        ledger.set(0, first.toBuilder().setAwards(1, first.getAwards(1).toBuilder().setId("b,\"quoted\""))
            .setReleasedBy("ops, night shift").build());
        final String address = serve(ledger);
        final CliRun run = QueueClientCommandsTest.run("tranches", "--csv", "--server", address);
        assertThat(run.status()).as(run.toString()).isZero();
        final String[] lines = run.out().split("\r\n", -1);
        assertThat(lines).hasSize(2 * 2 + 2);
        assertThat(lines[0]).isEqualTo("number,time,claim_id,units,unmet,tier,method,released_by");
        assertThat(lines[1]).isEqualTo("1,2026-11-30T04:00:01Z,a-1,504,496,,DHONDT,\"ops, night shift\"");
        assertThat(lines[2])
            .isEqualTo("1,2026-11-30T04:00:01Z,\"b,\"\"quoted\"\"\",496,,1,DHONDT,\"ops, night shift\"");
        assertThat(lines[3]).isEqualTo("2,2026-11-30T04:00:02Z,a-2,508,492,,DHONDT,");
        assertThat(lines[5]).isEmpty();
    }

    @Test
    void shouldSendValidateOnlyAndExplainOnReleaseDryRun() throws Exception
    {
        final String address = serve(ledger(1));
        final CliRun run = QueueClientCommandsTest.run("release", "--server", address,
            "--supply", "1000", "--method", "dhondt", "--dry-run", "--explain");
        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("dry run: nothing was released or recorded");
        assertThat(releases).hasSize(1);
        assertThat(releases.get(0).getValidateOnly()).isTrue();
        assertThat(releases.get(0).getExplain()).isTrue();
        final CliRun real = QueueClientCommandsTest.run("release", "--server", address,
            "--supply", "1000", "--method", "dhondt");
        assertThat(real.status()).isZero();
        assertThat(releases.get(1).getValidateOnly()).isFalse();
        assertThat(real.out()).doesNotContain("dry run");
    }

    @Test
    void shouldVerifyTheChainTheRealServerRecordsAndLeaveItUnchangedByADryRun() throws Exception
    {
        trancheServer = TrancheServer.start(new ServerConfig().listen("127.0.0.1", 0).dataDir(dir.resolve("data")));
        final String address = "127.0.0.1:" + trancheServer.port();
        final ManagedChannel channel =
            NettyChannelBuilder.forAddress("127.0.0.1", trancheServer.port()).usePlaintext().build();
        try
        {
            final QueueServiceGrpc.QueueServiceBlockingStub queue =
                QueueServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
            for (int i = 0; i < 4; i++)
            {
                queue.createClaim(CreateClaimRequest.newBuilder().setClaim(Claim.newBuilder()
                    .setId("firm-" + i).setDemand(1000 + 250 * i).setTier(i / 2)).build());
            }
            for (int k = 1; k <= 3; k++)
            {
                queue.releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("r-" + k).setSupply(700)
                    .setPolicy(Policy.newBuilder().setMethod(Method.SAINTE_LAGUE)).build());
            }
            final CliRun dry = QueueClientCommandsTest.run("release", "--server", address,
                "--supply", "500", "--method", "equal", "--dry-run");
            assertThat(dry.status()).as(dry.toString()).isZero();
            final CliRun ok = QueueClientCommandsTest.run("verify", "--server", address);
            assertThat(ok.status()).as(ok.toString()).isZero();
            assertThat(ok.out()).contains("verified 3 tranche(s)");
            final ListTranchesResponse recorded =
                queue.listTranches(ListTranchesRequest.newBuilder().setPageSize(10).build());
            final CliRun csv =
                QueueClientCommandsTest.run("tranches", "--csv", "--server", address);
            assertThat(csv.status()).as(csv.toString()).isZero();
            int rows = 0;
            for (final Tranche t : recorded.getTranchesList())
            {
                rows += t.getAwardsCount();
            }
            assertThat(csv.out().split("\r\n")).hasSize(rows + 1);
        }
        finally
        {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** A ledger of n tranches of two awards each. */
    private static List<Tranche> ledger(final int n)
    {
        final List<Tranche> out = new ArrayList<>();
        for (int k = 1; k <= n; k++)
        {
            final long a = 500 + 4 * k;
            final Tranche t = Tranche.newBuilder()
                .setNumber(k).setRequestId("r-" + k).setSupply(1000)
                .setPolicy(Policy.newBuilder().setMethod(Method.DHONDT))
                .addAwards(Award.newBuilder().setId("a-" + k).setUnits(a).setUnmet(1000 - a))
                .addAwards(Award.newBuilder().setId("b-" + k).setTier(1).setUnits(1000 - a))
                .setAllocated(1000).setUnallocated(0)
                .setReleaseTime(Timestamp.newBuilder().setSeconds(1_796_011_200L + k))
                .build();
            out.add(t);
        }
        return out;
    }

    private String restart(final List<Tranche> ledger) throws Exception
    {
        ledgerServer.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        return serve(ledger);
    }

    /** Serves the ledger two tranches per page, and records ReleaseTranche requests. */
    private String serve(final List<Tranche> ledger) throws Exception
    {
        final QueueServiceGrpc.QueueServiceImplBase service = new QueueServiceGrpc.QueueServiceImplBase()
        {
            @Override
            public void listTranches(final ListTranchesRequest request,
                final StreamObserver<ListTranchesResponse> observer)
            {
                final int from = request.getPageToken().isEmpty() ? 0 : Integer.parseInt(request.getPageToken());
                final int to = Math.min(ledger.size(), from + 2);
                observer.onNext(ListTranchesResponse.newBuilder().addAllTranches(ledger.subList(from, to))
                    .setNextPageToken(to < ledger.size() ? Integer.toString(to) : "").build());
                observer.onCompleted();
            }

            @Override
            public void releaseTranche(final ReleaseTrancheRequest request, final StreamObserver<Tranche> observer)
            {
                releases.add(request);
                observer.onNext(ledger.get(0).toBuilder().setNumber(request.getValidateOnly() ? 0 : 2).build());
                observer.onCompleted();
            }
        };
        ledgerServer =
            NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build().start();
        return "127.0.0.1:" + ledgerServer.getPort();
    }

    private static Path seed()
    {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("examples/seed.json")))
        {
            p = p.getParent();
        }
        return p.resolve("examples/seed.json");
    }
}
