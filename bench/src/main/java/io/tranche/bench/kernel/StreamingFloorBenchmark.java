package io.tranche.bench.kernel;

import io.tranche.kernel.Claims;
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
 * The floor every kernel figure is read against: one streaming pass that reads the same claim
 * arrays the kernel reads (demand, weight, tier, cap, floor of a {@link Claims}) and writes one award
 * per claim (a fixed-point proportional share, no rounding repair). No allocation method can be
 * faster than touching its input and output once; the kernel's ratio to this is how close it gets
 * to memory speed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class StreamingFloorBenchmark
{
    @Param({"3", "64", "4096", "1048576"})
    public int claims;

    @Param({"400000", "1000000000000"})
    public long supply;

    private Claims problem;
    private long[] award;
    private long multiplier;

    @Setup(Level.Trial)
    public void setUp()
    {
        problem = new Claims(claims);
        Problems.fill(Problems.TAIL, claims, supply, problem);
        award = new long[claims];
        long total = 0;
        for (int i = 0; i < claims; i++)
        {
            total += problem.demand(i);
        }
        // award ≈ demand · S / D as one multiply and shift: S / D in 32.32 fixed point.
        multiplier = (long)((double)supply / total * (1L << 32));
    }

    /** @return Σ award. */
    @Benchmark
    public long stream()
    {
        final Claims problem = this.problem;
        final long[] award = this.award;
        final long multiplier = this.multiplier;
        final int n = problem.count();
        long sum = 0;
        long tiers = 0;
        for (int i = 0; i < n; i++)
        {
            final long weight = problem.weight(i) == Claims.ABSENT ? problem.demand(i) : problem.weight(i);
            final long bound =
                Math.min(problem.demand(i), problem.cap(i) == Claims.ABSENT ? Long.MAX_VALUE : problem.cap(i));
            // (weight · multiplier) >> 32 from the 128-bit product: no overflow at S = 10^12.
            final long scaled = (Math.multiplyHigh(weight, multiplier) << 32) | ((weight * multiplier) >>> 32);
            final long share = Math.max(problem.floor(i), Math.min(bound, scaled));
            award[i] = share;
            sum += share;
            tiers += problem.tier(i);
        }
        return sum + tiers;
    }
}
