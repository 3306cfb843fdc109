package io.tranche.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a small synthetic {@code jmh.json} in JMH's own format, for tests of the report side. */
final class ResultFolder
{
    private final JsonArray rows = new JsonArray();

    /**
     * Adds one average-time row in ns/op.
     *
     * @param benchmark short name, e.g. "KernelBenchmark.allocate".
     * @param nanos     score.
     * @param error     score error (NaN for none).
     * @param bytes     gc.alloc.rate.norm, NaN for none.
     * @param params    name, value pairs.
     * @return this.
     */
    ResultFolder avgt(final String benchmark, final double nanos, final double error, final double bytes,
        final String... params)
    {
        return row(benchmark, "avgt", nanos, error, "ns/op", bytes, params);
    }

    ResultFolder thrpt(final String benchmark, final double opsPerMicro, final String... params)
    {
        return row(benchmark, "thrpt", opsPerMicro, Double.NaN, "ops/us", Double.NaN, params);
    }

    /**
     * Adds one average-time entry in ns/op with JMH's per-fork iterations ({@code rawData}) and its fork count;
     * its score is JMH's, the mean of every iteration.
     *
     * @param benchmark short name.
     * @param forks     each fork's iteration scores.
     * @param bytes     gc.alloc.rate.norm, NaN for none.
     * @param params    name, value pairs.
     * @return this.
     */
    ResultFolder avgtForks(final String benchmark, final double[][] forks, final double bytes,
        final String... params)
    {
        double sum = 0;
        int n = 0;
        final JsonArray raw = new JsonArray();
        for (final double[] fork : forks)
        {
            final JsonArray iterations = new JsonArray();
            for (final double v : fork)
            {
                iterations.add(v);
                sum += v;
                n++;
            }
            raw.add(iterations);
        }
        row(benchmark, "avgt", sum / n, 1, "ns/op", bytes, params);
        final JsonObject o = rows.get(rows.size() - 1).getAsJsonObject();
        o.addProperty("forks", forks.length);
        o.getAsJsonObject("primaryMetric").add("rawData", raw);
        return this;
    }

    /**
     * Adds one sample-time entry in us/op of one fork and one iteration, with JMH's histogram of it and the given
     * percentiles (as JMH would have computed them from this entry alone).
     *
     * @param benchmark short name.
     * @param samples   value, count pairs.
     * @param p50       the entry's own median.
     * @param params    name, value pairs.
     * @return this.
     */
    ResultFolder sample(final String benchmark, final double[][] samples, final double p50, final String... params)
    {
        double sum = 0;
        long n = 0;
        final JsonArray iteration = new JsonArray();
        for (final double[] pair : samples)
        {
            final JsonArray valueAndCount = new JsonArray();
            valueAndCount.add(pair[0]);
            valueAndCount.add((long)pair[1]);
            iteration.add(valueAndCount);
            sum += pair[0] * pair[1];
            n += (long)pair[1];
        }
        row(benchmark, "sample", sum / n, 1, "us/op", Double.NaN, params);
        final JsonObject primary = rows.get(rows.size() - 1).getAsJsonObject().getAsJsonObject("primaryMetric");
        final JsonObject percentiles = new JsonObject();
        percentiles.addProperty("50.0", p50);
        percentiles.addProperty("99.0", p50);
        primary.add("scorePercentiles", percentiles);
        final JsonArray fork = new JsonArray();
        fork.add(iteration);
        final JsonArray histogram = new JsonArray();
        histogram.add(fork);
        primary.add("rawDataHistogram", histogram);
        return this;
    }

    private ResultFolder row(final String benchmark, final String mode, final double score, final double error,
        final String unit, final double bytes, final String... params)
    {
        final JsonObject o = new JsonObject();
        o.addProperty("benchmark", "io.tranche.bench.x." + benchmark);
        o.addProperty("mode", mode);
        final JsonObject p = new JsonObject();
        for (int i = 0; i < params.length; i += 2)
        {
            p.addProperty(params[i], params[i + 1]);
        }
        o.add("params", p);
        final JsonObject primary = new JsonObject();
        primary.addProperty("score", score);
        primary.addProperty("scoreError", Double.isNaN(error) ? "NaN" : Double.toString(error));
        primary.addProperty("scoreUnit", unit);
        o.add("primaryMetric", primary);
        if (!Double.isNaN(bytes))
        {
            final JsonObject norm = new JsonObject();
            norm.addProperty("score", bytes);
            final JsonObject secondary = new JsonObject();
            secondary.add("gc.alloc.rate.norm", norm);
            o.add("secondaryMetrics", secondary);
        }
        rows.add(o);
        return this;
    }

    Path write(final Path dir) throws IOException
    {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(Results.FILE), rows.toString(), StandardCharsets.UTF_8);
        return dir;
    }
}
