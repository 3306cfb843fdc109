package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Checkpoints hash the whole state, so they come further apart as it grows: {@code --checkpoint-every} messages up
 * to 2 × 16,384 records, then that many more per 16,384 records, which keeps the hashing's cost per message about
 * the same at any size.
 */
class CheckpointScheduleTest
{
    @Test
    void shouldKeepTheIntervalWhileTheStateIsSmallAndGrowItWithTheState()
    {
        assertThat(QueueClusteredService.checkpointInterval(1000, 0)).isEqualTo(1000);
        assertThat(QueueClusteredService.checkpointInterval(1000, 32_767)).isEqualTo(1000);
        assertThat(QueueClusteredService.checkpointInterval(1000, 32_768)).isEqualTo(2000);
        assertThat(QueueClusteredService.checkpointInterval(5, 300)).isEqualTo(5);
        // 500,000 tranches' request ids and 100 queued claims: 30 times the interval.
        assertThat(QueueClusteredService.checkpointInterval(1000, 500_100)).isEqualTo(30_000);
        // Never overflows at the largest interval and a state of 2^40 records.
        assertThat(QueueClusteredService.checkpointInterval(Integer.MAX_VALUE, 1L << 40))
            .isEqualTo((long)Integer.MAX_VALUE << 26);
    }
}
