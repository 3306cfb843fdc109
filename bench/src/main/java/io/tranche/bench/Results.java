package io.tranche.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rows of a JMH JSON result file (JMH's own format), reduced to what the report needs.
 */
final class Results
{
    /** The file in the result folder. */
    static final String FILE = "jmh.json";

    /** One benchmark × mode × parameter combination. */
    static final class Row
    {
        final String benchmark;
        final String mode;
        final Map<String, String> params;
        final double score;
        final double error;
        final String unit;
        final double bytesPerOp;
        final Map<String, Double> percentiles;
        final List<String> jvmArgs;

        Row(final String benchmark, final String mode, final Map<String, String> params, final double score,
            final double error, final String unit, final double bytesPerOp, final Map<String, Double> percentiles,
            final List<String> jvmArgs)
        {
            this.benchmark = benchmark;
            this.mode = mode;
            this.params = params;
            this.score = score;
            this.error = error;
            this.unit = unit;
            this.bytesPerOp = bytesPerOp;
            this.percentiles = percentiles;
            this.jvmArgs = jvmArgs;
        }

        String param(final String name)
        {
            return params.get(name);
        }

        /** @return "Class.method mode k=v …", unique within one result file. */
        String key()
        {
            final StringBuilder sb = new StringBuilder(benchmark).append(' ').append(mode);
            for (final Map.Entry<String, String> e : params.entrySet())
            {
                sb.append(' ').append(e.getKey()).append('=').append(e.getValue());
            }
            return sb.toString();
        }

        /** @return the score in nanoseconds per operation, for average-time and sample-time rows. */
        double nanos()
        {
            return toNanos(score, unit);
        }

        /** @return JMH's score error (the 99.9% confidence half-width) in nanoseconds, NaN when unknown. */
        double errorNanos()
        {
            return toNanos(error, unit);
        }
    }

    final List<Row> rows;

    private Results(final List<Row> rows)
    {
        this.rows = rows;
    }

    static Results load(final Path jmhJson) throws IOException
    {
        final JsonArray array =
            JsonParser.parseString(Files.readString(jmhJson, StandardCharsets.UTF_8)).getAsJsonArray();
        final List<Row> rows = new ArrayList<>();
        for (final JsonElement element : array)
        {
            final JsonObject o = element.getAsJsonObject();
            final String benchmark = ProgressFormat.shortName(o.get("benchmark").getAsString());
            final String mode = o.get("mode").getAsString();
            final Map<String, String> params = new TreeMap<>();
            if (o.has("params"))
            {
                for (final Map.Entry<String, JsonElement> e : o.getAsJsonObject("params").entrySet())
                {
                    params.put(e.getKey(), e.getValue().getAsString());
                }
            }
            final JsonObject primary = o.getAsJsonObject("primaryMetric");
            final double score = number(primary.get("score"));
            final double error = number(primary.get("scoreError"));
            final String unit = primary.get("scoreUnit").getAsString();
            final Map<String, Double> percentiles = new TreeMap<>();
            if (primary.has("scorePercentiles"))
            {
                for (final Map.Entry<String, JsonElement> e : primary.getAsJsonObject("scorePercentiles").entrySet())
                {
                    percentiles.put(e.getKey(), toNanos(number(e.getValue()), unit));
                }
            }
            double bytes = Double.NaN;
            if (o.has("secondaryMetrics"))
            {
                final JsonObject secondary = o.getAsJsonObject("secondaryMetrics");
                if (secondary.has("gc.alloc.rate.norm"))
                {
                    bytes = number(secondary.getAsJsonObject("gc.alloc.rate.norm").get("score"));
                }
            }
            final List<String> jvmArgs = new ArrayList<>();
            if (o.has("jvmArgs"))
            {
                for (final JsonElement e : o.getAsJsonArray("jvmArgs"))
                {
                    jvmArgs.add(e.getAsString());
                }
            }
            rows.add(new Row(benchmark, mode, Collections.unmodifiableMap(params), score, error, unit, bytes,
                percentiles, jvmArgs));
        }
        return new Results(rows);
    }

    /** @return the row of this benchmark and mode whose params include all of {@code params}, or null. */
    Row find(final String benchmark, final String mode, final String... params)
    {
        for (final Row row : rows)
        {
            if (!row.benchmark.equals(benchmark) || !row.mode.equals(mode))
            {
                continue;
            }
            boolean match = true;
            for (int i = 0; i < params.length; i += 2)
            {
                if (!params[i + 1].equals(row.params.get(params[i])))
                {
                    match = false;
                    break;
                }
            }
            if (match)
            {
                return row;
            }
        }
        return null;
    }

    private static double number(final JsonElement e)
    {
        if (e == null || e.isJsonNull())
        {
            return Double.NaN;
        }
        final String s = e.getAsString();
        return "NaN".equals(s) ? Double.NaN : Double.parseDouble(s);
    }

    static double toNanos(final double value, final String unit)
    {
        if (unit.startsWith("ns/"))
        {
            return value;
        }
        if (unit.startsWith("us/"))
        {
            return value * 1e3;
        }
        if (unit.startsWith("ms/"))
        {
            return value * 1e6;
        }
        if (unit.startsWith("s/"))
        {
            return value * 1e9;
        }
        return Double.NaN;
    }
}
