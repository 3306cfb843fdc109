package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.ListClaimsRequest;
import io.tranche.proto.v1.ListTranchesRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.TrancheServer;
import io.tranche.server.cli.CliRun;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration: a stopped single-node server's data directory seeds three members; each starts with the same
 * state (hash, claims, tranches) as the single node had, and new releases continue the numbering and the
 * ledger's tree. Damaged inputs are refused with a message naming the file.
 */
@Tag("slow")
class ClusterSeedTest
{
    private static final Pattern SEEDED = Pattern.compile("with (\\d+) tranches, state sha256 ([0-9a-f]{64})");

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldStartEveryMemberFromTheSingleNodeStateAndContinueTheLedger() throws Exception
    {
        final Path single = dir.resolve("single");
        final List<Tranche> tranches;
        final List<Claim> claims;
        try (TrancheServer server = TrancheServer.start(new io.tranche.server.ServerConfig().listen("127.0.0.1", 0)
            .dataDir(single).gracePeriod(Duration.ofSeconds(1))))
        {
            final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                .build();
            try
            {
                final QueueServiceGrpc.QueueServiceBlockingStub queue = QueueServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS);
                queue.createClaim(create("a", 100, 1));
                queue.createClaim(create("b", 50, 2));
                queue.createClaim(create("c", 30, 1));
                queue.releaseTranche(release("r1", 40));
                queue.releaseTranche(release("r2", 25));
                tranches = queue.listTranches(ListTranchesRequest.newBuilder().setPageSize(100).build())
                    .getTranchesList();
                claims = queue.listClaims(ListClaimsRequest.newBuilder().setPageSize(100).build()).getClaimsList();
            }
            finally
            {
                channel.shutdownNow();
            }
        }
        assertThat(tranches).hasSize(2);

        final CliRun seeded = CliRun.run("cluster", "seed", "--from", single.toString(),
            "--data-dir", dir.resolve("node-0").toString(), "--data-dir", dir.resolve("node-1").toString(),
            "--data-dir", dir.resolve("node-2").toString());
        assertThat(seeded.status()).as(seeded.err()).isZero();
        final Matcher m = SEEDED.matcher(seeded.out());
        assertThat(m.find()).as(seeded.out()).isTrue();
        assertThat(m.group(1)).isEqualTo("2");
        final String singleNodeState = m.group(2);

        final int base = 28000 + (int)(ProcessHandle.current().pid() % 400) * 10;
        try (ClusterServers cluster = ClusterServers.start(dir, base))
        {
            for (int i = 0; i < 3; i++)
            {
                final QueueClusteredService.StateHash h = InProcessClusterTest.hashAt(
                    cluster.servers.get(i).clusterNode(), cluster.service(i).appliedPosition());
                assertThat(h.sha256()).as("member " + i + " starts from the single-node state")
                    .isEqualTo(singleNodeState);
                assertThat(cluster.queue(i).listTranches(ListTranchesRequest.newBuilder().setPageSize(100).build())
                    .getTranchesList()).isEqualTo(tranches);
                assertThat(cluster.queue(i).listClaims(ListClaimsRequest.newBuilder().setPageSize(100).build())
                    .getClaimsList()).isEqualTo(claims);
            }

            final Tranche third = cluster.queue(2).releaseTranche(release("r3", 10));
            assertThat(third.getNumber()).isEqualTo(3);
            assertThat(third.getDigest().isEmpty()).as("the tree replaced the digest chain").isTrue();
            // A request id recorded by the single node is still known: the retry gets the recorded tranche.
            assertThat(cluster.queue(0).releaseTranche(release("r1", 40))).isEqualTo(tranches.get(0));

            // Member 0 answered the last write, so it has applied it: every member's hash at its position.
            final long position = cluster.service(0).appliedPosition();
            final String after = InProcessClusterTest.hashAt(cluster.servers.get(2).clusterNode(), position).sha256();
            for (int i = 0; i < 2; i++)
            {
                assertThat(InProcessClusterTest.hashAt(cluster.servers.get(i).clusterNode(), position).sha256())
                    .isEqualTo(after);
            }
        }

        // A member that already has a cluster log is not seeded again.
        final CliRun again = CliRun.run("cluster", "seed", "--from", single.toString(),
            "--data-dir", dir.resolve("node-0").toString());
        assertThat(again.status()).isEqualTo(1);
        assertThat(again.err()).contains("already seeded or holds a cluster log").doesNotContain("Exception");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRefuseADamagedSingleNodeDirectoryAndADamagedSeed() throws Exception
    {
        final Path single = dir.resolve("single");
        try (TrancheServer server = TrancheServer.start(new io.tranche.server.ServerConfig().listen("127.0.0.1", 0)
            .dataDir(single).gracePeriod(Duration.ofSeconds(1))))
        {
            final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                .build();
            try
            {
                final QueueServiceGrpc.QueueServiceBlockingStub queue = QueueServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS);
                queue.createClaim(create("a", 100, 1));
                queue.createClaim(create("b", 50, 2));
                queue.releaseTranche(release("r1", 40));
            }
            finally
            {
                channel.shutdownNow();
            }
        }
        final Path node = dir.resolve("node-0");
        final CliRun ok = CliRun.run("cluster", "seed", "--from", single.toString(), "--data-dir",
            node.toString());
        assertThat(ok.status()).as(ok.err()).isZero();
        assertThat(ClusterSeed.load(node)).isNotNull();

        // One flipped bit in the seed: the member refuses to start, naming the file.
        final Path seed = node.resolve(ClusterSeed.FILE);
        flip(seed, Files.size(seed) / 2);
        assertThatThrownBy(() -> ClusterSeed.load(node)).isInstanceOf(UncheckedIOException.class)
            .hasMessageContaining(seed.toString()).hasMessageContaining("checksum");

        // One flipped bit in the first journal record's payload: the single-node state is refused, nothing written.
        final Path journal;
        try (Stream<Path> files = Files.list(single))
        {
            journal = files.filter(p -> p.getFileName().toString().matches("journal-.*\\.log")).sorted()
                .findFirst().orElseThrow();
        }
        flip(journal, 16 + 29 + 2);
        final Path other = dir.resolve("node-1");
        final CliRun refused = CliRun.run("cluster", "seed", "--from", single.toString(),
            "--data-dir", other.toString());
        assertThat(refused.status()).isEqualTo(1);
        assertThat(refused.err()).contains("tranche cluster seed: ").contains("journal").doesNotContain("Exception");
        assertThat(other.resolve(ClusterSeed.FILE)).doesNotExist();
    }

    private static void flip(final Path file, final long offset) throws Exception
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(offset);
            final int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0x10);
        }
    }

    private static CreateClaimRequest create(final String id, final long demand, final long weight)
    {
        return CreateClaimRequest.newBuilder()
            .setClaim(Claim.newBuilder().setId(id).setDemand(demand).setWeight(weight)).build();
    }

    private static ReleaseTrancheRequest release(final String requestId, final long supply)
    {
        return ReleaseTrancheRequest.newBuilder().setRequestId(requestId).setSupply(supply)
            .setPolicy(Policy.newBuilder().setMethod(Method.SAINTE_LAGUE)).build();
    }
}
