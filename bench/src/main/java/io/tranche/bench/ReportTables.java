package io.tranche.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.tranche.bench.Benchmarks.ALLOCATE;
import static io.tranche.bench.Benchmarks.AVGT;
import static io.tranche.bench.Benchmarks.E2E_ALLOCATE;
import static io.tranche.bench.Benchmarks.E2E_ECHO;
import static io.tranche.bench.Benchmarks.ECHO;
import static io.tranche.bench.Benchmarks.FLOOR;
import static io.tranche.bench.Benchmarks.LR_BIG;
import static io.tranche.bench.Benchmarks.LR_DOUBLE;
import static io.tranche.bench.Benchmarks.METHODS;
import static io.tranche.bench.Benchmarks.PQ;
import static io.tranche.bench.Benchmarks.QUEUE_SUPPLY;
import static io.tranche.bench.Benchmarks.SAMPLE;
import static io.tranche.bench.Benchmarks.TAIL;
import static io.tranche.bench.Benchmarks.THRPT;
import static io.tranche.bench.Benchmarks.TIERED;
import static io.tranche.bench.Benchmarks.WATER;

/**
 * The report's tables of figures: the kernel per shape, the baselines and the floor, end to end. Each
 * method appends one Markdown section, heading included, and leaves out what the run did not measure.
 */
final class ReportTables
{
    private ReportTables()
    {
    }

    static void kernel(final Run run, final StringBuilder b)
    {
        b.append("## Kernel, shape `tail` (one tier, demands only: the problem the baselines solve)\n\n");
        if (run.hasMedians())
        {
            b.append("A time given with a number of JVMs is the median of that many JVMs' means, with the range of ")
                .append("their means: the rows the targets read at 3 and 64 claims")
                .append(run.hasKernelMedians(BenchMain.QUEUE_CLAIMS) ?
                    ", and the divisor methods' and the per-unit queue's at 4,096 claims (S = 400,000)" : "")
                .append(", measured again in more JVMs ")
                .append("(the same code can run a third slower in one fresh JVM in five). Others are one JVM's ")
                .append("mean ± JMH's 99.9% error.\n\n");
        }
        for (final String supply : run.supplies())
        {
            b.append("### S = ").append(Format.supply(supply)).append("\n\n");
            b.append("| method | claims | kernel | B/op | B/op net | × floor | vs baselines |\n")
                .append("|---|---:|---:|---:|---:|---:|---|\n");
            for (final String method : METHODS)
            {
                for (final String claims : run.claimCounts())
                {
                    final Results.Row k = run.kernel(method, claims, supply, TAIL);
                    if (k == null)
                    {
                        continue;
                    }
                    final Results.Row floor = run.floor(claims, supply);
                    b.append("| ").append(method).append(" | ").append(claims).append(" | ")
                        .append(Format.timeWithError(k)).append(" | ").append(Format.bytes(k)).append(" | ")
                        .append(Format.number(run.net(k))).append(" | ")
                        .append(floor == null ? "–" : Format.ratio(k.nanos() / floor.nanos())).append(" | ")
                        .append(versus(run, method, claims, supply, k)).append(" |\n");
                }
            }
            b.append('\n');
        }
    }

    private static String versus(final Run run, final String method, final String claims, final String supply,
        final Results.Row k)
    {
        final List<String> parts = new ArrayList<>();
        if ("PROPORTIONAL".equals(method))
        {
            add(parts, "LR BigDecimal", run.find(LR_BIG, AVGT, "claims", claims, "supply", supply), k);
            add(parts, "LR double", run.find(LR_DOUBLE, AVGT, "claims", claims, "supply", supply), k);
        }
        else if ("EQUAL".equals(method))
        {
            add(parts, "water-filling", run.find(WATER, AVGT, "claims", claims, "supply", supply), k);
        }
        else if (Benchmarks.isDivisor(method))
        {
            final Results.Row pq = run.find(PQ, AVGT, "method", method, "claims", claims, "supply", supply);
            if (pq == null && !QUEUE_SUPPLY.equals(supply))
            {
                parts.add("PQ skipped (one call would pop " + Format.supply(supply) + " units)");
            }
            add(parts, "PQ", pq, k);
        }
        return parts.isEmpty() ? "–" : String.join("; ", parts);
    }

    private static void add(final List<String> parts, final String name, final Results.Row baseline,
        final Results.Row k)
    {
        if (baseline != null)
        {
            parts.add(name + " " + Format.ratio(baseline.nanos() / k.nanos()) + " faster");
        }
    }

    static void tiered(final Run run, final StringBuilder b)
    {
        if (!run.hasShape(TIERED))
        {
            return;
        }
        b.append("## Kernel, shape `tiered` (two tiers, caps on every 4th claim, floors on every 10th)\n\n");
        final List<String> supplies = run.supplies();
        b.append("| method | claims |");
        for (final String s : supplies)
        {
            b.append(" S = ").append(Format.supply(s)).append(" | B/op |");
        }
        b.append("\n|---|---:|");
        for (int i = 0; i < supplies.size(); i++)
        {
            b.append("---:|---:|");
        }
        b.append('\n');
        for (final String method : METHODS)
        {
            for (final String claims : run.claimCounts())
            {
                final StringBuilder line = new StringBuilder("| " + method + " | " + claims + " |");
                boolean found = false;
                for (final String s : supplies)
                {
                    final Results.Row k = run.kernel(method, claims, s, TIERED);
                    found |= k != null;
                    line.append(' ').append(k == null ? "–" : Format.timeWithError(k)).append(" | ")
                        .append(k == null ? "–" : Format.bytes(k)).append(" |");
                }
                if (found)
                {
                    b.append(line).append('\n');
                }
            }
        }
        b.append('\n');
    }

