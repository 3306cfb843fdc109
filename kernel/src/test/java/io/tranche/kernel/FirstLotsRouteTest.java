package io.tranche.kernel;

import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Adams, Dean and Huntington–Hill give a claim's first lot infinite priority: when the lots beyond the floors are no
 * more than the competing claims at 0, the awards are one lot to the largest weights, ties to the earlier queue
 * position ({@link DivisorMethod}'s first-lots route, a histogram of the weights and a selection within one
 * bucket). Seeded problems of several weight distributions (all 1; a Pareto tail with many ties; wide random
 * weights; ties on both sides of the histogram's bucket edges 2^k − 1, 2^k, 2^k + 1) are checked against
 * {@link ReferenceAllocator} where its per-lot greedy is affordable and against a sort of the competing claims by
 * (weight descending, position) otherwise; the route's flag must be set on every problem, so the test cannot pass
 * on the general path alone.
 */
class FirstLotsRouteTest
{
    /** The weight distributions. */
    private enum Weights
    {
        ONES, PARETO, WIDE, EDGES
    }

    /** Lots at most this and claims at most {@link #REFERENCE_CLAIMS}: compared with the reference. */
    private static final int REFERENCE_LOTS = 400;
    private static final int REFERENCE_CLAIMS = 400;

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Method.class, names = {"ADAMS", "DEAN", "HUNTINGTON_HILL"})
    void splitGivesTheFirstLotsToTheLargestWeights(final Method method)
    {
        final SplittableRandom rnd = new SplittableRandom(0xF125L + method.ordinal());
        final DivisorMethod rule = (DivisorMethod)method.newRule();
        final int capacity = 60_000;
        final Workspace ws = new Workspace(capacity);
        int referenced = 0;
        int large = 0;
        int problems = 0;
        for (final Weights shape : Weights.values())
        {
            for (int t = 0; t < 60; t++)
            {
                problems++;
                final int n = 1 + rnd.nextInt(rnd.nextInt(6) == 0 ? capacity : REFERENCE_CLAIMS);
                final int from = rnd.nextInt(3) == 0 ? rnd.nextInt(n) : 0;
                final int to = rnd.nextInt(3) == 0 ? from + 1 + rnd.nextInt(n - from) : n;
                final long[] lo = new long[n];
                final long[] hi = new long[n];
                final long[] w = new long[n];
                fill(rnd, shape, lo, hi, w);
                // a queue order other than the index order: ties go to the earlier position in it
                final int[] order = shuffled(rnd, n);
                long sumLo = 0;
                long sumHi = 0;
                int competing = 0;
                for (int k = from; k < to; k++)
                {
                    final int i = order[k];
                    sumLo += lo[i];
                    sumHi += hi[i];
                    competing += lo[i] == 0 && hi[i] > 0 && w[i] != 0 ? 1 : 0;
                }
                final long rest = competing == 0 ? 0
                    : 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? competing : Math.min(competing, 50));
                if (rest == 0 || sumLo + rest >= sumHi)
                {
                    // no first lot to give, or every claim at its bound: not the route's case
                    continue;
                }
                for (int i = 0; i < n; i++)
                {
                    ws.order[i] = order[i];
                    ws.lo[i] = lo[i];
                    ws.hi[i] = hi[i];
                    ws.w[i] = w[i];
                    ws.award[i] = -1;
                }
                rule.split(ws, from, to, sumLo + rest);
                assertThat(rule.lastFirstLotsOnly).as("%s problem %d took the first-lots route", shape, t).isTrue();
                final long[] expected = firstLots(order, from, to, lo, hi, w, rest);
                large += threshold(order, from, to, lo, hi, w, expected) >= 64 ? 1 : 0;
                for (int k = from; k < to; k++)
                {
                    final int i = order[k];
                    assertThat(ws.award[i]).as("%s problem %d, claim %d at position %d", shape, t, i, k)
                        .isEqualTo(expected[i]);
                }
                if (rest <= REFERENCE_LOTS && to - from <= REFERENCE_CLAIMS)
                {
                    referenced++;
                    final long[] ref = reference(method, order, from, to, lo, hi, w, sumLo + rest);
                    for (int k = from; k < to; k++)
                    {
                        assertThat(ws.award[order[k]]).as("%s problem %d, position %d (reference)", shape, t, k)
                            .isEqualTo(ref[k - from]);
                    }
                }
            }
        }
        assertThat(referenced).as("problems compared with the reference").isGreaterThan(problems / 2);
        assertThat(large).as("problems selected within a bit-length bucket (threshold >= 64)")
            .isGreaterThan(problems / 8);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Method.class, names = {"ADAMS", "DEAN", "HUNTINGTON_HILL"})
    void allocatorTakesTheFirstLotsRoute(final Method method)
    {
        final SplittableRandom rnd = new SplittableRandom(0xA11F1L + method.ordinal());
        final Allocator allocator = new Allocator(3000);
        final Claims claims = new Claims(3000);
        final Violations violations = new Violations();
        final DivisorMethod rule = (DivisorMethod)allocator.rule(method);
        int columns = 0;
        int floors = 0;
        int problems = 0;
        for (final Weights shape : Weights.values())
        {
            for (int t = 0; t < 40; t++)
            {
                problems++;
                final int n = 1 + rnd.nextInt(rnd.nextInt(5) == 0 ? 3000 : 300);
                final long[] lo = new long[n];
                final long[] hi = new long[n];
                final long[] w = new long[n];
                final boolean withFloors = rnd.nextBoolean();
                fill(rnd, shape, lo, hi, w);
                long sumLo = 0;
                long sumHi = 0;
                int competing = 0;
                for (int i = 0; i < n; i++)
                {
                    lo[i] = withFloors ? lo[i] : 0;
                    sumLo += lo[i];
                    sumHi += w[i] == 0 ? lo[i] : hi[i];
                    competing += lo[i] == 0 && hi[i] > 0 && w[i] != 0 ? 1 : 0;
                }
                final long rest = competing == 0 ? 0
                    : 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? competing : Math.min(competing, 50));
                if (rest == 0 || sumLo + rest >= sumHi)
                {
                    // no first lot to give, or every claim at its bound: not the route's case
                    continue;
                }
                final String[] id = new String[n];
                final long[] cap = new long[n];
                for (int i = 0; i < n; i++)
                {
                    id[i] = "c" + i;
                    cap[i] = Claims.ABSENT;
                }
                final Problem p = new Problem(sumLo + rest, method, 0, 0, id, hi, w, new int[n], cap, lo);
                p.fill(claims);
                assertThat(allocator.validate(p.supply, p.method, p.lot, p.ppm, claims, violations)).isTrue();
                assertThat(allocator.allocate(p.supply, p.method, p.lot, p.ppm, claims)).isEqualTo(p.supply);
                assertThat(rule.lastFirstLotsOnly).as("%s problem %d took the first-lots route", shape, t).isTrue();
                columns += rule.lastFromColumns ? 1 : 0;
                floors += sumLo > 0 ? 1 : 0;
                final int[] identity = shuffled(null, n);
                final long[] actual = Arrays.copyOf(claims.awardArray(), n);
                assertThat(actual).as("%s problem %d", shape, t)
                    .containsExactly(firstLots(identity, 0, n, lo, hi, w, rest));
                if (rest <= REFERENCE_LOTS && n <= REFERENCE_CLAIMS)
                {
                    assertThat(actual).as("%s problem %d (reference)", shape, t)
                        .containsExactly(ReferenceAllocator.allocate(p).awards);
                }
            }
        }
        assertThat(columns).as("splits from the claims' columns (the common problem)").isGreaterThan(problems / 4);
        assertThat(floors).as("problems with floors (the general path)").isGreaterThan(problems / 4);
        // the problems AllocationFreeTest runs take the route too
        final Random seeded = new Random(0xF1F0L + method.ordinal());
        int routed = 0;
        for (int t = 0; t < 40; t++)
        {
            final Problem p = problem(seeded, method, 1 + seeded.nextInt(512));
            p.fill(claims);
            assertThat(allocator.validate(p.supply, p.method, p.lot, p.ppm, claims, violations)).isTrue();
            assertThat(allocator.allocate(p.supply, p.method, p.lot, p.ppm, claims)).isEqualTo(p.supply);
            routed += rule.lastFirstLotsOnly ? 1 : 0;
            assertThat(Arrays.copyOf(claims.awardArray(), p.size())).as("AllocationFreeTest's problem %d", t)
                .containsExactly(ReferenceAllocator.allocate(p).awards);
        }
        assertThat(routed).as("AllocationFreeTest's problems that took the route").isGreaterThan(30);
    }

    /**
     * A problem for the first-lots route through the whole allocator (also run by {@link AllocationFreeTest}): one
     * tier, weights of a shape picked by {@code rnd}, floors on about one claim in five, the supply the floors plus
     * at most the competing claims at 0.
     */
    static Problem problem(final Random rnd, final Method method, final int n)
    {
        final SplittableRandom split = new SplittableRandom(rnd.nextLong());
        final long[] lo = new long[n];
        final long[] hi = new long[n];
        final long[] w = new long[n];
        fill(split, Weights.values()[rnd.nextInt(Weights.values().length)], lo, hi, w);
        final String[] id = new String[n];
        final long[] cap = new long[n];
        long sumLo = 0;
        int competing = 0;
        for (int i = 0; i < n; i++)
        {
            id[i] = "c" + i;
            cap[i] = Claims.ABSENT;
            sumLo += lo[i];
            competing += lo[i] == 0 && w[i] != 0 ? 1 : 0;
        }
        final long rest = 1 + rnd.nextInt(Math.max(1, competing));
        return new Problem(sumLo + rest, method, 0, 0, id, hi, w, new int[n], cap, lo);
    }

    /**
     * Fills a problem's columns: weights of the shape (about one in twenty 0), bounds (demands) at least 1, and
     * floors on about one claim in five (some at the bound, which then does not compete).
     */
    private static void fill(
        final SplittableRandom rnd, final Weights shape, final long[] lo, final long[] hi, final long[] w)
    {
        final int edge = rnd.nextInt(3) == 0 ? 6 : 1 + rnd.nextInt(40);
        for (int i = 0; i < w.length; i++)
        {
            final long weight;
            switch (shape)
            {
                case ONES:
                    weight = 1;
                    break;
                case PARETO:
                    weight = 1 + (long)Math.min(1e6, Math.pow(1.0 - rnd.nextDouble(), -1.0 / 1.16) - 1.0);
                    break;
                case WIDE:
                    weight = 1 + rnd.nextLong(1L << rnd.nextInt(1, 48));
                    break;
                default:
                    // 2^k − 1, 2^k and 2^k + 1 for one k per problem (k = 6 at the small weights' edge) or any k
                    final int k = rnd.nextBoolean() ? edge : rnd.nextInt(1, 48);
                    weight = (1L << k) - 1 + rnd.nextInt(3);
                    break;
            }
            w[i] = rnd.nextInt(20) == 0 ? 0 : weight;
            hi[i] = 1 + rnd.nextLong(rnd.nextBoolean() ? 3 : 1000);
            lo[i] = rnd.nextInt(5) == 0 ? 1 + rnd.nextLong(hi[i]) : 0;
        }
    }

    /** @return 0..n-1, shuffled unless {@code rnd} is null. */
    private static int[] shuffled(final SplittableRandom rnd, final int n)
    {
        final int[] order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }
        for (int i = n - 1; rnd != null && i > 0; i--)
        {
            final int j = rnd.nextInt(i + 1);
            final int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /**
     * The first-lots awards by sorting: the floors, plus one lot each for the first {@code rest} competing claims at 0
     * ordered by weight descending, then position in {@code order[from..to)}.
     */
    private static long[] firstLots(
        final int[] order, final int from, final int to, final long[] lo, final long[] hi, final long[] w,
        final long rest)
    {
        final long[] awards = new long[lo.length];
        final Long[] keys = new Long[to - from];
        int m = 0;
        for (int k = from; k < to; k++)
        {
            final int i = order[k];
            awards[i] = lo[i];
            if (lo[i] == 0 && hi[i] > 0 && w[i] != 0)
            {
                keys[m++] = (long)k;
            }
        }
        final Long[] competing = Arrays.copyOf(keys, m);
        Arrays.sort(competing, (x, y) ->
        {
            final int byWeight = Long.compare(w[order[y.intValue()]], w[order[x.intValue()]]);
            return byWeight != 0 ? byWeight : Long.compare(x, y);
        });
        for (int j = 0; j < rest; j++)
        {
            awards[order[competing[j].intValue()]] = 1;
        }
        return awards;
    }

    /** @return the smallest weight given a first lot. */
    private static long threshold(
        final int[] order, final int from, final int to, final long[] lo, final long[] hi, final long[] w,
        final long[] awards)
    {
        long least = Long.MAX_VALUE;
        for (int k = from; k < to; k++)
        {
            final int i = order[k];
            if (lo[i] == 0 && hi[i] > 0 && w[i] != 0 && awards[i] == 1)
            {
                least = Math.min(least, w[i]);
            }
        }
        return least;
    }

    /** The reference's awards for the claims at positions from..to of {@code order}, in that order. */
    private static long[] reference(
        final Method method, final int[] order, final int from, final int to, final long[] lo, final long[] hi,
        final long[] w, final long target)
    {
        final int m = to - from;
        final String[] id = new String[m];
        final long[] demand = new long[m];
        final long[] weight = new long[m];
        final long[] cap = new long[m];
        final long[] floor = new long[m];
        for (int k = 0; k < m; k++)
        {
            final int i = order[from + k];
            id[k] = "c" + i;
            demand[k] = hi[i];
            weight[k] = w[i];
            cap[k] = Claims.ABSENT;
            floor[k] = lo[i];
        }
        return ReferenceAllocator.allocate(new Problem(target, method, 0, 0, id, demand, weight, new int[m], cap,
            floor)).awards;
    }
}
