package io.tranche.kernel;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guarantees of SPEC.md "Guarantees the kernel must keep", one property each, over seeded random
 * problems from {@link Generators}. Each property is checked on the kernel and, as a check of the
 * test oracle itself, on {@link ReferenceAllocator}.
 * <p>
 * Each property runs {@value #TRIES} seeded cases through {@link SeededCases} (jqwik's case count
 * before): a failure prints the case seed, and {@code -Dtranche.case=SEED} replays that case alone.
 */
class AllocationPropertiesTest
{
    private static final int TRIES = 1500;

    private final Allocator allocator = new Allocator(64);
    private final Claims claims = new Claims(64);
    private final Violations violations = new Violations();

    /** Kernel awards in units, after checking that the kernel accepts the problem. */
    static long[] kernel(final Allocator allocator, final Claims claims, final Violations violations, final Problem p)
    {
        p.fill(claims);
        assertThat(allocator.validate(p.supply, p.method, p.lot, p.ppm, claims, violations))
            .as("validate %s: %s", p, violations).isTrue();
        final long allocated = allocator.allocate(p.supply, p.method, p.lot, p.ppm, claims);
        final long[] awards = new long[p.size()];
        long sum = 0;
        for (int i = 0; i < awards.length; i++)
        {
            awards[i] = claims.award(i);
            sum += awards[i];
        }
        assertThat(allocated).as("allocate() returns Σ awards for %s", p).isEqualTo(sum);
        return awards;
    }

    private long[] kernel(final Problem p)
    {
        return kernel(allocator, claims, violations, p);
    }

    // ---------------------------------------------------------------------------------------------

    @Test
    void conservationSumIsMinOfSupplyInWholeLotsAndSumOfBoundsNeverMoreThanSupply()
    {
        SeededCases.run("conservationSumIsMinOfSupplyInWholeLotsAndSumOfBoundsNeverMoreThanSupply", TRIES, rnd ->
        {
            final Method method = SeededCases.oneOf(rnd, Method.values());
            final long seed = rnd.nextLong();
            final Problem p = Generators.valid(seed, method);
            checkConservation(p, kernel(p));
            checkConservation(p, ReferenceAllocator.allocate(p).awards);
        });
    }

    static void checkConservation(final Problem p, final long[] awards)
    {
        final ReferenceAllocator.Bounds b = ReferenceAllocator.bounds(p);
        final BigInteger lot = BigInteger.valueOf(b.lot);
        final BigInteger expected = BigInteger.valueOf(b.supplyLots).min(b.sumHi()).multiply(lot);
        BigInteger sum = BigInteger.ZERO;
        for (final long a : awards)
        {
            sum = sum.add(BigInteger.valueOf(a));
        }
        assertThat(sum).as("Σ awards %s for %s", Arrays.toString(awards), p).isEqualTo(expected);
        assertThat(sum).isLessThanOrEqualTo(BigInteger.valueOf(p.supply));
    }

    @Test
    void boundsAwardAtMostHiAtLeastLoWhenFloorsFitAndMultipleOfLot()
    {
        SeededCases.run("boundsAwardAtMostHiAtLeastLoWhenFloorsFitAndMultipleOfLot", TRIES, rnd ->
        {
            final Method method = SeededCases.oneOf(rnd, Method.values());
            final long seed = rnd.nextLong();
            final Problem p = Generators.valid(seed, method);
            checkBounds(p, kernel(p));
            checkBounds(p, ReferenceAllocator.allocate(p).awards);
        });
    }

    static void checkBounds(final Problem p, final long[] awards)
    {
        final ReferenceAllocator.Bounds b = ReferenceAllocator.bounds(p);
        final boolean floorsFit = b.sumLo().compareTo(BigInteger.valueOf(b.supplyLots)) <= 0;
        for (int i = 0; i < awards.length; i++)
        {
            final BigInteger a = BigInteger.valueOf(awards[i]);
            final BigInteger lot = BigInteger.valueOf(b.lot);
            assertThat(a.mod(lot)).as("claim %d award %d multiple of lot in %s", i, awards[i], p)
                .isEqualTo(BigInteger.ZERO);
            assertThat(a).as("claim %d award <= hi in %s", i, p)
                .isLessThanOrEqualTo(BigInteger.valueOf(b.hi[i]).multiply(lot));
            assertThat(a.signum()).isGreaterThanOrEqualTo(0);
            if (floorsFit)
            {
                assertThat(a).as("claim %d award >= lo in %s", i, p)
                    .isGreaterThanOrEqualTo(BigInteger.valueOf(b.lo[i]).multiply(lot));
            }
            else
            {
                // rationed floors: nobody gets more than its floor
                assertThat(a).as("claim %d award <= lo while floors are rationed in %s", i, p)
                    .isLessThanOrEqualTo(BigInteger.valueOf(b.lo[i]).multiply(lot));
            }
        }
    }

