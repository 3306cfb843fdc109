package io.tranche.kernel;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * SPEC.md "Cost": independent of the supply. S = 10^12 units in lots of 1 with 1,000 claims under
 * every method must finish (a loop per unit or per seat would take hours; the bound here is a
 * generous 10 s per method, not a speed claim), keep conservation, bounds and priority, satisfy the
 * divisor methods' min-max certificate, and agree with the S = 1,000 problem where the two are
 * comparable (every quantity scaled by a lot of 10^9).
 */
class HugeSupplyTest
{
    private static final long SUPPLY = 1_000_000_000_000L;
    private static final int CLAIMS = 1_000;
    private static final Duration BOUND = Duration.ofSeconds(10);

    private final Allocator allocator = new Allocator(CLAIMS);
    private final Claims claims = new Claims(CLAIMS);
    private final Violations violations = new Violations();

    /**
     * 1,000 claims whose demands add up to about 2.5·10^12, in three tiers, with caps, floors and
     * weights; {@code rationFloors} makes Σfloor exceed the supply.
     */
    static Problem problem(final Method method, final long seed, final boolean rationFloors, final long scale)
    {
        final Random rnd = new Random(seed);
        final String[] id = new String[CLAIMS];
        final long[] demand = new long[CLAIMS];
        final long[] weight = new long[CLAIMS];
        final int[] tier = new int[CLAIMS];
        final long[] cap = new long[CLAIMS];
        final long[] floor = new long[CLAIMS];
        for (int i = 0; i < CLAIMS; i++)
        {
            id[i] = "firm-" + i;
            demand[i] = (1 + (long)(rnd.nextDouble() * 5_000_000_000L / scale)) * scale;
            final boolean zero = rnd.nextInt(50) == 0 && method != Method.EQUAL_LOSSES;
            weight[i] = zero ? 0 : rnd.nextInt(4) == 0 ? Claims.ABSENT : 1 + rnd.nextInt(1_000_000);
            tier[i] = rnd.nextInt(10) == 0 ? 2 : rnd.nextInt(3) == 0 ? 1 : 0;
            cap[i] = rnd.nextInt(5) == 0 ? (long)(rnd.nextDouble() * demand[i] / scale) * scale : Claims.ABSENT;
            final long bound = cap[i] == Claims.ABSENT ? demand[i] : cap[i];
            // rationed: two claims in three ask for their whole bound as a floor (Σ about 1.6·10^12)
            final int f = rnd.nextInt(rationFloors ? 3 : 10);
            floor[i] =
                rationFloors ? (f == 0 ? 0 : bound) : f == 0 ? (long)(rnd.nextDouble() * bound / scale) * scale : 0;
        }
        return new Problem(SUPPLY, method, scale, 0, id, demand, weight, tier, cap, floor);
    }

