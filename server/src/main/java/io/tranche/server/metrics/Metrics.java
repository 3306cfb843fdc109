package io.tranche.server.metrics;

import io.grpc.ServerBuilder;
import io.grpc.opentelemetry.GrpcOpenTelemetry;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.tranche.server.grpc.TransportErrors;

/**
 * Operator metrics, all in one Prometheus registry:
 * <ul>
 *   <li>the standard gRPC server metrics of gRFC A66 ({@code grpc.server.call.started},
 *   {@code grpc.server.call.duration}, message sizes, by method and status), emitted by grpc-java's
 *   OpenTelemetry module and read by the OpenTelemetry Prometheus exporter: histograms that can be
 *   aggregated across instances and windows, and every call counted, including watches that end at
 *   their deadline and calls refused by authentication;</li>
 *   <li>the JVM and process metrics of the Prometheus Java client ({@code jvm_*}, {@code process_*});</li>
 *   <li>tranche's own: the journal sync latency histogram, and the queue length, outstanding demand (and the part
 *   of it above the caps), claims whose cap is used up, tranches released and writer state read from
 *   {@link StateGauges} on every scrape;</li>
 *   <li>on a cluster member, its role, term, commit and applied log positions, whether it diverged and the
 *   commands it rejected, from {@link ClusterGauges};</li>
 *   <li>the transport errors that {@link TransportErrors} keeps out of the log, by reason.</li>
 * </ul>
 * One instance per server (tests start several in one JVM); thread safe.
 */
