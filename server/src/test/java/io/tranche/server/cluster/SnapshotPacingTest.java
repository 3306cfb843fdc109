package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * When the leader asks for a snapshot: after {@code --snapshot-every} commands (or the log bytes), and, once a
 * snapshot takes long (every tranche is in each, so it grows with the history), not before the service has worked
 * four times as long as that snapshot took.
 */
class SnapshotPacingTest
{
    private static final ClusterNode.Snapshots EVERY_100 = new ClusterNode.Snapshots(100, 1 << 20);
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void shouldSnapshotEveryNCommandsWhileSnapshotsAreQuick()
    {
        assertThat(ClusterNode.snapshotDue(EVERY_100, 99, 5_000, 0, 0)).isFalse();
        assertThat(ClusterNode.snapshotDue(EVERY_100, 100, 5_000, 0, 0)).as("before any snapshot").isTrue();
        assertThat(ClusterNode.snapshotDue(EVERY_100, 100, 5_000, 1, 100 * MS)).isTrue();
        assertThat(ClusterNode.snapshotDue(EVERY_100, 1, 1 << 20, 1, 5 * MS)).as("the log bytes").isTrue();
        assertThat(ClusterNode.snapshotDue(EVERY_100, 0, 1 << 21, 1, 5 * MS)).as("no command since").isFalse();
    }

    @Test
    void shouldWaitForFourTimesTheLastSnapshotsTimeOfWorkOnceSnapshotsAreSlow()
    {
        final long snapshot = 1_000 * MS;
        assertThat(ClusterNode.snapshotDue(EVERY_100, 100, 5_000, 3_999 * MS, snapshot)).isFalse();
        assertThat(ClusterNode.snapshotDue(EVERY_100, 100_000, 1L << 30, 3_999 * MS, snapshot))
            .as("however many commands").isFalse();
        assertThat(ClusterNode.snapshotDue(EVERY_100, 100, 5_000, 4_000 * MS, snapshot)).isTrue();
        assertThat(ClusterNode.snapshotDue(EVERY_100, 99, 5_000, 40_000 * MS, snapshot))
            .as("and still the commands").isFalse();
        assertThat(ClusterNode.snapshotDue(EVERY_100, 100, 5_000, 404 * MS, 101 * MS)).isTrue();
        assertThat(ClusterNode.snapshotDue(EVERY_100, 100, 5_000, 403 * MS, 101 * MS)).isFalse();
    }
}