    @Test
    void priorityNothingBeyondFloorToATierWhileAnEarlierTierIsBelowItsBound()
    {
        SeededCases.run("priorityNothingBeyondFloorToATierWhileAnEarlierTierIsBelowItsBound", TRIES, rnd ->
        {
            final Method method = SeededCases.oneOf(rnd, Method.values());
            final long seed = rnd.nextLong();
            final Problem p = Generators.valid(seed, method);
            checkPriority(p, kernel(p));
            checkPriority(p, ReferenceAllocator.allocate(p).awards);
        });
    }

    static void checkPriority(final Problem p, final long[] awards)
    {
        final ReferenceAllocator.Bounds b = ReferenceAllocator.bounds(p);
        final boolean floorsFit = b.sumLo().compareTo(BigInteger.valueOf(b.supplyLots)) <= 0;
        for (int j = 0; j < awards.length; j++)
        {
            final long aj = awards[j] / b.lot;
            // beyond its floor, or (while floors are rationed) anything at all
            final boolean served = floorsFit ? aj > b.lo[j] : aj > 0;
            if (!served)
            {
                continue;
            }
            for (int i = 0; i < awards.length; i++)
            {
                if (p.tier[i] < p.tier[j])
                {
                    final long ai = awards[i] / b.lot;
                    final long full = floorsFit ? b.hi[i] : b.lo[i];
                    assertThat(ai).as("claim %d (tier %d) is below its bound while claim %d (tier %d) is served in %s",
                        i, p.tier[i], j, p.tier[j], p).isEqualTo(full);
                }
            }
        }
    }

    private static final Method[] LEVEL_METHODS =
        {Method.PROPORTIONAL, Method.EQUAL, Method.EQUAL_LOSSES, Method.TALMUD};

    @Test
    void quotaLevelMethodAwardsAreWithinOneLotOfTheExactShare()
    {
        SeededCases.run("quotaLevelMethodAwardsAreWithinOneLotOfTheExactShare", TRIES, rnd ->
        {
            final Method method = SeededCases.oneOf(rnd, LEVEL_METHODS);
            final long seed = rnd.nextLong();
            final Problem p = Generators.valid(seed, method);
            final long[] awards = kernel(p);
            final ReferenceAllocator.Result ref = ReferenceAllocator.allocate(p);
            final long lot = p.lot == 0 ? 1 : p.lot;
            for (int i = 0; i < awards.length; i++)
            {
                final ReferenceAllocator.Q x = ref.shareLots[i];
                // |a − x| < 1 lot  <=>  ⌊x⌋ <= a <= ⌈x⌉
                final BigInteger a = BigInteger.valueOf(awards[i] / lot);
                final BigInteger floor = x.floor();
                final BigInteger ceil = x.fraction().num.signum() == 0 ? floor : floor.add(BigInteger.ONE);
                assertThat(a).as("claim %d share %s in %s", i, x, p).isBetween(floor, ceil);
            }
        });
    }

    @Test
    void determinismSameProblemTwiceAndOnAFreshAllocatorGivesTheSameAwards()
    {
        SeededCases.run("determinismSameProblemTwiceAndOnAFreshAllocatorGivesTheSameAwards", TRIES, rnd ->
        {
            final Method method = SeededCases.oneOf(rnd, Method.values());
            final long seed = rnd.nextLong();
            final Problem p = Generators.valid(seed, method);
            final long[] first = kernel(p);
            // a different problem in between must leave no trace
            kernel(Generators.valid(seed ^ 0x9E3779B97F4A7C15L));
            final long[] second = kernel(p);
            // a fresh allocator that starts with room for one claim and grows on this call
            final long[] fresh = kernel(new Allocator(1, 64), new Claims(1), new Violations(), p);
            assertThat(second).isEqualTo(first);
            assertThat(fresh).isEqualTo(first);
        });
    }

    private static final Method[] ZERO_WEIGHT_METHODS = {
        Method.PROPORTIONAL, Method.EQUAL, Method.DHONDT, Method.SAINTE_LAGUE, Method.ADAMS, Method.DEAN,
        Method.HUNTINGTON_HILL};

    @Test
    void zeroWeightClaimReceivesExactlyItsFloorWhenFloorsFit()
    {
        SeededCases.run("zeroWeightClaimReceivesExactlyItsFloorWhenFloorsFit", TRIES, rnd ->
        {
            final Method method = SeededCases.oneOf(rnd, ZERO_WEIGHT_METHODS);
            final long seed = rnd.nextLong();
            final Problem p = Generators.valid(seed, method);
            final long[] awards = kernel(p);
            final ReferenceAllocator.Bounds b = ReferenceAllocator.bounds(p);
            if (b.sumLo().compareTo(BigInteger.valueOf(b.supplyLots)) > 0)
            {
                return;
            }
            for (int i = 0; i < awards.length; i++)
            {
                if (b.w[i].signum() == 0)
                {
                    assertThat(awards[i]).as("zero-weight claim %d in %s", i, p).isEqualTo(b.lo[i] * b.lot);
                }
            }
        });
    }

