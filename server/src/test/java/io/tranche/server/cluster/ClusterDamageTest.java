package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.ClusterServiceGrpc;
import io.tranche.proto.v1.ClusterStatus;
import io.tranche.proto.v1.GetClusterStatusRequest;
import io.tranche.proto.v1.ListClaimsRequest;
import io.tranche.proto.v1.ListTranchesRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.ServerConfig;
import io.tranche.server.TrancheServer;
import io.tranche.server.cli.CliRun;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged replica never serves a ledger the others don't have. With a member stopped, its recorded log is
 * changed (a claim id edited in place, or one seeded bit flipped); restarted, it either refuses to start (the
 * recording's CRC-32C), or stops serving once a checkpoint shows its state differs from a majority's
 * (fail-stop: health NOT_SERVING, reads and writes UNAVAILABLE naming the reason, {@code diverged} in its status),
 * or holds exactly the others' state. Each round then rebuilds the member from its peers (an emptied data
 * directory) and checks that it ends with the same state, and {@code verify --server A,B,C} compares the members.
 */
@Tag("cluster")
class ClusterDamageTest
{
    private static final int CHECKPOINT_EVERY = 5;
    private static final int FLIPS = Integer.getInteger("tranche.cluster.flips", 20);

    @TempDir
    Path dir;

    private int claims;
    private String lastRefusal;
    private int releases;

    enum Ending
    {
        REFUSED, FAIL_STOP, IDENTICAL
    }

    @Test
    @Timeout(value = 1200, unit = TimeUnit.SECONDS)
    void shouldRefuseFailStopOrMatchAfterAnEditAndSeededBitFlipsOfAStoppedMembersRecording() throws Exception
    {
        final Path secret = ClusterAuthenticationTest.secretFile(dir, "secret");
        final int base = 24000 + (int)(ProcessHandle.current().pid() % 300) * 10;
        final java.util.function.UnaryOperator<ServerConfig> trust =
            c -> c.clusterSecret(secret).checkpointEvery(CHECKPOINT_EVERY);
        try (ClusterServers cluster = ClusterServers.start(dir, base, trust))
        {
            final Random random = new Random(20261206L);
            final int[] endings = new int[Ending.values().length];
            for (int round = 0; round < FLIPS + 2; round++)
            {
                writes(cluster, 10);
                final int victim = 2;
                awaitApplied(cluster);
                cluster.servers.get(victim).close();
                final Path member = dir.resolve("node-" + victim);
                final String damage;
                if (round == 0)
                {
                    damage = editClaimId(member, "probe-claim-0007", "probe-claim-000X");
                }
                else if (round == 1)
                {
                    // A careful forger fixes up the checksums (Aeron's own tool) after the edit.
                    damage = editClaimId(member, "probe-claim-0003", "probe-claim-000Y") + ", checksums recomputed";
                    io.aeron.archive.ArchiveTool.checksum(System.out, member.resolve("archive").toFile(), true,
                        "CRC-32C");
                }
                else
                {
                    damage = flipBit(member, random);
                }
                final Ending ending = restartDamaged(cluster, base, victim, trust);
                endings[ending.ordinal()]++;
                System.out.println("damage round " + round + ": " + damage + " -> " + ending);
                if (round == 0)
                {
                    assertThat(ending).as("the recording's checksum refuses the edit").isEqualTo(Ending.REFUSED);
                    assertThat(lastRefusal).contains("the recorded log is damaged: CRC checksum mismatch")
                        .contains("segmentFile=0-0.rec");
                }
                else if (round == 1)
                {
                    assertThat(ending).as("the checkpoints catch a forged replica").isEqualTo(Ending.FAIL_STOP);
                }
                rebuild(cluster, base, victim, trust);
            }
            System.out.println("damage endings: refused " + endings[0] + ", fail-stop " + endings[1] +
                ", identical " + endings[2]);
            final String servers = "127.0.0.1:" + cluster.servers.get(0).port() + ",127.0.0.1:" +
                cluster.servers.get(1).port() + ",127.0.0.1:" + cluster.servers.get(2).port();
            awaitApplied(cluster);
            final CliRun verify = CliRun.run("verify", "--server", servers);
            assertThat(verify.status()).as(verify.out() + verify.err()).isZero();
            assertThat(verify.out()).contains("3 members agree");
        }
    }

