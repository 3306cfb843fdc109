package io.tranche.bench.kernel;

import io.tranche.kernel.Allocator;
import io.tranche.kernel.Claims;
import io.tranche.kernel.Method;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The baselines solve the same problems as the kernel: where they are exact they give the kernel's
 * awards, where they are not (water-filling, doubles at large S) they stay close. A ratio to a
 * baseline that computes something else would mean nothing.
 */
class BaselinesTest
{
    @Test
    void shouldBuildDeterministicRationedProblems()
    {
        for (final int n : new int[] {3, 64, 4096})
        {
            for (final long supply : new long[] {400_000, 1_000_000_000_000L})
            {
                final long[] a = Problems.demands(n, supply);
                assertThat(Problems.demands(n, supply)).isEqualTo(a);
                long total = 0;
                for (final long d : a)
                {
                    assertThat(d).isPositive();
                    total += d;
                }
                assertThat(total).as("n=%d S=%d rationed", n, supply).isGreaterThan(supply);
            }
        }
    }

    @Test
    void shouldMatchTheKernelWithExactLargestRemainder()
    {
        for (final int n : new int[] {3, 64, 4096})
        {
            for (final long supply : new long[] {400_000, 1_000_000_000_000L})
            {
                final long[] kernel = kernel(Method.PROPORTIONAL, n, supply);
                final long[] award = new long[n];
                LargestRemainderBaselineBenchmark.bigDecimal(Problems.demands(n, supply), supply, award);
                assertThat(award).as("n=%d S=%d", n, supply).isEqualTo(kernel);
            }
        }
    }

    @Test
    void shouldMatchTheKernelWithThePerUnitPriorityQueue()
    {
        final String[] methods = {"DHONDT", "SAINTE_LAGUE", "ADAMS", "DEAN", "HUNTINGTON_HILL"};
        for (int kind = 0; kind < methods.length; kind++)
        {
            for (final int n : new int[] {3, 64})
            {
                final long supply = 400_000;
                final long[] kernel = kernel(Method.valueOf(methods[kind]), n, supply);
                final long[] award = new long[n];
                DivisorBaselineBenchmark.allocate(Problems.demands(n, supply), supply, kind, award);
                assertThat(award).as("%s n=%d", methods[kind], n).isEqualTo(kernel);
            }
        }
    }

    @Test
    void shouldStayWithinOneUnitOfTheKernelWithWaterFilling()
    {
        for (final int n : new int[] {3, 64, 4096})
        {
            final long supply = 400_000;
            final long[] kernel = kernel(Method.EQUAL, n, supply);
            final long[] award = new long[n];
            WaterFillingBaselineBenchmark.waterFill(Problems.demands(n, supply), supply, award);
            for (int i = 0; i < n; i++)
            {
                assertThat(Math.abs(award[i] - kernel[i])).as("n=%d claim %d", n, i).isLessThanOrEqualTo(1);
            }
        }
    }

    private static long[] kernel(final Method method, final int n, final long supply)
    {
        final Claims claims = new Claims(n);
        Problems.fill(Problems.TAIL, n, supply, claims);
        new Allocator(n).allocate(supply, method, 1, 0, claims);
        final long[] award = new long[n];
        for (int i = 0; i < n; i++)
        {
            award[i] = claims.award(i);
        }
        return award;
    }
}
