package io.tranche.bench.kernel;

import io.tranche.kernel.Claims;

import java.util.SplittableRandom;

/**
 * Seeded claim sets shaped like real rationing problems: a few very large firms and a long
 * Pareto tail, total demand 1.6 times the supply so that every problem is rationed.
 * <p>
 * Two shapes: {@link #TAIL} is one tier with demands only (the problem every textbook baseline
 * solves too); {@link #TIERED} adds a priority tier, caps and floors (only the kernel solves it).
 * The same (shape, claims, supply) always gives the same problem, on every machine.
 */
public final class Problems
{
    /** One tier, demands only, weights default. */
    public static final String TAIL = "tail";
    /** Two tiers (about 5% of the claims in tier 0), caps on every fourth claim, floors on every tenth. */
    public static final String TIERED = "tiered";

    /** The seed every suite uses. */
    public static final long SEED = 0x7261_6e63_6865L;

    /** Share of the total demand held by the largest firms (when the problem has more than 3 claims). */
    private static final double[] LARGE_FIRMS = {0.18, 0.09, 0.05};

    private Problems()
    {
    }

    /**
     * Demands of the {@link #TAIL} shape: a few very large firms at seeded positions, the rest a Pareto
     * tail (alpha 1.16, the "80/20" exponent), every demand at least 1, total about 1.6 × supply.
     *
     * @param claims number of claims.
     * @param supply the supply the problem is rationing.
     * @return demands in queue order.
     */
    public static long[] demands(final int claims, final long supply)
    {
        final SplittableRandom random = new SplittableRandom(SEED ^ claims * 31L ^ supply);
        final double[] raw = new double[claims];
        double tail = 0;
        for (int i = 0; i < claims; i++)
        {
            final double u = 1.0 - random.nextDouble();
            raw[i] = Math.pow(u, -1.0 / 1.16);
            tail += raw[i];
        }
        if (claims > LARGE_FIRMS.length)
        {
            // Large firms take fixed shares of the total, the tail shares the remainder.
            double large = 0;
            for (final double share : LARGE_FIRMS)
            {
                large += share;
            }
            final double scale = (1.0 - large) / tail;
            for (int i = 0; i < claims; i++)
            {
                raw[i] *= scale;
            }
            for (final double share : LARGE_FIRMS)
            {
                raw[random.nextInt(claims)] = share;
            }
        }
        double total = 0;
        for (final double r : raw)
        {
            total += r;
        }
        final double target = 1.6 * supply;
        final long[] demand = new long[claims];
        for (int i = 0; i < claims; i++)
        {
            demand[i] = Math.max(1L, (long)(raw[i] / total * target));
        }
        return demand;
    }

    /**
     * Fills {@code out} with the problem.
     *
     * @param shape  {@link #TAIL} or {@link #TIERED}.
     * @param claims number of claims.
     * @param supply the supply.
     * @param out    cleared and filled.
     */
    public static void fill(final String shape, final int claims, final long supply, final Claims out)
    {
        final long[] demand = demands(claims, supply);
        out.clear();
        out.ensureCapacity(claims);
        final boolean tiered = TIERED.equals(shape);
        if (!tiered && !TAIL.equals(shape))
        {
            throw new IllegalArgumentException("shape=" + shape + " need " + TAIL + " or " + TIERED);
        }
        final SplittableRandom random = new SplittableRandom(SEED + claims);
        // Floors stay small: together at most a tenth of the supply.
        final long floorUnit = Math.max(0, supply / 10 / Math.max(1, claims / 10 + 1));
        for (int i = 0; i < claims; i++)
        {
            if (!tiered)
            {
                out.add(demand[i], Claims.ABSENT, 0, Claims.ABSENT, 0);
                continue;
            }
            // Tier 0 (priority customers) is small enough to be served in full, so tier 1 is rationed.
            final int tier = claims > 2 && random.nextInt(20) == 0 ? 0 : 1;
            final long d = tier == 0 ? Math.max(1, demand[i] / 8) : demand[i];
            final long cap = i % 4 == 3 ? Math.max(1, d / 2) : Claims.ABSENT;
            final long bound = cap == Claims.ABSENT ? d : cap;
            final long floor = i % 10 == 7 ? Math.min(bound, floorUnit) : 0;
            out.add(d, Claims.ABSENT, tier, cap, floor);
        }
    }
}