    private void writes(final ClusterServers cluster, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (i % 5 == 4)
            {
                cluster.queue(0).releaseTranche(ReleaseTrancheRequest.newBuilder()
                    .setRequestId("r" + releases++).setSupply(3)
                    .setPolicy(Policy.newBuilder().setMethod(Method.FIFO)).build());
            }
            else
            {
                cluster.queue(i % 2).createClaim(ClusterAuthenticationTest.claim(
                    String.format("probe-claim-%04d", claims++), 5));
            }
        }
    }

    // Restarted on its damaged recording: what does it do?
    private Ending restartDamaged(
        final ClusterServers cluster, final int base, final int victim,
        final java.util.function.UnaryOperator<ServerConfig> trust) throws Exception
    {
        final TrancheServer restarted;
        try
        {
            restarted = TrancheServer.start(trust.apply(ClusterServers.config(dir, base, victim))
                .clusterStartTimeout(Duration.ofSeconds(20)));
        }
        catch (final java.io.IOException | RuntimeException refused)
        {
            System.out.println("refused: " + refused.getMessage());
            lastRefusal = String.valueOf(refused.getMessage());
            cluster.servers.set(victim, null);
            return Ending.REFUSED;
        }
        cluster.servers.set(victim, restarted);
        cluster.channels.get(victim).shutdownNow();
        cluster.channels.set(victim, NettyChannelBuilder.forAddress("127.0.0.1", restarted.port()).usePlaintext()
            .build());
        // Enough writes for a checkpoint after the restart, then compare.
        writes(cluster, 2 * CHECKPOINT_EVERY);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline)
        {
            final ClusterStatus status = status(cluster, victim);
            if (status.getDiverged())
            {
                assertFailStopped(cluster, victim);
                return Ending.FAIL_STOP;
            }
            if (sameState(cluster) && status.getCheckpointsMatched() > 0)
            {
                return Ending.IDENTICAL;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("member " + victim + " neither stopped serving nor holds the others' state: " +
            status(cluster, victim));
    }

    private static void assertFailStopped(final ClusterServers cluster, final int victim)
    {
        final HealthCheckResponse.ServingStatus health = HealthGrpc.newBlockingStub(cluster.channels.get(victim))
            .check(HealthCheckRequest.newBuilder().setService("tranche.v1.QueueService").build()).getStatus();
        assertThat(health).isEqualTo(HealthCheckResponse.ServingStatus.NOT_SERVING);
        try
        {
            cluster.queue(victim).listClaims(ListClaimsRequest.getDefaultInstance());
            throw new AssertionError("a diverged member answered a read");
        }
        catch (final StatusRuntimeException ex)
        {
            assertThat(ex.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
            assertThat(ex.getStatus().getDescription()).contains("stopped serving");
        }
        try
        {
            cluster.queue(victim).createClaim(ClusterAuthenticationTest.claim("after-divergence", 1));
            throw new AssertionError("a diverged member took a write");
        }
        catch (final StatusRuntimeException ex)
        {
            assertThat(ex.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
        }
        try
        {
            final String metrics = ClusterAuthenticationTest.scrape(cluster.servers.get(victim));
            assertThat(metrics).contains("tranche_cluster_diverged 1.0");
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }

    // An emptied data directory: the member catches up from its peers and ends with their state.
    private void rebuild(
        final ClusterServers cluster, final int base, final int victim,
        final java.util.function.UnaryOperator<ServerConfig> trust) throws Exception
    {
        if (cluster.servers.get(victim) != null)
        {
            cluster.servers.get(victim).close();
        }
        deleteTree(dir.resolve("node-" + victim));
        final TrancheServer rebuilt = TrancheServer.start(trust.apply(ClusterServers.config(dir, base, victim)));
        cluster.servers.set(victim, rebuilt);
        cluster.channels.get(victim).shutdownNow();
        cluster.channels.set(victim, NettyChannelBuilder.forAddress("127.0.0.1", rebuilt.port()).usePlaintext()
            .build());
        writes(cluster, 2 * CHECKPOINT_EVERY);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(sameState(cluster) && status(cluster, victim).getCheckpointsMatched() > 0))
        {
            assertThat(status(cluster, victim).getDiverged()).as("a rebuilt member agrees").isFalse();
            assertThat(System.nanoTime()).as("rebuilt member " + victim + " catches up within 60 s")
                .isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static ClusterStatus status(final ClusterServers cluster, final int node)
    {
        return ClusterServiceGrpc.newBlockingStub(cluster.channels.get(node)).withDeadlineAfter(10, TimeUnit.SECONDS)
            .getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
    }

    private void awaitApplied(final ClusterServers cluster) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!sameState(cluster))
        {
            assertThat(System.nanoTime()).as("members agree within 30 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static boolean sameState(final ClusterServers cluster)
    {
        String first = null;
        for (int node = 0; node < 3; node++)
        {
            final String state;
            try
            {
                state = state(cluster, node);
            }
            catch (final StatusRuntimeException ex)
            {
                return false;
            }
            if (first == null)
            {
                first = state;
            }
            else if (!first.equals(state))
            {
                return false;
            }
        }
        return true;
    }

    private static String state(final ClusterServers cluster, final int node)
    {
        final StringBuilder text = new StringBuilder();
        for (final Claim c : cluster.queue(node).listClaims(ListClaimsRequest.newBuilder().setPageSize(500).build())
            .getClaimsList())
        {
            text.append(c.getId()).append('=').append(c.getDemand()).append(';');
        }
        for (final Tranche t : cluster.queue(node).listTranches(ListTranchesRequest.newBuilder().setPageSize(500)
            .build()).getTranchesList())
        {
            text.append(t.getNumber()).append(':').append(t.getDigest().toStringUtf8().hashCode()).append(';');
        }
        return text.toString();
    }

    private static List<Path> recordings(final Path member) throws Exception
    {
        try (Stream<Path> files = Files.list(member.resolve("archive")))
        {
            return files.filter(f -> f.getFileName().toString().endsWith(".rec"))
                .sorted(Comparator.comparing(Path::toString)).toList();
        }
    }

    // The attack the report describes: a claim id edited in the member's recorded log.
    private static String editClaimId(final Path member, final String from, final String to) throws Exception
    {
        final byte[] needle = from.getBytes(StandardCharsets.US_ASCII);
        for (final Path rec : recordings(member))
        {
            final byte[] bytes = Files.readAllBytes(rec);
            for (int i = 0; i + needle.length <= bytes.length; i++)
            {
                if (java.util.Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length))
                {
                    try (RandomAccessFile file = new RandomAccessFile(rec.toFile(), "rw"))
                    {
                        file.seek(i);
                        file.write(to.getBytes(StandardCharsets.US_ASCII));
                    }
                    return "edited " + from + " -> " + to + " at " + rec.getFileName() + ":" + i;
                }
            }
        }
        throw new AssertionError("probe-claim-0007 is in no recording of " + member);
    }

    // One bit in the written part of one recording (segments are sparse: their written part ends at the last
    // non-zero byte).
    private static String flipBit(final Path member, final Random random) throws Exception
    {
        final List<Path> recs = new ArrayList<>();
        final List<Integer> written = new ArrayList<>();
        long total = 0;
        for (final Path rec : recordings(member))
        {
            final byte[] bytes = Files.readAllBytes(rec);
            int end = bytes.length;
            while (end > 0 && bytes[end - 1] == 0)
            {
                end--;
            }
            if (end > 0)
            {
                recs.add(rec);
                written.add(end);
                total += end;
            }
        }
        long at = (long)(random.nextDouble() * total);
        for (int i = 0; i < recs.size(); i++)
        {
            if (at < written.get(i))
            {
                final int bit = random.nextInt(8);
                try (RandomAccessFile file = new RandomAccessFile(recs.get(i).toFile(), "rw"))
                {
                    file.seek(at);
                    final int b = file.read();
                    file.seek(at);
                    file.write(b ^ (1 << bit));
                }
                return "flipped bit " + bit + " of byte " + at + " of " + recs.get(i).getFileName();
            }
            at -= written.get(i);
        }
        throw new AssertionError("no written recording in " + member);
    }

    private static void deleteTree(final Path root) throws Exception
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(p);
            }
        }
    }
}
