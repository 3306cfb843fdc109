package io.tranche.bench;

import io.tranche.bench.kernel.Problems;
import io.tranche.kernel.Method;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The one spelling, on the report side, of the suite's benchmarks as {@link Results} names them
 * ({@code Class.method}), of their JMH modes and of the parameter values the targets are stated at.
 */
final class Benchmarks
{
    static final String KERNEL = "KernelBenchmark.allocate";
    static final String FLOOR = "StreamingFloorBenchmark.stream";
    static final String PQ = "DivisorBaselineBenchmark.priorityQueue";
    static final String LR_BIG = "LargestRemainderBaselineBenchmark.bigDecimal";
    static final String LR_DOUBLE = "LargestRemainderBaselineBenchmark.doubles";
    static final String WATER = "WaterFillingBaselineBenchmark.binarySearch";
    static final String E2E_PREFIX = "EndToEndBenchmark.";
    /** The end-to-end methods, as {@code e2e-server.jsonl} names them. */
    static final String ALLOCATE = "allocate";
    static final String ECHO = "echo";
    static final String E2E_ALLOCATE = E2E_PREFIX + ALLOCATE;
    static final String E2E_ECHO = E2E_PREFIX + ECHO;

    static final String AVGT = "avgt";
    static final String THRPT = "thrpt";
    static final String SAMPLE = "sample";

    static final String TAIL = Problems.TAIL;
    static final String TIERED = Problems.TIERED;
    /** The supply the per-unit queue runs at (at 10^12 one call would pop 10^12 units). */
    static final String QUEUE_SUPPLY = "400000";
    static final String MILLION = "1048576";

    /** Every method of the kernel, in the kernel's order. */
    static final List<String> METHODS = names(false);
    /** The divisor (highest-averages) methods. */
    static final List<String> DIVISORS = names(true);

    private Benchmarks()
    {
    }

    static boolean isDivisor(final String method)
    {
        return DIVISORS.contains(method);
    }

    private static List<String> names(final boolean divisorsOnly)
    {
        final List<String> out = new ArrayList<>();
        for (final Method m : Method.values())
        {
            if (!divisorsOnly || m.kind() == Method.Kind.DIVISOR)
            {
                out.add(m.name());
            }
        }
        return Collections.unmodifiableList(out);
    }
}
