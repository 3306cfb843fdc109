package io.tranche.kernel;

import java.math.BigInteger;
import java.util.Random;

/**
 * Seeded random allocation problems for tests, usable from plain JUnit ({@link SeededCases}) and other modules
 * (exported by the kernel's test-jar). The same seed always gives the same problem.
 * <p>
 * Valid problems cover every method, 1–3 tiers in any queue order, floors (often with Σfloor above
 * the supply, so that floors are rationed), caps, lots, {@code max_share_ppm}, zero weights, absent
 * demands, weights and caps, ties (values drawn from a small pool), and values near 2^62 (with large
 * lots, so that the supply stays at most a few hundred lots and the reference's per-lot greedy stays
 * fast). Invalid problems are valid ones with one to three rules broken.
 */
public final class Generators
{
    /** 2^62. */
    public static final long MAX = 1L << 62;

    private static final Method[] METHODS = Method.values();

    private Generators()
    {
    }

    /** Knobs for {@link #valid(Random, Method, Shape)}. */
    public static final class Shape
    {
        /** Largest number of claims. */
        public final int maxClaims;
        /** Largest supply in lots. */
        public final int maxSupplyLots;
        /** Probability of the huge-value regime (lots of 2^50..2^56 units, weights up to 2^62). */
        public final double hugeProbability;

        public Shape(final int maxClaims, final int maxSupplyLots, final double hugeProbability)
        {
            this.maxClaims = maxClaims;
            this.maxSupplyLots = maxSupplyLots;
            this.hugeProbability = hugeProbability;
        }
    }

    /** Up to 12 claims, up to 240 lots, one problem in four with huge values. */
    public static final Shape DEFAULT = new Shape(12, 240, 0.25);

    /** @return a valid problem under {@code method} from {@code seed}, with {@link #DEFAULT} shape. */
    public static Problem valid(final long seed, final Method method)
    {
        return valid(new Random(seed), method, DEFAULT);
    }

    /** @return a valid problem under a random method from {@code seed}. */
    public static Problem valid(final long seed)
    {
        final Random rnd = new Random(seed);
        return valid(rnd, METHODS[rnd.nextInt(METHODS.length)], DEFAULT);
    }

    /**
     * @param rnd    source of randomness.
     * @param method the method.
     * @param shape  size knobs.
     * @return a problem that satisfies every validation rule.
     */
    public static Problem valid(final Random rnd, final Method method, final Shape shape)
    {
        final int sizeClass = rnd.nextInt(20);
        final int n = 1 + rnd.nextInt(sizeClass == 0 ? 3 * shape.maxClaims :
            sizeClass < 5 ? shape.maxClaims : Math.min(shape.maxClaims, 5));
        final boolean huge = rnd.nextDouble() < shape.hugeProbability;
        final long lot = lot(rnd, huge);
        final long l = lot == 0 ? 1 : lot;
        final long maxLots = Math.min(shape.maxSupplyLots, MAX / l - 1);
        final long supplyLots = rnd.nextInt(10) == 0 ? rnd.nextInt(3) : (long)(rnd.nextDouble() * (maxLots + 1));
        final long supply = Math.min(MAX, supplyLots * l + (rnd.nextInt(3) == 0 ? 0 : (long)(rnd.nextDouble() * l)));
        final int ppm = sharePpm(rnd);
        final long shareUnits = ppm == 0 ? -1 : BigInteger.valueOf(supply).multiply(BigInteger.valueOf(ppm))
            .divide(BigInteger.valueOf(1_000_000)).longValueExact();

        final boolean finite = method == Method.EQUAL_LOSSES || method == Method.TALMUD;
        final boolean demandWeighs = method == Method.PROPORTIONAL || ReferenceAllocator.isDivisor(method);
        // every value below this keeps sums of n values <= 2^63 - 1
        final long valueLimit = Math.min(MAX, Long.MAX_VALUE / n);
        final long[] demandPool = {units(rnd, l, supplyLots, valueLimit), units(rnd, l, supplyLots, valueLimit)};
        // huge weights also with small lots: weights never enter the lot count, only the comparisons
        final boolean hugeWeights = huge || rnd.nextInt(10) == 0;
        final long[] weightPool =
            {weightValue(rnd, hugeWeights, n, valueLimit), weightValue(rnd, hugeWeights, n, valueLimit)};
        // weights that are small multiples of one base make exact priority ties across different awards
        // (D'Hondt 2K/2 = K/1, Dean 9K/t(1) = 5K/t(2) ...), also with a base near 2^62 / 12
        final long multipleBase = rnd.nextInt(7) != 0 ? 0 :
            rnd.nextBoolean() ? 1 + rnd.nextInt(1000) : valueLimit / 12 - rnd.nextInt(1000);
        final int tiers = 1 + rnd.nextInt(3);
        final int[] tierValues = {0, 1 + rnd.nextInt(2), 3 + rnd.nextInt(5)};

        final String[] id = new String[n];
        final long[] demand = new long[n];
        final long[] weight = new long[n];
        final int[] tier = new int[n];
        final long[] cap = new long[n];
        final long[] floor = new long[n];
        long floorBudget = Long.MAX_VALUE;
        for (int i = 0; i < n; i++)
        {
            id[i] = rnd.nextInt(5) == 0 ? "claim-" + i + "-" + Integer.toHexString(rnd.nextInt(4096)) : "c" + i;
            tier[i] = tierValues[rnd.nextInt(tiers)];
            demand[i] = !finite && rnd.nextInt(5) == 0 ? Claims.ABSENT :
                rnd.nextInt(3) == 0 ? demandPool[rnd.nextInt(2)] : units(rnd, l, supplyLots, valueLimit);
            if (!method.usesWeight() && rnd.nextInt(3) != 0)
            {
                weight[i] = Claims.ABSENT;
            }
            else
            {
                final boolean weightNeeded = demandWeighs && demand[i] == Claims.ABSENT;
                weight[i] = weight(rnd, method, weightNeeded, multipleBase, weightPool, hugeWeights, n, valueLimit);
            }
            cap[i] = rnd.nextInt(4) == 0 ? units(rnd, l, supplyLots, valueLimit) : Claims.ABSENT;

            // the largest floor that keeps lo <= hi: hi lots times the lot
            long bound = Long.MAX_VALUE;
            if (demand[i] != Claims.ABSENT)
            {
                bound = demand[i];
            }
            if (cap[i] != Claims.ABSENT)
            {
                bound = Math.min(bound, cap[i]);
            }
            if (shareUnits >= 0)
            {
                bound = Math.min(bound, shareUnits);
            }
            final long maxFloor = bound == Long.MAX_VALUE ? Math.min(valueLimit, supply) : (bound / l) * l;
            floor[i] = floor(rnd, Math.min(maxFloor, floorBudget));
            floorBudget -= floor[i];
        }
        return new Problem(supply, method, lot, ppm, id, demand, weight, tier, cap, floor);
    }

