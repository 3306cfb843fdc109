package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cost of short election timeouts: three members under the kill rounds' writers for a while with no kill,
 * and the elections they held anyway (each member's role changes after the first leader). Prints one line:
 * {@code cluster soak: minutes=... acknowledged=... elections=... heartbeat_timeout=... load=...}. Tagged
 * {@code measurement}. {@code -Dtranche.soak.minutes} (default 10).
 */
@Tag("measurement")
class ClusterSoakMeasurement
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.MINUTES)
    void shouldCountElectionsWithoutAnyKill() throws Exception
    {
        final int minutes = Integer.getInteger("tranche.soak.minutes", 10);
        try (ClusterProcesses cluster = new ClusterProcesses(dir, 180, false))
        {
            cluster.startAll();
            final int firstLeader = cluster.leader();
            final ClusterWriters writers = new ClusterWriters(cluster, Integer.getInteger("tranche.cluster.writers",
                3), new Random(7).nextLong());
            final String loadBefore = ClusterKillRoundsTest.loadAverage();
            writers.start();
            Thread.sleep(TimeUnit.MINUTES.toMillis(minutes));
            writers.stop();
            // The first election made one leader; every further LEADER line is an election no kill asked for.
            final long elections = cluster.leaderLines() - 1;
            System.out.println("cluster soak: minutes=" + minutes + " acknowledged=" + writers.acknowledged.get() +
                " elections=" + elections + " first_leader=" + firstLeader + " heartbeat_timeout=" +
                (ClusterProcesses.HEARTBEAT_TIMEOUT == null ? "default" : ClusterProcesses.HEARTBEAT_TIMEOUT) +
                " load_before=" + loadBefore + " load_after=" + ClusterKillRoundsTest.loadAverage());
            assertThat(writers.failure.get()).isNull();
        }
    }
}
