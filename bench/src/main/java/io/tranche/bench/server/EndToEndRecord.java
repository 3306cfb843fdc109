package io.tranche.bench.server;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one spelling of what the end-to-end suite leaves in a result folder, shared by {@link EndToEndBenchmark}
 * (which writes it) and the runner and report (which set it up and read it): the system properties the benchmark
 * JVM reads, and {@code e2e-server.jsonl}, one line per trial with the server threads' allocated bytes.
 */
public final class EndToEndRecord
{
    /** System property naming the result folder inside benchmark JVMs. */
    public static final String OUT_PROP_NAME = "tranche.bench.out";
    /** Calls of each RPC made in setup before JMH's own warm-up: gRPC and Netty warm up by calls, not by time. */
    public static final String WARMUP_CALLS_PROP_NAME = "tranche.bench.e2e.warmupCalls";
    /** The file in the result folder. */
    public static final String FILE = "e2e-server.jsonl";
    /** Key: the benchmark's short name, {@code allocate} or {@code echo}. */
    public static final String BENCHMARK = "benchmark";
    /** Key: JMH mode label. */
    public static final String MODE = "mode";
    /** Key: the {@code claims} parameter. */
    public static final String CLAIMS = "claims";
    /** Key: calls completed in the trial. */
    public static final String CALLS = "calls";
    /** Key: bytes allocated by the server threads in the trial. */
    public static final String SERVER_BYTES = "serverBytes";

    private EndToEndRecord()
    {
    }

    /**
     * @param benchmark   short benchmark name.
     * @param mode        JMH mode label.
     * @param claims      claims per request.
     * @param calls       calls completed.
     * @param serverBytes bytes the server threads allocated.
     * @return one line of the file, newline included.
     */
    public static String line(final String benchmark, final String mode, final int claims, final long calls,
        final long serverBytes)
    {
        final JsonObject o = new JsonObject();
        o.addProperty(BENCHMARK, benchmark);
        o.addProperty(MODE, mode);
        o.addProperty(CLAIMS, claims);
        o.addProperty(CALLS, calls);
        o.addProperty(SERVER_BYTES, serverBytes);
        return o.toString() + String.format(Locale.ROOT, "%n");
    }

    /**
     * @param benchmark short benchmark name.
     * @param claims    claims per request.
     * @return the key of {@link #totals(Path)}: "allocate 64".
     */
    public static String key(final String benchmark, final String claims)
    {
        return benchmark + " " + claims;
    }

    /**
     * Sums the file's lines per benchmark and claim count over every mode (throughput and sample time).
     *
     * @param dir a result folder.
     * @return {calls, server bytes} by {@link #key(String, String)}; empty when the folder has no such file.
     * @throws IOException when the file exists but cannot be read.
     */
    public static Map<String, long[]> totals(final Path dir) throws IOException
    {
        final Map<String, long[]> out = new TreeMap<>();
        final Path file = dir.resolve(FILE);
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
            final long[] sum = out.computeIfAbsent(key(o.get(BENCHMARK).getAsString(), o.get(CLAIMS).getAsString()),
                k -> new long[2]);
            sum[0] += o.get(CALLS).getAsLong();
            sum[1] += o.get(SERVER_BYTES).getAsLong();
        }
        return out;
    }
}
