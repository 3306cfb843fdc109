package io.tranche.kernel;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12, item 3: the divisor methods' large corrections (a block of equal priorities, as in the
 * benchmark's Pareto tail where most claims demand 1 or 2) are done one lot per claim by selection
 * instead of through the heap. The awards must stay exactly the greedy ones: checked against
 * {@link ReferenceAllocator} on seeded tail-shaped problems, with the selection path taken in most of
 * them (so the test exercises it) and the heap in the rest. Most of these errors now sit at a jump of the rounded
 * total (the block of ties holds the target) and are corrected at the jump's priority
 * ({@link DivisorMethod#lastCorrectionAtJump}); each problem also runs with that route off, for the selection.
 */
class DivisorCorrectionBySelectionTest
{
    private static final int PROBLEMS = 24;

    @ParameterizedTest
    @EnumSource(value = Method.class, names = {"DHONDT", "SAINTE_LAGUE", "ADAMS", "DEAN", "HUNTINGTON_HILL"})
    void largeCorrectionsGiveTheGreedyAwardsExactly(final Method method)
    {
        final Random rnd = new Random(0xB17L + method.ordinal());
        final Allocator allocator = new Allocator(8192);
        final Claims claims = new Claims(8192);
        final Violations violations = new Violations();
        final DivisorMethod rule = (DivisorMethod)method.newRule();
        // the routes under test here, not the one for tied first lots (OnesFirstLotsRouteTest)
        rule.onesRoute = false;
        final Workspace ws = new Workspace(8192);
        int bySelection = 0;
        int oneLotEach = 0;
        int byThreshold = 0;
        int atJump = 0;
        for (int t = 0; t < PROBLEMS; t++)
        {
            final Problem p = t % 3 == 0 ? ties(rnd, method, 1000 + rnd.nextInt(3000)) :
                tail(rnd, method, 300 + rnd.nextInt(3000));
            p.fill(claims);
            assertThat(allocator.validate(p.supply, p.method, p.lot, p.ppm, claims, violations)).isTrue();
            allocator.allocate(p.supply, p.method, p.lot, p.ppm, claims);
            final long[] expected = ReferenceAllocator.allocate(p).awards;
            for (int i = 0; i < p.size(); i++)
            {
                assertThat(claims.award(i)).as("claims[%d] of problem %d (%d claims, supply %d)", i, t, p.size(),
                    p.supply).isEqualTo(expected[i]);
            }
            // the same tier through the rule alone, to see which correction ran
            final int n = p.size();
            long target = 0;
            for (int i = 0; i < n; i++)
            {
                ws.order[i] = i;
                ws.lo[i] = 0;
                ws.hi[i] = p.demand[i];
                ws.w[i] = p.weight[i] == Claims.ABSENT ? p.demand[i] : p.weight[i];
                target += expected[i];
            }
            rule.split(ws, 0, n, target);
            for (int i = 0; i < n; i++)
            {
                assertThat(ws.award[i]).isEqualTo(expected[i]);
            }
            atJump += rule.lastCorrectionAtJump ? 1 : 0;
            // and without the correction at a jump, which takes most of these errors first
            rule.jumpRoute = false;
            rule.split(ws, 0, n, target);
            rule.jumpRoute = true;
            for (int i = 0; i < n; i++)
            {
                assertThat(ws.award[i]).isEqualTo(expected[i]);
            }
            bySelection += rule.lastCorrectionBySelection ? 1 : 0;
            oneLotEach += rule.lastCorrectionOneLotEach ? 1 : 0;
            byThreshold += rule.lastCorrectionByThreshold ? 1 : 0;
        }
        if (method == Method.DHONDT || method == Method.SAINTE_LAGUE)
        {
            assertThat(atJump).as("problems corrected at the priority of a jump under %s", method).isGreaterThan(0);
        }
        // both paths are exercised: one lot each on the blocks of ties (Adams and Dean settle those by their
        // first-lot selection before any correction; Huntington-Hill's secant level lands within the selection's
        // 256 lots on these problems, and the heap finishes), the selected heap on the tail
        if (method == Method.DHONDT || method == Method.SAINTE_LAGUE)
        {
            assertThat(oneLotEach).as("problems corrected one lot each under %s", method).isGreaterThan(0);
        }
        if (method == Method.SAINTE_LAGUE)
        {
            // the tail: some selected claims move by many lots; rounded at the selected lot's priority
            assertThat(byThreshold).as("tail problems rounded at the threshold priority").isGreaterThan(0);
        }
    }

    /** Claims of weight 1 or 2 (demand 1 or 2): one block of tied priorities, far from the relaxed level. */
    private static Problem ties(final Random rnd, final Method method, final int n)
    {
        final String[] id = new String[n];
        final long[] demand = new long[n];
        final long[] weight = new long[n];
        final long[] cap = new long[n];
        long total = 0;
        final int twos = rnd.nextInt(4);
        for (int i = 0; i < n; i++)
        {
            id[i] = "c" + i;
            demand[i] = rnd.nextInt(10) < twos ? 2 : 1;
            weight[i] = Claims.ABSENT;
            cap[i] = Claims.ABSENT;
            total += demand[i];
        }
        final long supply = (long)(total * (0.05 + 0.9 * rnd.nextDouble()));
        return new Problem(supply, method, 0, 0, id, demand, weight, new int[n], cap, new long[n]);
    }

    /** One tier, demands from a Pareto tail (most 1 or 2), a few large claims, total about 1.6x the supply. */
    private static Problem tail(final Random rnd, final Method method, final int n)
    {
        final String[] id = new String[n];
        final long[] demand = new long[n];
        final long[] weight = new long[n];
        final int[] tier = new int[n];
        final long[] cap = new long[n];
        final long[] floor = new long[n];
        // as the benchmark's tail: total demand about 1.6x a supply of a fraction of n, so most demands are 1
        final long supply = (long)(n * (0.1 + 0.8 * rnd.nextDouble()));
        final double[] raw = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            raw[i] = Math.pow(1.0 - rnd.nextDouble(), -1.0 / 1.16);
            sum += raw[i];
        }
        for (int i = 0; i < n; i++)
        {
            id[i] = "c" + i;
            demand[i] = Math.max(1, (long)(raw[i] / sum * 1.6 * supply));
            if (rnd.nextInt(n) < 3)
            {
                demand[i] = supply / (5 + rnd.nextInt(10));
            }
            weight[i] = rnd.nextInt(8) == 0 ? 1 + rnd.nextInt(3) : Claims.ABSENT;
            cap[i] = Claims.ABSENT;
        }
        return new Problem(supply, method, 0, 0, id, demand, weight, tier, cap, floor);
    }
}
