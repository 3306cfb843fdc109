package io.tranche.bench;

import io.tranche.bench.server.EndToEndRecord;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static io.tranche.bench.Benchmarks.AVGT;
import static io.tranche.bench.Benchmarks.E2E_PREFIX;
import static io.tranche.bench.Benchmarks.FLOOR;
import static io.tranche.bench.Benchmarks.KERNEL;

/**
 * One result folder as the report reads it: the JMH rows, the machine, the end-to-end server allocation,
 * and the figures derived from them that several parts of the report share (the background allocation rate,
 * the rows a target or a table looks up).
 */
final class Run
{
    final Path dir;
    final Results results;
    final Map<String, String> machine;
    /** Bytes per ns allocated by JMH's own threads, read off the floor (which allocates nothing); NaN if unknown. */
    final double background;
    /** The lowest floor rate, shown beside {@link #background} to say how much it varies. */
    final double backgroundLow;
    /** {@link EndToEndRecord#totals} of the run: calls, server bytes and CPU times by benchmark and claim count. */
    private final Map<String, long[]> endToEndTotals;

    private Run(final Path dir, final Results results, final Map<String, String> machine,
        final Map<String, long[]> endToEndTotals)
    {
        this.dir = dir;
        this.results = results;
        this.machine = machine;
        this.endToEndTotals = endToEndTotals;
        double max = Double.NaN;
        double min = Double.NaN;
        // JMH's GC profiler counts every thread's allocation, its own included: a steady trickle per second
        // (and per iteration) that a long call (milliseconds at 1M claims) collects as kilobytes per op. The
        // streaming floor allocates nothing, so its B/op over its time is that trickle; it varies from fork
        // to fork, so the highest floor rate is taken and the range is shown.
        for (final Results.Row row : results.rows)
        {
            if (row.benchmark.equals(FLOOR) && !Double.isNaN(row.bytesPerOp) && row.nanos() > 0)
            {
                final double rate = row.bytesPerOp / row.nanos();
                max = Double.isNaN(max) ? rate : Math.max(max, rate);
                min = Double.isNaN(min) ? rate : Math.min(min, rate);
            }
        }
        this.background = max;
        this.backgroundLow = min;
    }

    /**
     * @param dir a result folder holding {@code jmh.json}.
     * @return the folder's figures.
     * @throws IOException when a file of the folder cannot be read.
     */
    static Run load(final Path dir) throws IOException
    {
        return new Run(dir, Results.load(dir.resolve(Results.FILE)), Machine.load(dir), EndToEndRecord.totals(dir));
    }

    /** @return the machine.json value of {@code key}, or {@code orElse}. */
    String machine(final String key, final String orElse)
    {
        return machine.getOrDefault(key, orElse);
    }

    Results.Row find(final String benchmark, final String mode, final String... params)
    {
        return results.find(benchmark, mode, params);
    }

    Results.Row kernel(final String method, final String claims, final String supply, final String shape)
    {
        return results.find(KERNEL, AVGT, "method", method, "claims", claims, "supply", supply, "shape", shape);
    }

    Results.Row floor(final String claims, final String supply)
    {
        return results.find(FLOOR, AVGT, "claims", claims, "supply", supply);
    }

    /** @return B/op less the background allocation over the call's duration, at least 0. */
    double net(final Results.Row row)
    {
        if (Double.isNaN(background))
        {
            return row.bytesPerOp;
        }
        return Math.max(0, row.bytesPerOp - background * row.nanos());
    }

    /**
     * @param benchmark {@code allocate} or {@code echo}.
     * @param claims    claims per request.
     * @return bytes the server threads allocated per completed call over the trials, NaN when not recorded.
     */
    double serverBytesPerCall(final String benchmark, final String claims)
    {
        final long[] totals = endToEndTotals.get(EndToEndRecord.key(benchmark, claims));
        return totals == null || totals[EndToEndRecord.TOTAL_CALLS] == 0 ? Double.NaN :
            (double)totals[EndToEndRecord.TOTAL_SERVER_BYTES] / totals[EndToEndRecord.TOTAL_CALLS];
    }

    /**
     * @param benchmark {@code allocate} or {@code echo}.
     * @param claims    claims per request.
     * @param process   true for the whole JVM's CPU time (client, servers, JMH, JIT, GC), false for the server
     *                  threads'.
     * @return CPU µs per completed call over the trials, NaN when not recorded (runs before CPU was recorded).
     */
    double cpuMicrosPerCall(final String benchmark, final String claims, final boolean process)
    {
        final long[] totals = endToEndTotals.get(EndToEndRecord.key(benchmark, claims));
        if (totals == null || totals[EndToEndRecord.TOTAL_CPU_CALLS] == 0)
        {
            return Double.NaN;
        }
        final long nanos = totals[process ? EndToEndRecord.TOTAL_PROCESS_CPU : EndToEndRecord.TOTAL_SERVER_CPU];
        return nanos / 1e3 / totals[EndToEndRecord.TOTAL_CPU_CALLS];
    }

    /** @return the supplies of the kernel-side benchmarks, ascending. */
    List<String> supplies()
    {
        return distinct("supply");
    }

    /** @return the claim counts of the kernel-side benchmarks, ascending. */
    List<String> claimCounts()
    {
        return distinct("claims");
    }

    /** @return the claim counts of the end-to-end benchmarks, ascending. */
    List<String> endToEndClaimCounts()
    {
        final TreeSet<Integer> claims = new TreeSet<>();
        for (final Results.Row row : results.rows)
        {
            if (row.benchmark.startsWith(E2E_PREFIX))
            {
                claims.add(Integer.parseInt(row.param("claims")));
            }
        }
        final List<String> out = new ArrayList<>();
        for (final int n : claims)
        {
            out.add(Integer.toString(n));
        }
        return out;
    }

    /** @return true when some row scores the median of its forks' means. */
    boolean hasMedians()
    {
        for (final Results.Row row : results.rows)
        {
            if (row.median())
            {
                return true;
            }
        }
        return false;
    }

    /** @return true when a kernel row at this claim count scores the median of its forks' means. */
    boolean hasKernelMedians(final String claims)
    {
        for (final Results.Row row : results.rows)
        {
            if (row.median() && Benchmarks.KERNEL.equals(row.benchmark) && claims.equals(row.params.get("claims")))
            {
                return true;
            }
        }
        return false;
    }

    /** @return true when the run has a kernel row of this shape. */
    boolean hasShape(final String shape)
    {
        for (final Results.Row row : results.rows)
        {
            if (row.benchmark.equals(KERNEL) && shape.equals(row.param("shape")))
            {
                return true;
            }
        }
        return false;
    }

    private List<String> distinct(final String param)
    {
        final TreeSet<Long> values = new TreeSet<>();
        for (final Results.Row row : results.rows)
        {
            final String v = row.param(param);
            if (v != null && !row.benchmark.startsWith(E2E_PREFIX))
            {
                values.add(Long.parseLong(v));
            }
        }
        final List<String> out = new ArrayList<>();
        for (final long v : values)
        {
            out.add(Long.toString(v));
        }
        return out;
    }
}
