package io.tranche.kernel;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hand-checked examples for the level methods and FIFO, run through {@link Allocator#validate} and
 * {@link Allocator#allocate}, plus a small exact cross-check against a brute-force rational solution.
 */
class LevelMethodsTest
{
    private static final long A = Claims.ABSENT;
    private static final long P62 = 1L << 62;
    private static final long P61 = 1L << 61;

    private final Allocator allocator = new Allocator(4, 256);
    private final Claims claims = new Claims(4);
    private final Violations violations = new Violations();

    /** Claims given as {demand, weight, cap, floor, tier}; ABSENT where absent. */
    private long[] run(final Method method, final long supply, final long lot, final long[]... rows)
    {
        claims.clear();
        for (int i = 0; i < rows.length; i++)
        {
            final long[] r = rows[i];
            claims.add(r[0], r[1], r.length > 4 ? (int)r[4] : 0, r.length > 2 ? r[2] : A,
                r.length > 3 ? r[3] : 0);
        }
        assertThat(allocator.validate(supply, method, lot, 0, claims, violations)).as("%s", violations).isTrue();
        final long allocated = allocator.allocate(supply, method, lot, 0, claims);
        final long[] out = new long[rows.length];
        long sum = 0;
        for (int i = 0; i < rows.length; i++)
        {
            out[i] = claims.award(i);
            sum += out[i];
        }
        assertThat(sum).isEqualTo(allocated);
        return out;
    }

    private long[] demands(final Method method, final long supply, final long... demands)
    {
        final long[][] rows = new long[demands.length][];
        for (int i = 0; i < demands.length; i++)
        {
            rows[i] = new long[] {demands[i], A};
        }
        return run(method, supply, 1, rows);
    }

    private long[] weights(final Method method, final long supply, final long... weights)
    {
        final long[][] rows = new long[weights.length][];
        for (int i = 0; i < weights.length; i++)
        {
            rows[i] = new long[] {A, weights[i]};
        }
        return run(method, supply, 1, rows);
    }

    @Test
    void shouldApportionByLargestRemainderLikeHamilton()
    {
        // Quotas 5.3, 2.8, 1.9: floors 5, 2, 1 and the two extra seats to .9 and .8.
        assertThat(weights(Method.PROPORTIONAL, 10, 5300, 2800, 1900)).containsExactly(5, 3, 2);
        // Quotas 4.2857, 2.8571, 2.8571 (30:20:20 of 10): floors 4, 2, 2; the equal remainders tie, earlier first.
        assertThat(weights(Method.PROPORTIONAL, 10, 30, 20, 20)).containsExactly(4, 3, 3);
        assertThat(weights(Method.PROPORTIONAL, 2, 1, 1, 1)).containsExactly(1, 1, 0);
        assertThat(weights(Method.PROPORTIONAL, 4, 1, 1, 1)).containsExactly(2, 1, 1);
    }

    @Test
    void shouldShowTheAlabamaParadoxUnderLargestRemainder()
    {
        // The textbook Alabama paradox: 10 → 11 seats costs C a seat.
        assertThat(weights(Method.PROPORTIONAL, 10, 6, 6, 2)).containsExactly(4, 4, 2);
        assertThat(weights(Method.PROPORTIONAL, 11, 6, 6, 2)).containsExactly(5, 5, 1);
    }

    @Test
    void shouldDivideProportionallyToDemandsWithCapsAndFloors()
    {
        // Default weight = demand: 100 of 50/150/200 → 12.5, 37.5, 50: floors 12, 37, 50 = 99; the
        // remainders .5 and .5 tie → the earlier claim gets the lot.
        assertThat(demands(Method.PROPORTIONAL, 100, 50, 150, 200)).containsExactly(13, 37, 50);
        // A cap of 20 on the largest claim binds: λ·50 + λ·150 + 20 = 100 → λ = 0.4 → 20, 60, 20.
        assertThat(run(Method.PROPORTIONAL, 100, 1, new long[] {50, A}, new long[] {150, A}, new long[] {200, A, 20}))
            .containsExactly(20, 60, 20);
        // A floor of 30 on the smallest binds: 30 + λ(150 + 200) = 100 → λ = 0.2 → 30, 30, 40.
        assertThat(run(Method.PROPORTIONAL, 100, 1, new long[] {50, A, A, 30}, new long[] {150, A},
            new long[] {200, A}))
            .containsExactly(30, 30, 40);
        // Weight 0 is held at its floor.
        assertThat(run(Method.PROPORTIONAL, 10, 1, new long[] {50, 0, A, 3}, new long[] {150, 1}, new long[] {200, 1}))
            .containsExactly(3, 4, 3);
    }

    @Test
    void shouldWaterFillUnderEqualWithCaps()
    {
        // Constrained equal awards: 10 + 3λ = 100 → λ = 30.
        assertThat(demands(Method.EQUAL, 100, 10, 30, 50, 80)).containsExactly(10, 30, 30, 30);
        // 1 + 2λ = 10 → λ = 4.5: 1, 4.5, 4.5 → the tie goes to the earlier claim.
        assertThat(demands(Method.EQUAL, 10, 1, 100, 100)).containsExactly(1, 5, 4);
        // A cap is a bound like a demand: cap 2 on the second claim.
        assertThat(run(Method.EQUAL, 12, 1, new long[] {100, A}, new long[] {100, A, 2}, new long[] {100, A}))
            .containsExactly(5, 2, 5);
        // Weighted max-min fairness: weights 1 and 2 → 3 and 6 of 9.
        assertThat(run(Method.EQUAL, 9, 1, new long[] {100, 1}, new long[] {100, 2})).containsExactly(3, 6);
        // Everyone satisfied: each gets the demand, the rest is unallocated.
        assertThat(demands(Method.EQUAL, 1000, 10, 30)).containsExactly(10, 30);
    }

    @Test
    void shouldEqualiseLossesUnderEqualLosses()
    {
        // Demands 100/200/300: estate 300 → each loses 100.
        assertThat(demands(Method.EQUAL_LOSSES, 300, 100, 200, 300)).containsExactly(0, 100, 200);
        // Estate 100 → losses 100, 200, 200 (the first loses all it has).
        assertThat(demands(Method.EQUAL_LOSSES, 100, 100, 200, 300)).containsExactly(0, 0, 100);
        // Estate 101 → λ = 199.5: 0, 0.5, 100.5 → tie of halves, earlier first.
        assertThat(demands(Method.EQUAL_LOSSES, 101, 100, 200, 300)).containsExactly(0, 1, 100);
        // Weighted losses: weights 1 and 3, demands 10 and 10, estate 12: λ + 3λ = 8 → losses 2, 6.
        assertThat(run(Method.EQUAL_LOSSES, 12, 1, new long[] {10, 1}, new long[] {10, 3})).containsExactly(8, 4);
        // A floor holds a claim up: floor 90 on the 100 claim, estate 150 of 100/200: losses 10 and 140? no —
        // x = clamp(d − λ, lo, d): 100 − λ ≥ 90 → λ ≤ 10; 90 + 200 − λ = 150 → λ = 140 → 90, 60.
        assertThat(run(Method.EQUAL_LOSSES, 150, 1, new long[] {100, A, A, 90}, new long[] {200, A}))
            .containsExactly(90, 60);
    }

    @Test
    void shouldReproduceTheTalmudTableOfAumannAndMaschler()
    {
        // Mishnah Ketubot 93a, claims 100, 200, 300 (Aumann and Maschler 1985, table 1).
        // Estate 100: 33⅓ each → 33, 33, 33 + one lot to the earliest of the tied thirds.
        assertThat(demands(Method.TALMUD, 100, 100, 200, 300)).containsExactly(34, 33, 33);
        assertThat(demands(Method.TALMUD, 200, 100, 200, 300)).containsExactly(50, 75, 75);
        assertThat(demands(Method.TALMUD, 300, 100, 200, 300)).containsExactly(50, 100, 150);
        // Beyond half the claims: half-demands plus equal losses: 400 → 50, 125, 225.
        assertThat(demands(Method.TALMUD, 400, 100, 200, 300)).containsExactly(50, 125, 225);
        // Contested garment (Bava Metzia 2a): claims 1 and ½ of a cloth of 1 → ¾, ¼ (in quarters: 4 and 2 of 4 → 3, 1).
        assertThat(demands(Method.TALMUD, 4, 4, 2)).containsExactly(3, 1);
        // Half-integer half-demands: demands 1 and 3, estate 1 → ½, ½ → tie to the first.
        assertThat(demands(Method.TALMUD, 1, 1, 3)).containsExactly(1, 0);
        // Demands 1 and 3, estate 3 → V = 2 < 3: ½ + 2.5? h = .5, 1.5; loss 1 shared: μ = .5 → .5, 2.5 → 1, 2.
        assertThat(demands(Method.TALMUD, 3, 1, 3)).containsExactly(1, 2);
    }

    @Test
    void shouldFillInQueueOrderUnderFifo()
    {
        assertThat(demands(Method.FIFO, 12, 5, 10, 7)).containsExactly(5, 7, 0);
        // Floors are served first: floor 2 on the third claim.
        assertThat(run(Method.FIFO, 12, 1, new long[] {5, A}, new long[] {10, A}, new long[] {7, A, A, 2}))
            .containsExactly(5, 5, 2);
        // Tiers before queue order: the third claim is in tier 0.
        assertThat(run(Method.FIFO, 12, 1, new long[] {5, A, A, 0, 1}, new long[] {10, A, A, 0, 1},
            new long[] {7, A, A, 0, 0}))
            .containsExactly(5, 0, 7);
        // Lots: 8 per lot, 100 units → 12 lots.
        assertThat(run(Method.FIFO, 100, 8, new long[] {50, A}, new long[] {100, A})).containsExactly(48, 48);
    }

    @Test
    void shouldRationFloorsByTheMethodWhenTheyExceedTheSupply()
    {
        // Floors 10 and 20 of a supply of 10: the floors become the demands (and the weights under
        // PROPORTIONAL): 3⅓ and 6⅔ → 3, 7.
        assertThat(run(Method.PROPORTIONAL, 10, 1, new long[] {100, 1, A, 10}, new long[] {100, 1, A, 20}))
            .containsExactly(3, 7);
        // EQUAL rations floors with weight 1: 5, 5.
        assertThat(run(Method.EQUAL, 10, 1, new long[] {100, 1, A, 10}, new long[] {100, 1, A, 20}))
            .containsExactly(5, 5);
        // EQUAL_LOSSES: losses on the floors 10 and 20 sum to 20: 0 and 10 → 0 + ... x = 10 − 10, 20 − 10.
        assertThat(run(Method.EQUAL_LOSSES, 10, 1, new long[] {100, 1, A, 10}, new long[] {100, 1, A, 20}))
            .containsExactly(0, 10);
        // TALMUD on floors 10 and 20, estate 10 ≤ V = 15: equal awards on half-floors 5 and 10 → 5, 5.
        assertThat(run(Method.TALMUD, 10, 1, new long[] {100, A, A, 10}, new long[] {100, A, A, 20}))
            .containsExactly(5, 5);
    }

    @Test
    void shouldSplitOnlyTheFirstTierThatDoesNotFitWhateverTheQueueOrder()
    {
        // Queue order: tier 1, tier 0, tier 1. Tier 0 (30) fits; tier 1 splits the remaining 70 equally.
        assertThat(run(Method.EQUAL, 100, 1, new long[] {50, A, A, 0, 1}, new long[] {30, A, A, 0, 0},
            new long[] {50, A, A, 0, 1})).containsExactly(35, 30, 35);
        // PROPORTIONAL, weights 1 and 3, and a tier-2 floor of 4: 100 − 4 − 30 = 66 → 16.5, 49.5 → tie → 17, 49.
        assertThat(run(Method.PROPORTIONAL, 100, 1, new long[] {100, 1, A, 0, 1}, new long[] {30, A, A, 0, 0},
            new long[] {100, 3, A, 0, 1}, new long[] {100, 1, A, 4, 2})).containsExactly(17, 30, 49, 4);
        // TALMUD in tier 1 after tier 0: 100 − 40 = 60 for claims 100, 200, 300 → 20 each.
        assertThat(run(Method.TALMUD, 100, 1, new long[] {100, A, A, 0, 1}, new long[] {40, A, A, 0, 0},
            new long[] {200, A, A, 0, 1}, new long[] {300, A, A, 0, 1})).containsExactly(20, 40, 20, 20);
    }

    @Test
    void shouldStayExactNearTwoToThe62()
    {
        // Σw = 2^62 + 2, S = 2^62: quotas checked with BigInteger below.
        final long[] w = {P61, P61 - 1, 3};
        final long[] got = weights(Method.PROPORTIONAL, P62, w);
        assertThat(got).containsExactly(hamilton(P62, w));
        // EQUAL: 1 + 2λ = 2^62 → λ = 2^61 − ½ → tie of halves → first.
        assertThat(demands(Method.EQUAL, P62, P62, P62 - 1, 1)).containsExactly(P61, P61 - 1, 1);
        // TALMUD: h = 2^61, 2^61 − ½, V < S → equal losses μ = 2^61 − ½ on the half-demands.
        assertThat(demands(Method.TALMUD, P62, P62, P62 - 1)).containsExactly(P61 + 1, P61 - 1);
        // TALMUD below V at the top of the range: 2^62 − 2 of demands 2^62 − 1 (h ends in ½) and 2^62.
        assertThat(demands(Method.TALMUD, P62 - 2, P62 - 1, P62)).containsExactly(P61 - 1, P61 - 1);
        assertThat(demands(Method.EQUAL_LOSSES, P62 - 1, P62, 3)).containsExactly(P62 - 2, 1);
        // Weighted losses: λ = (2^62 − 1)/(2^62 + 1); x1 = 2^63/(2^62 + 1) ≈ 1.99999, x2 = 2^62 − 1 − λ.
        assertThat(run(Method.EQUAL_LOSSES, P62, 1, new long[] {P62, P62}, new long[] {P62 - 1, 1}))
            .containsExactly(2, P62 - 2);
        // PROPORTIONAL with a cap binding, large weights: forces the breakpoint sweep with 128-bit products.
        final long[] rest = hamilton(3 * (P61 / 2), new long[] {P61 - 1, 7});
        assertThat(run(Method.PROPORTIONAL, P62, 1, new long[] {A, P61, P61 / 2}, new long[] {A, P61 - 1},
            new long[] {A, 7}))
            .containsExactly(P61 / 2, rest[0], rest[1]);
        assertThat(demands(Method.FIFO, P62, P62 - 5, P62)).containsExactly(P62 - 5, 5);
    }

    @Test
    void shouldMatchBruteForceRationalSolutionOnSmallRandomProblems()
    {
        final SplittableRandom random = new SplittableRandom(42);
        final Method[] methods = {Method.PROPORTIONAL, Method.EQUAL, Method.EQUAL_LOSSES, Method.TALMUD};
        for (int t = 0; t < 3000; t++)
        {
            final Method method = methods[t % methods.length];
            final int n = 1 + random.nextInt(7);
            final boolean huge = random.nextInt(5) == 0;
            final long scale = huge ? P62 / 8 : 1 + random.nextInt(random.nextBoolean() ? 10 : 1000);
            final long[][] rows = new long[n][];
            long sumDemand = 0;
            for (int i = 0; i < n; i++)
            {
                final long d = 1 + (huge ? random.nextLong(scale) : random.nextLong(scale));
                sumDemand += d;
                long weight = A;
                if (method != Method.TALMUD && random.nextBoolean())
                {
                    weight = (method == Method.EQUAL_LOSSES ? 1 : 0) + random.nextLong(huge ? scale : 20);
                }
                final long cap = random.nextInt(4) == 0 ? random.nextLong(d + 1) : A;
                final long bound = cap == A ? d : cap;
                final long floor = random.nextInt(4) == 0 ? random.nextLong(bound / 2 + 1) : 0;
                rows[i] = new long[] {d, weight, cap, floor};
            }
            long sumFloor = 0;
            for (final long[] row : rows)
            {
                sumFloor += row[3];
            }
            final long supply =
                sumFloor +
                (huge ? random.nextLong(Math.min(P62 - sumFloor, sumDemand + 1)) : random.nextLong(sumDemand + 2));
            final long[] got = run(method, supply, 1, rows);
            final long[] expected = bruteForce(method, supply, rows);
            assertThat(got).as("trial %d %s supply %d rows %s", t, method, supply, java.util.Arrays.deepToString(rows))
                .containsExactly(expected);
        }
    }

    @Test
    void shouldSolveLargeTiersWithBindingBoundsExactly()
    {
        // Many claims so that the sweep (sort + prefix sums) and the radix selection run over real sizes.
        final SplittableRandom random = new SplittableRandom(7);
        for (final Method method : new Method[] {Method.PROPORTIONAL, Method.EQUAL, Method.EQUAL_LOSSES, Method.TALMUD})
        {
            final int n = 200;
            final long[][] rows = new long[n][];
            long sumDemand = 0;
            for (int i = 0; i < n; i++)
            {
                final long d = 1 + random.nextLong(1_000_000);
                sumDemand += d;
                rows[i] = new long[] {d, method == Method.TALMUD ? A : 1 + random.nextLong(50), A, 0};
            }
            for (int s = 0; s < 3; s++)
            {
                final long supply = random.nextLong(sumDemand);
                assertThat(run(method, supply, 1, rows)).as("%s supply %d", method, supply)
                    .containsExactly(bruteForce(method, supply, rows));
            }
        }
    }

    // ---- helpers: Hamilton with BigInteger, and a brute-force exact solution with rationals ----

    private static long[] hamilton(final long supply, final long[] w)
    {
        BigInteger sumW = BigInteger.ZERO;
        for (final long x : w)
        {
            sumW = sumW.add(BigInteger.valueOf(x));
        }
        final Frac[] x = new Frac[w.length];
        for (int i = 0; i < w.length; i++)
        {
            x[i] = new Frac(BigInteger.valueOf(supply).multiply(BigInteger.valueOf(w[i])), sumW);
        }
        return round(x, supply);
    }

    private static long[] round(final Frac[] x, final long target)
    {
        final long[] out = new long[x.length];
        long sum = 0;
        for (int i = 0; i < x.length; i++)
        {
            out[i] = x[i].floor().longValueExact();
            sum += out[i];
        }
        for (long extra = target - sum; extra > 0; extra--)
        {
            int best = -1;
            Frac bestFrac = null;
            for (int i = 0; i < x.length; i++)
            {
                final Frac f = x[i].minus(Frac.of(out[i]));
                if (f.signum() > 0 && f.compareTo(Frac.ONE) < 0 && (bestFrac == null || f.compareTo(bestFrac) > 0))
                {
                    best = i;
                    bestFrac = f;
                }
            }
            out[best]++;
        }
        return out;
    }

    /** Bounds and weights as the allocator derives them (single tier, lot 1, no share limit). */
    private static long[] bruteForce(final Method method, final long supply, final long[][] rows)
    {
        final int n = rows.length;
        final long[] lo = new long[n];
        final long[] hi = new long[n];
        final long[] w = new long[n];
        long sumLo = 0;
        for (int i = 0; i < n; i++)
        {
            final long d = rows[i][0];
            final long cap = rows[i][2];
            lo[i] = rows[i][3];
            hi[i] = cap == A ? d : Math.min(d, cap);
            if (method != Method.EQUAL_LOSSES && method != Method.TALMUD)
            {
                hi[i] = Math.min(hi[i], Math.max(supply, lo[i]));
            }
            w[i] = rows[i][1] != A ? rows[i][1] : method == Method.PROPORTIONAL ? d : 1;
            if ((method == Method.PROPORTIONAL || method == Method.EQUAL) && w[i] == 0)
            {
                hi[i] = lo[i];
            }
            sumLo += lo[i];
        }
        assertThat(sumLo).isLessThanOrEqualTo(supply);
        BigInteger sumHi = BigInteger.ZERO;
        for (int i = 0; i < n; i++)
        {
            sumHi = sumHi.add(BigInteger.valueOf(hi[i]));
        }
        if (sumHi.compareTo(BigInteger.valueOf(supply)) <= 0)
        {
            return hi;
        }
        final long target = supply;
        // x_i(λ) is monotone and piecewise linear; collect its breakpoints, bracket T, interpolate exactly.
        final List<Frac> breaks = new ArrayList<>();
        breaks.add(Frac.ZERO);
        Frac top = Frac.ZERO;
        for (int i = 0; i < n; i++)
        {
            final Frac wi = Frac.of(method == Method.TALMUD ? 1 : w[i]);
            if (wi.signum() == 0)
            {
                continue;
            }
            for (final Frac p :
                new Frac[] {Frac.of(lo[i]), Frac.of(hi[i]), new Frac(BigInteger.valueOf(hi[i]), BigInteger.TWO),
                Frac.of(hi[i] - lo[i])})
            {
                final Frac b = p.div(wi);
                breaks.add(b);
                top = top.compareTo(b) > 0 ? top : b;
            }
        }
        breaks.sort(Frac::compareTo);
        // TALMUD: decide the piece from V.
        Frac v = Frac.ZERO;
        for (int i = 0; i < n; i++)
        {
            final Frac h = new Frac(BigInteger.valueOf(hi[i]), BigInteger.TWO);
            v = v.plus(Frac.of(lo[i]).compareTo(h) > 0 ? Frac.of(lo[i]) : h);
        }
        final boolean talmudAwards = Frac.of(target).compareTo(v) <= 0;
        Frac prev = null;
        Frac prevS = null;
        for (final Frac lambda : breaks)
        {
            final Frac s = total(method, talmudAwards, lambda, lo, hi, w);
            final int c = s.compareTo(Frac.of(target));
            final boolean reached =
                method == Method.EQUAL_LOSSES || (method == Method.TALMUD && !talmudAwards) ? c <= 0 : c >= 0;
            if (reached)
            {
                Frac at = lambda;
                if (c != 0 && prev != null)
                {
                    // Linear between prev and lambda.
                    at = prev.plus(lambda.minus(prev).mul(Frac.of(target).minus(prevS)).div(s.minus(prevS)));
                }
                final Frac[] x = new Frac[n];
                for (int i = 0; i < n; i++)
                {
                    x[i] = share(method, talmudAwards, at, lo[i], hi[i], w[i]);
                }
                return round(x, target);
            }
            prev = lambda;
            prevS = s;
        }
        throw new AssertionError("no level found");
    }

    private static Frac total(
        final Method method, final boolean talmudAwards, final Frac lambda, final long[] lo, final long[] hi,
        final long[] w)
    {
        Frac s = Frac.ZERO;
        for (int i = 0; i < lo.length; i++)
        {
            s = s.plus(share(method, talmudAwards, lambda, lo[i], hi[i], w[i]));
        }
        return s;
    }

    private static Frac share(final Method method, final boolean talmudAwards, final Frac lambda, final long lo,
        final long hi, final long w)
    {
        final Frac l = Frac.of(lo);
        final Frac h = Frac.of(hi);
        final Frac half = new Frac(BigInteger.valueOf(hi), BigInteger.TWO);
        final Frac g;
        switch (method)
        {
            case PROPORTIONAL:
            case EQUAL:
                g = lambda.mul(Frac.of(w));
                break;
            case EQUAL_LOSSES:
                g = h.minus(lambda.mul(Frac.of(w)));
                break;
            default:
                if (talmudAwards)
                {
                    g = lambda.compareTo(half) < 0 ? lambda : half;
                }
                else
                {
                    final Frac loss = h.minus(lambda);
                    g = loss.compareTo(half) > 0 ? loss : half;
                }
        }
        return g.compareTo(l) < 0 ? l : g.compareTo(h) > 0 ? h : g;
    }

    /** A small exact rational for the brute-force check. */
    private static final class Frac implements Comparable<Frac>
    {
        static final Frac ZERO = of(0);
        static final Frac ONE = of(1);
        final BigInteger n;
        final BigInteger d;

        Frac(final BigInteger n, final BigInteger d)
        {
            final BigInteger g = n.gcd(d);
            final BigInteger s = d.signum() < 0 ? g.negate() : g;
            this.n = g.signum() == 0 ? n : n.divide(s);
            this.d = g.signum() == 0 ? d : d.divide(s);
        }

        static Frac of(final long x)
        {
            return new Frac(BigInteger.valueOf(x), BigInteger.ONE);
        }

        Frac plus(final Frac o)
        {
            return new Frac(n.multiply(o.d).add(o.n.multiply(d)), d.multiply(o.d));
        }

        Frac minus(final Frac o)
        {
            return new Frac(n.multiply(o.d).subtract(o.n.multiply(d)), d.multiply(o.d));
        }

        Frac mul(final Frac o)
        {
            return new Frac(n.multiply(o.n), d.multiply(o.d));
        }

        Frac div(final Frac o)
        {
            return new Frac(n.multiply(o.d), d.multiply(o.n));
        }

        int signum()
        {
            return n.signum();
        }

        BigInteger floor()
        {
            final BigInteger[] qr = n.divideAndRemainder(d);
            return qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
        }

        @Override
        public int compareTo(final Frac o)
        {
            return n.multiply(o.d).compareTo(o.n.multiply(d));
        }

        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Frac && compareTo((Frac)o) == 0;
        }

        @Override
        public int hashCode()
        {
            return n.hashCode() * 31 + d.hashCode();
        }
    }
}
