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

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Baselines for PROPORTIONAL (largest remainder, Hamilton): the textbook code, once exact with
 * {@link BigDecimal} quotas and remainders, once with {@code double} quotas (fast, and inexact at
 * S = 10^12). Both sort boxed indices by remainder, as textbook code does. Same {@code tail}
 * problems as {@link KernelBenchmark} (weights are the demands).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class LargestRemainderBaselineBenchmark
{
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

    /** @return a checksum of the awards. */
    @Benchmark
    public long bigDecimal()
    {
        return bigDecimal(demand, supply, new long[demand.length]);
    }

    /** @return a checksum of the awards. */
    @Benchmark
    public long doubles()
    {
        return doubles(demand, supply, new long[demand.length]);
    }

    static long bigDecimal(final long[] demand, final long supply, final long[] award)
    {
        final int n = demand.length;
        BigDecimal total = BigDecimal.ZERO;
        for (final long d : demand)
        {
            total = total.add(BigDecimal.valueOf(d));
        }
        final BigDecimal s = BigDecimal.valueOf(supply);
        final BigDecimal[] remainder = new BigDecimal[n];
        long given = 0;
        for (int i = 0; i < n; i++)
        {
            final BigDecimal[] qr = s.multiply(BigDecimal.valueOf(demand[i])).divideAndRemainder(total);
            award[i] = qr[0].longValueExact();
            remainder[i] = qr[1];
            given += award[i];
        }
        final Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) ->
        {
            final int c = remainder[b].compareTo(remainder[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        for (int k = 0; k < n && given < supply; k++)
        {
            award[order[k]]++;
            given++;
        }
        return checksum(award);
    }

    static long doubles(final long[] demand, final long supply, final long[] award)
    {
        final int n = demand.length;
        double total = 0;
        for (final long d : demand)
        {
            total += d;
        }
        final double[] remainder = new double[n];
        long given = 0;
        for (int i = 0; i < n; i++)
        {
            final double quota = supply * (demand[i] / total);
            final double whole = Math.floor(quota);
            award[i] = (long)whole;
            remainder[i] = quota - whole;
            given += award[i];
        }
        final Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) ->
        {
            final int c = Double.compare(remainder[b], remainder[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        for (int k = 0; k < n && given < supply; k++)
        {
            award[order[k]]++;
            given++;
        }
        return checksum(award);
    }

    static long checksum(final long[] award)
    {
        long checksum = 0;
        for (int i = 0; i < award.length; i++)
        {
            checksum += award[i] * (i + 1);
        }
        return checksum;
    }
}
