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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rows of a JMH JSON result file (JMH's own format), reduced to what the report needs.
 * <p>
 * A row measured in {@link #MEDIAN_FORKS} or more JVMs (forks), in one JMH entry or in several entries of the same
 * benchmark, mode and parameters (a full run measures the rows a target reads at 3 and 64 claims again in two more
 * JVMs), scores the median of its JVMs' means, with their range: one JVM in five or so runs the same code at a
 * third or more above the others, and a mean of all iterations would carry that JVM's luck into a verdict.
 */
final class Results
{
    /** The file in the result folder. */
    static final String FILE = "jmh.json";
    /** The forks from which a row scores the median of its forks' means instead of JMH's mean. */
    static final int MEDIAN_FORKS = 3;

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
        /** The JVMs (forks) the row was measured in, 0 when the file does not say. */
        final int forks;
        /** The lowest and highest of the forks' means when the score is their median, else NaN. */
        final double low;
        final double high;

        Row(final String benchmark, final String mode, final Map<String, String> params, final double score,
            final double error, final String unit, final double bytesPerOp, final Map<String, Double> percentiles,
            final List<String> jvmArgs, final int forks, final double low, final double high)
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
            this.forks = forks;
            this.low = low;
            this.high = high;
        }

        /** @return true when the score is the median of {@link #forks} forks' means. */
        boolean median()
        {
            return !Double.isNaN(low);
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
        // Entries of one benchmark, mode and parameters, in the order first seen: a row measured again in
        // another pass is one row with all its forks.
        final Map<String, List<JsonObject>> entries = new LinkedHashMap<>();
        for (final JsonElement element : array)
        {
            final JsonObject o = element.getAsJsonObject();
            entries.computeIfAbsent(o.get("benchmark").getAsString() + ' ' + o.get("mode").getAsString() + ' ' +
                params(o), k -> new ArrayList<>()).add(o);
        }
        final List<Row> rows = new ArrayList<>();
        for (final List<JsonObject> same : entries.values())
        {
            rows.add(row(same));
        }
        return new Results(rows);
    }

    private static Row row(final List<JsonObject> same)
    {
        final JsonObject o = same.get(0);
        final String benchmark = ProgressFormat.shortName(o.get("benchmark").getAsString());
        final String mode = o.get("mode").getAsString();
        final Map<String, String> params = params(o);
        final JsonObject primary = o.getAsJsonObject("primaryMetric");
        double score = number(primary.get("score"));
        double error = number(primary.get("scoreError"));
        final String unit = primary.get("scoreUnit").getAsString();
        final Map<String, Double> percentiles = new TreeMap<>();
        if (primary.has("scorePercentiles"))
        {
            for (final Map.Entry<String, JsonElement> e : primary.getAsJsonObject("scorePercentiles").entrySet())
            {
                percentiles.put(e.getKey(), toNanos(number(e.getValue()), unit));
            }
        }
        // Every fork's mean, from the iterations JMH keeps for average-time and throughput rows.
        final List<Double> forkMeans = new ArrayList<>();
        double bytesSum = 0;
        int bytesForks = 0;
        int forks = 0;
        for (final JsonObject entry : same)
        {
            final int entryForks = entry.has("forks") ? entry.get("forks").getAsInt() : 0;
            forks += entryForks;
            final JsonObject metric = entry.getAsJsonObject("primaryMetric");
            if (metric.has("rawData"))
            {
                for (final JsonElement fork : metric.getAsJsonArray("rawData"))
                {
                    double sum = 0;
                    final JsonArray iterations = fork.getAsJsonArray();
                    for (final JsonElement iteration : iterations)
                    {
                        sum += number(iteration);
                    }
                    forkMeans.add(iterations.isEmpty() ? Double.NaN : sum / iterations.size());
                }
            }
            final double bytes = bytes(entry);
            if (!Double.isNaN(bytes))
            {
                final int weight = Math.max(1, entryForks);
                bytesSum += bytes * weight;
                bytesForks += weight;
            }
        }
        double low = Double.NaN;
        double high = Double.NaN;
        if (forkMeans.size() >= MEDIAN_FORKS && !forkMeans.contains(Double.NaN))
        {
            Collections.sort(forkMeans);
            final int n = forkMeans.size();
            score = n % 2 == 1 ? forkMeans.get(n / 2) : (forkMeans.get(n / 2 - 1) + forkMeans.get(n / 2)) / 2;
            error = Double.NaN;
            low = forkMeans.get(0);
            high = forkMeans.get(n - 1);
        }
        if (same.size() > 1 && primary.has("rawDataHistogram"))
        {
            // Sample-time entries of one row from several passes: one histogram of every sample.
            final TreeMap<Double, Long> histogram = new TreeMap<>();
            for (final JsonObject entry : same)
            {
                histogram(entry.getAsJsonObject("primaryMetric"), histogram);
            }
            if (!histogram.isEmpty())
            {
                final long samples = samples(histogram);
                score = mean(histogram, samples);
                error = Double.NaN;
                percentiles.replaceAll(
                    (key, v) -> toNanos(percentile(histogram, samples, Double.parseDouble(key)), unit));
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
        return new Row(benchmark, mode, Collections.unmodifiableMap(params), score, error, unit,
            bytesForks == 0 ? Double.NaN : bytesSum / bytesForks, percentiles, jvmArgs, forks, low, high);
    }

    /** Adds a sample-time entry's samples (fork, iteration, [value, count] pairs) to {@code histogram}. */
    private static void histogram(final JsonObject metric, final TreeMap<Double, Long> histogram)
    {
        if (!metric.has("rawDataHistogram"))
        {
            return;
        }
        for (final JsonElement fork : metric.getAsJsonArray("rawDataHistogram"))
        {
            for (final JsonElement iteration : fork.getAsJsonArray())
            {
                for (final JsonElement pair : iteration.getAsJsonArray())
                {
                    final JsonArray valueAndCount = pair.getAsJsonArray();
                    histogram.merge(number(valueAndCount.get(0)), valueAndCount.get(1).getAsLong(), Long::sum);
                }
            }
        }
    }

    private static long samples(final TreeMap<Double, Long> histogram)
    {
        long n = 0;
        for (final long count : histogram.values())
        {
            n += count;
        }
        return n;
    }

    private static double mean(final TreeMap<Double, Long> histogram, final long samples)
    {
        double sum = 0;
        for (final Map.Entry<Double, Long> e : histogram.entrySet())
        {
            sum += e.getKey() * e.getValue();
        }
        return sum / samples;
    }

    /**
     * @return the nearest-rank percentile {@code p} (0 to 100) of the {@code samples} in {@code histogram}: the
     *     smallest at p = 0.
     */
    private static double percentile(final TreeMap<Double, Long> histogram, final long samples, final double p)
    {
        final long rank = Math.max(1, (long)Math.ceil(p / 100 * samples));
        long seen = 0;
        for (final Map.Entry<Double, Long> e : histogram.entrySet())
        {
            seen += e.getValue();
            if (seen >= rank)
            {
                return e.getKey();
            }
        }
        return histogram.lastKey();
    }

    private static Map<String, String> params(final JsonObject o)
    {
        final Map<String, String> params = new TreeMap<>();
        if (o.has("params"))
        {
            for (final Map.Entry<String, JsonElement> e : o.getAsJsonObject("params").entrySet())
            {
                params.put(e.getKey(), e.getValue().getAsString());
            }
        }
        return params;
    }

    /** @return the entry's gc.alloc.rate.norm, NaN when the GC profiler did not run. */
    private static double bytes(final JsonObject o)
    {
        if (o.has("secondaryMetrics"))
        {
            final JsonObject secondary = o.getAsJsonObject("secondaryMetrics");
            if (secondary.has("gc.alloc.rate.norm"))
            {
                return number(secondary.getAsJsonObject("gc.alloc.rate.norm").get("score"));
            }
        }
        return Double.NaN;
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
