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
 * JVM reads, and {@code e2e-server.jsonl}, one line per trial with the server threads' allocated bytes and CPU time
 * and the whole JVM's CPU time. Lines written before the CPU times were recorded have only the bytes.
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
    /** Key: CPU time of the server threads in the trial, ns (user and system). */
    public static final String SERVER_CPU_NANOS = "serverCpuNanos";
    /** Key: CPU time of the whole benchmark JVM in the trial (client, both servers, JMH, JIT, GC), ns. */
    public static final String PROCESS_CPU_NANOS = "processCpuNanos";

    /** Index in a {@link #totals(Path)} entry: calls completed. */
    public static final int TOTAL_CALLS = 0;
    /** Index: server bytes. */
    public static final int TOTAL_SERVER_BYTES = 1;
    /** Index: calls completed in the trials that recorded CPU time. */
    public static final int TOTAL_CPU_CALLS = 2;
    /** Index: server threads' CPU time, ns. */
    public static final int TOTAL_SERVER_CPU = 3;
    /** Index: the JVM's CPU time, ns. */
    public static final int TOTAL_PROCESS_CPU = 4;

    private EndToEndRecord()
    {
    }

    /**
     * @param benchmark   short benchmark name.
     * @param mode        JMH mode label.
     * @param claims      claims per request.
     * @param calls       calls completed.
     * @param serverBytes bytes the server threads allocated.
     * @param serverCpu   CPU time of the server threads, ns.
     * @param processCpu  CPU time of the whole JVM, ns.
     * @return one line of the file, newline included.
     */
    public static String line(final String benchmark, final String mode, final int claims, final long calls,
        final long serverBytes, final long serverCpu, final long processCpu)
    {
        final JsonObject o = new JsonObject();
        o.addProperty(BENCHMARK, benchmark);
        o.addProperty(MODE, mode);
        o.addProperty(CLAIMS, claims);
        o.addProperty(CALLS, calls);
        o.addProperty(SERVER_BYTES, serverBytes);
        o.addProperty(SERVER_CPU_NANOS, serverCpu);
        o.addProperty(PROCESS_CPU_NANOS, processCpu);
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
     * @return by {@link #key(String, String)}: calls, server bytes, calls of the trials with CPU times, server CPU ns
     *     and JVM CPU ns (indexed by the {@code TOTAL_} constants); empty when the folder has no such file.
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
                k -> new long[TOTAL_PROCESS_CPU + 1]);
            final long calls = o.get(CALLS).getAsLong();
            sum[TOTAL_CALLS] += calls;
            sum[TOTAL_SERVER_BYTES] += o.get(SERVER_BYTES).getAsLong();
            if (o.has(SERVER_CPU_NANOS) && o.has(PROCESS_CPU_NANOS))
            {
                sum[TOTAL_CPU_CALLS] += calls;
                sum[TOTAL_SERVER_CPU] += o.get(SERVER_CPU_NANOS).getAsLong();
                sum[TOTAL_PROCESS_CPU] += o.get(PROCESS_CPU_NANOS).getAsLong();
            }
        }
        return out;
    }
}
