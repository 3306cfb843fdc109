package io.tranche.bench;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.format.OutputFormat;

import java.io.PrintStream;
import java.util.Collection;
import java.util.Locale;

/**
 * JMH output reduced to one line per benchmark: "[k/N] name {params} … score unit (B/op) elapsed".
 * Everything else JMH prints (iteration lines, fork output) is dropped unless {@code verbose}.
 */
final class ProgressFormat implements OutputFormat
{
    private final PrintStream out;
    private final int total;
    private final boolean verbose;
    private final long started = System.nanoTime();
    private int index;
    private long benchmarkStarted;

    ProgressFormat(final PrintStream out, final int total, final boolean verbose)
    {
        this.out = out;
        this.total = total;
        this.verbose = verbose;
    }

    @Override
    public void iteration(final BenchmarkParams benchParams, final IterationParams params, final int iteration)
    {
    }

    @Override
    public void iterationResult(
        final BenchmarkParams benchParams, final IterationParams params, final int iteration,
        final IterationResult data)
    {
        if (verbose)
        {
            out.println("    " + params.getType() + " " + iteration + ": " + data.getPrimaryResult());
        }
    }

    @Override
    public void startBenchmark(final BenchmarkParams params)
    {
        index++;
        benchmarkStarted = System.nanoTime();
        final StringBuilder line = new StringBuilder();
        line.append('[').append(index).append('/').append(total > 0 ? Integer.toString(total) : "?").append("] ")
            .append(shortName(params.getBenchmark())).append(' ').append(params.getMode().shortLabel());
        for (final String key : params.getParamsKeys())
        {
            line.append(' ').append(key).append('=').append(params.getParam(key));
        }
        line.append(" …");
        out.print(line);
        out.flush();
    }

    @Override
    public void endBenchmark(final BenchmarkResult result)
    {
        final double seconds = (System.nanoTime() - benchmarkStarted) / 1e9;
        if (result == null)
        {
            out.printf(Locale.ROOT, " FAILED (%.1f s)%n", seconds);
            return;
        }
        final Result<?> primary = result.getPrimaryResult();
        final Result<?> norm = result.getSecondaryResults().get("gc.alloc.rate.norm");
        final double total = (System.nanoTime() - started) / 1e9;
        out.printf(Locale.ROOT, " %s %s%s (%.1f s, total %.0f s%s)%n", Format.number(primary.getScore()),
            primary.getScoreUnit(),
            norm == null ? "" : String.format(Locale.ROOT, ", %s B/op", Format.number(norm.getScore())), seconds,
            total, timeLeft(total, index, this.total));
    }

    /**
     * @param elapsed seconds since the run started.
     * @param done    benchmarks finished.
     * @param total   benchmarks in the run (0 when unknown).
     * @return ", about … left" from the mean time per benchmark so far, or "" when nothing is left or known.
     */
    static String timeLeft(final double elapsed, final int done, final int total)
    {
        if (done <= 0 || total <= done)
        {
            return "";
        }
        final long seconds = Math.round(elapsed / done * (total - done));
        return seconds < 90 ? ", about " + seconds + " s left" :
            String.format(Locale.ROOT, ", about %d min left", Math.round(seconds / 60.0));
    }

    @Override
    public void startRun()
    {
    }

    @Override
    public void endRun(final Collection<RunResult> result)
    {
    }

    @Override
    public void print(final String s)
    {
        if (verbose)
        {
            out.print(s);
        }
    }

    @Override
    public void println(final String s)
    {
        // Errors from a failing benchmark arrive here: always show them.
        if (verbose || s.contains("Exception") || s.contains("ERROR") || s.contains("Error") || s.startsWith("\tat "))
        {
            out.println(s);
        }
    }

    @Override
    public void flush()
    {
        out.flush();
    }

    @Override
    public void close()
    {
        out.flush();
    }

    @Override
    public void verbosePrintln(final String s)
    {
        if (verbose)
        {
            out.println(s);
        }
    }

    @Override
    public void write(final int b)
    {
        if (verbose)
        {
            out.write(b);
        }
    }

    @Override
    public void write(final byte[] b)
    {
        if (verbose)
        {
            out.write(b, 0, b.length);
        }
    }

    static String shortName(final String benchmark)
    {
        final int method = benchmark.lastIndexOf('.');
        final int type = benchmark.lastIndexOf('.', method - 1);
        return benchmark.substring(type + 1);
    }
}
