package io.tranche.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A member's snapshots in its metrics: how many it wrote and how long the last one took (commands wait that long),
 * read from the member on each scrape; the duration is absent before the first snapshot and on a single node.
 */
class ClusterSnapshotMetricsTest
{
    @Test
    void shouldShowTheSnapshotsAMemberTookAndHowLongTheLastOneTook() throws IOException
    {
        final Member member = new Member();
        try (Metrics metrics = new Metrics())
        {
            assertThat(scrape(metrics)).doesNotContain("tranche_cluster_snapshots")
                .doesNotContain("tranche_cluster_last_snapshot_seconds");

            metrics.bindCluster(member);
            assertThat(scrape(metrics)).contains("tranche_cluster_snapshots_total 0.0")
                .doesNotContain("tranche_cluster_last_snapshot_seconds ");

            member.snapshots = 3;
            member.lastNanos = 1_250_000_000L;
            assertThat(scrape(metrics)).contains("tranche_cluster_snapshots_total 3.0")
                .contains("tranche_cluster_last_snapshot_seconds 1.25");
        }
    }

    private static String scrape(final Metrics metrics) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, metrics.registry().scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    private static final class Member implements ClusterGauges
    {
        volatile long snapshots;
        volatile long lastNanos;

        @Override
        public String role()
        {
            return "LEADER";
        }

        @Override
        public long leadershipTermId()
        {
            return 1;
        }

        @Override
        public long commitPosition()
        {
            return 0;
        }

        @Override
        public long appliedPosition()
        {
            return 0;
        }

        @Override
        public boolean diverged()
        {
            return false;
        }

        @Override
        public long rejectedCommands()
        {
            return 0;
        }

        @Override
        public long snapshotsTaken()
        {
            return snapshots;
        }

        @Override
        public long lastSnapshotNanos()
        {
            return lastNanos;
        }
    }
}
