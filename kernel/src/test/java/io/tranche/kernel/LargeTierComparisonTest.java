package io.tranche.kernel;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kernel against {@link ReferenceAllocator} on tiers of about 34,000 claims, where the kernel takes
 * its large-tier paths (the level solver samples pivots above 32,768 claims). One problem per method
 * (floors rationed for every other method), a supply of at most 50,000 lots so that the reference's
 * greedy stays quick.
 */
@Tag("slow")
class LargeTierComparisonTest
{
    private static final int CLAIMS = 35_000;

    static Problem large(final Method method, final long seed, final boolean ration)
    {
        final Random rnd = new Random(seed);
        final String[] id = new String[CLAIMS];
        final long[] demand = new long[CLAIMS];
        final long[] weight = new long[CLAIMS];
        final int[] tier = new int[CLAIMS];
        final long[] cap = new long[CLAIMS];
        final long[] floor = new long[CLAIMS];
        final long lot = rnd.nextBoolean() ? 1 : 4;
        final long[] pool = {1 + rnd.nextInt(10), 1 + rnd.nextInt(60), 7};
        long sumDemand = 0;
        long sumFloor = 0;
        for (int i = 0; i < CLAIMS; i++)
        {
            id[i] = "c" + i;
            demand[i] = rnd.nextInt(4) == 0 ? pool[rnd.nextInt(3)] * lot : 1 + rnd.nextInt(40 * (int)lot);
            final int r = rnd.nextInt(10);
            weight[i] = r < 3 ? Claims.ABSENT : r == 3 && method != Method.EQUAL_LOSSES ? 0 :
                r < 7 ? pool[rnd.nextInt(3)] : 1 + (long)(rnd.nextDouble() * (1L << 40));
            // about 34,100 claims in tier 0: above the level solver's 32,768-claim sampling threshold
            tier[i] = rnd.nextInt(40) == 0 ? 1 : 0;
            cap[i] = rnd.nextInt(6) == 0 ? 1 + rnd.nextInt((int)demand[i]) : Claims.ABSENT;
            final long bound = cap[i] == Claims.ABSENT ? demand[i] : cap[i];
            floor[i] = rnd.nextInt(ration ? 3 : 40) == 0 ? (bound / lot) * lot : 0;
            sumDemand += demand[i];
            sumFloor += floor[i];
        }
        final long supply =
            ration ? Math.min(50_000 * lot, sumFloor * 2 / 3) :
            Math.min(50_000 * lot, sumFloor + (sumDemand - sumFloor) / 3);
        return new Problem(supply, method, lot, 0, id, demand, weight, tier, cap, floor);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Method.class)
    void kernelMatchesReferenceOnATierOf34000Claims(final Method method)
    {
        final boolean ration = method.ordinal() % 2 == 1;
        final Problem p = large(method, 4242 + method.ordinal(), ration);
        final Allocator allocator = new Allocator(CLAIMS);
        final long[] kernel = AllocationPropertiesTest.kernel(allocator, p.toClaims(), new Violations(), p);
        final long start = System.nanoTime();
        final ReferenceAllocator.Result expected = ReferenceAllocator.allocate(p);
        System.out.printf("LargeTierComparisonTest %s: %d claims, supply %d, lot %d, floors rationed %b, reference " +
            "%.0f ms%n",
            method, p.size(), p.supply, p.lot, expected.floorsRationed, (System.nanoTime() - start) / 1e6);
        assertThat(expected.floorsRationed).isEqualTo(ration);
        int tierZero = 0;
        for (final int t : p.tier)
        {
            tierZero += t == 0 ? 1 : 0;
        }
        assertThat(tierZero).as("claims in tier 0").isGreaterThan(LevelSolver.SAMPLE_THRESHOLD);
        if (!Arrays.equals(expected.awards, kernel))
        {
            int first = 0;
            while (expected.awards[first] == kernel[first])
            {
                first++;
            }
            throw new AssertionError(method + " seed " + (4242 + method.ordinal()) + ": first difference at claim " +
                first + ": reference " + expected.awards[first] + " kernel " + kernel[first]);
        }
    }
}
