package io.tranche.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The divisor methods against the defining per-lot greedy process of SEMANTICS.md, written here with
 * BigInteger priorities, plus hand-worked textbook seat allocations and huge inputs.
 */
class DivisorMethodsTest
{
    // ---------------------------------------------------------------- the definition, one lot at a time

    /** The priority w / t(n) as an exact fraction num/den; den = 0 is infinite. Huntington–Hill squared. */
    private static BigInteger[] priority(final Method method, final long w, final long n)
    {
        final BigInteger bw = BigInteger.valueOf(w);
        final BigInteger bn = BigInteger.valueOf(n);
        switch (method)
        {
            case DHONDT:
                return new BigInteger[]{bw, bn.add(BigInteger.ONE)};
            case SAINTE_LAGUE:
                return new BigInteger[]{bw.shiftLeft(1), bn.shiftLeft(1).add(BigInteger.ONE)};
            case ADAMS:
                return new BigInteger[]{bw, bn};
            case DEAN:
                // w / (n(n+1)/(n+½)) = w(2n+1) / (2n(n+1))
                return new BigInteger[]{bw.multiply(bn.shiftLeft(1).add(BigInteger.ONE)),
                    bn.multiply(bn.add(BigInteger.ONE)).shiftLeft(1)};
            case HUNTINGTON_HILL:
                return new BigInteger[]{bw.multiply(bw), bn.multiply(bn.add(BigInteger.ONE))};
            default:
                throw new IllegalArgumentException(method.toString());
        }
    }

    /** True when lot n_i of claim i is served before lot n_j of claim j under the greedy process. */
    static boolean servedBefore(final Method method, final long[] w, final int i, final long ni, final int j,
        final long nj)
    {
        final BigInteger[] p = priority(method, w[i], ni);
        final BigInteger[] q = priority(method, w[j], nj);
        final boolean pInf = p[1].signum() == 0;
        final boolean qInf = q[1].signum() == 0;
        final int c;
        if (pInf || qInf)
        {
            c = pInf && qInf ? Long.compare(w[i], w[j]) : pInf ? 1 : -1;
        }
        else
        {
            c = p[0].multiply(q[1]).compareTo(q[0].multiply(p[1]));
        }
        return c != 0 ? c > 0 : i < j;
    }

    /** SEMANTICS.md: start at lo; while Σa &lt; T give one lot to the competing claim of greatest priority. */
    static long[] greedy(final Method method, final long[] lo, final long[] hi, final long[] w, final int[] claims,
        final long target)
    {
        final long[] a = new long[lo.length];
        long sum = 0;
        for (final int i : claims)
        {
            a[i] = lo[i];
            sum += lo[i];
        }
        while (sum < target)
        {
            int best = -1;
            for (final int i : claims)
            {
                if (w[i] > 0 && a[i] < hi[i] && (best < 0 || servedBefore(method, w, i, a[i], best, a[best])))
                {
                    best = i;
                }
            }
            a[best]++;
            sum++;
        }
        return a;
    }

    /**
     * Certificate that awards are the greedy ones without running it: every lot handed out is served
     * before every lot not handed out (each claim's lots come in falling priority, so it suffices to
     * compare each claim's last lot with each claim's next one; done here in O(n) with the extremes).
     */
    static void assertGreedyPrefix(final Method method, final long[] lo, final long[] hi, final long[] w,
        final long[] a, final int[] claims)
    {
        int lastGiven = -1;
        int firstWithheld = -1;
        for (final int i : claims)
        {
            assertThat(a[i]).isBetween(lo[i], hi[i]);
            if (w[i] == 0)
            {
                assertThat(a[i]).isEqualTo(lo[i]);
                continue;
            }
            if (a[i] > lo[i] && (lastGiven < 0 || servedBefore(method, w, lastGiven, a[lastGiven] - 1, i, a[i] - 1)))
            {
                lastGiven = i;
            }
            if (a[i] < hi[i] &&
                (firstWithheld < 0 || servedBefore(method, w, i, a[i], firstWithheld, a[firstWithheld])))
            {
                firstWithheld = i;
            }
        }
        if (lastGiven >= 0 && firstWithheld >= 0)
        {
            assertThat(servedBefore(method, w, lastGiven, a[lastGiven] - 1, firstWithheld, a[firstWithheld]))
                .as("last lot given (claim %d) is served before the first withheld (claim %d)", lastGiven,
                    firstWithheld)
                .isTrue();
        }
    }

