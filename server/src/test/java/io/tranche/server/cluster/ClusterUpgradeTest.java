package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.ListClaimsRequest;
import io.tranche.proto.v1.ListTranchesRequest;
import io.tranche.proto.v1.ListTranchesResponse;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three members' data directories written by the previous release (e42a845: recordings without checksums, a
 * snapshot in the first format, unsigned commands after it; {@code fixtures/cluster-e42a845.tar.gz}) open with this
 * one and a new {@code --cluster-secret}: the archive is checksummed once, the snapshot and the unsigned log
 * replay to exactly the tranches and claims the old release served, and signed writes follow.
 */
@Tag("cluster")
class ClusterUpgradeTest
{
    /** The ports the fixture's members used. */
    private static final int BASE = 41110;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldOpenThePreviousReleasesClusterWithASecretAndKeepEveryTrancheAndClaim() throws Exception
    {
        ClusterServers.extract(dir, "/fixtures/cluster-e42a845.tar.gz");
        final ListTranchesResponse.Builder expected = ListTranchesResponse.newBuilder();
        JsonFormat.parser().merge(Files.readString(dir.resolve("expected-tranches.json")), expected);
        assertThat(expected.getTranchesCount()).isEqualTo(4);
        final List<String> expectedClaims = expectedClaims(dir.resolve("expected-claims.txt"));
        final Path secret = ClusterAuthenticationTest.secretFile(dir, "secret");

        try (ClusterServers cluster = ClusterServers.start(dir, BASE, c -> c.clusterSecret(secret)))
        {
            for (int node = 0; node < 3; node++)
            {
                assertThat(dir.resolve("node-" + node).resolve("archive").resolve(RecordingChecksums.MARKER))
                    .exists();
                assertThat(tranches(cluster, node)).as("member " + node).isEqualTo(expected.getTranchesList());
                assertThat(claims(cluster, node)).as("member " + node).isEqualTo(expectedClaims);
            }
            cluster.queue(0).createClaim(ClusterAuthenticationTest.claim("after-upgrade", 100));
            cluster.queue(1).releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("t5").setSupply(50)
                .setPolicy(Policy.newBuilder().setMethod(Method.FIFO)).build());
        }
        // Once more, now that the log carries signed commands after the unsigned ones.
        try (ClusterServers cluster = ClusterServers.start(dir, BASE, c -> c.clusterSecret(secret)))
        {
            for (int node = 0; node < 3; node++)
            {
                final List<Tranche> tranches = tranches(cluster, node);
                assertThat(tranches).hasSize(5);
                assertThat(tranches.subList(0, 4)).isEqualTo(expected.getTranchesList());
                assertThat(claims(cluster, node)).contains("after-upgrade=100");
            }
        }
    }


    // "firm-03=1464" for each row of the old release's 'claim list' table.
    private static List<String> expectedClaims(final Path table) throws Exception
    {
        final List<String> claims = new ArrayList<>();
        for (final String line : Files.readAllLines(table, StandardCharsets.UTF_8))
        {
            final String[] cells = line.trim().split("\\s+");
            if (cells.length > 3 && !cells[0].equals("position"))
            {
                claims.add(cells[1] + "=" + cells[3].replace(",", ""));
            }
        }
        return claims;
    }

    private static List<Tranche> tranches(final ClusterServers cluster, final int node)
    {
        return cluster.queue(node).listTranches(ListTranchesRequest.newBuilder().setPageSize(100).build())
            .getTranchesList();
    }

    private static List<String> claims(final ClusterServers cluster, final int node)
    {
        final List<String> claims = new ArrayList<>();
        for (final Claim c : cluster.queue(node).listClaims(ListClaimsRequest.newBuilder().setPageSize(100).build())
            .getClaimsList())
        {
            claims.add(c.getId() + "=" + c.getDemand());
        }
        return claims;
    }
}