    static void baselines(final Run run, final StringBuilder b)
    {
        b.append("## Baselines and the streaming floor (shape `tail`)\n\n");
        b.append("| benchmark | method | claims | supply | time | B/op |\n|---|---|---:|---:|---:|---:|\n");
        for (final String name : new String[] {FLOOR, PQ, LR_BIG, LR_DOUBLE, WATER})
        {
            for (final Results.Row row : run.results.rows)
            {
                if (row.benchmark.equals(name))
                {
                    b.append("| ").append(name).append(" | ").append(row.params.getOrDefault("method", "–"))
                        .append(" | ").append(row.param("claims")).append(" | ")
                        .append(Format.supply(row.param("supply"))).append(" | ").append(Format.timeWithError(row))
                        .append(" | ").append(Format.bytes(row)).append(" |\n");
                }
            }
        }
        b.append("\nSkipped: the per-unit priority queue at S = 10^12 (one call pops 10^12 units: hours per call); ")
            .append("it runs at S = 400,000 only.\n\n");
    }

    static void endToEnd(final Run run, final StringBuilder b)
    {
        final List<String> claimCounts = run.endToEndClaimCounts();
        if (claimCounts.isEmpty())
        {
            return;
        }
        b.append("## End to end (gRPC over Netty on loopback)\n\n");
        b.append("| claims | Allocate ops/s | echo ops/s | ratio | Allocate p50 / p99 / p99.9 | ")
            .append("echo p50 / p99 / p99.9 | server B/call Allocate | server B/call echo | ")
            .append("B/op all threads Allocate | echo |\n")
            .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (final String c : claimCounts)
        {
            final Results.Row at = run.find(E2E_ALLOCATE, THRPT, "claims", c);
            final Results.Row et = run.find(E2E_ECHO, THRPT, "claims", c);
            final Results.Row as = run.find(E2E_ALLOCATE, SAMPLE, "claims", c);
            final Results.Row es = run.find(E2E_ECHO, SAMPLE, "claims", c);
            b.append("| ").append(c).append(" | ").append(at == null ? "–" : Format.opsPerSecond(at)).append(" | ")
                .append(et == null ? "–" : Format.opsPerSecond(et)).append(" | ")
                .append(at == null || et == null ? "–" : String.format(Locale.ROOT, "%.2f×", at.score / et.score))
                .append(" | ").append(Format.percentiles(as)).append(" | ").append(Format.percentiles(es))
                .append(" | ").append(perCall(run.serverBytesPerCall(ALLOCATE, c))).append(" | ")
                .append(perCall(run.serverBytesPerCall(ECHO, c))).append(" | ")
                .append(at == null ? "–" : Format.bytes(at)).append(" | ")
                .append(et == null ? "–" : Format.bytes(et)).append(" |\n");
        }
        b.append("\nServer B/call: bytes allocated by every thread other than the client's (JMH workers, the client's ")
            .append("event loop) divided by completed calls, over the whole trial (warm-up included). ")
            .append("B/op all threads: JMH's GC profiler, client and server together.\n\n");
        cpuPerCall(run, claimCounts, b);
    }

    // What each side's calls cost in CPU, which a throughput on a shared host hides; runs recorded before it have none.
    private static void cpuPerCall(final Run run, final List<String> claimCounts, final StringBuilder b)
    {
        final StringBuilder rows = new StringBuilder();
        for (final String c : claimCounts)
        {
            final double as = run.cpuMicrosPerCall(ALLOCATE, c, false);
            final double es = run.cpuMicrosPerCall(ECHO, c, false);
            final double ap = run.cpuMicrosPerCall(ALLOCATE, c, true);
            final double ep = run.cpuMicrosPerCall(ECHO, c, true);
            if (Double.isNaN(as) && Double.isNaN(es))
            {
                continue;
            }
            rows.append("| ").append(c).append(" | ").append(micros(as)).append(" | ").append(micros(es))
                .append(" | ").append(micros(as - es)).append(" | ").append(micros(ap)).append(" | ")
                .append(micros(ep)).append(" | ").append(micros(ap - ep)).append(" |\n");
        }
        if (rows.length() == 0)
        {
            return;
        }
        b.append("CPU per call, µs:\n\n")
            .append("| claims | server Allocate | server echo | server difference | JVM Allocate | JVM echo | ")
            .append("JVM difference |\n")
            .append("|---:|---:|---:|---:|---:|---:|---:|\n")
            .append(rows)
            .append("\nServer: CPU time of the server threads (`grpc-*`); JVM: of the whole benchmark JVM (the ")
            .append("client, both servers, JMH, the JIT compilers and the garbage collector), user and system, ")
            .append("each divided by completed calls over the whole trial (warm-up included), so a fixed cost ")
            .append("such as the JIT's weighs more on the side that completed fewer calls. A throughput on a ")
            .append("shared machine moves with the host; these move less, and they are what a call costs.\n\n");
    }

    private static String micros(final double value)
    {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String perCall(final double bytesPerCall)
    {
        return Double.isNaN(bytesPerCall) ? "–" : Format.number(bytesPerCall);
    }
}