    private long[] timedKernel(final Problem p)
    {
        return assertTimeoutPreemptively(BOUND, () ->
        {
            final long start = System.nanoTime();
            final long[] awards = AllocationPropertiesTest.kernel(allocator, claims, violations, p);
            // a second call on the warm allocator: what a service would see
            final long second = System.nanoTime();
            allocator.allocate(p.supply, p.method, p.lot, p.ppm, claims);
            final long end = System.nanoTime();
            System.out.printf("HugeSupplyTest %s S=%d lot=%d n=%d: first call %.2f ms, warm call %.3f ms%n",
                p.method, p.supply, p.lot, p.size(), (second - start) / 1e6, (end - second) / 1e6);
            return awards;
        });
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Method.class)
    void supplyOf10To12UnitsWith1000ClaimsFinishesAndKeepsTheGuarantees(final Method method)
    {
        for (final boolean ration : new boolean[] {false, true})
        {
            final Problem p = problem(method, 1234 + method.ordinal(), ration, 1);
            assertThat(p.supply).isEqualTo(SUPPLY);
            assertThat(ReferenceAllocator.bounds(p).sumLo().compareTo(BigInteger.valueOf(SUPPLY)) > 0)
                .as("floors exceed the supply").isEqualTo(ration);
            final long[] awards = timedKernel(p);
            AllocationPropertiesTest.checkConservation(p, awards);
            AllocationPropertiesTest.checkBounds(p, awards);
            AllocationPropertiesTest.checkPriority(p, awards);
            if (ReferenceAllocator.isDivisor(method) && !ration)
            {
                checkDivisorCertificate(p, awards);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Method.class)
    void supplyOf10To12InLotsOf10To9EqualsTheSupplyOf1000Problem(final Method method)
    {
        for (final boolean ration : new boolean[] {false, true})
        {
            final long seed = 99 + method.ordinal();
            final Problem small = explicitDefaultWeights(problem(method, seed, ration, 1_000_000_000L), 1_000_000_000L);
            final Problem unit = scaleDown(small, 1_000_000_000L);
            assertThat(small.supply).isEqualTo(SUPPLY);
            assertThat(unit.supply).isEqualTo(1_000);
            final long[] big = timedKernel(small);
            final long[] thousand = AllocationPropertiesTest.kernel(allocator, claims, violations, unit);
            for (int i = 0; i < big.length; i++)
            {
                assertThat(big[i]).as("claim %d", i).isEqualTo(thousand[i] * 1_000_000_000L);
            }
        }
    }

    /** Where the default weight is the demand, write it out, so that scaling the demand keeps the weight. */
    private static Problem explicitDefaultWeights(final Problem p, final long scale)
    {
        final long[] weight = p.weight.clone();
        for (int i = 0; i < weight.length; i++)
        {
            if (weight[i] == Claims.ABSENT && ReferenceAllocator.defaultWeightIsDemand(p.method))
            {
                weight[i] = p.demand[i] / scale;
            }
        }
        return new Problem(p.supply, p.method, p.lot, p.ppm, p.id, p.demand, weight, p.tier, p.cap, p.floor);
    }

    private static Problem scaleDown(final Problem p, final long scale)
    {
        final int n = p.size();
        final long[] demand = new long[n];
        final long[] cap = new long[n];
        final long[] floor = new long[n];
        for (int i = 0; i < n; i++)
        {
            demand[i] = p.demand[i] == Claims.ABSENT ? Claims.ABSENT : p.demand[i] / scale;
            cap[i] = p.cap[i] == Claims.ABSENT ? Claims.ABSENT : p.cap[i] / scale;
            floor[i] = p.floor[i] / scale;
        }
        return new Problem(p.supply / scale, p.method, 1, p.ppm, p.id, demand, p.weight, p.tier, cap, floor);
    }

    /**
     * The greedy hands out lots in non-increasing priority, so in the split tier every lot given beyond
     * a floor has priority at least that of every lot not given below a bound:
     * max over {a_i < hi_i} of w_i/t(a_i) <= min over {a_j > lo_j} of w_j/t(a_j − 1).
     */
    static void checkDivisorCertificate(final Problem p, final long[] awards)
    {
        final ReferenceAllocator.Bounds b = ReferenceAllocator.bounds(p);
        int splitTier = Integer.MAX_VALUE;
        for (int i = 0; i < awards.length; i++)
        {
            if (awards[i] / b.lot < b.hi[i])
            {
                splitTier = Math.min(splitTier, p.tier[i]);
            }
        }
        BigInteger[] bestNext = null;
        BigInteger[] worstLast = null;
        for (int i = 0; i < awards.length; i++)
        {
            if (p.tier[i] != splitTier || b.w[i].signum() == 0)
            {
                continue;
            }
            final long a = awards[i] / b.lot;
            if (a < b.hi[i])
            {
                final BigInteger[] next = priority(p.method, b.w[i], a);
                if (bestNext == null || compare(next, bestNext) > 0)
                {
                    bestNext = next;
                }
            }
            if (a > b.lo[i])
            {
                final BigInteger[] last = priority(p.method, b.w[i], a - 1);
                if (worstLast == null || compare(last, worstLast) < 0)
                {
                    worstLast = last;
                }
            }
        }
        if (bestNext != null && worstLast != null)
        {
            assertThat(compare(bestNext, worstLast)).as("%s: a lot left out outranks a lot given", p.method)
                .isLessThanOrEqualTo(0);
        }
    }

    private static BigInteger[] priority(final Method m, final BigInteger w, final long n)
    {
        final BigInteger bn = BigInteger.valueOf(n);
        switch (m)
        {
            case DHONDT:
                return new BigInteger[] {w, bn.add(BigInteger.ONE)};
            case SAINTE_LAGUE:
                return new BigInteger[] {w.shiftLeft(1), bn.shiftLeft(1).add(BigInteger.ONE)};
            case ADAMS:
                return new BigInteger[] {w, bn};
            case DEAN:
                return new BigInteger[] {w.multiply(bn.shiftLeft(1).add(BigInteger.ONE)),
                    bn.multiply(bn.add(BigInteger.ONE)).shiftLeft(1)};
            default:
                return new BigInteger[] {w.multiply(w), bn.multiply(bn.add(BigInteger.ONE))};
        }
    }

    /** Compares num/den fractions; den = 0 is +infinity (two infinities compare equal). */
    private static int compare(final BigInteger[] x, final BigInteger[] y)
    {
        final boolean ix = x[1].signum() == 0;
        final boolean iy = y[1].signum() == 0;
        if (ix || iy)
        {
            return ix == iy ? 0 : ix ? 1 : -1;
        }
        return x[0].multiply(y[1]).compareTo(y[0].multiply(x[1]));
    }
}
