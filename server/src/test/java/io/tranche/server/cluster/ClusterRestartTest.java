package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member SIGKILLed and launched again one second later starts at its first launch, every time (its dead
 * process's Aeron mark files no longer refuse it), and serves a write.
 */
@Tag("cluster")
class ClusterRestartTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void shouldStartAMemberAtItsFirstLaunchOneSecondAfterItsSigkill() throws Exception
    {
        final int restarts = Integer.getInteger("tranche.cluster.restarts", 20);
        try (ClusterProcesses cluster = new ClusterProcesses(dir, 150, true))
        {
            cluster.startAll();
            long slowest = 0;
            for (int i = 0; i < restarts; i++)
            {
                // Followers and leaders alike: the member's id cycles.
                final int node = i % ClusterProcesses.NODES;
                ClusterKillRoundsTest.writeOnce(cluster, "before-" + i);
                cluster.kill(node);
                Thread.sleep(1000);
                final long launched = System.nanoTime();
                cluster.start(node);
                ClusterKillRoundsTest.writeOnce(cluster, "after-" + i);
                slowest = Math.max(slowest, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - launched));
            }
            System.out.println("cluster restarts 1 s after SIGKILL: " + restarts + " of " + restarts +
                " started at the first launch; slowest to a served write " + slowest + " ms");
            assertThat(cluster.liveNodes()).hasSize(ClusterProcesses.NODES);
        }
    }
}
