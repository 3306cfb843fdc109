package io.tranche.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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

    private static String score(final Results.Row row)
    {
        return row == null ? "–" : Format.number(row.score) + " " + row.unit;
    }
}
