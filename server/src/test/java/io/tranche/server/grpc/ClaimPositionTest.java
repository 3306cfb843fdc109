package io.tranche.server.grpc;

import static io.tranche.server.grpc.QueueServiceTest.catchError;
import static io.tranche.server.TestServer.violations;
import static io.tranche.server.TestServer.bearer;
import static io.tranche.server.auth.TenancyTest.create;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.ClaimPosition;
import io.tranche.proto.v1.GetClaimPositionRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.TestServer;
import io.tranche.server.auth.TenancyTest;
import io.tranche.server.cli.CliRun;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GetClaimPosition}: a claim's tier, the claims and outstanding demand ahead of it and in its tier, and
 * with {@code if_supply} exactly its row of the preview an admin would see, for every method; a claimant for its
 * own claim only, an auditor for any.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClaimPositionTest
{
    @TempDir
    Path dir;

    @Test
    void shouldTellAClaimantWhereItsClaimStandsAndWhatAReleaseWouldGiveIt() throws Exception
    {
        final Path tokens = Files.writeString(dir.resolve("tokens"), TenancyTest.TOKENS + "reader-token reader\n");
        try (TestServer server = TestServer.start(TestServer.config(dir.resolve("data")).tokensFile(tokens)))
        {
            final QueueServiceGrpc.QueueServiceBlockingStub ops =
                server.queue().withCallCredentials(bearer("ops-token"));
            final QueueServiceGrpc.QueueServiceBlockingStub alpha =
                server.queue().withCallCredentials(bearer("alpha-token"));
            final QueueServiceGrpc.QueueServiceBlockingStub regulator =
                server.queue().withCallCredentials(bearer("regulator-token"));
            final long big = 1L << 62;
            ops.createClaim(create("big-1", big, 0));
            ops.createClaim(create("big-2", big, 0));
            ops.createClaim(create("beta-1", 150, 1));
            alpha.createClaim(create("alpha-1", 40, 2));
            ops.createClaim(create("beta-2", 60, 2));
            ops.createClaim(create("beta-3", 70, 3));

            final ClaimPosition position = alpha.getClaimPosition(GetClaimPositionRequest.newBuilder()
                .setId("alpha-1").build());
            assertThat(position.getClaim().getTier()).isEqualTo(2);
            assertThat(position.getClaimsAhead()).isEqualTo(3);
            assertThat(position.getDemandAhead()).isEqualTo(BigInteger.valueOf(big).shiftLeft(1).add(
                BigInteger.valueOf(150)).toString());
            assertThat(position.getClaimsInTier()).isEqualTo(2);
            assertThat(position.getDemandInTier()).isEqualTo("100");
            assertThat(position.hasAward()).isFalse();

            // The same kernel as a validate_only release: the claimant's row equals the admin's preview row.
            ops.deleteClaim(io.tranche.proto.v1.DeleteClaimRequest.newBuilder().setId("big-1").build());
            ops.deleteClaim(io.tranche.proto.v1.DeleteClaimRequest.newBuilder().setId("big-2").build());
            for (final Method method : Method.values())
            {
                if (method == Method.METHOD_UNSPECIFIED || method == Method.UNRECOGNIZED)
                {
                    continue;
                }
                for (final long supply : new long[] {0, 100, 200, 260, 10_000})
                {
                    final Policy policy = Policy.newBuilder().setMethod(method).setLot(supply == 260 ? 4 : 0).build();
                    final Tranche preview = ops.releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("p")
                        .setSupply(supply).setPolicy(policy).setValidateOnly(true).build());
                    final Award expected = preview.getAwardsList().stream().filter(a -> a.getId().equals("alpha-1"))
                        .findFirst().orElseThrow();
                    final ClaimPosition row = alpha.getClaimPosition(GetClaimPositionRequest.newBuilder()
                        .setId("alpha-1").setIfSupply(supply).setPolicy(policy).build());
                    assertThat(row.getAward()).as(method + " " + supply).isEqualTo(expected);
                }
            }
            // A request id already used changes nothing: the position is not a release.
            ops.releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("position").setSupply(10)
                .setPolicy(Policy.newBuilder().setMethod(Method.FIFO)).build());
            assertThat(alpha.getClaimPosition(GetClaimPositionRequest.newBuilder().setId("alpha-1").setIfSupply(500)
                .setPolicy(Policy.newBuilder().setMethod(Method.FIFO)).build()).getAward().getUnits()).isEqualTo(40);

            TenancyTest.denied(() -> alpha.getClaimPosition(GetClaimPositionRequest.newBuilder().setId("beta-2")
                .build()));
            TenancyTest.denied(() -> server.queue().withCallCredentials(bearer("reader-token")).getClaimPosition(
                GetClaimPositionRequest.newBuilder().setId("alpha-1").build()));
            assertThat(regulator.getClaimPosition(GetClaimPositionRequest.newBuilder().setId("beta-3").build())
                .getClaimsAhead()).isEqualTo(3);
            assertThat(catchError(() -> regulator.getClaimPosition(GetClaimPositionRequest.newBuilder()
                .setId("gone").build())).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
            final StatusRuntimeException negative = catchError(() -> alpha.getClaimPosition(GetClaimPositionRequest
                .newBuilder().setId("alpha-1").setIfSupply(-1).build()));
            assertThat(violations(negative)).containsExactly("if_supply");
            final StatusRuntimeException badLot = catchError(() -> alpha.getClaimPosition(GetClaimPositionRequest
                .newBuilder().setId("alpha-1").setIfSupply(10).setPolicy(Policy.newBuilder().setMethod(Method.EQUAL)
                    .setLot(-2)).build()));
            assertThat(violations(badLot)).containsExactly("policy.lot");
            final StatusRuntimeException tooMuch = catchError(() -> alpha.getClaimPosition(GetClaimPositionRequest
                .newBuilder().setId("alpha-1").setIfSupply(Long.MAX_VALUE).setPolicy(Policy.newBuilder()
                    .setMethod(Method.EQUAL)).build()));
            assertThat(violations(tooMuch)).containsExactly("if_supply");

            final CliRun run = CliRun.run("claim", "position", "alpha-1", "--if-supply", "100", "--method", "equal",
                "--server", server.server.listenAddress(), "--token", "alpha-token");
            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.out()).contains("claim alpha-1: tier 2").contains("ahead of it (tiers below 2): 1 claim(s)")
                .contains("a release of 100 now (EQUAL) would award it ");
            final CliRun other = CliRun.run("claim", "position", "beta-2", "--server", server.server.listenAddress(),
                "--token", "alpha-token");
            assertThat(other.status()).isEqualTo(2);
            assertThat(other.err()).startsWith("tranche claim position: PERMISSION_DENIED");
        }
    }
}
