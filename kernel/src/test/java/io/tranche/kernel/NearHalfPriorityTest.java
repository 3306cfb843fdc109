package io.tranche.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * Dean's and Huntington–Hill's priority comparisons through Sainte-Laguë's products ({@link
 * DivisorMethod#compareByHalves}), against the exact priorities as fractions ({@link DivisorMethod#priority}): the
 * pairs are drawn close, as a bracket's listed claims are (the same level λ, so w/t(n) within a few lots of each
 * other), and at every size of weight and count, so that both the short answer and the 250-bit fallback are taken.
 */
class NearHalfPriorityTest
{
    private static final int PAIRS = 200_000;

    @Test
    void shouldOrderDeanPrioritiesAsTheirFractions()
    {
        checkAgainstFractions(new Dean(), 1);
    }

    @Test
    void shouldOrderHuntingtonHillPrioritiesAsTheirFractions()
    {
        checkAgainstFractions(new HuntingtonHill(), 2);
    }

    @Test
    void shouldAnswerOnlyWhereTheBoundsDecide()
    {
        // Equal priorities are never decided short: w/t(n) against itself, and against a multiple of itself.
        assertThat(DivisorMethod.compareByHalves(7, 3, 7, 3)).isEqualTo(DivisorMethod.UNDECIDED);
        assertThat(DivisorMethod.compareByHalves(1L << 40, 1L << 30, 1L << 40, 1L << 30))
            .isEqualTo(DivisorMethod.UNDECIDED);
        // Sainte-Laguë's products tie (w·(2n' + 1) = w'·(2n + 1)) while Dean's and Huntington–Hill's priorities do
        // not: the bounds cannot tell, so the exact comparison runs.
        assertThat(DivisorMethod.compareByHalves(3, 1, 5, 2)).isEqualTo(DivisorMethod.UNDECIDED);
        assertThat(new Dean().compareFinite(3, 1, 5, 2)).isEqualTo(
            new Dean().priority(3, 1).compareTo(new Dean().priority(5, 2)));
        // Far apart: decided without the wide products, either way round.
        assertThat(DivisorMethod.compareByHalves(1_000_000, 10, 1_000, 10)).isEqualTo(1);
        assertThat(DivisorMethod.compareByHalves(1_000, 10, 1_000_000, 10)).isEqualTo(-1);
        assertThat(DivisorMethod.compareByHalves(Long.MAX_VALUE, (1L << 62) - 1, 1, (1L << 62) - 1)).isEqualTo(1);
        assertThat(DivisorMethod.compareByHalves(1, (1L << 62) - 1, Long.MAX_VALUE, (1L << 62) - 1)).isEqualTo(-1);
    }

    private static void checkAgainstFractions(final DivisorMethod rule, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        int decided = 0;
        int undecided = 0;
        for (int k = 0; k < PAIRS; k++)
        {
            final long wi = weight(random);
            final long ni = count(random, wi);
            final long wj;
            final long nj;
            if (random.nextInt(3) == 0)
            {
                wj = weight(random);
                nj = count(random, wj);
            }
            else
            {
                // a neighbour: the same share of lots within a few lots, as claims at one level are
                nj = Math.max(1, Math.min((1L << 62) - 1, ni + random.nextLong(-3, 4)));
                final long scaled = (long)((double)wi * (2 * nj + 1) / (2 * ni + 1)) + random.nextLong(-2, 3);
                wj = Math.max(0, scaled);
            }
            final int expected = rule.priority(wi, ni).compareTo(rule.priority(wj, nj));
            assertThat(Integer.signum(rule.compareFinite(wi, ni, wj, nj)))
                .as("%s w=%d n=%d against w=%d n=%d", rule.getClass().getSimpleName(), wi, ni, wj, nj)
                .isEqualTo(Integer.signum(expected));
            final int halves = DivisorMethod.compareByHalves(wi, ni, wj, nj);
            if (halves == DivisorMethod.UNDECIDED)
            {
                undecided++;
            }
            else
            {
                decided++;
                assertThat(halves).as("short answer for w=%d n=%d against w=%d n=%d", wi, ni, wj, nj)
                    .isEqualTo(Integer.signum(expected));
            }
        }
        assertThat(decided).isGreaterThan(PAIRS / 4);
        assertThat(undecided).isGreaterThan(PAIRS / 100);
    }

    private static long weight(final SplittableRandom random)
    {
        switch (random.nextInt(4))
        {
            case 0:
                return random.nextLong(0, 1_000);
            case 1:
                return random.nextLong(0, 1L << 40);
            case 2:
                return Long.MAX_VALUE - random.nextLong(1_000);
            default:
                return random.nextLong() >>> random.nextInt(1, 64);
        }
    }

    private static long count(final SplittableRandom random, final long w)
    {
        switch (random.nextInt(3))
        {
            case 0:
                return random.nextLong(1, 100);
            case 1:
                return Math.max(1, Math.min((1L << 62) - 1, w >>> random.nextInt(0, 8)));
            default:
                return random.nextLong(1, 1L << 62);
        }
    }
}
