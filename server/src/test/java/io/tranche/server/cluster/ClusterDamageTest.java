package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.ClusterServiceGrpc;
import io.tranche.proto.v1.ClusterStatus;
import io.tranche.proto.v1.GetClusterStatusRequest;
import io.tranche.proto.v1.ListClaimsRequest;
import io.tranche.proto.v1.ListTranchesRequest;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.cli.CliRun;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
    private int releases;

    enum Ending
    {
        REFUSED, FAIL_STOP, IDENTICAL
    }

    @Test
    @Timeout(value = 1500, unit = TimeUnit.SECONDS)
    void shouldRefuseFailStopOrMatchAfterAnEditAndSeededBitFlipsOfAStoppedMembersRecording() throws Exception
    {
        try (ClusterProcesses cluster = new ClusterProcesses(dir, 105, true)
            .with("--checkpoint-every", Integer.toString(CHECKPOINT_EVERY)))
        {
            cluster.startAll();
            final Random random = new Random(20261206L);
            final int[] endings = new int[Ending.values().length];
            for (int round = 0; round < FLIPS + 2; round++)
            {
                // The damaged member is never the one the writes go through.
                final int victim = cluster.leader() == 2 ? 1 : 2;
                writes(cluster, victim, 10);
                awaitApplied(cluster);
                cluster.stop(victim);
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
                final Ending ending = restartDamaged(cluster, victim);
                endings[ending.ordinal()]++;
                System.out.println("damage round " + round + ": " + damage + " -> " + ending);
                if (round == 0)
                {
                    assertThat(ending).as("the recording's checksum refuses the edit").isEqualTo(Ending.REFUSED);
                    assertThat(Files.readString(cluster.log(victim)))
                        .contains("the recorded log is damaged: CRC checksum mismatch")
                        .contains("segmentFile=0-0.rec");
                }
                else if (round == 1)
                {
                    assertThat(ending).as("the checkpoints catch a forged replica").isEqualTo(Ending.FAIL_STOP);
                }
                rebuild(cluster, victim);
            }
            System.out.println("damage endings: refused " + endings[0] + ", fail-stop " + endings[1] +
                ", identical " + endings[2]);
            awaitApplied(cluster);
            final StringBuilder servers = new StringBuilder();
            for (int node = 0; node < ClusterProcesses.NODES; node++)
            {
                servers.append(node == 0 ? "" : ",").append(cluster.channel(node).authority());
            }
            final CliRun verify = CliRun.run("verify", "--server", servers.toString());
            assertThat(verify.status()).as(verify.out() + verify.err()).isZero();
            assertThat(verify.out()).contains("3 members agree");
        }
    }

    private void writes(final ClusterProcesses cluster, final int victim, final int count)
    {
        final int through = victim == 0 ? 1 : 0;
        final QueueServiceGrpc.QueueServiceBlockingStub queue = QueueServiceGrpc.newBlockingStub(
            cluster.channel(through)).withDeadlineAfter(60, TimeUnit.SECONDS);
        for (int i = 0; i < count; i++)
        {
            if (i % 5 == 4)
            {
                queue.releaseTranche(ReleaseTrancheRequest.newBuilder()
                    .setRequestId("r" + releases++).setSupply(3)
                    .setPolicy(Policy.newBuilder().setMethod(Method.FIFO)).build());
            }
            else
            {
                queue.createClaim(ClusterAuthenticationTest.claim(String.format("probe-claim-%04d", claims++), 5));
            }
        }
    }

    // Restarted on its damaged recording: what does it do?
    private Ending restartDamaged(final ClusterProcesses cluster, final int victim) throws Exception
    {
        if (!cluster.startOrRefuse(victim))
        {
            final List<String> log = Files.readAllLines(cluster.log(victim));
            System.out.println("refused: " + (log.isEmpty() ? "" : log.get(log.size() - 1)));
            assertThat(log).as("a refusal says why").anyMatch(l -> l.startsWith("tranche serve: cannot start: "));
            return Ending.REFUSED;
        }
        // Enough writes for a checkpoint after the restart, then compare.
        writes(cluster, victim, 2 * CHECKPOINT_EVERY);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
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

    private static void assertFailStopped(final ClusterProcesses cluster, final int victim)
    {
        final HealthCheckResponse.ServingStatus health = HealthGrpc.newBlockingStub(cluster.channel(victim))
            .check(HealthCheckRequest.newBuilder().setService("tranche.v1.QueueService").build()).getStatus();
        assertThat(health).isEqualTo(HealthCheckResponse.ServingStatus.NOT_SERVING);
        final QueueServiceGrpc.QueueServiceBlockingStub queue = QueueServiceGrpc.newBlockingStub(
            cluster.channel(victim)).withDeadlineAfter(10, TimeUnit.SECONDS);
        try
        {
            queue.listClaims(ListClaimsRequest.getDefaultInstance());
            throw new AssertionError("a diverged member answered a read");
        }
        catch (final StatusRuntimeException ex)
        {
            assertThat(ex.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
            assertThat(ex.getStatus().getDescription()).contains("stopped serving");
        }
        try
        {
            queue.createClaim(ClusterAuthenticationTest.claim("after-divergence", 1));
            throw new AssertionError("a diverged member took a write");
        }
        catch (final StatusRuntimeException ex)
        {
            assertThat(ex.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
        }
    }

    // An emptied data directory: the member catches up from its peers and ends with their state.
    private void rebuild(final ClusterProcesses cluster, final int victim) throws Exception
    {
        if (cluster.live(victim))
        {
            cluster.stop(victim);
        }
        deleteTree(dir.resolve("node-" + victim));
        cluster.start(victim);
        writes(cluster, victim, 2 * CHECKPOINT_EVERY);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!(sameState(cluster) && status(cluster, victim).getCheckpointsMatched() > 0))
        {
            assertThat(status(cluster, victim).getDiverged()).as("a rebuilt member agrees").isFalse();
            assertThat(System.nanoTime()).as("rebuilt member " + victim + " catches up within 90 s")
                .isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static ClusterStatus status(final ClusterProcesses cluster, final int node)
    {
        return ClusterServiceGrpc.newBlockingStub(cluster.channel(node)).withDeadlineAfter(10, TimeUnit.SECONDS)
            .getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
    }

    private void awaitApplied(final ClusterProcesses cluster) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!sameState(cluster))
        {
            assertThat(System.nanoTime()).as("members agree within 30 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static boolean sameState(final ClusterProcesses cluster)
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

    private static String state(final ClusterProcesses cluster, final int node)
    {
        final QueueServiceGrpc.QueueServiceBlockingStub queue = QueueServiceGrpc.newBlockingStub(cluster.channel(node))
            .withDeadlineAfter(20, TimeUnit.SECONDS);
        final StringBuilder text = new StringBuilder();
        for (final Claim c : queue.listClaims(ListClaimsRequest.newBuilder().setPageSize(500).build())
            .getClaimsList())
        {
            text.append(c.getId()).append('=').append(c.getDemand()).append(';');
        }
        for (final Tranche t : queue.listTranches(ListTranchesRequest.newBuilder().setPageSize(500)
            .build()).getTranchesList())
        {
            text.append(t.getNumber()).append(':').append(t.toByteString().hashCode()).append(';');
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
