package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill rounds: three {@code serve --cluster-members} child JVMs on loopback under {@link ClusterWriters}
 * (concurrent threads creating and updating claims and releasing tranches, retrying an unanswered write
 * on another node with the same claim id / {@code request_id}). Each round the leader is SIGKILLed at a
 * random point; the time from the kill to the first acknowledged write sent after it (so committed by a
 * new leader) is the failover time. Then the writers finish their writes and stop, and the live nodes
 * must hold every acknowledged write, the same bytes and the queue's invariants
 * ({@link ClusterWriters#check}); the killed node is restarted, catches up and must reach the same hash.
 * Once per run all three are killed and restarted: the state comes back from their logs.
 * <p>
 * {@code -Dtranche.cluster.rounds} (default 10), {@code -Dtranche.cluster.writers} (default 3),
 * {@code -Dtranche.cluster.attemptDeadlineMs} (default 500). Prints one summary line:
 * {@code cluster failover: rounds=.. acknowledged=.. lost=0 median=..ms max=..ms ...}.
 * The failover time is reported, and asserted only against a generous bound (30 s): the machine may be loaded.
 */
@Tag("cluster")
class ClusterKillRoundsTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void shouldLoseNoAcknowledgedWriteWhenTheLeaderIsKilledUnderConcurrentWriters() throws Exception
    {
        final int rounds = Integer.getInteger("tranche.cluster.rounds", 10);
        final Random random = new Random(Long.getLong("tranche.cluster.seed", 42));
        final List<Long> failoverMillis = new ArrayList<>();
        long lost = 0;
        long restartToWriteMs = -1;
        try (ClusterProcesses cluster = new ClusterProcesses(dir, 0, true))
        {
            cluster.startAll();
            final ClusterWriters writers = new ClusterWriters(cluster, Integer.getInteger("tranche.cluster.writers", 3),
                random.nextLong());
            for (int round = 0; round < rounds; round++)
            {
                writers.start();
                Thread.sleep(300 + random.nextInt(1700));
                final int leader = cluster.leader();
                final long killedAt = System.nanoTime();
                cluster.kill(leader);
                long firstAck;
                while ((firstAck = writers.firstAckStartedAfter(killedAt)) < 0)
                {
                    assertThat(System.nanoTime() - killedAt).as("round " + round + ": a write acknowledged after " +
                        "the leader was killed").isLessThan(TimeUnit.SECONDS.toNanos(ClusterWriters.WRITE_DEADLINE_S));
                    assertThat(writers.failure.get()).isNull();
                    Thread.sleep(5);
                }
                failoverMillis.add(TimeUnit.NANOSECONDS.toMillis(firstAck - killedAt));
                Thread.sleep(random.nextInt(1000));
                writers.stop();
                lost += writers.check(cluster.awaitSameState(writers.released.size()));

                if (round == rounds / 2)
                {
                    // Once per run: every node killed and started again (a power cut): the state comes from the logs.
                    for (final int node : cluster.liveNodes())
                    {
                        cluster.kill(node);
                    }
                    final long relaunched = System.nanoTime();
                    final long listeningMs = cluster.startAll();
                    writeOnce(cluster, "after-power-cut-" + round);
                    restartToWriteMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - relaunched);
                    // Not one of the writers' claims: the check below knows only theirs.
                    io.tranche.proto.v1.QueueServiceGrpc.newBlockingStub(cluster.channel(0))
                        .withDeadlineAfter(30, TimeUnit.SECONDS).deleteClaim(io.tranche.proto.v1.DeleteClaimRequest
                        .newBuilder().setId("after-power-cut-" + round).build());
                    System.out.println("cluster restart of all three: listening after " + listeningMs +
                        " ms, first acknowledged write " + restartToWriteMs + " ms after the relaunch");
                }
                else
                {
                    cluster.start(leader);
                }
                lost += writers.check(cluster.awaitSameState(writers.released.size()));
                assertThat(cluster.liveNodes()).hasSize(ClusterProcesses.NODES);
            }
            final long[] sorted = failoverMillis.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.println("cluster failover: rounds=" + rounds + " acknowledged=" + writers.acknowledged.get() +
                " lost=" + lost + " median=" + sorted[sorted.length / 2] + "ms p90=" +
                sorted[(int)Math.ceil(0.9 * sorted.length) - 1] + "ms max=" + sorted[sorted.length - 1] +
                "ms tranches=" + writers.released.size() + " writers=" + Integer.getInteger("tranche.cluster.writers",
                3) + " attempt_deadline=" + ClusterWriters.ATTEMPT_DEADLINE_MS + "ms heartbeat_timeout=" +
                (ClusterProcesses.HEARTBEAT_TIMEOUT == null ? "default" : ClusterProcesses.HEARTBEAT_TIMEOUT) +
                " failover_ms=" + java.util.Arrays.toString(sorted) + " load=" + loadAverage());
            assertThat(sorted[sorted.length - 1]).as("failover within a generous bound").isLessThan(30_000);
            if (rounds > 1)
            {
                assertThat(restartToWriteMs).as("first write after a restart of all three").isBetween(0L, 30_000L);
            }
        }
    }

    // One claim through any live member, retried while the cluster elects.
    static void writeOnce(final ClusterProcesses cluster, final String id) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            try
            {
                io.tranche.proto.v1.QueueServiceGrpc.newBlockingStub(cluster.channel(cluster.liveNodes().get(0)))
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .createClaim(ClusterAuthenticationTest.claim(id, 1));
                return;
            }
            catch (final io.grpc.StatusRuntimeException ex)
            {
                if (ex.getStatus().getCode() == io.grpc.Status.Code.ALREADY_EXISTS)
                {
                    return;
                }
                assertThat(System.nanoTime()).as("a write acknowledged within 60 s: " + ex).isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }

    static String loadAverage()
    {
        try
        {
            final String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + "," + fields[1] + "," + fields[2];
        }
        catch (final java.io.IOException ex)
        {
            return "unknown";
        }
    }
}