    // ---------------------------------------------------------------- running the rule on one tier

    /** Runs the rule on the claims {@code tier} (ascending indices) placed after the others in ws.order. */
    private static long[] split(final Rule rule, final long[] lo, final long[] hi, final long[] w, final int[] tier,
        final long target)
    {
        final int n = lo.length;
        final Workspace ws = new Workspace(n);
        System.arraycopy(lo, 0, ws.lo, 0, n);
        System.arraycopy(hi, 0, ws.hi, 0, n);
        System.arraycopy(w, 0, ws.w, 0, n);
        final boolean[] inTier = new boolean[n];
        for (final int i : tier)
        {
            inTier[i] = true;
        }
        int k = 0;
        for (int i = 0; i < n; i++)
        {
            if (!inTier[i])
            {
                ws.order[k++] = i;
                ws.award[i] = -7;
            }
        }
        final int from = k;
        for (final int i : tier)
        {
            ws.order[k++] = i;
            ws.award[i] = -1;
        }
        rule.split(ws, from, n, target);
        for (int i = 0; i < n; i++)
        {
            if (!inTier[i])
            {
                assertThat(ws.award[i]).as("claim outside the tier untouched").isEqualTo(-7);
            }
        }
        return Arrays.copyOf(ws.award, n);
    }

    private static long sum(final long[] a, final int[] claims)
    {
        long s = 0;
        for (final int i : claims)
        {
            s += a[i];
        }
        return s;
    }

    @ParameterizedTest
    @EnumSource(value = Method.class, names = {"DHONDT", "SAINTE_LAGUE", "ADAMS", "DEAN", "HUNTINGTON_HILL"})
    void shouldMatchTheGreedyProcessOnRandomSmallProblems(final Method method)
    {
        final SplittableRandom random = new SplittableRandom(method.ordinal() * 7919L + 17);
        final Rule rule = method.newRule();
        for (int round = 0; round < 4000; round++)
        {
            final int n = 1 + random.nextInt(random.nextBoolean() ? 4 : 12);
            final long[] lo = new long[n];
            final long[] hi = new long[n];
            final long[] w = new long[n];
            final int weightRange = 1 + random.nextInt(random.nextBoolean() ? 4 : 1000);
            for (int i = 0; i < n; i++)
            {
                w[i] = random.nextInt(6) == 0 ? 0 : random.nextInt(weightRange + 1);
                lo[i] = random.nextInt(3) == 0 ? 0 : random.nextInt(6);
                final int shape = random.nextInt(4);
                hi[i] = lo[i] + (shape == 0 ? 0 : shape == 1 ? random.nextInt(3) : random.nextInt(40));
                if (w[i] == 0)
                {
                    hi[i] = lo[i];
                }
            }
            final int[] tier = randomTier(random, n);
            final long sumLo = sum(lo, tier);
            final long sumHi = sum(hi, tier);
            final long target = sumLo + (sumHi == sumLo ? 0 : random.nextLong(sumHi - sumLo + 1));
            final long[] expected = greedy(method, lo, hi, w, tier, target);
            final long[] actual = split(rule, lo, hi, w, tier, target);
            for (final int i : tier)
            {
                assertThat(actual[i]).as("%s claim %d of lo=%s hi=%s w=%s tier=%s target=%d: %s vs greedy %s",
                    method, i, Arrays.toString(lo), Arrays.toString(hi), Arrays.toString(w), Arrays.toString(tier),
                    target, Arrays.toString(actual), Arrays.toString(expected)).isEqualTo(expected[i]);
            }
        }
    }

