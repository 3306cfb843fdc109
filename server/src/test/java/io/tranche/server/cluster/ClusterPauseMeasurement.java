package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tranche.proto.v1.ClusterServiceGrpc;
import io.tranche.proto.v1.GetClusterStatusRequest;
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
 * Pause rounds: under the kill rounds' writers, the leader is stopped with SIGSTOP for a while (a long GC pause, a
 * frozen VM) and resumed with SIGCONT. Each round reports the time from the SIGSTOP to the first acknowledged write
 * sent after it, and the elections the round held (leaders announced, and the rise of the members' term): one is
 * the failover; any more were forced by the deposed leader coming back, or by a stall of the loaded machine. Then
 * every acknowledged write must be on all three members. Prints one line per run: {@code cluster pause: rounds=..
 * paused_ms=.. failover_ms=[..] elections=[..] term_increases=[..] acknowledged=.. lost=.. load=..}.
 * Tagged {@code measurement}. {@code -Dtranche.pause.rounds} (default 3), {@code -Dtranche.pause.ms} (default 5000).
 */
@Tag("measurement")
class ClusterPauseMeasurement
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void shouldCountTheElectionsOfAPausedAndResumedLeader() throws Exception
    {
        final int rounds = Integer.getInteger("tranche.pause.rounds", 3);
        final long pauseMs = Long.getLong("tranche.pause.ms", 5000);
        final Random random = new Random(11);
        final List<Long> failover = new ArrayList<>();
        final List<Long> elections = new ArrayList<>();
        final List<Long> terms = new ArrayList<>();
        long lost = 0;
        try (ClusterProcesses cluster = new ClusterProcesses(dir, 210, true))
        {
            cluster.startAll();
            final ClusterWriters writers = new ClusterWriters(cluster, 3, random.nextLong());
            for (int round = 0; round < rounds; round++)
            {
                writers.start();
                Thread.sleep(1000 + random.nextInt(1000));
                final long before = cluster.leaderLines();
                final long termBefore = term(cluster);
                final int leader = cluster.leader();
                final List<List<String>> rolesBefore = roleChanges(cluster);
                final long pausedAt = System.nanoTime();
                cluster.signal(leader, "STOP");
                long firstAck;
                while ((firstAck = writers.firstAckStartedAfter(pausedAt)) < 0 &&
                    System.nanoTime() - pausedAt < TimeUnit.MILLISECONDS.toNanos(pauseMs))
                {
                    Thread.sleep(5);
                }
                Thread.sleep(Math.max(0, pauseMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pausedAt)));
                cluster.signal(leader, "CONT");
                failover.add(firstAck < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(firstAck - pausedAt));
                // The resumed member learns it was deposed; any election it forces happens in these seconds.
                Thread.sleep(10_000);
                writers.stop();
                lost += writers.check(cluster.awaitSameState(writers.released.size()));
                elections.add(cluster.leaderLines() - before);
                // Which member went candidate in this round: the role changes each member logged during it.
                final List<List<String>> rolesAfter = roleChanges(cluster);
                final StringBuilder roles = new StringBuilder();
                for (int node = 0; node < ClusterProcesses.NODES; node++)
                {
                    final List<String> after = rolesAfter.get(node);
                    roles.append(" node ").append(node).append(node == leader ? " (paused)" : "").append(": ")
                        .append(after.subList(rolesBefore.get(node).size(), after.size()));
                }
                System.out.println("cluster pause round " + round + " role changes:" + roles);
                terms.add(term(cluster) - termBefore);
                assertThat(cluster.liveNodes()).hasSize(ClusterProcesses.NODES);
            }
            System.out.println("cluster pause: rounds=" + rounds + " paused_ms=" + pauseMs + " failover_ms=" +
                failover + " elections=" + elections + " term_increases=" + terms + " acknowledged=" +
                writers.acknowledged.get() + " lost=" + lost +
                " heartbeat_timeout=" + (ClusterProcesses.HEARTBEAT_TIMEOUT == null ? "default" :
                ClusterProcesses.HEARTBEAT_TIMEOUT) + " load=" + ClusterKillRoundsTest.loadAverage());
            assertThat(lost).isZero();
            assertThat(writers.failure.get()).isNull();
        }
    }

    // Each member's role changes so far, in the order its log has them.
    private static List<List<String>> roleChanges(final ClusterProcesses cluster) throws java.io.IOException
    {
        final List<List<String>> roles = new ArrayList<>();
        for (int node = 0; node < ClusterProcesses.NODES; node++)
        {
            final List<String> changes = new ArrayList<>();
            final String prefix = "tranche: cluster node " + node + " role ";
            for (final String line : java.nio.file.Files.readAllLines(cluster.log(node)))
            {
                if (line.startsWith(prefix))
                {
                    changes.add(line.substring(prefix.length()));
                }
            }
            roles.add(changes);
        }
        return roles;
    }

    // The highest term the members report: each election raises it at least once.
    private static long term(final ClusterProcesses cluster)
    {
        long term = -1;
        for (final int node : cluster.liveNodes())
        {
            term = Math.max(term, ClusterServiceGrpc.newBlockingStub(cluster.channel(node))
                .withDeadlineAfter(10, TimeUnit.SECONDS).getClusterStatus(GetClusterStatusRequest.getDefaultInstance())
                .getLeadershipTermId());
        }
        return term;
    }
}
