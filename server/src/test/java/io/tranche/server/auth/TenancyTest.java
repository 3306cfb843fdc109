package io.tranche.server.auth;

import static io.tranche.server.grpc.QueueServiceTest.catchError;
import static io.tranche.server.TestServer.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.DeleteClaimRequest;
import io.tranche.proto.v1.GetCheckpointRequest;
import io.tranche.proto.v1.GetClaimRequest;
import io.tranche.proto.v1.GetInclusionProofRequest;
import io.tranche.proto.v1.GetTrancheRequest;
import io.tranche.proto.v1.LedgerServiceGrpc;
import io.tranche.proto.v1.ListClaimsRequest;
import io.tranche.proto.v1.ListClaimsResponse;
import io.tranche.proto.v1.ListLeafHashesRequest;
import io.tranche.proto.v1.ListTranchesRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.proto.v1.UpdateClaimRequest;
import io.tranche.proto.v1.WatchTranchesRequest;
import io.tranche.server.TestServer;
import io.tranche.server.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Firms as tenants: each claimant creates, changes, reads and deletes the claims of its scope only, sees each
 * tranche with its own awards and the totals, previews with its own rows, and cannot reach another firm's claim
 * or award through any method; an auditor reads everything and changes nothing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public class TenancyTest
{
    public static final String TOKENS = "ops-token admin name=ops\n" +
        "regulator-token auditor name=regulator\n" +
        "alpha-token claimant name=alpha claims=alpha-*,shared-1\n" +
        "beta-token claimant name=beta claims=beta-*\n";

    @TempDir
    public Path dir;

    /** The stubs of one scenario: an admin, an auditor and two firms. */
    public record Parties(
        QueueServiceGrpc.QueueServiceBlockingStub admin, QueueServiceGrpc.QueueServiceBlockingStub auditor,
        QueueServiceGrpc.QueueServiceBlockingStub alpha, QueueServiceGrpc.QueueServiceBlockingStub beta)
    {
    }

    @Test
    public void shouldKeepEachFirmToItsOwnClaimsAndAwardsWithTokens() throws Exception
    {
        final Path tokens = Files.writeString(dir.resolve("tokens"), TOKENS);
        try (TestServer server = TestServer.start(TestServer.config(dir.resolve("data")).tokensFile(tokens)))
        {
            final Parties parties = new Parties(server.queue().withCallCredentials(bearer("ops-token")),
                server.queue().withCallCredentials(bearer("regulator-token")),
                server.queue().withCallCredentials(bearer("alpha-token")),
                server.queue().withCallCredentials(bearer("beta-token")));
            firmsStayApart(parties);
            auditorChangesNothing(parties);

            // The CSV export of a claimant holds its own rows only.
            final CliRun csv = CliRun.run("tranches", "--csv", "--server", server.server.listenAddress(), "--token",
                "alpha-token");
            assertThat(csv.status()).as(csv.err()).isZero();
            assertThat(csv.out()).contains("alpha-1").doesNotContain("beta-");
            final CliRun all = CliRun.run("tranches", "--csv", "--server", server.server.listenAddress(), "--token",
                "regulator-token");
            assertThat(all.out()).contains("alpha-1").contains("beta-1");
            // A claimant's view of the totals cannot be checked, and verify says why.
            final CliRun verify = CliRun.run("verify", "--server", server.server.listenAddress(), "--token",
                "alpha-token");
            assertThat(verify.status()).isEqualTo(1);
            assertThat(verify.err()).contains("tranche 1: this credential sees its own awards only");
            assertThat(CliRun.run("verify", "--server", server.server.listenAddress(), "--token", "regulator-token")
                .status()).isZero();

            // The ledger: a firm proves its own award in the signed tree, and reaches nothing of another firm's.
            final String address = server.server.listenAddress();
            final CliRun proof = CliRun.run("proof", "--server", address, "--token", "alpha-token", "--tranche", "1",
                "--claim", "alpha-1", "--checkpoint", dir.resolve("alpha.ckpt").toString());
            assertThat(proof.status()).as(proof.toString()).isZero();
            assertThat(proof.out()).startsWith("tranche 1, claim alpha-1: ").endsWith("proven\n");
            final CliRun theirs = CliRun.run("proof", "--server", address, "--token", "alpha-token", "--tranche",
                "1", "--claim", "beta-1", "--checkpoint", dir.resolve("alpha.ckpt").toString());
            assertThat(theirs.status()).as(theirs.toString()).isNotZero();
            assertThat(theirs.err()).contains("PERMISSION_DENIED").doesNotContain("units");
            final LedgerServiceGrpc.LedgerServiceBlockingStub alphaLedger = LedgerServiceGrpc
                .newBlockingStub(server.channel).withCallCredentials(bearer("alpha-token"));
            denied(() -> alphaLedger.getInclusionProof(GetInclusionProofRequest.newBuilder().setLeafIndex(0).build()));
            denied(() -> alphaLedger.listLeafHashes(ListLeafHashesRequest.getDefaultInstance()));
            assertThat(alphaLedger.getCheckpoint(GetCheckpointRequest.getDefaultInstance()).getNote())
                .contains("\n");
        }
    }

    /**
     * The scenario: alpha and beta queue claims, ops releases, each firm looks at everything it can reach.
     *
     * @param p the parties.
     */
    public static void firmsStayApart(final Parties p)
    {
        p.alpha.createClaim(create("alpha-1", 100, 0));
        p.alpha.createClaim(create("alpha-2", 50, 1));
        p.alpha.createClaim(create("shared-1", 10, 0));
        p.beta.createClaim(create("beta-1", 300, 0));
        p.beta.createClaim(create("beta-2", 70, 1));

        // Creating, reading, changing or deleting another firm's claim: denied, existing or not, same answer.
        for (final String other : List.of("beta-1", "beta-missing", "gamma-1"))
        {
            denied(() -> p.alpha.createClaim(create(other, 5, 0)));
            denied(() -> p.alpha.getClaim(GetClaimRequest.newBuilder().setId(other).build()));
            denied(() -> p.alpha.updateClaim(UpdateClaimRequest.newBuilder()
                .setClaim(Claim.newBuilder().setId(other).setDemand(1)).build()));
            denied(() -> p.alpha.deleteClaim(DeleteClaimRequest.newBuilder().setId(other).build()));
        }
        final String existing = catchError(() -> p.alpha.getClaim(GetClaimRequest.newBuilder().setId("beta-1")
            .build())).getStatus().getDescription();
        final String missing = catchError(() -> p.alpha.getClaim(GetClaimRequest.newBuilder().setId("beta-9")
            .build())).getStatus().getDescription();
        assertThat(missing.replace("beta-9", "beta-1")).isEqualTo(existing);
        assertThat(p.beta.getClaim(GetClaimRequest.newBuilder().setId("beta-1").build()).getDemand()).isEqualTo(300);

        // Their own: changed and read back.
        assertThat(p.alpha.updateClaim(UpdateClaimRequest.newBuilder().setClaim(Claim.newBuilder()
            .setId("alpha-2").setDemand(60)).build()).getDemand()).isEqualTo(60);
        assertThat(ids(p.alpha.listClaims(ListClaimsRequest.getDefaultInstance()).getClaimsList()))
            .containsExactly("alpha-1", "alpha-2", "shared-1");
        assertThat(ids(p.beta.listClaims(ListClaimsRequest.getDefaultInstance()).getClaimsList()))
            .containsExactly("beta-1", "beta-2");
        // Paging a claimant's list: its own claims, one at a time, nothing skipped, no empty last page.
        final List<String> paged = new ArrayList<>();
        String token = "";
        do
        {
            final ListClaimsResponse page = p.alpha.listClaims(ListClaimsRequest.newBuilder().setPageSize(1)
                .setPageToken(token).build());
            assertThat(page.getClaimsCount()).isEqualTo(1);
            paged.addAll(ids(page.getClaimsList()));
            token = page.getNextPageToken();
        }
        while (!token.isEmpty());
        assertThat(paged).containsExactly("alpha-1", "alpha-2", "shared-1");

        // A preview: the firm's own rows and the totals.
        final ReleaseTrancheRequest release = ReleaseTrancheRequest.newBuilder().setRequestId("t1").setSupply(200)
            .setPolicy(Policy.newBuilder().setMethod(Method.PROPORTIONAL)).setExplain(true).build();
        final Tranche preview = p.alpha.releaseTranche(release.toBuilder().setValidateOnly(true).build());
        assertThat(awardIds(preview)).containsExactly("alpha-1", "alpha-2", "shared-1");
        assertThat(preview.getSupply()).isEqualTo(200);
        assertThat(preview.getAllocated()).isEqualTo(200);
        assertThat(preview.hasExplanation()).as("the tranche-level explanation is computed from every claim")
            .isFalse();
        assertThat(preview.getAwards(0).hasExplanation()).isTrue();
        denied(() -> p.alpha.releaseTranche(release));

        final Tranche released = p.admin.releaseTranche(release);
        assertThat(awardIds(released)).hasSize(5);
        final long alphaUnits = units(released, "alpha-1");
        final Tranche seen = p.alpha.getTranche(GetTrancheRequest.newBuilder().setNumber(1).build());
        assertThat(awardIds(seen)).containsExactly("alpha-1", "alpha-2", "shared-1");
        assertThat(units(seen, "alpha-1")).isEqualTo(alphaUnits);
        assertThat(seen.getAllocated()).isEqualTo(released.getAllocated());
        assertThat(seen.getAwardsFiltered()).isTrue();
        assertThat(released.getAwardsFiltered()).isFalse();
        assertThat(awardIds(p.beta.listTranches(ListTranchesRequest.getDefaultInstance()).getTranches(0)))
            .containsExactly("beta-1", "beta-2");
        assertThat(awardIds(watchFirst(p.beta))).containsExactly("beta-1", "beta-2");
        assertThat(awardIds(watchFirst(p.alpha))).containsExactly("alpha-1", "alpha-2", "shared-1");

        // A policy the queue cannot take: the claimant's preview does not name the claim in the way.
        p.beta.updateClaim(UpdateClaimRequest.newBuilder().setClaim(Claim.newBuilder().setId("beta-2")
            .setFloor(50)).setUpdateMask(com.google.protobuf.FieldMask.newBuilder().addPaths("floor")).build());
        final StatusRuntimeException blocked = catchError(() -> p.alpha.releaseTranche(ReleaseTrancheRequest
            .newBuilder().setRequestId("t2").setSupply(100).setValidateOnly(true).setPolicy(Policy.newBuilder()
                .setMethod(Method.EQUAL).setMaxSharePpm(100_000)).build()));
        assertThat(blocked.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(blocked.getStatus().getDescription()).doesNotContain("beta");
    }

    /** @param p the parties, after {@link #firmsStayApart}. */
    public static void auditorChangesNothing(final Parties p)
    {
        denied(() -> p.auditor.createClaim(create("audit-1", 5, 0)));
        denied(() -> p.auditor.updateClaim(UpdateClaimRequest.newBuilder()
            .setClaim(Claim.newBuilder().setId("alpha-1").setDemand(1)).build()));
        denied(() -> p.auditor.deleteClaim(DeleteClaimRequest.newBuilder().setId("alpha-1").build()));
        denied(() -> p.auditor.releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("t9").setSupply(1)
            .setPolicy(Policy.newBuilder().setMethod(Method.FIFO)).build()));
        assertThat(ids(p.auditor.listClaims(ListClaimsRequest.getDefaultInstance()).getClaimsList()))
            .contains("alpha-1", "beta-1");
        assertThat(awardIds(p.auditor.getTranche(GetTrancheRequest.newBuilder().setNumber(1).build()))).hasSize(5);
        assertThat(p.auditor.releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("t9").setSupply(1)
            .setPolicy(Policy.newBuilder().setMethod(Method.FIFO)).setValidateOnly(true).build()).getNumber())
            .isZero();
        assertThat(p.admin.listTranches(ListTranchesRequest.getDefaultInstance()).getTranchesCount()).isEqualTo(1);
    }

    public static Tranche watchFirst(final QueueServiceGrpc.QueueServiceBlockingStub stub)
    {
        final Context.CancellableContext context = Context.current().withCancellation();
        final Context previous = context.attach();
        try
        {
            final Iterator<Tranche> stream = stub.watchTranches(WatchTranchesRequest.getDefaultInstance());
            return stream.next();
        }
        finally
        {
            context.detach(previous);
            context.cancel(null);
        }
    }

    public static CreateClaimRequest create(final String id, final long demand, final int tier)
    {
        return CreateClaimRequest.newBuilder().setClaim(Claim.newBuilder().setId(id).setDemand(demand).setTier(tier))
            .build();
    }

    public static void denied(final Runnable call)
    {
        final StatusRuntimeException ex = catchError(call::run);
        assertThat(ex.getStatus().getCode()).as(ex.getStatus().toString()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    public static List<String> ids(final List<Claim> claims)
    {
        final List<String> ids = new ArrayList<>();
        for (final Claim c : claims)
        {
            ids.add(c.getId());
        }
        return ids;
    }

    public static List<String> awardIds(final Tranche tranche)
    {
        final List<String> ids = new ArrayList<>();
        for (final Award a : tranche.getAwardsList())
        {
            ids.add(a.getId());
        }
        return ids;
    }

    public static long units(final Tranche tranche, final String id)
    {
        for (final Award a : tranche.getAwardsList())
        {
            if (a.getId().equals(id))
            {
                return a.getUnits();
            }
        }
        throw new AssertionError("no award for " + id);
    }
}
