package io.tranche.bench.kernel;

import io.tranche.kernel.Allocator;
import io.tranche.kernel.Claims;
import io.tranche.kernel.Method;
import io.tranche.kernel.Violations;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The kernel: {@link Allocator#allocate} for every method × claim count × supply, on the seeded
 * {@link Problems} (shape {@code tail}: the problem the baselines solve too; {@code tiered}: two
 * tiers, caps and floors). The problem is validated once at setup, as the server does before each
 * call; the measured call is the allocation alone, on a warmed, preallocated allocator.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class KernelBenchmark
{
    /** Every method of the kernel's registry: JMH sweeps an enum {@code @Param} without values over all constants. */
    @Param
    public Method method;

    @Param({"3", "64", "4096", "1048576"})
    public int claims;

    @Param({"400000", "1000000000000"})
    public long supply;

    @Param({Problems.TAIL, Problems.TIERED})
    public String shape;

    private Allocator allocator;
    private Claims problem;

    @Setup(Level.Trial)
    public void setUp()
    {
        allocator = new Allocator(claims);
        problem = new Claims(claims);
        Problems.fill(shape, claims, supply, problem);
        final Violations violations = new Violations();
        if (!allocator.validate(supply, method, 1, 0, problem, violations))
        {
            throw new IllegalStateException("benchmark problem is invalid: " + violations);
        }
        final long allocated = allocator.allocate(supply, method, 1, 0, problem);
        long bounds = 0;
        for (int i = 0; i < claims; i++)
        {
            bounds += problem.cap(i) == Claims.ABSENT ? problem.demand(i) : Math.min(problem.cap(i), problem.demand(i));
        }
        if (allocated != Math.min(supply, bounds))
        {
            // Floors fit, so the kernel must hand out min(supply, sum of bounds): a cheap sanity check.
            throw new IllegalStateException("method=" + method + " claims=" + claims + " supply=" + supply +
                " shape=" + shape + " allocated=" + allocated);
        }
    }

    /** @return units allocated (the awards stay in the claims' award column). */
    @Benchmark
    public long allocate()
    {
        return allocator.allocate(supply, method, 1, 0, problem);
    }
}
