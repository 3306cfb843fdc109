package io.tranche.kernel;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The level search of the divisor methods on the benchmark's tail with fewer lots than claims (400,000 lots for
 * 1M claims there): most claims have weight 1 and round to 0 (D'Hondt) far below λ = 1, so the rounded total
 * moves at a fraction of the relaxed slope, and under Sainte-Laguë it jumps at λ = ½ by one lot per weight-1
 * claim. D'Hondt's level follows the measured slope (the chord through level 0, then secants) into the rounding
 * noise and the bracket finishes; Sainte-Laguë's jump is corrected by rounding at the priority read off it
 * ({@link DivisorMethod#lastCorrectionAtJump}). Before, both left tens of thousands of lots (at 1M claims 41,800
 * and 193,671) to a quickselect over the whole tier. The awards are checked against {@link ReferenceAllocator}
 * at a few thousand claims and by the greedy prefix certificate at 200,000; the routes' flags must be seen set.
 */
class DivisorSecantLevelTest
{
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Method.class, names = {"DHONDT", "SAINTE_LAGUE", "ADAMS", "DEAN", "HUNTINGTON_HILL"})
    void tailWithFewerLotsThanClaimsGivesTheGreedyAwards(final Method method)
    {
        final SplittableRandom rnd = new SplittableRandom(0x5EC4L + method.ordinal());
        final DivisorMethod rule = (DivisorMethod)method.newRule();
        // the routes under test here, not the one for tied first lots (OnesFirstLotsRouteTest)
        rule.onesRoute = false;
        final int problems = 12;
        final Workspace ws = new Workspace(6000);
        int newRoute = 0;
        int atJump = 0;
        for (int t = 0; t < problems; t++)
        {
            final int n = 2000 + rnd.nextInt(4000);
            final long supply = (long)(n * (0.25 + 0.3 * rnd.nextDouble()));
            final long[] demand = tail(rnd, n, supply);
            final long target = split(rule, ws, demand, supply);
            newRoute += rule.lastCorrectionByBracket || rule.lastCorrectionAtJump ? 1 : 0;
            atJump += rule.lastCorrectionAtJump ? 1 : 0;
            final long[] actual = Arrays.copyOf(ws.award, n);
            assertThat(Arrays.stream(actual).sum()).as("total of problem %d", t).isEqualTo(target);
            assertThat(actual).as("problem %d (%d claims, %d lots)", t, n, target)
                .containsExactly(reference(method, demand, target));
            if (method == Method.DHONDT || method == Method.SAINTE_LAGUE)
            {
                assertThat(rule.lastCorrectionBySelection).as("problem %d selected over the tier", t).isFalse();
                assertThat(rule.nearRoundings).as("roundings of the tier in problem %d", t)
                    .isLessThanOrEqualTo(method == Method.DHONDT ? 3 : 4);
            }
        }
        if (method == Method.DHONDT)
        {
            // a bracket when the secant lands in the noise; the jump when it leaps past λ = 1 (every claim's last
            // lot); a few hundred lots left without a jump go through the heap
            assertThat(newRoute).as("problems corrected from a bracket or at a jump").isGreaterThan(problems * 3 / 4);
        }
        if (method == Method.SAINTE_LAGUE)
        {
            assertThat(atJump).as("problems corrected at the priority of the jump").isEqualTo(problems);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Method.class, names = {"DHONDT", "SAINTE_LAGUE", "ADAMS", "DEAN", "HUNTINGTON_HILL"})
    void benchmarkShapedTailGivesAGreedyPrefix(final Method method)
    {
        final SplittableRandom rnd = new SplittableRandom(0x5EC5L + method.ordinal());
        final DivisorMethod rule = (DivisorMethod)method.newRule();
        // the routes under test here, not the one for tied first lots (OnesFirstLotsRouteTest)
        rule.onesRoute = false;
        final int n = 200_000;
        final long supply = 76_294;
        final Workspace ws = new Workspace(n);
        final long[] demand = tail(rnd, n, supply);
        final long target = split(rule, ws, demand, supply);
        final long[] actual = Arrays.copyOf(ws.award, n);
        assertThat(Arrays.stream(actual).sum()).isEqualTo(target);
        final long[] lo = new long[n];
        final int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        DivisorMethodsTest.assertGreedyPrefix(method, lo, demand, demand, actual, all);
        if (method == Method.DHONDT || method == Method.SAINTE_LAGUE)
        {
            assertThat(rule.lastCorrectionAtJump || rule.lastCorrectionByBracket).as("bracket or jump").isTrue();
            assertThat(rule.lastCorrectionBySelection).as("selected over the tier").isFalse();
            assertThat(rule.nearRoundings).as("roundings of the whole tier before the correction")
                .isLessThanOrEqualTo(4);
        }
    }

    /** Runs the rule on one tier: no floors, bounds and weights the demands. @return the target. */
    private static long split(final DivisorMethod rule, final Workspace ws, final long[] demand, final long supply)
    {
        final int n = demand.length;
        long total = 0;
        for (int i = 0; i < n; i++)
        {
            ws.order[i] = i;
            ws.lo[i] = 0;
            ws.hi[i] = demand[i];
            ws.w[i] = demand[i];
            ws.award[i] = -1;
            total += demand[i];
        }
        final long target = Math.min(supply, total);
        rule.split(ws, 0, n, target);
        return target;
    }

    /**
     * The benchmark's tail (bench's {@code Problems.demands}): a Pareto tail (alpha 1.16), three large claims
     * holding 18%, 9% and 5% of the demand, every demand at least 1, the total about 1.6 times the supply.
     */
    private static long[] tail(final SplittableRandom rnd, final int n, final long supply)
    {
        final double[] raw = new double[n];
        double tail = 0;
        for (int i = 0; i < n; i++)
        {
            raw[i] = Math.pow(1.0 - rnd.nextDouble(), -1.0 / 1.16);
            tail += raw[i];
        }
        for (int i = 0; i < n; i++)
        {
            raw[i] *= 0.68 / tail;
        }
        raw[rnd.nextInt(n)] = 0.18;
        raw[rnd.nextInt(n)] = 0.09;
        raw[rnd.nextInt(n)] = 0.05;
        double total = 0;
        for (final double r : raw)
        {
            total += r;
        }
        final long[] demand = new long[n];
        for (int i = 0; i < n; i++)
        {
            demand[i] = Math.max(1L, (long)(raw[i] / total * 1.6 * supply));
        }
        return demand;
    }

    private static long[] reference(final Method method, final long[] demand, final long target)
    {
        final int n = demand.length;
        final String[] id = new String[n];
        final long[] weight = new long[n];
        final long[] cap = new long[n];
        for (int i = 0; i < n; i++)
        {
            id[i] = "c" + i;
            weight[i] = Claims.ABSENT;
            cap[i] = Claims.ABSENT;
        }
        final Problem p = new Problem(target, method, 0, 0, id, demand.clone(), weight, new int[n], cap, new long[n]);
        return ReferenceAllocator.allocate(p).awards;
    }
}
