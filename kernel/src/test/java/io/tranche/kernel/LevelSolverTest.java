package io.tranche.kernel;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two level searches of {@link LevelSolver} (bracketing and the sorted sweep it falls back to) must
 * find the same exact shares; {@link LevelMethodsTest} checks the shares themselves against rationals.
 */
class LevelSolverTest
{
    @Test
    void shouldFindTheSameLevelBySearchAndBySweep()
    {
        final SplittableRandom random = new SplittableRandom(11);
        final int capacity = 3 * LevelSolver.SAMPLE_THRESHOLD;
        final LevelSolver bySearch = new LevelSolver(capacity);
        final LevelSolver bySweep = new LevelSolver(capacity);
        int searched = 0;
        int searchedLarge = 0;
        for (int t = 0; t < 4000; t++)
        {
            final int m =
                t % 150 == 0 ? LevelSolver.SAMPLE_THRESHOLD + random.nextInt(2 * LevelSolver.SAMPLE_THRESHOLD) :
                1 + random.nextInt(t % 10 == 0 ? 300 : 12);
            final int shape = m >= 300 ? 2 + random.nextInt(2) : random.nextInt(4);
            final long range = shape == 0 ? 10 : shape == 1 ? 1000 : shape == 2 ? 1L << 40 : 1L << 62;
            long sumLo = 0;
            long sumHi = 0;
            for (int k = 0; k < m; k++)
            {
                final long a = random.nextLong(range / m + 1);
                final long b = random.nextLong(range / m + 1);
                final long lo = random.nextInt(3) == 0 ? 0 : Math.min(a, b);
                final long hi = Math.max(a, b);
                final long w = random.nextInt(3) == 0 ? 1 : 1 + random.nextLong(shape == 3 ? (1L << 62) / m : 50);
                for (final LevelSolver s : new LevelSolver[] {bySearch, bySweep})
                {
                    s.lo[k] = lo;
                    s.hi[k] = hi;
                    s.w[k] = random.nextInt(20) == 0 ? 0 : w;
                }
                bySweep.w[k] = bySearch.w[k];
                if (lo != hi && bySearch.w[k] != 0)
                {
                    sumLo += lo;
                    sumHi += hi;
                }
            }
            if (sumHi <= sumLo)
            {
                continue;
            }
            final long free = sumLo + 1 + random.nextLong(sumHi - sumLo);
            long fixed = 0;
            for (int k = 0; k < m; k++)
            {
                if (bySearch.lo[k] == bySearch.hi[k] || bySearch.w[k] == 0)
                {
                    fixed += bySearch.lo[k];
                }
            }
            if (!bySearch.search(m, free))
            {
                continue;
            }
            searched++;
            searchedLarge += m >= LevelSolver.SAMPLE_THRESHOLD ? 1 : 0;
            bySweep.sweep(m, free);
            long total = 0;
            for (int k = 0; k < m; k++)
            {
                assertThat(bySearch.base[k]).as("trial %d claim %d", t, k).isEqualTo(bySweep.base[k]);
                // Same exact share: num/den equal as fractions.
                assertThat(Int128.compareProductsSigned(bySearch.num[k], bySweep.den, bySweep.num[k], bySearch.den))
                    .as("trial %d claim %d", t, k).isZero();
                total += bySearch.base[k];
                assertThat(bySearch.base[k]).isBetween(bySearch.lo[k], bySearch.hi[k]);
            }
            assertThat(total).isLessThanOrEqualTo(free + fixed);
        }
        assertThat(searched).isGreaterThan(3000);
        // Tiers large enough to take the sampled first round were searched too, not left to the sweep.
        assertThat(searchedLarge).as("large searched").isGreaterThan(10);
    }
}
