package io.tranche.server;

import static io.tranche.server.grpc.QueueServiceTest.catchError;
import static io.tranche.server.TestServer.bearer;
import static io.tranche.server.auth.TenancyTest.create;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import io.grpc.Status;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.ClaimChange;
import io.tranche.proto.v1.ClaimHistory;
import io.tranche.proto.v1.DeleteClaimRequest;
import io.tranche.proto.v1.GetClaimHistoryRequest;
import io.tranche.proto.v1.GetClaimRequest;
import io.tranche.proto.v1.GetTrancheRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.UpdateClaimRequest;
import io.tranche.server.auth.TenancyTest;
import io.tranche.server.cli.CliRun;
import io.tranche.server.ledger.LedgerFiles;
import io.tranche.server.ledger.OfflineVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who did what: each change records its principal's name; {@code released_by}, {@code created_by} and
 * {@code updated_by} (with their times) and the claim histories name the right principal, through a restart from
 * a snapshot and the journal after it, and the offline verifier agrees with the snapshot.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AttributionTest
{
    @TempDir
    Path dir;

    /** The scenario's stubs by name. */
    record Callers(QueueServiceGrpc.QueueServiceBlockingStub ops, QueueServiceGrpc.QueueServiceBlockingStub alpha,
                   QueueServiceGrpc.QueueServiceBlockingStub beta, QueueServiceGrpc.QueueServiceBlockingStub regulator)
    {
        static Callers of(final QueueServiceGrpc.QueueServiceBlockingStub stub)
        {
            return new Callers(stub.withCallCredentials(bearer("ops-token")),
                stub.withCallCredentials(bearer("alpha-token")), stub.withCallCredentials(bearer("beta-token")),
                stub.withCallCredentials(bearer("regulator-token")));
        }
    }

    @Test
    void shouldNameWhoDidWhatAcrossARestartFromASnapshot() throws Exception
    {
        final Path tokens = Files.writeString(dir.resolve("tokens"), TenancyTest.TOKENS);
        final Path data = dir.resolve("data");
        final ServerConfig config = TestServer.config(data).tokensFile(tokens).snapshotEvery(3);
        try (TestServer server = TestServer.start(config))
        {
            final Callers c = Callers.of(server.queue());
            play(c);
            check(c);
            final CliRun csv = CliRun.run("tranches", "--csv", "--server", server.server.listenAddress(),
                "--token", "regulator-token");
            assertThat(csv.out().split("\r\n")[1]).endsWith(",ops");
            final CliRun history = CliRun.run("history", "--claim", "alpha-1", "--server",
                server.server.listenAddress(), "--token", "alpha-token");
            assertThat(history.status()).as(history.err()).isZero();
            assertThat(history.out().lines().skip(2).map(l -> l.split("\\s+")[1] + " " + l.split("\\s+")[2]))
                .containsExactly("alpha created", "ops updated", "ops awarded", "alpha updated", "ops awarded",
                    "alpha deleted", "alpha created");
            assertThat(history.out()).contains("100->120").contains("120->90");
            final CliRun denied = CliRun.run("history", "--claim", "beta-1", "--server",
                server.server.listenAddress(), "--token", "alpha-token");
            assertThat(denied.status()).isEqualTo(2);
            assertThat(denied.err()).startsWith("tranche history: PERMISSION_DENIED");
        }
        try (Stream<Path> files = Files.list(data))
        {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".snap")).count())
                .as("a snapshot was taken").isPositive();
        }
        final OfflineVerifier.Report report = OfflineVerifier.verify(data, 100_000);
        assertThat(report.problem).isNull();
        assertThat(report.snapshotsChecked).isPositive();
        try (TestServer again = TestServer.start(config))
        {
            check(Callers.of(again.queue()));
        }
    }

    /**
     * alpha and beta queue claims; ops changes alpha's and releases; alpha changes, withdraws and queues its claim
     * again.
     */
    static void play(final Callers c)
    {
        c.alpha.createClaim(create("alpha-1", 100, 0));
        c.beta.createClaim(create("beta-1", 10, 0));
        c.ops.updateClaim(UpdateClaimRequest.newBuilder().setClaim(Claim.newBuilder().setId("alpha-1")
            .setDemand(120)).setUpdateMask(FieldMask.newBuilder().addPaths("demand")).build());
        c.ops.releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("t1").setSupply(40)
            .setPolicy(Policy.newBuilder().setMethod(Method.EQUAL)).build());
        c.alpha.updateClaim(UpdateClaimRequest.newBuilder().setClaim(Claim.newBuilder().setId("alpha-1").setTier(1))
            .setUpdateMask(FieldMask.newBuilder().addPaths("tier")).build());
        c.ops.releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("t2").setSupply(50)
            .setPolicy(Policy.newBuilder().setMethod(Method.EQUAL)).build());
        c.alpha.deleteClaim(DeleteClaimRequest.newBuilder().setId("alpha-1").build());
        c.alpha.createClaim(create("alpha-1", 5, 0));
    }

    /** What {@link #play} must have recorded. */
    static void check(final Callers c)
    {
        assertThat(c.regulator.getTranche(GetTrancheRequest.newBuilder().setNumber(1).build()).getReleasedBy())
            .isEqualTo("ops");
        assertThat(c.alpha.getTranche(GetTrancheRequest.newBuilder().setNumber(2).build()).getReleasedBy())
            .isEqualTo("ops");
        final Claim again = c.alpha.getClaim(GetClaimRequest.newBuilder().setId("alpha-1").build());
        assertThat(again.getCreatedBy()).isEqualTo("alpha");
        assertThat(again.getUpdatedBy()).isEqualTo("alpha");
        assertThat(again.getCreateTime().getSeconds()).isPositive();
        assertThat(again.getUpdateTime()).isEqualTo(again.getCreateTime());

        final ClaimHistory alpha = c.regulator.getClaimHistory(GetClaimHistoryRequest.newBuilder().setId("alpha-1")
            .build());
        assertThat(summary(alpha)).containsExactly(
            "CREATED alpha 0 -/100",
            "UPDATED ops 0 100/120",
            "AWARDED ops 1 120/90",
            "UPDATED alpha 1 90/90",
            "AWARDED ops 2 90/40",
            "DELETED alpha 2 40/-",
            "CREATED alpha 2 -/5");
        assertThat(alpha.getChanges(2).getUnits()).isEqualTo(30);
        assertThat(alpha.getChanges(3).getBefore().getTier()).isZero();
        assertThat(alpha.getChanges(3).getAfter().getTier()).isEqualTo(1);
        assertThat(alpha.getChanges(3).getAfter().getUpdatedBy()).isEqualTo("alpha");
        assertThat(alpha.getChanges(4).getAfter().getAwarded()).isEqualTo(80);
        assertThat(c.alpha.getClaimHistory(GetClaimHistoryRequest.newBuilder().setId("alpha-1").build()))
            .isEqualTo(alpha);
        assertThat(summary(c.regulator.getClaimHistory(GetClaimHistoryRequest.newBuilder().setId("beta-1")
            .build()))).containsExactly("CREATED beta 0 -/10", "SERVED ops 1 10/-");

        TenancyTest.denied(() -> c.alpha.getClaimHistory(GetClaimHistoryRequest.newBuilder().setId("beta-1")
            .build()));
        assertThat(catchError(() -> c.regulator.getClaimHistory(GetClaimHistoryRequest.newBuilder().setId("never")
            .build())).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    /** @return per change: kind, principal, tranche number, demand before/after ("-" when absent). */
    static List<String> summary(final ClaimHistory history)
    {
        final List<String> lines = new ArrayList<>();
        for (final ClaimChange change : history.getChangesList())
        {
            lines.add(change.getKind() + " " + change.getPrincipal() + " " + change.getTrancheNumber() + " " +
                (change.hasBefore() ? Long.toString(change.getBefore().getDemand()) : "-") + "/" +
                (change.hasAfter() ? Long.toString(change.getAfter().getDemand()) : "-"));
        }
        return lines;
    }

    @Test
    void shouldShowRecordsOfAnOldDirectoryAsByNoOneKnown() throws Exception
    {
        final Path data = dir.resolve("old");
        LedgerFiles.copy(Path.of(AttributionTest.class.getClassLoader()
            .getResource("fixtures/datadir-e42a845/journal-00000000000000000001.log").toURI()).getParent(), data);
        final Path tokens = Files.writeString(dir.resolve("tokens"), TenancyTest.TOKENS);
        try (TestServer server = TestServer.start(TestServer.config(data).tokensFile(tokens)))
        {
            final Callers c = Callers.of(server.queue());
            final Claim a = c.regulator.getClaim(GetClaimRequest.newBuilder().setId("a").build());
            assertThat(a.getCreatedBy()).isEmpty();
            assertThat(a.getCreateTime().getSeconds()).as("the journal kept the time").isPositive();
            assertThat(c.regulator.getTranche(GetTrancheRequest.newBuilder().setNumber(1).build()).getReleasedBy())
                .isEmpty();
            c.ops.updateClaim(UpdateClaimRequest.newBuilder().setClaim(Claim.newBuilder().setId("a").setDemand(70))
                .setUpdateMask(FieldMask.newBuilder().addPaths("demand")).build());
            assertThat(summary(c.regulator.getClaimHistory(GetClaimHistoryRequest.newBuilder().setId("a").build())))
                .containsExactly("CREATED  0 -/100", "AWARDED  1 100/90", "AWARDED  2 90/76", "UPDATED ops 2 76/70");
        }
        assertThat(OfflineVerifier.verify(data, 100_000).problem).isNull();
    }
}