public final class Metrics implements AutoCloseable
{
    /** Upper bounds of the journal sync histogram, seconds: 50 µs to 2.5 s. */
    private static final double[] SYNC_BOUNDS = {
        0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final SdkMeterProvider meterProvider;
    private final GrpcOpenTelemetry grpcOpenTelemetry;
    private final Histogram journalSync;
    private volatile StateGauges gauges;
    private volatile ClusterGauges cluster;

    /** Creates the registry with the gRPC, JVM and tranche metrics; state gauges report once bound. */
    public Metrics()
    {
        final PrometheusMetricReader reader = PrometheusMetricReader.builder()
            .setOtelScopeLabelsEnabled(false)
            .setTargetInfoMetricEnabled(false)
            .build();
        meterProvider = SdkMeterProvider.builder().registerMetricReader(reader).build();
        grpcOpenTelemetry = GrpcOpenTelemetry.newBuilder()
            .sdk(OpenTelemetrySdk.builder().setMeterProvider(meterProvider).build())
            .build();
        registry.register(reader);
        JvmMetrics.builder().register(registry);

        journalSync = Histogram.builder()
            .name("tranche_journal_sync_seconds")
            .help("Latency of one journal fsync (one per batch of mutations).")
            .unit(Unit.SECONDS)
            .classicOnly()
            .classicUpperBounds(SYNC_BOUNDS)
            .register(registry);
        GaugeWithCallback.builder()
            .name("tranche_queue_length")
            .help("Claims in the queue.")
            .callback(cb ->
            {
                final StateGauges g = gauges;
                if (g != null)
                {
                    cb.call(g.queueLength());
                }
            })
            .register(registry);
        GaugeWithCallback.builder()
            .name("tranche_outstanding_demand_units")
            .help("Sum of the outstanding demands of the queued claims.")
            .callback(cb ->
            {
                final StateGauges g = gauges;
                if (g != null)
                {
                    cb.call(g.outstandingDemand());
                }
            })
            .register(registry);
        registerUnservableGauges();
        CounterWithCallback.builder()
            .name("tranche_tranches_released")
            .help("Tranches released.")
            .callback(cb ->
            {
                final StateGauges g = gauges;
                if (g != null)
                {
                    cb.call(g.trancheCount());
                }
            })
            .register(registry);
        GaugeWithCallback.builder()
            .name("tranche_writer_up")
            .help("1 while the writer takes mutations, 0 while it cannot (see tranche_writer_failed for why).")
            .callback(cb ->
            {
                final StateGauges g = gauges;
                if (g != null)
                {
                    cb.call(g.writerUp() ? 1 : 0);
                }
            })
            .register(registry);
        GaugeWithCallback.builder()
            .name("tranche_writer_failed")
            .help("1, with the reason as a label, while the writer cannot take mutations; absent while it can.")
            .labelNames("reason")
            .callback(cb ->
            {
                final StateGauges g = gauges;
                final String reason = g == null ? null : g.writerFailure();
                if (reason != null)
                {
                    cb.call(1, reason);
                }
            })
            .register(registry);
        registerClusterGauges();
        registerTransportErrors();
    }

    // Counted by TransportErrors for the whole process (grpc-netty's loggers are global).
    private void registerTransportErrors()
    {
        CounterWithCallback.builder()
            .name("tranche_transport_errors")
            .help("Errors the gRPC transport logs, each as at most one line a minute: connections closed because " +
                "they broke HTTP/2 (e.g. not a gRPC client), messages refused before reaching a service (e.g. above " +
                "--max-inbound-message-size).")
            .labelNames("reason")
            .callback(cb ->
            {
                cb.call(TransportErrors.connections(), "connection");
                cb.call(TransportErrors.messages(), "message");
            })
            .register(registry);
    }

    // Claims that stay queued but that no tranche can serve, and the demand above the caps.
    private void registerUnservableGauges()
    {
        GaugeWithCallback.builder()
            .name("tranche_unservable_claims")
            .help("Queued claims whose cap is used up: no tranche can serve them until the cap is raised " +
                "(claim update --cap) or they are deleted.")
            .callback(cb ->
            {
                final StateGauges g = gauges;
                if (g != null && g.unservableClaims() >= 0)
                {
                    cb.call(g.unservableClaims());
                }
            })
            .register(registry);
        GaugeWithCallback.builder()
            .name("tranche_demand_above_caps_units")
            .help("Outstanding demand above the claims' caps, included in tranche_outstanding_demand_units: " +
                "no tranche can serve it.")
            .callback(cb ->
            {
                final StateGauges g = gauges;
                if (g != null && g.demandAboveCaps() >= 0)
                {
                    cb.call(g.demandAboveCaps());
                }
            })
            .register(registry);
    }

    private void registerClusterGauges()
    {
        GaugeWithCallback.builder()
            .name("tranche_cluster_role")
            .help("1 for this member's role (LEADER, FOLLOWER or CANDIDATE) as a label; absent on a single node.")
            .labelNames("role")
            .callback(cb ->
            {
                final ClusterGauges c = cluster;
                final String role = c == null ? null : c.role();
                if (role != null)
                {
                    cb.call(1, role);
                }
            })
            .register(registry);
        clusterGauge("tranche_cluster_term", "The leadership term this member is in.", 0);
        clusterGauge("tranche_cluster_commit_position",
            "The log position this member knows committed by a majority, bytes.", 1);
        clusterGauge("tranche_cluster_applied_position",
            "The log position this member's state machine has applied, bytes; reads see the state there.", 2);
        clusterGauge("tranche_cluster_diverged", "1 once this member found its state differs from a majority's " +
            "at a checkpoint: it stopped serving (fail-stop); 0 while it agrees.", 3);
        clusterCounter("tranche_cluster_rejected_commands",
            "Commands on the log this member rejected and never applied: unsigned, mis-signed or replayed.",
            ClusterGauges::rejectedCommands);
        clusterCounter("tranche_cluster_snapshots", "Snapshots this member's service wrote since its process started.",
            ClusterGauges::snapshotsTaken);
        GaugeWithCallback.builder()
            .name("tranche_cluster_last_snapshot_seconds")
            .help("How long this member's last snapshot took; no command is applied while one is written.")
            .unit(Unit.SECONDS)
            .callback(cb ->
            {
                final ClusterGauges c = cluster;
                if (c != null && c.snapshotsTaken() > 0)
                {
                    cb.call(c.lastSnapshotNanos() / 1e9);
                }
            })
            .register(registry);
    }

    private void clusterCounter(final String name, final String help,
        final java.util.function.ToLongFunction<ClusterGauges> value)
    {
        CounterWithCallback.builder()
            .name(name)
            .help(help)
            .callback(cb ->
            {
                final ClusterGauges c = cluster;
                if (c != null)
                {
                    cb.call(value.applyAsLong(c));
                }
            })
            .register(registry);
    }

    private void clusterGauge(final String name, final String help, final int which)
    {
        GaugeWithCallback.builder()
            .name(name)
            .help(help)
            .callback(cb ->
            {
                final ClusterGauges c = cluster;
                if (c != null)
                {
                    final long value = which == 0 ? c.leadershipTermId() :
                        which == 1 ? c.commitPosition() : which == 2 ? c.appliedPosition() : c.diverged() ? 1 : 0;
                    if (value >= 0)
                    {
                        cb.call(value);
                    }
                }
            })
            .register(registry);
    }

    /**
     * Binds the cluster gauges (a cluster member only); until then they are absent from a scrape.
     *
     * @param clusterGauges the member.
     */
    public void bindCluster(final ClusterGauges clusterGauges)
    {
        cluster = clusterGauges;
    }

    /**
     * Installs grpc-java's OpenTelemetry stream tracer on a server builder, so that every call is measured.
     *
     * @param builder the server builder, before {@code build()}.
     */
    public void configureServerBuilder(final ServerBuilder<?> builder)
    {
        grpcOpenTelemetry.configureServerBuilder(builder);
    }

    /**
     * Binds the state gauges; until then they are absent from a scrape.
     *
     * @param stateGauges the writer.
     */
    public void bind(final StateGauges stateGauges)
    {
        gauges = stateGauges;
    }

    /** @param nanos duration of one journal fsync. */
    public void recordJournalSync(final long nanos)
    {
        journalSync.observe(Math.max(0, nanos) / 1e9);
    }

    /** @return journal syncs recorded. */
    public long journalSyncs()
    {
        return journalSync.collect().getDataPoints().get(0).getCount();
    }

    /** @return the registry every metric is in. */
    public PrometheusRegistry registry()
    {
        return registry;
    }

    @Override
    public void close()
    {
        meterProvider.close();
    }
}