    private static final Method[] MONOTONE_METHODS = {
        Method.DHONDT, Method.SAINTE_LAGUE, Method.ADAMS, Method.DEAN, Method.HUNTINGTON_HILL, Method.FIFO};

    /** The problem without a share limit, and its supply grown by one to three lots plus a few units. */
    static Problem[] monotonePair(final Problem base, final long seed)
    {
        final Random rnd = new Random(seed);
        final Problem p =
            new Problem(base.supply, base.method, base.lot, 0, base.id, base.demand, base.weight, base.tier,
            base.cap, base.floor);
        final long lot = p.lot == 0 ? 1 : p.lot;
        final long more = Math.min(Generators.MAX - p.supply, lot * (1 + rnd.nextInt(3)) + rnd.nextInt(3));
        return new Problem[] {p, p.withSupply(p.supply + more)};
    }

    @Test
    void resourceMonotonicityMoreSupplyNeverLowersAnAwardUnderDivisorMethodsAndFifo()
    {
        SeededCases.run("resourceMonotonicityMoreSupplyNeverLowersAnAwardUnderDivisorMethodsAndFifo", TRIES, rnd ->
        {
            final Method method = SeededCases.oneOf(rnd, MONOTONE_METHODS);
            final long seed = rnd.nextLong();
            final Problem[] pair = monotonePair(Generators.valid(seed, method), seed);
            checkMonotone(pair, kernel(pair[0]), kernel(pair[1]));
            checkMonotone(pair, ReferenceAllocator.allocate(pair[0]).awards,
                ReferenceAllocator.allocate(pair[1]).awards);
        });
    }

    @Test
    void resourceMonotonicityHoldsForEqualWithUnitWeights()
    {
        SeededCases.run("resourceMonotonicityHoldsForEqualWithUnitWeights", TRIES, rnd ->
        {
            final long seed = rnd.nextLong();
            final Problem base = Generators.valid(seed, Method.EQUAL);
            final long[] weight = base.weight.clone();
            for (int i = 0; i < weight.length; i++)
            {
                // keep zero weights (held at the floor); every other claim weighs 1
                weight[i] = weight[i] == 0 ? 0 : (i % 2 == 0 ? Claims.ABSENT : 1);
            }
            final Problem unit = new Problem(
                base.supply, base.method, base.lot, base.ppm, base.id, base.demand, weight, base.tier, base.cap,
                base.floor);
            final Problem[] pair = monotonePair(unit, seed);
            checkMonotone(pair, kernel(pair[0]), kernel(pair[1]));
            checkMonotone(pair, ReferenceAllocator.allocate(pair[0]).awards,
                ReferenceAllocator.allocate(pair[1]).awards);
        });
    }

    static void checkMonotone(final Problem[] pair, final long[] before, final long[] after)
    {
        for (int i = 0; i < before.length; i++)
        {
            assertThat(after[i])
                .as("claim %d: supply %d -> %d lowers %d to %d in %s", i, pair[0].supply, pair[1].supply,
                before[i], after[i], pair[0]).isGreaterThanOrEqualTo(before[i]);
        }
    }

    /**
     * Largest remainder is not house monotone (the Alabama paradox, US House apportionment of 1880).
     * Weights 6, 6, 2 (sum 14): 10 units give quotas 4.29, 4.29, 1.43 -> floors 4 4 1 and the extra unit
     * to C (.43 beats .29): (4, 4, 2). 11 units give 4.71, 4.71, 1.57 -> floors 4 4 1 and two extra
     * units to A and B (.71 beats .57): (5, 5, 1). One more unit of supply costs C a unit.
     */
    @Test
    void alabamaParadoxProportionalLosesAUnitWhenTheSupplyGrows()
    {
        final Problem ten = new Problem(10, Method.PROPORTIONAL, 1, 0, new String[] {"A", "B", "C"},
            new long[] {Claims.ABSENT, Claims.ABSENT, Claims.ABSENT}, new long[] {6, 6, 2}, new int[3],
            new long[] {Claims.ABSENT, Claims.ABSENT, Claims.ABSENT}, new long[3]);
        final Problem eleven = ten.withSupply(11);
        assertThat(kernel(ten)).containsExactly(4, 4, 2);
        assertThat(kernel(eleven)).containsExactly(5, 5, 1);
        assertThat(ReferenceAllocator.allocate(ten).awards).containsExactly(4, 4, 2);
        assertThat(ReferenceAllocator.allocate(eleven).awards).containsExactly(5, 5, 1);
        // The same claims under Sainte-Lague (priorities w/(n+1/2)): A12 B12 A4 B4 C4 A2.4 B2.4 A1.71 B1.71,
        // then a three-way tie at 4/3 (A 6/4.5, B 6/4.5, C 2/1.5) taken in queue order: A, then B.
        // 10 units (5, 4, 1), 11 units (5, 5, 1): nobody loses.
        assertThat(kernel(ten.withMethod(Method.SAINTE_LAGUE))).containsExactly(5, 4, 1);
        assertThat(kernel(eleven.withMethod(Method.SAINTE_LAGUE))).containsExactly(5, 5, 1);
    }
}
