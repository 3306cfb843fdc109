package io.tranche.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Two result folders side by side (x86 against ARM, JDK 17 against 25): every benchmark present in
 * either, its score in A and B and the ratio B / A (for times: below 1 means B is faster; for
 * throughput: above 1 means B is faster), and both machines' fingerprints.
 */
final class Compare
{
    private static final String[] MACHINE_KEYS = {"processor", "architecture", "logicalCores", "memoryBytes", "os",
        "jvmVendor", "jvmVersion", "profile", "gitCommit", "date"};

    private Compare()
    {
    }

    static String compare(final Path a, final Path b) throws IOException
    {
        return compare(a, b, false);
    }

    /**
     * @param a      the reference result folder.
     * @param b      the folder compared with it.
     * @param common true to list only the rows both have.
     * @return the comparison in Markdown: a summary first, then the machines, then the rows.
     * @throws IOException when a jmh.json cannot be read.
     */
    static String compare(final Path a, final Path b, final boolean common) throws IOException
    {
        final Results ra = Results.load(a.resolve(Results.FILE));
        final Results rb = Results.load(b.resolve(Results.FILE));
        final Map<String, Results.Row[]> rows = new LinkedHashMap<>();
        for (final Results.Row row : ra.rows)
        {
            rows.computeIfAbsent(row.key(), k -> new Results.Row[2])[0] = row;
        }
        for (final Results.Row row : rb.rows)
        {
            rows.computeIfAbsent(row.key(), k -> new Results.Row[2])[1] = row;
        }
        final StringBuilder md = new StringBuilder();
        md.append("# tranche benchmarks: A = `").append(a).append("`, B = `").append(b).append("`\n\n");
        summary(rows, common, md);
        final Map<String, String> ma = Machine.load(a);
        final Map<String, String> mb = Machine.load(b);
        md.append("| | A | B |\n|---|---|---|\n");
        for (final String key : MACHINE_KEYS)
        {
            md.append("| ").append(key).append(" | ").append(ma.getOrDefault(key, "?")).append(" | ")
                .append(mb.getOrDefault(key, "?")).append(" |\n");
        }
        md.append("\nRatio = B / A. For times (ns/op and the like) below 1 means B is faster; for throughput ")
            .append("(ops/…) above 1 means B is faster.\n\n");
        md.append("| benchmark | mode | params | A | B | B/A | B/op A | B/op B |\n")
            .append("|---|---|---|---:|---:|---:|---:|---:|\n");
        for (final Map.Entry<String, Results.Row[]> e : rows.entrySet())
        {
            final Results.Row x = e.getValue()[0];
            final Results.Row y = e.getValue()[1];
            if (common && (x == null || y == null))
            {
                continue;
            }
            final Results.Row any = x != null ? x : y;
            final StringBuilder params = new StringBuilder();
            for (final Map.Entry<String, String> p : any.params.entrySet())
            {
                params.append(params.length() == 0 ? "" : " ").append(p.getKey()).append('=').append(p.getValue());
            }
            md.append("| ").append(any.benchmark).append(" | ").append(any.mode).append(" | ").append(params)
                .append(" | ").append(score(x)).append(" | ").append(score(y)).append(" | ")
                .append(x != null && y != null ? String.format(Locale.ROOT, "%.3f", y.score / x.score) : "–")
                .append(" | ")
                .append(x == null ? "–" : Format.number(x.bytesPerOp)).append(" | ")
                .append(y == null ? "–" : Format.number(y.bytesPerOp)).append(" |\n");
        }
        return md.toString();
    }

    /**
     * The summary: how many rows each run has and how many both, then for the rows both have the median and
     * quartiles of B/A, times and throughputs apart (a time ratio below 1 and a throughput ratio above 1 both
     * mean B is faster).
     */
    private static void summary(final Map<String, Results.Row[]> rows, final boolean common, final StringBuilder md)
    {
        int onlyA = 0;
        int onlyB = 0;
        final List<Double> times = new ArrayList<>();
        final List<Double> throughputs = new ArrayList<>();
        for (final Results.Row[] pair : rows.values())
        {
            if (pair[1] == null)
            {
                onlyA++;
            }
            else if (pair[0] == null)
            {
                onlyB++;
            }
            else if (pair[0].score > 0 && pair[1].score > 0)
            {
                (isTime(pair[0].unit) ? times : throughputs).add(pair[1].score / pair[0].score);
            }
        }
        final int both = rows.size() - onlyA - onlyB;
        md.append("## Summary\n\n")
            .append(String.format(Locale.ROOT, "- Rows: %d in both, %d only in A, %d only in B%s.%n", both, onlyA,
                onlyB, onlyA + onlyB == 0 ? "" : common ? " (left out below: --common)" :
                    " (listed below with – for the missing side; --common leaves them out)"));
        ratios("times", "below 1: B is faster", times, md);
        ratios("throughputs", "above 1: B is faster", throughputs, md);
        md.append('\n');
    }

    private static void ratios(final String what, final String meaning, final List<Double> ratios,
        final StringBuilder md)
    {
        if (ratios.isEmpty())
        {
            return;
        }
        Collections.sort(ratios);
        int below = 0;
        for (final double r : ratios)
        {
            below += r < 1 ? 1 : 0;
        }
        md.append(String.format(Locale.ROOT, "- B/A of %d %s (%s): median %.2f, quartiles %.2f and %.2f, range " +
            "%.2f to %.2f; %d below 1, %d at or above.%n", ratios.size(), what, meaning, quantile(ratios, 0.5),
            quantile(ratios, 0.25), quantile(ratios, 0.75), ratios.get(0), ratios.get(ratios.size() - 1), below,
            ratios.size() - below));
    }

    /** @return the q-quantile of sorted values, interpolated between the two nearest ranks. */
    static double quantile(final List<Double> sorted, final double q)
    {
        final double pos = q * (sorted.size() - 1);
        final int lo = (int)Math.floor(pos);
        final int hi = Math.min(sorted.size() - 1, lo + 1);
        return sorted.get(lo) + (sorted.get(hi) - sorted.get(lo)) * (pos - lo);
    }

    private static boolean isTime(final String unit)
    {
        return unit != null && unit.endsWith("/op");
    }

    private static String score(final Results.Row row)
    {
        return row == null ? "–" : Format.number(row.score) + " " + row.unit;
    }
}
