package io.tranche.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
    private Compare()
    {
    }

    static String compare(final Path a, final Path b) throws IOException
    {
        final Results ra = Results.load(a.resolve("jmh.json"));
        final Results rb = Results.load(b.resolve("jmh.json"));
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
        final Map<String, String> ma = machine(a);
        final Map<String, String> mb = machine(b);
        md.append("| | A | B |\n|---|---|---|\n");
        for (final String key : new String[] {"processor", "architecture", "logicalCores", "memoryBytes", "os", "jvmVendor",
            "jvmVersion", "profile", "gitCommit", "date"})
        {
            md.append("| ").append(key).append(" | ").append(ma.getOrDefault(key, "?")).append(" | ")
                .append(mb.getOrDefault(key, "?")).append(" |\n");
        }
        md.append("\nRatio = B / A. For times (ns/op and the like) below 1 means B is faster; for throughput (ops/…) ")
            .append("above 1 means B is faster.\n\n");
        md.append("| benchmark | mode | params | A | B | B/A | B/op A | B/op B |\n|---|---|---|---:|---:|---:|---:|---:|\n");
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
            md.append("| ").append(any.benchmark).append(" | ").append(any.mode).append(" | ").append(params).append(" | ")
                .append(score(x)).append(" | ").append(score(y)).append(" | ")
                .append(x != null && y != null ? String.format(Locale.ROOT, "%.3f", y.score / x.score) : "–").append(" | ")
                .append(x == null ? "–" : Report.number(x.bytesPerOp)).append(" | ")
                .append(y == null ? "–" : Report.number(y.bytesPerOp)).append(" |\n");
        }
        return md.toString();
    }

    private static String score(final Results.Row row)
    {
        return row == null ? "–" : Report.number(row.score) + " " + row.unit;
    }

    private static Map<String, String> machine(final Path dir) throws IOException
    {
        final Map<String, String> out = new LinkedHashMap<>();
        final Path file = dir.resolve("machine.json");
        if (Files.exists(file))
        {
            final JsonObject o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
            for (final Map.Entry<String, JsonElement> e : o.entrySet())
            {
                out.put(e.getKey(), e.getValue().isJsonPrimitive() ? e.getValue().getAsString() : e.getValue().toString());
            }
        }
        return out;
    }
}
