package io.tranche.server.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Operator metrics: per-method call counts by status code, per-method latency, and the journal's
 * sync latency. Engine gauges (queue length, outstanding demand, tranches) are read from the
 * writer when scraped. Thread safe.
 */
public final class Metrics
{
    private static final long HIGHEST_NANOS = 3_600_000_000_000L;

    private final ConcurrentHashMap<String, LongAdder> calls = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Histogram> latency = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> latencySum = new ConcurrentHashMap<>();
    private final Histogram journalSync = new ConcurrentHistogram(HIGHEST_NANOS, 3);
    private final LongAdder journalSyncSum = new LongAdder();

    /**
     * @param method full method name.
     * @param code   status code name.
     * @param nanos  call duration.
     */
    public void recordCall(final String method, final String code, final long nanos)
    {
        // The sum exists before the histogram, so that a scrape that sees the histogram finds its sum.
        latencySum.computeIfAbsent(method, k -> new LongAdder()).add(nanos);
        latency.computeIfAbsent(method, k -> new ConcurrentHistogram(HIGHEST_NANOS, 3))
            .recordValue(Math.min(Math.max(0, nanos), HIGHEST_NANOS));
        calls.computeIfAbsent(method + '\u0000' + code, k -> new LongAdder()).increment();
    }

    /** @param nanos duration of one journal fsync. */
    public void recordJournalSync(final long nanos)
    {
        journalSync.recordValue(Math.min(Math.max(0, nanos), HIGHEST_NANOS));
        journalSyncSum.add(nanos);
    }

    /**
     * @param method full method name.
     * @param code   status code name.
     * @return calls counted so far.
     */
    public long calls(final String method, final String code)
    {
        final LongAdder adder = calls.get(method + '\u0000' + code);
        return adder == null ? 0 : adder.sum();
    }

    /** @return journal syncs recorded. */
    public long journalSyncs()
    {
        return journalSync.getTotalCount();
    }

    /**
     * Renders the Prometheus text exposition format (version 0.0.4).
     *
     * @param queueLength       claims in the queue.
     * @param outstandingDemand sum of outstanding demands.
     * @param tranches          tranches released.
     * @return the text.
     */
    public String render(final int queueLength, final double outstandingDemand, final long tranches)
    {
        final StringBuilder sb = new StringBuilder(4096);
        sb.append("# HELP tranche_grpc_calls_total Completed gRPC calls by method and status code.\n");
        sb.append("# TYPE tranche_grpc_calls_total counter\n");
        final Map<String, LongAdder> sortedCalls = new TreeMap<>(calls);
        for (final Map.Entry<String, LongAdder> e : sortedCalls.entrySet())
        {
            final int sep = e.getKey().indexOf('\u0000');
            sb.append("tranche_grpc_calls_total{method=\"").append(e.getKey(), 0, sep)
                .append("\",code=\"").append(e.getKey().substring(sep + 1)).append("\"} ")
                .append(e.getValue().sum()).append('\n');
        }
        sb.append("# HELP tranche_grpc_call_seconds gRPC call latency by method.\n");
        sb.append("# TYPE tranche_grpc_call_seconds summary\n");
        for (final Map.Entry<String, Histogram> e : new TreeMap<>(latency).entrySet())
        {
            summary(sb, "tranche_grpc_call_seconds", "method=\"" + e.getKey() + "\"", e.getValue().copy(),
                latencySum.get(e.getKey()).sum());
        }
        sb.append("# HELP tranche_journal_sync_seconds Latency of one journal fsync (one per batch of mutations).\n");
        sb.append("# TYPE tranche_journal_sync_seconds summary\n");
        summary(sb, "tranche_journal_sync_seconds", null, journalSync.copy(), journalSyncSum.sum());
        gauge(sb, "tranche_queue_length", "Claims in the queue.", queueLength);
        gauge(sb, "tranche_outstanding_demand_units", "Sum of the outstanding demands of the queued claims.",
            outstandingDemand);
        sb.append("# HELP tranche_tranches_released_total Tranches released.\n");
        sb.append("# TYPE tranche_tranches_released_total counter\n");
        sb.append("tranche_tranches_released_total ").append(tranches).append('\n');
        return sb.toString();
    }

    private static void gauge(final StringBuilder sb, final String name, final String help, final double value)
    {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" gauge\n");
        sb.append(name).append(' ').append(format(value)).append('\n');
    }

    private static void summary(
        final StringBuilder sb, final String name, final String labels, final Histogram h, final long sumNanos)
    {
        final double[] quantiles = {0.5, 0.9, 0.99, 0.999};
        for (final double q : quantiles)
        {
            sb.append(name).append('{');
            if (labels != null)
            {
                sb.append(labels).append(',');
            }
            sb.append("quantile=\"").append(q).append("\"} ")
                .append(format(h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(q * 100) / 1e9)).append('\n');
        }
        final String l = labels == null ? "" : "{" + labels + "}";
        sb.append(name).append("_sum").append(l).append(' ').append(format(sumNanos / 1e9)).append('\n');
        sb.append(name).append("_count").append(l).append(' ').append(h.getTotalCount()).append('\n');
    }

    private static String format(final double value)
    {
        if (value == Math.rint(value) && Math.abs(value) < 1e15)
        {
            return Long.toString((long)value);
        }
        return Double.toString(value);
    }
}