    /** A lot size: mostly small (0 = 1), or near 2^50..2^56 for a huge problem. */
    private static long lot(final Random rnd, final boolean huge)
    {
        if (huge)
        {
            return rnd.nextBoolean() ? 1L << (50 + rnd.nextInt(7)) : (1L << 50) + (long)(rnd.nextDouble() * (1L << 55));
        }
        final long[] lots = {0, 1, 1, 1, 1, 2, 3, 8, 10};
        return lots[rnd.nextInt(lots.length)];
    }

    /** A concentration limit: mostly none (0), sometimes any ppm, sometimes a round share. */
    private static int sharePpm(final Random rnd)
    {
        switch (rnd.nextInt(10))
        {
            case 0:
                return 1 + rnd.nextInt(1_000_000);
            case 1:
                return new int[] {1_000_000, 500_000, 333_333, 250_000, 100_000}[rnd.nextInt(5)];
            default:
                return 0;
        }
    }

    /**
     * A weight for a method that uses weights (or, a third of the time, for one that does not): absent unless the
     * claim needs one, zero, a multiple of a base (exact priority ties), one of a small pool, or a fresh value.
     */
    private static long weight(
        final Random rnd, final Method method, final boolean weightNeeded, final long multipleBase,
        final long[] weightPool, final boolean hugeWeights, final int n, final long valueLimit)
    {
        final int r = rnd.nextInt(10);
        if (r < 4 && !weightNeeded)
        {
            return Claims.ABSENT;
        }
        if (r == 4 && method != Method.EQUAL_LOSSES)
        {
            return 0;
        }
        if (multipleBase > 0)
        {
            return multipleBase * (1 + rnd.nextInt(12));
        }
        if (r < 7)
        {
            return weightPool[rnd.nextInt(2)];
        }
        return weightValue(rnd, hugeWeights, n, valueLimit);
    }

    /** A floor up to {@code maxFloor}: mostly zero, sometimes anywhere up to it, sometimes exactly it. */
    private static long floor(final Random rnd, final long maxFloor)
    {
        final int f = rnd.nextInt(20);
        if (f < 11 || maxFloor <= 0)
        {
            return 0;
        }
        if (f < 16)
        {
            return Math.min((long)(rnd.nextDouble() * (maxFloor + 1.0)), maxFloor);
        }
        return maxFloor;
    }

