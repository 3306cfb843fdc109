package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.ClaimChange;
import io.tranche.proto.v1.ClaimHistory;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.DeleteClaimRequest;
import io.tranche.proto.v1.GetClaimHistoryRequest;
import io.tranche.proto.v1.GetClaimRequest;
import io.tranche.proto.v1.GetTrancheRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.UpdateClaimRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * In the cluster the principal travels inside the signed command: changes made through three different members
 * with different tokens are recorded with the same names on every member, and after every member restarts from
 * its snapshot and the log.
 */
@Tag("slow")
class ClusterAttributionTest
{
    private static final String TOKENS = "ops-token admin name=ops\n" +
        "regulator-token auditor name=regulator\n" +
        "alpha-token claimant name=alpha claims=alpha-*\n" +
        "beta-token claimant name=beta claims=beta-*\n";
    private static final List<String> ALPHA = List.of("CREATED alpha -/100", "UPDATED ops 100/120",
        "AWARDED ops 120/90", "DELETED alpha 90/-");
    private static final List<String> BETA = List.of("CREATED beta -/10", "SERVED ops 10/-");

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 420, unit = TimeUnit.SECONDS)
    void shouldRecordTheSameNamesOnEveryMemberAndAfterTheyRestart() throws Exception
    {
        final Path secret = ClusterAuthenticationTest.secretFile(dir, "secret");
        final Path tokens = Files.writeString(dir.resolve("tokens"), TOKENS);
        final int base = 24000 + (int)(ProcessHandle.current().pid() % 300) * 10;
        try (ClusterServers cluster = ClusterServers.start(dir, base, c -> c.clusterSecret(secret)
            .tokensFile(tokens).snapshotEvery(3)))
        {
            as(cluster, 0, "alpha-token").createClaim(create("alpha-1", 100));
            as(cluster, 1, "beta-token").createClaim(create("beta-1", 10));
            as(cluster, 2, "ops-token").updateClaim(UpdateClaimRequest.newBuilder().setClaim(Claim.newBuilder()
                .setId("alpha-1").setDemand(120)).setUpdateMask(com.google.protobuf.FieldMask.newBuilder()
                .addPaths("demand")).build());
            as(cluster, 1, "ops-token").releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("t1")
                .setSupply(40).setPolicy(Policy.newBuilder().setMethod(Method.EQUAL)).build());
            as(cluster, 0, "alpha-token").deleteClaim(DeleteClaimRequest.newBuilder().setId("alpha-1").build());
            as(cluster, 2, "beta-token").createClaim(create("beta-2", 7));
            for (int node = 0; node < 3; node++)
            {
                checkMember(cluster, node);
            }
        }
        try (ClusterServers cluster = ClusterServers.start(dir, base, c -> c.clusterSecret(secret)
            .tokensFile(tokens).snapshotEvery(3)))
        {
            for (int node = 0; node < 3; node++)
            {
                assertThat(cluster.service(node).snapshotPosition()).as("member " + node + " loaded a snapshot")
                    .isPositive();
                checkMember(cluster, node);
            }
        }
    }

    // Reads on a follower can lag: wait (briefly) until it has applied the last change.
    private static void checkMember(final ClusterServers cluster, final int node) throws InterruptedException
    {
        final QueueServiceGrpc.QueueServiceBlockingStub regulator = as(cluster, node, "regulator-token");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline &&
            regulator.listClaims(io.tranche.proto.v1.ListClaimsRequest.getDefaultInstance()).getClaimsCount() != 1)
        {
            Thread.sleep(20);
        }
        assertThat(regulator.getTranche(GetTrancheRequest.newBuilder().setNumber(1).build()).getReleasedBy())
            .as("member " + node).isEqualTo("ops");
        assertThat(summary(regulator.getClaimHistory(GetClaimHistoryRequest.newBuilder().setId("alpha-1").build())))
            .as("member " + node).isEqualTo(ALPHA);
        assertThat(summary(regulator.getClaimHistory(GetClaimHistoryRequest.newBuilder().setId("beta-1").build())))
            .as("member " + node).isEqualTo(BETA);
        final Claim beta2 = as(cluster, node, "beta-token").getClaim(GetClaimRequest.newBuilder().setId("beta-2")
            .build());
        assertThat(beta2.getCreatedBy()).as("member " + node).isEqualTo("beta");
        assertThat(beta2.getCreateTime().getSeconds()).isPositive();
    }

    private static List<String> summary(final ClaimHistory history)
    {
        final List<String> lines = new ArrayList<>();
        for (final ClaimChange change : history.getChangesList())
        {
            lines.add(change.getKind() + " " + change.getPrincipal() + " " +
                (change.hasBefore() ? Long.toString(change.getBefore().getDemand()) : "-") + "/" +
                (change.hasAfter() ? Long.toString(change.getAfter().getDemand()) : "-"));
        }
        return lines;
    }

    private static CreateClaimRequest create(final String id, final long demand)
    {
        return CreateClaimRequest.newBuilder().setClaim(Claim.newBuilder().setId(id).setDemand(demand)).build();
    }

    private static QueueServiceGrpc.QueueServiceBlockingStub as(final ClusterServers cluster, final int node,
        final String token)
    {
        return cluster.queue(node).withCallCredentials(new CallCredentials()
        {
            @Override
            public void applyRequestMetadata(final RequestInfo info, final Executor executor,
                final MetadataApplier applier)
            {
                final Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
                applier.apply(headers);
            }
        });
    }
}
