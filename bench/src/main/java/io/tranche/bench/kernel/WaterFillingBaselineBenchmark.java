package io.tranche.bench.kernel;

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
 * Baseline for EQUAL (constrained equal awards, max-min fairness): binary-search water-filling as
 * Hadoop YARN's fair scheduler computes fair shares ({@code ComputeFairShares.computeSharesInternal}):
 * double the weight-to-resource ratio R until Σ min(max(R·w, min), max) covers the supply, bisect
 * 25 times, then truncate each share. Weights 1, max share = demand. Not exact: the truncated shares
 * leave units unallocated, which is the point of comparing against an exact kernel.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class WaterFillingBaselineBenchmark
{
    /** YARN's COMPUTE_FAIR_SHARES_ITERATIONS. */
    static final int ITERATIONS = 25;

    @Param({"3", "64", "4096", "1048576"})
    public int claims;

    @Param({"400000", "1000000000000"})
    public long supply;

    private long[] demand;

    @Setup(Level.Trial)
    public void setUp()
    {
        demand = Problems.demands(claims, supply);
    }

    /** @return a checksum of the shares. */
    @Benchmark
    public long binarySearch()
    {
        return waterFill(demand, supply, new long[demand.length]);
    }

    static long waterFill(final long[] demand, final long supply, final long[] award)
    {
        long totalMax = 0;
        for (final long d : demand)
        {
            totalMax += d;
        }
        final double total = Math.min(supply, totalMax);
        double rMax = 1.0;
        while (used(demand, rMax) < total)
        {
            rMax *= 2.0;
        }
        double left = 0;
        double right = rMax;
        for (int i = 0; i < ITERATIONS; i++)
        {
            final double mid = (left + right) / 2.0;
            if (used(demand, mid) < total)
            {
                left = mid;
            }
            else
            {
                right = mid;
            }
        }
        long checksum = 0;
        for (int i = 0; i < demand.length; i++)
        {
            award[i] = Math.min((long)right, demand[i]);
            checksum += award[i] * (i + 1);
        }
        return checksum;
    }

    /**
     * resourceUsedWithWeightToResourceRatio with weight 1 and min share 0: Σ min((long)(R · 1), demand),
     * each share truncated to a long as YARN's computeShare does.
     */
    private static double used(final long[] demand, final double r)
    {
        final long share = (long)r;
        long sum = 0;
        for (final long d : demand)
        {
            sum += Math.min(share, d);
        }
        return sum;
    }
}