    /** A random non-empty subset, ascending (the claims of one tier in queue order). */
    private static int[] randomTier(final SplittableRandom random, final int n)
    {
        if (random.nextBoolean())
        {
            final int[] all = new int[n];
            for (int i = 0; i < n; i++)
            {
                all[i] = i;
            }
            return all;
        }
        final int[] pick = new int[n];
        int m = 0;
        for (int i = 0; i < n; i++)
        {
            if (random.nextInt(3) != 0)
            {
                pick[m++] = i;
            }
        }
        if (m == 0)
        {
            pick[m++] = random.nextInt(n);
        }
        return Arrays.copyOf(pick, m);
    }

    @ParameterizedTest
    @EnumSource(value = Method.class, names = {"DHONDT", "SAINTE_LAGUE", "ADAMS", "DEAN", "HUNTINGTON_HILL"})
    void shouldMatchTheGreedyProcessWithHugeBoundsAndWeights(final Method method)
    {
        // Values near 2^62: the greedy starts at lo, so only the few lots above the floors are looped.
        final SplittableRandom random = new SplittableRandom(method.ordinal() * 31L + 5);
        final Rule rule = method.newRule();
        for (int round = 0; round < 1500; round++)
        {
            final int n = 1 + random.nextInt(6);
            final long[] lo = new long[n];
            final long[] hi = new long[n];
            final long[] w = new long[n];
            final long maxEach = (1L << 62) / n - 64;
            final long maxWeight = Long.MAX_VALUE / n;
            for (int i = 0; i < n; i++)
            {
                switch (random.nextInt(4))
                {
                    case 0:
                        w[i] = maxWeight - random.nextInt(3);
                        break;
                    case 1:
                        w[i] = random.nextLong(1, maxWeight);
                        break;
                    case 2:
                        w[i] = 1 + random.nextInt(3);
                        break;
                    default:
                        w[i] = random.nextInt(4) == 0 ? 0 : (1L << random.nextInt(61)) + random.nextInt(3);
                        break;
                }
                lo[i] = random.nextBoolean() ? maxEach - random.nextInt(40) : random.nextInt(3) == 0 ? 0 :
                    random.nextLong(maxEach);
                hi[i] = w[i] == 0 ? lo[i] : lo[i] + random.nextInt(random.nextBoolean() ? 3 : 40);
            }
            final int[] tier = randomTier(random, n);
            final long sumLo = sum(lo, tier);
            final long sumHi = sum(hi, tier);
            final long target = sumLo + (sumHi == sumLo ? 0 : random.nextLong(sumHi - sumLo + 1));
            final long[] expected = greedy(method, lo, hi, w, tier, target);
            final long[] actual = split(rule, lo, hi, w, tier, target);
            for (final int i : tier)
            {
                assertThat(actual[i]).as("%s claim %d of lo=%s hi=%s w=%s target=%d", method, i,
                    Arrays.toString(lo), Arrays.toString(hi), Arrays.toString(w), target).isEqualTo(expected[i]);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Method.class, names = {"DHONDT", "SAINTE_LAGUE", "ADAMS", "DEAN", "HUNTINGTON_HILL"})
    void shouldGiveTheGreedyAwardsForLargeTargetsWithoutLoopingPerLot(final Method method)
    {
        // Targets far too large for the greedy: checked by the prefix certificate instead.
        final SplittableRandom random = new SplittableRandom(method.ordinal() + 1000L);
        final Rule rule = method.newRule();
        for (int round = 0; round < 300; round++)
        {
            final int n = 1 + random.nextInt(60);
            final long[] lo = new long[n];
            final long[] hi = new long[n];
            final long[] w = new long[n];
            final long scale = 1L << random.nextInt(1, 55);
            for (int i = 0; i < n; i++)
            {
                w[i] = random.nextInt(8) == 0 ? 0 : random.nextLong(1, 1L << random.nextInt(1, 56));
                lo[i] = random.nextInt(3) == 0 ? 0 : random.nextLong(scale);
                hi[i] = w[i] == 0 ? lo[i] : random.nextInt(5) == 0 ? lo[i] + random.nextInt(3) :
                    lo[i] + random.nextLong(scale);
            }
            final int[] tier = randomTier(random, n);
            final long sumLo = sum(lo, tier);
            final long sumHi = sum(hi, tier);
            final long target = sumLo + (sumHi == sumLo ? 0 : random.nextLong(sumHi - sumLo + 1));
            final long[] actual = split(rule, lo, hi, w, tier, target);
            assertThat(sum(actual, tier)).isEqualTo(target);
            assertGreedyPrefix(method, lo, hi, w, actual, tier);
            // The jump lands within about a lot per claim (at most 1.5 per claim with the bias shift).
            assertThat(((DivisorMethod)rule).lastCorrection).isLessThanOrEqualTo(3L * tier.length / 2 + 1);
        }
    }

    @Test
    void shouldFindTheRelaxedLevelWithTheLevelSolverAndCountItsFreeClaims()
    {
        // The divisor methods take their relaxed level from LevelSolver (issue 9): λ = levelNumerator / den
        // solves Σ clamp(λ·w, lo, hi) = target exactly, and freeClaims counts the claims strictly inside.
        final SplittableRandom random = new SplittableRandom(99);
        int compared = 0;
        for (int round = 0; round < 3000; round++)
        {
            final int n = 1 + random.nextInt(random.nextBoolean() ? 6 : 200);
            final Workspace ws = new Workspace(n);
            long sumLo = 0;
            long sumHi = 0;
            final boolean huge = random.nextInt(4) == 0;
            for (int i = 0; i < n; i++)
            {
                ws.order[i] = i;
                ws.w[i] = random.nextInt(10) == 0 ? 0 : huge ? random.nextLong(1, Long.MAX_VALUE / n) :
                    random.nextInt(1, 30);
                ws.lo[i] = random.nextInt(3) == 0 ? 0 : huge ? random.nextLong((1L << 61) / n) : random.nextInt(20);
                ws.hi[i] = ws.w[i] == 0 || random.nextInt(8) == 0 ? ws.lo[i] :
                    ws.lo[i] + (huge ? random.nextLong((1L << 61) / n) : random.nextInt(1, 40));
                sumLo += ws.lo[i];
                sumHi += ws.hi[i];
            }
            if (sumHi - sumLo < 2)
            {
                continue;
            }
            final long target = sumLo + random.nextLong(1, sumHi - sumLo);
            // half the rounds through the solver's own (gathered) columns, as for a tier that is not 0..n)
            final boolean gathered = random.nextBoolean();
            if (gathered)
            {
                ws.order[0] = n > 1 ? 1 : 0;
                if (n > 1)
                {
                    ws.order[1] = 0;
                }
            }
            final LevelSolver solver = LevelMethods.columns(ws, 0, n);
            assertThat(solver.lo == ws.lo).isEqualTo(!gathered || n == 1);
            solver.solve(n, target, false);
            final long n1 = solver.levelNumerator();
            final long d1 = solver.den;
            assertThat(d1).isPositive();
            assertThat(n1).isPositive();
            int free = 0;
            for (int i = 0; i < n; i++)
            {
                final BigInteger x = BigInteger.valueOf(n1).multiply(BigInteger.valueOf(ws.w[i]));
                if (ws.w[i] != 0 && ws.lo[i] != ws.hi[i] &&
                    x.compareTo(BigInteger.valueOf(ws.lo[i]).multiply(BigInteger.valueOf(d1))) >= 0 &&
                    x.compareTo(BigInteger.valueOf(ws.hi[i]).multiply(BigInteger.valueOf(d1))) <= 0)
                {
                    free++;
                }
            }
            assertThat(solver.freeClaims()).as("free claims").isEqualTo(free);
            // and the level solves the relaxed problem: Σ clamp(λ·w, lo, hi) = target
            BigInteger total = BigInteger.ZERO;
            for (int i = 0; i < n; i++)
            {
                final BigInteger x = BigInteger.valueOf(n1).multiply(BigInteger.valueOf(ws.w[i]));
                if (ws.w[i] == 0 || ws.lo[i] == ws.hi[i] ||
                    x.compareTo(BigInteger.valueOf(ws.lo[i]).multiply(BigInteger.valueOf(d1))) <= 0)
                {
                    total = total.add(BigInteger.valueOf(ws.lo[i]).multiply(BigInteger.valueOf(d1)));
                }
                else if (x.compareTo(BigInteger.valueOf(ws.hi[i]).multiply(BigInteger.valueOf(d1))) >= 0)
                {
                    total = total.add(BigInteger.valueOf(ws.hi[i]).multiply(BigInteger.valueOf(d1)));
                }
                else
                {
                    total = total.add(x);
                }
            }
            assertThat(total).isEqualTo(BigInteger.valueOf(target).multiply(BigInteger.valueOf(d1)));
            compared++;
        }
        assertThat(compared).isGreaterThan(2000);
    }

    @ParameterizedTest
    @EnumSource(value = Method.class, names = {"DHONDT", "SAINTE_LAGUE", "ADAMS", "DEAN", "HUNTINGTON_HILL"})
    void shouldAllocateNoMemoryInSplitOnceConstructed(final Method method)
    {
        final java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        if (!(bean instanceof com.sun.management.ThreadMXBean) ||
            !((com.sun.management.ThreadMXBean)bean).isThreadAllocatedMemorySupported())
        {
            return; // no allocation counter on this JVM
        }
        final com.sun.management.ThreadMXBean counter = (com.sun.management.ThreadMXBean)bean;
        final int n = 2_000;
        final SplittableRandom random = new SplittableRandom(7);
        final Rule rule = method.newRule();
        final Workspace ws = new Workspace(n);
        final long[][] lo = new long[20][n];
        final long[][] hi = new long[20][n];
        final long[][] w = new long[20][n];
        final long[] targets = new long[20];
        for (int p = 0; p < 20; p++)
        {
            long sumLo = 0;
            long sumHi = 0;
            for (int i = 0; i < n; i++)
            {
                w[p][i] = random.nextInt(10) == 0 ? 0 : random.nextLong(1, 1L << 40);
                lo[p][i] = random.nextInt(2) == 0 ? 0 : random.nextLong(1_000_000);
                hi[p][i] = w[p][i] == 0 ? lo[p][i] : lo[p][i] + random.nextLong(1, 1L << random.nextInt(1, 40));
                sumLo += lo[p][i];
                sumHi += hi[p][i];
            }
            targets[p] = sumLo + random.nextLong(sumHi - sumLo);
        }
        for (int i = 0; i < n; i++)
        {
            ws.order[i] = i;
        }
        long allocated = 0;
        for (int rep = 0; rep < 3; rep++)
        {
            for (int p = 0; p < 20; p++)
            {
                System.arraycopy(lo[p], 0, ws.lo, 0, n);
                System.arraycopy(hi[p], 0, ws.hi, 0, n);
                System.arraycopy(w[p], 0, ws.w, 0, n);
                final long before = counter.getCurrentThreadAllocatedBytes();
                rule.split(ws, 0, n, targets[p]);
                allocated = counter.getCurrentThreadAllocatedBytes() - before;
                assertThat(allocated).as("bytes allocated by split, problem %d", p).isZero();
            }
        }
    }

    // ---------------------------------------------------------------- end to end through the Allocator

    private static Claims votes(final long... votes)
    {
        final Claims claims = new Claims(votes.length);
        for (int i = 0; i < votes.length; i++)
        {
            claims.add(Claims.ABSENT, votes[i], 0, Claims.ABSENT, 0);
        }
        return claims;
    }

    private static long[] allocate(final Method method, final long supply, final Claims claims)
    {
        final Allocator allocator = new Allocator(Math.max(1, claims.count()));
        final Violations violations = new Violations();
        assertThat(allocator.validate(supply, method, 1, 0, claims, violations)).as("%s", violations).isTrue();
        final long allocated = allocator.allocate(supply, method, 1, 0, claims);
        final long[] awards = new long[claims.count()];
        long sum = 0;
        for (int i = 0; i < awards.length; i++)
        {
            awards[i] = claims.award(i);
            sum += awards[i];
        }
        assertThat(allocated).isEqualTo(sum);
        return awards;
    }

    @Test
    void shouldAllocateSeatsByDHondtAsWorkedByHand()
    {
        // Quotients v/1, v/2, v/3, ...: A 100000 50000 33333 25000 | B 80000 40000 26667 | C 30000 | D 20000.
        // The 8 largest: A 100000, B 80000, A 50000, B 40000, A 33333, C 30000, B 26667, A 25000.
        assertThat(allocate(Method.DHONDT, 8, votes(100_000, 80_000, 30_000, 20_000))).containsExactly(4, 3, 1, 0);
    }

    @Test
    void shouldAllocateSeatsBySainteLagueAsWorkedByHand()
    {
        // Quotients v/1, v/3, v/5, ...: A 100000 33333 20000 | B 80000 26667 16000 | C 30000 | D 20000.
        // The 8 largest: A 100000, B 80000, A 33333, C 30000, B 26667, A 20000, D 20000, B 16000.
        assertThat(allocate(Method.SAINTE_LAGUE, 8, votes(100_000, 80_000, 30_000, 20_000)))
            .containsExactly(3, 3, 1, 1);
    }

    @Test
    void shouldAllocateSeatsByAdamsDeanAndHuntingtonHillAsWorkedByHand()
    {
        // Populations A 6, B 12, C 17 and 7 seats. Every first seat has infinite priority (C, B, A).
        // Adams, v/n: A 6, 3 | B 12, 6 | C 17, 8.5, 5.67. Next: C 17, B 12, C 8.5, then A 6 and B 6
        // tie: A comes first in the queue.
        assertThat(allocate(Method.ADAMS, 7, votes(6, 12, 17))).containsExactly(2, 2, 3);
        // Dean, v(n+½)/(n(n+1)): A 4.5 | B 9, 5, 3.5 | C 12.75, 7.08, 4.96. Next: C, B, C, B 5.
        assertThat(allocate(Method.DEAN, 7, votes(6, 12, 17))).containsExactly(1, 3, 3);
        // Huntington–Hill, v/√(n(n+1)): A 4.24 | B 8.49, 4.899 | C 12.02, 6.94, 4.907. Next: C, B, C,
        // then C 17/√12 = 4.9075 just ahead of B 12/√6 = 4.8990.
        assertThat(allocate(Method.HUNTINGTON_HILL, 7, votes(6, 12, 17))).containsExactly(1, 2, 4);
    }

    @Test
    void shouldBreakTiesByQueuePositionAndInfinitePrioritiesByWeight()
    {
        assertThat(allocate(Method.DHONDT, 1, votes(5, 5, 5))).containsExactly(1, 0, 0);
        assertThat(allocate(Method.DHONDT, 5, votes(5, 5, 5))).containsExactly(2, 2, 1);
        assertThat(allocate(Method.SAINTE_LAGUE, 2, votes(4, 4, 4))).containsExactly(1, 1, 0);
        // Adams, Dean, HH: first lots are infinite; the larger weight goes first, then queue position.
        for (final Method method : new Method[]{Method.ADAMS, Method.DEAN, Method.HUNTINGTON_HILL})
        {
            assertThat(allocate(method, 1, votes(2, 5, 3))).as("%s", method).containsExactly(0, 1, 0);
            assertThat(allocate(method, 2, votes(2, 5, 3, 5))).as("%s", method).containsExactly(0, 1, 0, 1);
            assertThat(allocate(method, 3, votes(9, 1, 1))).as("%s", method).containsExactly(1, 1, 1);
        }
    }

    @Test
    void shouldRespectCapsThatMoveMostOfTheTarget()
    {
        // Two equal claims, one capped at 0 lots: the other takes all. A cap moves half the target.
        final Claims claims = new Claims(2);
        claims.add(Claims.ABSENT, 1_000, 0, 0, 0);
        claims.add(Claims.ABSENT, 1_000, 0, Claims.ABSENT, 0);
        for (final Method method :
            new Method[]{Method.DHONDT, Method.SAINTE_LAGUE, Method.ADAMS, Method.DEAN, Method.HUNTINGTON_HILL})
        {
            assertThat(allocate(method, 1_000_000_000_000L, claims)).as("%s", method)
                .containsExactly(0, 1_000_000_000_000L);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Method.class, names = {"DHONDT", "SAINTE_LAGUE", "ADAMS", "DEAN", "HUNTINGTON_HILL"})
    void shouldSplitATrillionLotsAcrossAThousandClaims(final Method method)
    {
        final SplittableRandom random = new SplittableRandom(42);
        final int n = 1_000;
        final Claims claims = new Claims(n);
        final long[] lo = new long[n];
        final long[] hi = new long[n];
        final long[] w = new long[n];
        for (int i = 0; i < n; i++)
        {
            final long demand = random.nextLong(1, 3_000_000_000L);
            final long weight = random.nextInt(10) == 0 ? demand : random.nextLong(1, 1_000_000);
            final long cap = random.nextInt(4) == 0 ? random.nextLong(demand) : Claims.ABSENT;
            final long floor =
                random.nextInt(4) == 0 ? random.nextLong(Math.min(demand, cap == Claims.ABSENT ? demand : cap) + 1) : 0;
            claims.add(demand, weight, 0, cap, floor);
            lo[i] = floor;
            hi[i] = cap == Claims.ABSENT ? demand : Math.min(demand, cap);
            w[i] = weight;
        }
        final int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        final long supply = 1_000_000_000_000L;
        assertThat(sum(hi, all)).isGreaterThan(supply);
        final long[] awards = allocate(method, supply, claims);
        assertThat(sum(awards, all)).isEqualTo(supply);
        assertGreedyPrefix(method, lo, hi, w, awards, all);
    }

    @ParameterizedTest
    @EnumSource(value = Method.class, names = {"DHONDT", "SAINTE_LAGUE", "ADAMS", "DEAN", "HUNTINGTON_HILL"})
    void shouldMatchTheGreedyProcessEndToEndWithFloorsCapsAndLots(final Method method)
    {
        // One tier, floors that fit, no share limit: the framework hands the rule [⌈f/L⌉, ⌊min(d,c)/L⌋]
        // with target ⌊S/L⌋ whenever the headroom does not fit.
        final SplittableRandom random = new SplittableRandom(method.ordinal() + 77L);
        final Violations violations = new Violations();
        final Allocator allocator = new Allocator(1, 16);
        for (int round = 0; round < 800; round++)
        {
            final int n = 1 + random.nextInt(10);
            final long lot = 1 + random.nextInt(3);
            final Claims claims = new Claims(n);
            final long[] lo = new long[n];
            final long[] hi = new long[n];
            final long[] w = new long[n];
            for (int i = 0; i < n; i++)
            {
                final long demand = random.nextInt(40);
                final long weight = random.nextInt(3) == 0 ? Claims.ABSENT : random.nextInt(8);
                final long cap = random.nextInt(3) == 0 ? random.nextInt(40) : Claims.ABSENT;
                final long bound = cap == Claims.ABSENT ? demand : Math.min(demand, cap);
                final long floor = random.nextInt(3) == 0 ? random.nextLong(bound / lot * lot + 1) : 0;
                claims.add(demand, weight, 0, cap, floor);
                w[i] = weight == Claims.ABSENT ? demand : weight;
                lo[i] = (floor + lot - 1) / lot;
                hi[i] = w[i] == 0 ? lo[i] : bound / lot;
            }
            final int[] all = new int[n];
            Arrays.setAll(all, i -> i);
            final long supply = random.nextInt(120);
            final long sLots = supply / lot;
            assertThat(allocator.validate(supply, method, lot, 0, claims, violations)).as("%s", violations).isTrue();
            allocator.allocate(supply, method, lot, 0, claims);
            final long sumLo = sum(lo, all);
            if (sumLo > sLots)
            {
                continue; // floors rationed: another suite's business
            }
            final long[] expected = sum(hi, all) <= sLots ? hi : greedy(method, lo, hi, w, all, sLots);
            for (int i = 0; i < n; i++)
            {
                assertThat(claims.award(i)).as("%s round %d claim %d", method, round, i).isEqualTo(expected[i] * lot);
            }
        }
    }
}