    /** A number of units around the supply: a whole number of lots, sometimes plus a part lot. */
    private static long units(final Random rnd, final long l, final long supplyLots, final long limit)
    {
        final long lots = (long)(rnd.nextDouble() * (supplyLots * (rnd.nextBoolean() ? 0.6 : 1.3) + 2));
        final long extra = rnd.nextInt(3) == 0 ? (long)(rnd.nextDouble() * l) : 0;
        final double scaled = (double)lots * l + extra;
        if (scaled >= limit)
        {
            return limit - (long)(rnd.nextDouble() * 1000);
        }
        return lots * l + extra;
    }

    private static long weightValue(final Random rnd, final boolean huge, final int n, final long limit)
    {
        if (huge && rnd.nextBoolean())
        {
            // near the top of the range: the kernel's 128/256-bit comparisons are exercised
            return limit - (long)(rnd.nextDouble() * (limit >> 4));
        }
        switch (rnd.nextInt(4))
        {
            case 0:
                return 1;
            case 1:
                return 1 + rnd.nextInt(6);
            case 2:
                return 1 + rnd.nextInt(1000);
            default:
                return 1 + (long)(rnd.nextDouble() * 1e12);
        }
    }

    /** @return an invalid problem from {@code seed}: a valid one with one to three rules broken. */
    public static Problem invalid(final long seed)
    {
        final Random rnd = new Random(seed);
        final Problem base = valid(rnd, METHODS[rnd.nextInt(METHODS.length)], DEFAULT);
        long supply = base.supply;
        Method method = base.method;
        long lot = base.lot;
        int ppm = base.ppm;
        final String[] id = base.id.clone();
        final long[] demand = base.demand.clone();
        final long[] weight = base.weight.clone();
        final int[] tier = base.tier.clone();
        final long[] cap = base.cap.clone();
        final long[] floor = base.floor.clone();
        final int n = id.length;
        final int breaks = 1 + rnd.nextInt(3);
        for (int b = 0; b < breaks; b++)
        {
            final int i = rnd.nextInt(n);
            switch (rnd.nextInt(17))
            {
                case 0:
                    supply = rnd.nextBoolean() ? -1 - rnd.nextInt(1000) : MAX + 1 + rnd.nextInt(1000);
                    break;
                case 1:
                    method = null;
                    break;
                case 2:
                    lot = rnd.nextBoolean() ? -1 - rnd.nextInt(8) : Long.MAX_VALUE;
                    break;
                case 3:
                    ppm = rnd.nextBoolean() ? -1 - rnd.nextInt(10) : 1_000_001 + rnd.nextInt(1000);
                    break;
                case 4:
                    id[i] = "";
                    break;
                case 5:
                    // a duplicate of another claim's id (empty when there is no other)
                    id[i] = n > 1 ? id[(i + 1 + rnd.nextInt(n - 1)) % n] : "";
                    break;
                case 6:
                    demand[i] = -1 - rnd.nextInt(100);
                    break;
                case 7:
                    weight[i] = rnd.nextBoolean() ? -1 : MAX + 1;
                    break;
                case 8:
                    cap[i] = -5;
                    break;
                case 9:
                    floor[i] = rnd.nextBoolean() ? -1 : MAX + 7;
                    break;
                case 10:
                    tier[i] = -1 - rnd.nextInt(3);
                    break;
                case 11:
                    // floor above the claim's bound
                    demand[i] = 10;
                    cap[i] = Claims.ABSENT;
                    weight[i] = 1;
                    floor[i] = 10 + Math.max(1, lot <= 0 ? 1 : Math.min(lot, MAX - 20));
                    break;
                case 12:
                    method = Method.EQUAL_LOSSES;
                    demand[i] = Claims.ABSENT;
                    break;
                case 13:
                    method = Method.EQUAL_LOSSES;
                    weight[i] = 0;
                    break;
                case 14:
                    method = rnd.nextBoolean() ? Method.PROPORTIONAL : Method.SAINTE_LAGUE;
                    demand[i] = Claims.ABSENT;
                    weight[i] = Claims.ABSENT;
                    break;
                case 15:
                    method = Method.TALMUD;
                    demand[i] = Claims.ABSENT;
                    break;
                default:
                    unboundedMaxFloors(demand, weight, cap, floor);
                    supply = MAX;
                    lot = 1;
                    ppm = 0;
                    method = Method.FIFO;
                    break;
            }
        }
        return new Problem(supply, method, lot, ppm, id, demand, weight, tier, cap, floor);
    }

    /**
     * Totals that cannot be represented: floors of 2^62 on unbounded claims (one claim alone gets a floor above the
     * largest value instead).
     */
    private static void unboundedMaxFloors(
        final long[] demand, final long[] weight, final long[] cap, final long[] floor)
    {
        final int n = demand.length;
        for (int k = 0; k < n; k++)
        {
            demand[k] = Claims.ABSENT;
            weight[k] = 1;
            cap[k] = Claims.ABSENT;
            floor[k] = MAX;
        }
        if (n == 1)
        {
            floor[0] = MAX + 1;
        }
    }
}
