package io.tranche.bench;

import io.tranche.bench.server.EndToEndRecord;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Builds {@code report.md} and {@code charts/*.svg} from a result folder ({@code jmh.json}, and
 * {@code machine.json}, {@code e2e-server.jsonl}, {@code notes.md} when present). Pure function of
 * those files, so {@code tranche bench report DIR} rebuilds the same report anywhere.
 */
final class Report
{
    static final String KERNEL = "KernelBenchmark.allocate";
    static final String FLOOR = "StreamingFloorBenchmark.stream";
    static final String PQ = "DivisorBaselineBenchmark.priorityQueue";
    static final String LR_BIG = "LargestRemainderBaselineBenchmark.bigDecimal";
    static final String LR_DOUBLE = "LargestRemainderBaselineBenchmark.doubles";
    static final String WATER = "WaterFillingBaselineBenchmark.binarySearch";
    static final String E2E_ALLOCATE = "EndToEndBenchmark.allocate";
    static final String E2E_ECHO = "EndToEndBenchmark.echo";

    static final String[] METHODS = {"PROPORTIONAL", "EQUAL", "EQUAL_LOSSES", "TALMUD", "FIFO", "DHONDT", "SAINTE_LAGUE",
        "ADAMS", "DEAN", "HUNTINGTON_HILL"};
    static final String[] DIVISORS = {"DHONDT", "SAINTE_LAGUE", "ADAMS", "DEAN", "HUNTINGTON_HILL"};
    static final String AVGT = "avgt";
    static final String TAIL = "tail";
    static final String MILLION = "1048576";

    private final Path dir;
    private final Results results;
    private final StringBuilder md = new StringBuilder();
    private final List<String> misses = new ArrayList<>();
    private int met;
    private int checked;
    /** Bytes per ns allocated by JMH's own threads, read off the floor (which allocates nothing); NaN if unknown. */
    private double background = Double.NaN;
    private double backgroundLow = Double.NaN;

    private Report(final Path dir, final Results results)
    {
        this.dir = dir;
        this.results = results;
    }

    /**
     * Writes DIR/report.md and DIR/charts/*.svg.
     *
     * @param dir the result folder holding jmh.json.
     * @return the report's path.
     * @throws IOException when jmh.json cannot be read or the report cannot be written.
     */
    static Path build(final Path dir) throws IOException
    {
        final Report report = new Report(dir, Results.load(dir.resolve("jmh.json")));
        return report.write();
    }

    private Path write() throws IOException
    {
        background = backgroundRate();
        final Map<String, String> machine = machine();
        md.append("# tranche benchmark report\n\n");
        md.append("Profile **").append(machine.getOrDefault("profile", "?")).append("**, ")
            .append(machine.getOrDefault("date", "date unknown")).append(", commit `")
            .append(machine.getOrDefault("gitCommit", "unknown")).append("`.\n\n");
        if (!"full".equals(machine.get("profile")))
        {
            md.append("> Not a full run: fewer, shorter iterations. Read the figures as indications, not as results.");
            if ("smoke".equals(machine.get("profile")))
            {
                md.append(" A smoke run has no warm-up: times include the interpreter and B/op can include the ")
                    .append("benchmark's setup (building the problem), so neither says anything about the kernel.");
            }
            md.append("\n\n");
        }
        md.append("## Machine\n\n| | |\n|---|---|\n");
        for (final String key : new String[] {"processor", "architecture", "logicalCores", "physicalCores", "memoryBytes",
            "os", "jvmVendor", "jvmName", "jvmVersion", "forkJvmFlags", "command"})
        {
            String value = machine.getOrDefault(key, "unknown");
            if ("memoryBytes".equals(key) && !"unknown".equals(value))
            {
                value = String.format(Locale.ROOT, "%.1f GiB", Double.parseDouble(value) / (1L << 30));
            }
            md.append("| ").append(key).append(" | `").append(value.replace("|", "\\|")).append("` |\n");
        }
        md.append('\n');

        final StringBuilder body = new StringBuilder();
        final StringBuilder targets = new StringBuilder();
        targets(targets);
        kernel(body);
        tiered(body);
        baselines(body);
        endToEnd(body);
        charts(body);

        md.append("## Targets (issue 4)\n\n");
        md.append(checked == 0 ? "No target could be checked from these results.\n\n" :
            String.format(Locale.ROOT, "**%d of %d checks met.**%n%n", met, checked));
        md.append(targets);
        md.append(body);
        md.append("## How to read this\n\n")
            .append("- Times are JMH averages per call (`avgt`), ± the 99.9% confidence half-width when JMH could compute one.\n")
            .append("- **B/op** is JMH's GC profiler `gc.alloc.rate.norm`: bytes allocated per call in the benchmark JVM. ")
            .append("Values well under 1 are measurement noise (the profiler's own bookkeeping spread over many calls).\n")
            .append("- **B/op net** subtracts the background: JMH's own threads allocate steadily while a call runs, which ")
            .append("a call of milliseconds collects as kilobytes per op. The streaming floor allocates nothing, so its B/op ")
            .append("per ns is the background rate; the highest floor run is used: ")
            .append(Double.isNaN(background) ? "not measured here" : String.format(Locale.ROOT,
                "%.1f KB/s (floor runs ranged %.1f–%.1f KB/s)", background * 1e6, backgroundLow * 1e6, background * 1e6))
            .append(". The B/op target is checked on the net figure.\n")
            .append("- **× floor** = kernel time / streaming-floor time for the same claim count and supply. The floor reads ")
            .append("the same claim arrays and writes one award per claim, so no allocation method can go below 1×.\n")
            .append("- **× faster** = baseline time / kernel time on the same problem (shape `tail`).\n")
            .append("- End to end: `Allocate` and an echo RPC of the same request and response sizes on the same server, ")
            .append("several client threads, loopback; ratio = Allocate throughput / echo throughput.\n\n");
        md.append("## Closing note\n\n");
        final Path notes = dir.resolve("notes.md");
        if (Files.exists(notes))
        {
            md.append(Files.readString(notes, StandardCharsets.UTF_8).trim()).append("\n\n");
        }
        if (misses.isEmpty())
        {
            md.append(checked == 0 ? "No targets checked.\n" : "Every checked target is met.\n");
        }
        else
        {
            md.append("Missed targets (").append(misses.size()).append("):\n\n");
            for (final String miss : misses)
            {
                md.append("- ").append(miss).append('\n');
            }
            if (!Files.exists(notes))
            {
                md.append("\n(Why: add a `notes.md` to this folder and run `tranche bench report` again.)\n");
            }
        }
        final Path out = dir.resolve("report.md");
        Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
        return out;
    }

    // ---------------------------------------------------------------- targets

    private void targets(final StringBuilder t)
    {
        t.append("| target | case | measured | goal | verdict |\n|---|---|---|---|---|\n");
        // 1. bytes per operation
        double worst = Double.NaN;
        String worstCase = null;
        int over = 0;
        int kernelRows = 0;
        for (final Results.Row row : results.rows)
        {
            if (!row.benchmark.equals(KERNEL) || Double.isNaN(row.bytesPerOp))
            {
                continue;
            }
            kernelRows++;
            final double net = net(row);
            if (net >= 1.0)
            {
                over++;
            }
            if (Double.isNaN(worst) || net > worst)
            {
                worst = net;
                worstCase = kernelCase(row);
            }
        }
        if (kernelRows > 0)
        {
            final boolean ok = over == 0;
            check(t, "kernel B/op < 1 (net of background)", "all " + kernelRows + " kernel rows; worst " + worstCase,
                number(worst) + " B/op" + (over > 0 ? " (" + over + " rows ≥ 1)" : ""), "< 1 B/op", ok,
                ok ? "" : over + " of " + kernelRows + " rows at or above 1 B/op, worst " + number(worst) + " B/op");
        }
        // 2-4. ratio to the streaming floor
        for (final String supply : supplies())
        {
            for (final String method : new String[] {"PROPORTIONAL", "EQUAL"})
            {
                floorTarget(t, method, MILLION, supply, 3.0);
            }
            for (final String method : DIVISORS)
            {
                floorTarget(t, method, MILLION, supply, 6.0);
            }
            for (final String method : new String[] {"PROPORTIONAL", "EQUAL", "DHONDT", "SAINTE_LAGUE", "ADAMS", "DEAN",
                "HUNTINGTON_HILL"})
            {
                floorTarget(t, method, "64", supply, 5.0);
            }
        }
        // 5. divisor methods vs the per-unit priority queue, S = 400,000, 64 claims and up
        for (final String method : DIVISORS)
        {
            for (final String claims : new String[] {"64", "4096", MILLION})
            {
                final Results.Row kernel = kernelRow(method, claims, "400000", TAIL);
                final Results.Row pq = results.find(PQ, AVGT, "method", method, "claims", claims, "supply", "400000");
                if (kernel != null && pq != null)
                {
                    final double speedup = pq.nanos() / kernel.nanos();
                    check(t, "divisor ≥ 1000× the per-unit PQ", method + " n=" + claims + " S=400000",
                        ratio(speedup) + " faster", "≥ 1000×", speedup >= 1000,
                        method + " n=" + claims + ": " + ratio(speedup) + " faster than the PQ, " +
                        ratio(1000 / speedup) + " short of 1000×");
                }
            }
        }
        // 6. EQUAL vs water-filling at 1M
        for (final String supply : supplies())
        {
            final Results.Row kernel = kernelRow("EQUAL", MILLION, supply, TAIL);
            final Results.Row water = results.find(WATER, AVGT, "claims", MILLION, "supply", supply);
            if (kernel != null && water != null)
            {
                final double speedup = water.nanos() / kernel.nanos();
                check(t, "EQUAL ≥ 5× water-filling", "n=1048576 S=" + supply, ratio(speedup) + " faster", "≥ 5×",
                    speedup >= 5, "EQUAL n=1048576 S=" + supply + ": " + ratio(speedup) + " faster than water-filling, " +
                    ratio(5 / speedup) + " short of 5×");
            }
        }
        // 7-8. end to end
        final String[][] e2e = {{"3", "0.85"}, {"64", "0.7"}};
        for (final String[] c : e2e)
        {
            final Results.Row allocate = results.find(E2E_ALLOCATE, "thrpt", "claims", c[0]);
            final Results.Row echo = results.find(E2E_ECHO, "thrpt", "claims", c[0]);
            if (allocate != null && echo != null)
            {
                final double r = allocate.score / echo.score;
                final double goal = Double.parseDouble(c[1]);
                check(t, "Allocate ≥ " + c[1] + "× echo throughput", c[0] + " claims",
                    String.format(Locale.ROOT, "%.2f×", r), "≥ " + c[1] + "×", r >= goal,
                    String.format(Locale.ROOT, "end to end, %s claims: Allocate at %.2f× echo, %.0f%% below %s×",
                        c[0], r, (1 - r / goal) * 100, c[1]));
            }
        }
        t.append('\n');
    }

    private void floorTarget(final StringBuilder t, final String method, final String claims, final String supply, final double goal)
    {
        final Results.Row kernel = kernelRow(method, claims, supply, TAIL);
        final Results.Row floor = results.find(FLOOR, AVGT, "claims", claims, "supply", supply);
        if (kernel == null || floor == null)
        {
            return;
        }
        final double r = kernel.nanos() / floor.nanos();
        check(t, "within " + number(goal) + "× the floor", method + " n=" + claims + " S=" + supply,
            ratio(r) + " floor", "≤ " + number(goal) + "×", r <= goal,
            String.format(Locale.ROOT, "%s n=%s S=%s: %s the floor, %.0f%% over the %s× goal", method, claims, supply,
                ratio(r), (r / goal - 1) * 100, number(goal)));
    }

    private void check(final StringBuilder t, final String target, final String c, final String measured, final String goal,
        final boolean ok, final String missText)
    {
        checked++;
        if (ok)
        {
            met++;
        }
        else
        {
            misses.add(missText);
        }
        t.append("| ").append(target).append(" | ").append(c).append(" | ").append(measured).append(" | ").append(goal)
            .append(" | ").append(ok ? "met" : "**missed**").append(" |\n");
    }

    // ---------------------------------------------------------------- tables

    private void kernel(final StringBuilder b)
    {
        b.append("## Kernel, shape `tail` (one tier, demands only: the problem the baselines solve)\n\n");
        for (final String supply : supplies())
        {
            b.append("### S = ").append(supplyText(supply)).append("\n\n");
            b.append("| method | claims | kernel | B/op | B/op net | × floor | vs baselines |\n|---|---:|---:|---:|---:|---:|---|\n");
            for (final String method : METHODS)
            {
                for (final String claims : claimCounts())
                {
                    final Results.Row k = kernelRow(method, claims, supply, TAIL);
                    if (k == null)
                    {
                        continue;
                    }
                    final Results.Row floor = results.find(FLOOR, AVGT, "claims", claims, "supply", supply);
                    b.append("| ").append(method).append(" | ").append(claims).append(" | ").append(timeWithError(k))
                        .append(" | ").append(bytes(k)).append(" | ").append(number(net(k))).append(" | ")
                        .append(floor == null ? "–" : ratio(k.nanos() / floor.nanos())).append(" | ")
                        .append(versus(method, claims, supply, k)).append(" |\n");
                }
            }
            b.append('\n');
        }
    }

    /**
     * JMH's GC profiler counts every thread's allocation, its own included: a steady trickle per second
     * (and per iteration) that a long call (milliseconds at 1M claims) collects as kilobytes per op. The
     * streaming floor allocates nothing, so its B/op over its time is that trickle; it varies from fork
     * to fork, so the highest floor rate is taken and the range is shown.
     */
    private double backgroundRate()
    {
        double max = Double.NaN;
        for (final Results.Row row : results.rows)
        {
            if (row.benchmark.equals(FLOOR) && !Double.isNaN(row.bytesPerOp) && row.nanos() > 0)
            {
                final double rate = row.bytesPerOp / row.nanos();
                max = Double.isNaN(max) ? rate : Math.max(max, rate);
                backgroundLow = Double.isNaN(backgroundLow) ? rate : Math.min(backgroundLow, rate);
            }
        }
        return max;
    }

    /** @return B/op less the background allocation over the call's duration, at least 0. */
    private double net(final Results.Row row)
    {
        if (Double.isNaN(background))
        {
            return row.bytesPerOp;
        }
        return Math.max(0, row.bytesPerOp - background * row.nanos());
    }

    private String versus(final String method, final String claims, final String supply, final Results.Row k)
    {
        final List<String> parts = new ArrayList<>();
        if ("PROPORTIONAL".equals(method))
        {
            add(parts, "LR BigDecimal", results.find(LR_BIG, AVGT, "claims", claims, "supply", supply), k);
            add(parts, "LR double", results.find(LR_DOUBLE, AVGT, "claims", claims, "supply", supply), k);
        }
        else if ("EQUAL".equals(method))
        {
            add(parts, "water-filling", results.find(WATER, AVGT, "claims", claims, "supply", supply), k);
        }
        else if (isDivisor(method))
        {
            final Results.Row pq = results.find(PQ, AVGT, "method", method, "claims", claims, "supply", supply);
            if (pq == null && !"400000".equals(supply))
            {
                parts.add("PQ skipped (one call would pop " + supplyText(supply) + " units)");
            }
            add(parts, "PQ", pq, k);
        }
        return parts.isEmpty() ? "–" : String.join("; ", parts);
    }

    private static void add(final List<String> parts, final String name, final Results.Row baseline, final Results.Row k)
    {
        if (baseline != null)
        {
            parts.add(name + " " + ratio(baseline.nanos() / k.nanos()) + " faster");
        }
    }

    private void tiered(final StringBuilder b)
    {
        boolean any = false;
        for (final Results.Row row : results.rows)
        {
            any |= row.benchmark.equals(KERNEL) && "tiered".equals(row.param("shape"));
        }
        if (!any)
        {
            return;
        }
        b.append("## Kernel, shape `tiered` (two tiers, caps on every 4th claim, floors on every 10th)\n\n");
        final List<String> supplies = supplies();
        b.append("| method | claims |");
        for (final String s : supplies)
        {
            b.append(" S = ").append(supplyText(s)).append(" | B/op |");
        }
        b.append("\n|---|---:|");
        for (int i = 0; i < supplies.size(); i++)
        {
            b.append("---:|---:|");
        }
        b.append('\n');
        for (final String method : METHODS)
        {
            for (final String claims : claimCounts())
            {
                final StringBuilder line = new StringBuilder("| " + method + " | " + claims + " |");
                boolean found = false;
                for (final String s : supplies)
                {
                    final Results.Row k = kernelRow(method, claims, s, "tiered");
                    found |= k != null;
                    line.append(' ').append(k == null ? "–" : timeWithError(k)).append(" | ")
                        .append(k == null ? "–" : bytes(k)).append(" |");
                }
                if (found)
                {
                    b.append(line).append('\n');
                }
            }
        }
        b.append('\n');
    }

    private void baselines(final StringBuilder b)
    {
        b.append("## Baselines and the streaming floor (shape `tail`)\n\n");
        b.append("| benchmark | method | claims | supply | time | B/op |\n|---|---|---:|---:|---:|---:|\n");
        for (final String name : new String[] {FLOOR, PQ, LR_BIG, LR_DOUBLE, WATER})
        {
            for (final Results.Row row : results.rows)
            {
                if (row.benchmark.equals(name))
                {
                    b.append("| ").append(name).append(" | ").append(row.params.getOrDefault("method", "–")).append(" | ")
                        .append(row.param("claims")).append(" | ").append(supplyText(row.param("supply"))).append(" | ")
                        .append(timeWithError(row)).append(" | ").append(bytes(row)).append(" |\n");
                }
            }
        }
        b.append("\nSkipped: the per-unit priority queue at S = 10^12 (one call pops 10^12 units: hours per call); ")
            .append("it runs at S = 400,000 only.\n\n");
    }

    private void endToEnd(final StringBuilder b) throws IOException
    {
        final TreeSet<Integer> claims = new TreeSet<>();
        for (final Results.Row row : results.rows)
        {
            if (row.benchmark.startsWith("EndToEndBenchmark."))
            {
                claims.add(Integer.parseInt(row.param("claims")));
            }
        }
        if (claims.isEmpty())
        {
            return;
        }
        final Map<String, long[]> server = serverAllocation();
        b.append("## End to end (gRPC over Netty on loopback)\n\n");
        b.append("| claims | Allocate ops/s | echo ops/s | ratio | Allocate p50 / p99 / p99.9 | echo p50 / p99 / p99.9 | ")
            .append("server B/call Allocate | server B/call echo | B/op all threads Allocate | echo |\n")
            .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (final int n : claims)
        {
            final String c = Integer.toString(n);
            final Results.Row at = results.find(E2E_ALLOCATE, "thrpt", "claims", c);
            final Results.Row et = results.find(E2E_ECHO, "thrpt", "claims", c);
            final Results.Row as = results.find(E2E_ALLOCATE, "sample", "claims", c);
            final Results.Row es = results.find(E2E_ECHO, "sample", "claims", c);
            b.append("| ").append(c).append(" | ").append(at == null ? "–" : opsPerSecond(at)).append(" | ")
                .append(et == null ? "–" : opsPerSecond(et)).append(" | ")
                .append(at == null || et == null ? "–" : String.format(Locale.ROOT, "%.2f×", at.score / et.score))
                .append(" | ").append(percentiles(as)).append(" | ").append(percentiles(es)).append(" | ")
                .append(perCall(server.get("allocate " + c))).append(" | ").append(perCall(server.get("echo " + c)))
                .append(" | ").append(at == null ? "–" : bytes(at)).append(" | ").append(et == null ? "–" : bytes(et))
                .append(" |\n");
        }
        b.append("\nServer B/call: bytes allocated by every thread other than the client's (JMH workers, the client's ")
            .append("event loop) divided by completed calls, over the whole trial (warm-up included). ")
            .append("B/op all threads: JMH's GC profiler, client and server together.\n\n");
    }

    private static String percentiles(final Results.Row row)
    {
        if (row == null || row.percentiles.isEmpty())
        {
            return "–";
        }
        return time(row.percentiles.getOrDefault("50.0", Double.NaN)) + " / " +
            time(row.percentiles.getOrDefault("99.0", Double.NaN)) + " / " +
            time(row.percentiles.getOrDefault("99.9", Double.NaN));
    }

    private static String perCall(final long[] callsAndBytes)
    {
        return callsAndBytes == null || callsAndBytes[0] == 0 ? "–" :
            number((double)callsAndBytes[1] / callsAndBytes[0]);
    }

    private Map<String, long[]> serverAllocation() throws IOException
    {
        final Map<String, long[]> out = new TreeMap<>();
        final Path file = dir.resolve(EndToEndRecord.FILE);
        if (!Files.exists(file))
        {
            return out;
        }
        for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8))
        {
            if (line.isBlank())
            {
                continue;
            }
            final JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            final String key = o.get(EndToEndRecord.BENCHMARK).getAsString() + " " +
                o.get(EndToEndRecord.CLAIMS).getAsString();
            final long[] sum = out.computeIfAbsent(key, k -> new long[2]);
            sum[0] += o.get(EndToEndRecord.CALLS).getAsLong();
            sum[1] += o.get(EndToEndRecord.SERVER_BYTES).getAsLong();
        }
        return out;
    }

    private void charts(final StringBuilder b) throws IOException
    {
        final Path chartDir = dir.resolve("charts");
        Files.createDirectories(chartDir);
        final List<String> claims = claimCounts();
        final double[] x = new double[claims.size()];
        for (int i = 0; i < x.length; i++)
        {
            x[i] = Double.parseDouble(claims.get(i));
        }
        b.append("## Charts\n\nTime per call against claim count, log axes; dashed lines are baselines and the floor.\n\n");
        for (final String method : METHODS)
        {
            final SvgChart chart = new SvgChart(method + ": time per call", "claims", "time per call");
            for (final String supply : supplies())
            {
                chart.series("kernel S=" + supplyText(supply), x, series(KERNEL, claims, "method", method, "supply", supply,
                    "shape", TAIL), false);
                chart.series("kernel tiered S=" + supplyText(supply), x, series(KERNEL, claims, "method", method,
                    "supply", supply, "shape", "tiered"), false);
            }
            for (final String supply : supplies())
            {
                if ("PROPORTIONAL".equals(method))
                {
                    chart.series("LR BigDecimal S=" + supplyText(supply), x, series(LR_BIG, claims, "supply", supply), true);
                    chart.series("LR double S=" + supplyText(supply), x, series(LR_DOUBLE, claims, "supply", supply), true);
                }
                else if ("EQUAL".equals(method))
                {
                    chart.series("water-filling S=" + supplyText(supply), x, series(WATER, claims, "supply", supply), true);
                }
                else if (isDivisor(method))
                {
                    chart.series("PQ per unit S=" + supplyText(supply), x, series(PQ, claims, "method", method,
                        "supply", supply), true);
                }
            }
            chart.series("streaming floor S=400k", x, series(FLOOR, claims, "supply", "400000"), true);
            if (chart.isEmpty())
            {
                continue;
            }
            final String file = method + ".svg";
            Files.writeString(chartDir.resolve(file), chart.render(), StandardCharsets.UTF_8);
            b.append("![").append(method).append("](charts/").append(file).append(")\n\n");
        }
    }

    private double[] series(final String benchmark, final List<String> claims, final String... params)
    {
        final double[] y = new double[claims.size()];
        for (int i = 0; i < y.length; i++)
        {
            final String[] all = new String[params.length + 2];
            System.arraycopy(params, 0, all, 0, params.length);
            all[params.length] = "claims";
            all[params.length + 1] = claims.get(i);
            final Results.Row row = results.find(benchmark, AVGT, all);
            y[i] = row == null ? Double.NaN : row.nanos();
        }
        return y;
    }

    // ---------------------------------------------------------------- helpers

    private Results.Row kernelRow(final String method, final String claims, final String supply, final String shape)
    {
        return results.find(KERNEL, AVGT, "method", method, "claims", claims, "supply", supply, "shape", shape);
    }

    private List<String> supplies()
    {
        return distinct("supply");
    }

    private List<String> claimCounts()
    {
        return distinct("claims");
    }

    private List<String> distinct(final String param)
    {
        final TreeSet<Long> values = new TreeSet<>();
        for (final Results.Row row : results.rows)
        {
            final String v = row.param(param);
            if (v != null && !row.benchmark.startsWith("EndToEnd"))
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

    private Map<String, String> machine() throws IOException
    {
        final Map<String, String> out = new TreeMap<>();
        final Path file = dir.resolve("machine.json");
        if (!Files.exists(file))
        {
            return out;
        }
        final JsonObject o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        for (final Map.Entry<String, JsonElement> e : o.entrySet())
        {
            final JsonElement v = e.getValue();
            out.put(e.getKey(), v.isJsonPrimitive() ? v.getAsString() : v.toString());
        }
        return out;
    }

    private static boolean isDivisor(final String method)
    {
        for (final String d : DIVISORS)
        {
            if (d.equals(method))
            {
                return true;
            }
        }
        return false;
    }

    private static String kernelCase(final Results.Row row)
    {
        return row.param("method") + " n=" + row.param("claims") + " S=" + row.param("supply") + " " + row.param("shape");
    }

    static String supplyText(final String supply)
    {
        if (supply == null)
        {
            return "–";
        }
        return switch (supply)
        {
            case "400000" -> "400k";
            case "1000000000000" -> "10^12";
            default -> supply;
        };
    }

    private static String timeWithError(final Results.Row row)
    {
        final double t = row.nanos();
        final double e = Results.toNanos(row.error, row.unit);
        return Double.isNaN(e) || e == 0 ? time(t) : time(t) + " ± " + time(e);
    }

    private static String bytes(final Results.Row row)
    {
        return Double.isNaN(row.bytesPerOp) ? "–" : number(row.bytesPerOp);
    }

    private static String opsPerSecond(final Results.Row row)
    {
        double perSecond = row.score;
        if (row.unit.endsWith("/ms"))
        {
            perSecond *= 1e3;
        }
        else if (row.unit.endsWith("/us"))
        {
            perSecond *= 1e6;
        }
        else if (row.unit.endsWith("/ns"))
        {
            perSecond *= 1e9;
        }
        return String.format(Locale.ROOT, "%,.0f", perSecond);
    }

    static String ratio(final double r)
    {
        if (Double.isNaN(r))
        {
            return "–";
        }
        return (r >= 100 ? String.format(Locale.ROOT, "%,.0f", r) : String.format(Locale.ROOT, "%.2f", r)) + "×";
    }

    /** @return a time in ns as "812 ns", "12.3 µs", "4.56 ms" or "1.20 s". */
    static String time(final double nanos)
    {
        if (Double.isNaN(nanos))
        {
            return "–";
        }
        if (nanos < 1e3)
        {
            return String.format(Locale.ROOT, nanos < 10 ? "%.2f ns" : "%.0f ns", nanos);
        }
        if (nanos < 1e6)
        {
            return String.format(Locale.ROOT, "%.3g µs", nanos / 1e3);
        }
        if (nanos < 1e9)
        {
            return String.format(Locale.ROOT, "%.3g ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.3g s", nanos / 1e9);
    }

    /** @return a number with about three significant digits, thousands separated. */
    static String number(final double v)
    {
        if (Double.isNaN(v))
        {
            return "NaN";
        }
        final double a = Math.abs(v);
        if (a >= 1000)
        {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10 || a == 0)
        {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
