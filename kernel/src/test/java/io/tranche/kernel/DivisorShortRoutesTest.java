package io.tranche.kernel;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The divisor methods' short routes give the greedy awards exactly: the level taken without the solver when no
 * bound can bind, the rounding from λ as a 0.64 fixed-point fraction ({@link DivisorMethod#lotsUpToEstimate}),
 * the correction from a bracket of two levels (a single lot left found by one scan of the listed claims), and,
 * through the allocator, the split from the claims' columns of the common problem. Seeded problems built to take
 * them (one tier, no floors, bounds at least the weights, targets at most Σw) are checked against
 * {@link ReferenceAllocator} where the per-lot greedy is affordable and by the prefix certificate otherwise; the
 * routes' flags must be seen set, so the test cannot pass on the general path alone.
 */
class DivisorShortRoutesTest
{
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Method.class, names = {"DHONDT", "SAINTE_LAGUE", "ADAMS", "DEAN", "HUNTINGTON_HILL"})
    void fixedPointEstimateDecidesOnlyWhatTheExactCountSays(final Method method)
    {
        final DivisorMethod rule = (DivisorMethod)method.newRule();
        final SplittableRandom rnd = new SplittableRandom(0xE57L + method.ordinal());
        int decided = 0;
        final int rounds = 100_000;
        for (int k = 0; k < rounds; k++)
        {
            final long d = 2 + rnd.nextLong(1L << rnd.nextInt(2, 63));
            final long n = 1 + rnd.nextLong(d - 1);
            final long w = 1 + rnd.nextLong(1L << rnd.nextInt(1, 63));
            final long wBounded = Math.min(w, 1L << 62);
            final long[] fixed = fixedPoint(n, d, wBounded);
            if (fixed == null)
            {
                continue;
            }
            final long high = fixed[0];
            final long low = fixed[1];
            final BigInteger[] qr = BigInteger.valueOf(n).multiply(BigInteger.valueOf(wBounded))
                .divideAndRemainder(BigInteger.valueOf(d));
            assertThat(high).as("⌊λw⌋ from the fraction, n=%d d=%d w=%d", n, d, wBounded)
                .isEqualTo(qr[0].longValueExact());
            // the narrowest gap a pass may use for this count (its counts' lower bound is the count itself)
            rule.estimateGap = rule.gapFrom(high);
            final long estimate = rule.lotsUpToEstimate(high, low, wBounded);
            if (estimate >= 0)
            {
                decided++;
                assertThat(estimate).as("lots up to %d·%d/%d", n, wBounded, d)
                    .isEqualTo(rule.lotsUpTo(qr[0].longValueExact(), qr[1].longValueExact(), d));
            }
        }
        assertThat(decided).as("counts the estimate decided").isGreaterThan(rounds / 2);
    }

    /**
     * With small weights (the benchmark's Pareto tail at 1M claims) the interval [L, L + w)/2^64 the fraction lies
     * in is far narrower than any threshold's distance from the edges it is tested against, so the estimate, whose
     * branch-free arithmetic reads its terms only where their factors are below 2^63, must decide nearly every
     * count (Huntington–Hill leaves the band between 2q/(4q + 1) and its threshold to the exact count), and exactly.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Method.class, names = {"DHONDT", "SAINTE_LAGUE", "ADAMS", "DEAN", "HUNTINGTON_HILL"})
    void fixedPointEstimateIsExactOnSmallWeights(final Method method)
    {
        final DivisorMethod rule = (DivisorMethod)method.newRule();
        final SplittableRandom rnd = new SplittableRandom(0x5A11L + method.ordinal());
        final int rounds = 100_000;
        int compared = 0;
        int decided = 0;
        for (int k = 0; k < rounds; k++)
        {
            final long d = (1L << 40) + rnd.nextLong(1L << 62);
            final long n = 1 + rnd.nextLong(d - 1);
            final long w = 1 + rnd.nextLong(rnd.nextBoolean() ? 8 : 100_000);
            final long[] fixed = fixedPoint(n, d, w);
            if (fixed == null)
            {
                continue;
            }
            final long high = fixed[0];
            final long low = fixed[1];
            final BigInteger[] qr = BigInteger.valueOf(n).multiply(BigInteger.valueOf(w))
                .divideAndRemainder(BigInteger.valueOf(d));
            rule.estimateGap = rule.gapFrom(high);
            final long estimate = rule.lotsUpToEstimate(high, low, w);
            compared++;
            if (estimate < 0)
            {
                continue;
            }
            decided++;
            assertThat(estimate).as("lots up to %d·%d/%d", n, w, d)
                .isEqualTo(rule.lotsUpTo(qr[0].longValueExact(), qr[1].longValueExact(), d));
        }
        assertThat(compared).isGreaterThan(rounds * 9 / 10);
        assertThat(decided).as("counts decided of %d", compared).isGreaterThan(compared / 100 * 95);
    }

    /**
     * Dean's and Huntington–Hill's thresholds lie just below ½, by about 1/(4q) and 1/(8q): from
     * {@link DivisorMethod#SHORT_THRESHOLD_FROM} on, the estimate decides a fraction below ½ less the pass's gap
     * ({@link DivisorMethod#gapFrom} of the pass's smallest count) without a product, so a gap too narrow for a
     * count would count a lot short there. Fractions are drawn within 1/64 below ½ at counts from 64 to a few
     * thousand, where that band is widest.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Method.class, names = {"DEAN", "HUNTINGTON_HILL"})
    void fixedPointEstimateIsExactJustBelowHalfFromTheShortThreshold(final Method method)
    {
        final DivisorMethod rule = (DivisorMethod)method.newRule();
        final SplittableRandom rnd = new SplittableRandom(0x1A1FL + method.ordinal());
        final int rounds = 40_000;
        int decided = 0;
        int upInBand = 0;
        for (int k = 0; k < rounds; k++)
        {
            final long q = DivisorMethod.SHORT_THRESHOLD_FROM + rnd.nextLong(rnd.nextBoolean() ? 64 : 4096);
            final long w = q + 1 + rnd.nextLong(4 * q);
            final long d = (1L << 40) + rnd.nextLong(1L << 40);
            // λ = n/d with λ·w = q + f, f within 1/64 below ½
            final BigInteger x = BigInteger.valueOf(q).shiftLeft(64).add(TWO_64.shiftRight(1))
                .subtract(BigInteger.valueOf(rnd.nextLong(1L << 58)));
            final long n = x.multiply(BigInteger.valueOf(d)).divide(BigInteger.valueOf(w)).shiftRight(64)
                .longValueExact();
            final long[] fixed = fixedPoint(n, d, w);
            if (fixed == null)
            {
                continue;
            }
            final long high = fixed[0];
            final long low = fixed[1];
            final BigInteger[] qr = BigInteger.valueOf(n).multiply(BigInteger.valueOf(w))
                .divideAndRemainder(BigInteger.valueOf(d));
            final long exact = rule.lotsUpTo(qr[0].longValueExact(), qr[1].longValueExact(), d);
            final boolean belowHalf = qr[1].shiftLeft(1).compareTo(BigInteger.valueOf(d)) < 0;
            upInBand += exact > qr[0].longValueExact() && belowHalf ? 1 : 0;
            // a pass's gap is set by the smallest count it can read: this one's, or any below it
            rule.estimateGap = rule.gapFrom(rnd.nextBoolean() ? high : rnd.nextLong(high + 1));
            final long estimate = rule.lotsUpToEstimate(high, low, w);
            if (estimate >= 0)
            {
                decided++;
                assertThat(estimate).as("lots up to %d·%d/%d", n, w, d).isEqualTo(exact);
            }
        }
        assertThat(decided).as("counts decided").isGreaterThan(rounds / 2);
        assertThat(upInBand).as("counts with a lot for a fraction below ½").isGreaterThan(rounds / 100);
    }

    /**
     * {@link DivisorMethod#belowHalfBy} over its whole domain (U = L + w for L &lt; 2^63 and w ≤ 2^62, gaps 1 to
     * 2^62) against U + g ≤ 2^63 in exact arithmetic: every power-of-two gap at U on both sides of 2^63 − g and of
     * 2^63, at the domain's ends, and seeded U between.
     */
    @Test
    void belowHalfByIsExactOverItsDomain()
    {
        final BigInteger half = TWO_64.shiftRight(1);
        final BigInteger top = half.add(BigInteger.ONE.shiftLeft(62));
        final SplittableRandom rnd = new SplittableRandom(0xB41FL);
        int below = 0;
        int checked = 0;
        for (int b = 0; b <= 62; b++)
        {
            final BigInteger g = BigInteger.ONE.shiftLeft(b);
            final BigInteger edge = half.subtract(g);
            final BigInteger[] at = {
                BigInteger.ZERO, BigInteger.ONE, edge.subtract(BigInteger.ONE), edge, edge.add(BigInteger.ONE),
                half.subtract(BigInteger.ONE), half, half.add(BigInteger.ONE), top.subtract(BigInteger.ONE),
                BigInteger.valueOf(rnd.nextLong(Long.MAX_VALUE)),
                half.add(BigInteger.valueOf(rnd.nextLong(1L << 62))),
                edge.subtract(BigInteger.valueOf(rnd.nextLong(1L << 20))),
            };
            for (final BigInteger u : at)
            {
                if (u.signum() < 0 || u.compareTo(top) >= 0)
                {
                    continue;
                }
                final long expected = u.add(g).compareTo(half) <= 0 ? 1 : 0;
                assertThat(DivisorMethod.belowHalfBy(u.longValue(), g.longValueExact()))
                    .as("U = %s, g = 2^%d", u, b).isEqualTo(expected);
                below += (int)expected;
                checked++;
            }
        }
        assertThat(below).as("cases below").isGreaterThan(checked / 4);
        assertThat(checked - below).as("cases not below").isGreaterThan(checked / 4);
    }

    /**
     * A pass whose smallest count is at least {@link DivisorMethod#SHORT_THRESHOLD_FROM} sends every claim to the
     * short test with a gap set from that count; counts from 16 to a few hundred, most near 64, put claims on both
     * sides of it, and the awards must be a prefix of the greedy order.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Method.class, names = {"DEAN", "HUNTINGTON_HILL"})
    void passesOfCountsNearTheShortThresholdGiveTheGreedyAwards(final Method method)
    {
        final Random rnd = new Random(0x5407AL + method.ordinal());
        final Allocator allocator = new Allocator(256);
        final Claims claims = new Claims(256);
        final DivisorMethod rule = (DivisorMethod)allocator.rule(method);
        int columns = 0;
        for (int t = 0; t < 3000; t++)
        {
            final int n = 2 + rnd.nextInt(200);
            final long base = 1000 + rnd.nextInt(100_000);
            claims.clear();
            long total = 0;
            final long[] demand = new long[n];
            for (int i = 0; i < n; i++)
            {
                demand[i] = base + rnd.nextInt((int)(base * (1 + rnd.nextInt(4))));
                claims.add(demand[i], Claims.ABSENT, 0, Claims.ABSENT, 0);
                total += demand[i];
            }
            // λ = S / Σd puts the smallest count near 64: from about 16 to 128
            final long target = base / (16 + rnd.nextInt(112));
            final long supply = Math.max(1, Math.min(total - 1, total / target));
            allocator.allocate(supply, method, 0, 0, claims);
            columns += rule.lastFromColumns ? 1 : 0;
            final int[] all = new int[n];
            Arrays.setAll(all, i -> i);
            DivisorMethodsTest.assertGreedyPrefix(method, new long[n], demand, demand,
                Arrays.copyOf(claims.awardArray(), n), all);
        }
        assertThat(columns).as("splits from the claims' columns").isGreaterThan(1500);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Method.class, names = {"DHONDT", "SAINTE_LAGUE", "ADAMS", "DEAN", "HUNTINGTON_HILL"})
    void shortRoutesGiveTheGreedyAwards(final Method method)
    {
        final SplittableRandom rnd = new SplittableRandom(0x5407L + method.ordinal());
        final DivisorMethod rule = (DivisorMethod)method.newRule();
        final int capacity = 3000;
        final Workspace ws = new Workspace(capacity);
        int unbound = 0;
        int bracket = 0;
        int scan = 0;
        int referenced = 0;
        final int problems = 400;
        for (int t = 0; t < problems; t++)
        {
            final int n = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? capacity : 80);
            final boolean small = rnd.nextBoolean();
            final long scale = small ? 1 + rnd.nextInt(40) : 1L << rnd.nextInt(10, 40);
            final long[] lo = new long[n];
            final long[] hi = new long[n];
            final long[] w = new long[n];
            long sumW = 0;
            for (int i = 0; i < n; i++)
            {
                // a heavy tail of weights, bounds at least the weights (the demand is the default weight)
                final double u = 1.0 - rnd.nextDouble();
                w[i] = rnd.nextInt(20) == 0 ? 0 : 1 + (long)(Math.min(1e4, Math.pow(u, -1.0 / 1.16)) * scale / 8);
                hi[i] = rnd.nextInt(4) == 0 ? w[i] + rnd.nextLong(scale) : w[i];
                sumW += w[i];
            }
            final long target = sumW == 0 ? 0 : 1 + rnd.nextLong(sumW);
            for (int i = 0; i < n; i++)
            {
                ws.order[i] = i;
                ws.lo[i] = lo[i];
                ws.hi[i] = hi[i];
                ws.w[i] = w[i];
                ws.award[i] = -1;
            }
            rule.split(ws, 0, n, target);
            final long[] actual = Arrays.copyOf(ws.award, n);
            unbound += rule.lastLevelUnbound ? 1 : 0;
            bracket += rule.lastCorrectionByBracket ? 1 : 0;
            scan += rule.lastCorrectionFirstByScan ? 1 : 0;
            assertThat(Arrays.stream(actual).sum()).as("total of problem %d", t).isEqualTo(target);
            final int[] all = new int[n];
            Arrays.setAll(all, i -> i);
            DivisorMethodsTest.assertGreedyPrefix(method, lo, hi, w, actual, all);
            if (target <= 20_000 && n <= 300)
            {
                referenced++;
                assertThat(actual).as("problem %d", t).containsExactly(reference(method, hi, w, target));
            }
        }
        assertThat(referenced).as("problems compared with the reference").isGreaterThan(problems / 10);
        assertThat(unbound).as("problems whose level skipped the solver").isGreaterThan(problems / 2);
        assertThat(bracket).as("problems corrected from a bracket").isGreaterThan(problems / 4);
        assertThat(rule.bracketSteps).as("levels the bracket's claims alone were rounded at").isGreaterThan(0);
        assertThat(scan).as("brackets that left one lot, found by one scan").isGreaterThan(problems / 50);
    }

    /**
     * A problem for the short routes through the whole allocator: one tier, no floors, caps or weights, demands
     * from a heavy tail, the supply below the total demand (also run by {@link AllocationFreeTest}).
     */
    static Problem tail(final Random rnd, final Method method, final int n)
    {
        final String[] id = new String[n];
        final long[] demand = new long[n];
        final long[] weight = new long[n];
        final long[] cap = new long[n];
        final long scale = rnd.nextBoolean() ? 1 + rnd.nextInt(30) : 1L << (10 + rnd.nextInt(30));
        long total = 0;
        for (int i = 0; i < n; i++)
        {
            id[i] = "c" + i;
            final double u = 1.0 - rnd.nextDouble();
            demand[i] = 1 + (long)(Math.min(1e4, Math.pow(u, -1.0 / 1.16)) * scale / 8);
            weight[i] = Claims.ABSENT;
            cap[i] = Claims.ABSENT;
            total += demand[i];
        }
        final long supply = 1 + (long)(rnd.nextDouble() * (total - 1));
        return new Problem(supply, method, 0, 0, id, demand, weight, new int[n], cap, new long[n]);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Method.class, names = {"DHONDT", "SAINTE_LAGUE", "ADAMS", "DEAN", "HUNTINGTON_HILL"})
    void allocatorTakesTheShortRoutes(final Method method)
    {
        final Random rnd = new Random(0xA110CL + method.ordinal());
        final Allocator allocator = new Allocator(2000);
        final Claims claims = new Claims(2000);
        final Violations violations = new Violations();
        final DivisorMethod rule = (DivisorMethod)allocator.rule(method);
        int unbound = 0;
        int bracket = 0;
        int scan = 0;
        int columns = 0;
        int referenced = 0;
        final int problems = 200;
        for (int t = 0; t < problems; t++)
        {
            final Problem p = tail(rnd, method, 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 2000 : 70));
            p.fill(claims);
            assertThat(allocator.validate(p.supply, p.method, p.lot, p.ppm, claims, violations)).isTrue();
            final long total = allocator.allocate(p.supply, p.method, p.lot, p.ppm, claims);
            assertThat(total).isEqualTo(p.supply);
            unbound += rule.lastLevelUnbound ? 1 : 0;
            bracket += rule.lastCorrectionByBracket ? 1 : 0;
            scan += rule.lastCorrectionFirstByScan ? 1 : 0;
            columns += rule.lastFromColumns ? 1 : 0;
            // every problem: the awards are a prefix of the greedy order (weight = bound = demand), which checks the
            // estimates' gaps at the large counts of the large supplies too
            final int n = p.size();
            final int[] all = new int[n];
            Arrays.setAll(all, i -> i);
            DivisorMethodsTest.assertGreedyPrefix(method, new long[n], p.demand, p.demand,
                Arrays.copyOf(claims.awardArray(), n), all);
            if (p.supply <= 20_000 && p.size() <= 300)
            {
                referenced++;
                final long[] expected = ReferenceAllocator.allocate(p).awards;
                assertThat(Arrays.copyOf(claims.awardArray(), p.size())).as("problem %d", t).containsExactly(expected);
            }
        }
        assertThat(referenced).as("problems compared with the reference").isGreaterThan(problems / 10);
        assertThat(unbound).as("problems whose level skipped the solver").isGreaterThan(problems / 2);
        assertThat(bracket).as("problems corrected from a bracket").isGreaterThan(problems / 4);
        assertThat(scan).as("brackets that left one lot, found by one scan").isGreaterThan(problems / 50);
        assertThat(columns).as("splits from the claims' columns (the common problem)").isGreaterThan(problems / 2);
    }

    /**
     * λ = n/d as {@link DivisorMethod#lotsUpToEstimate}'s caller reads it for a weight w: w·⌊n·2^64/d⌋ = high·2^64 +
     * low.
     *
     * @return {high, low}, or null when low + w passes 2^64 (the caller then takes the exact count).
     */
    private static long[] fixedPoint(final long n, final long d, final long w)
    {
        final BigInteger product = BigInteger.valueOf(n).shiftLeft(64).divide(BigInteger.valueOf(d))
            .multiply(BigInteger.valueOf(w));
        final BigInteger low = product.mod(TWO_64);
        if (low.add(BigInteger.valueOf(w)).compareTo(TWO_64) > 0)
        {
            return null;
        }
        return new long[] {product.shiftRight(64).longValueExact(), low.longValue()};
    }

    /** The reference's awards for one tier without floors: demand = bound, weight given. */
    private static long[] reference(final Method method, final long[] hi, final long[] w, final long target)
    {
        final int n = hi.length;
        final String[] id = new String[n];
        final long[] weight = new long[n];
        final long[] cap = new long[n];
        for (int i = 0; i < n; i++)
        {
            id[i] = "c" + i;
            weight[i] = w[i];
            cap[i] = Claims.ABSENT;
        }
        final Problem p = new Problem(target, method, 0, 0, id, hi.clone(), weight, new int[n], cap, new long[n]);
        return ReferenceAllocator.allocate(p).awards;
    }
}
