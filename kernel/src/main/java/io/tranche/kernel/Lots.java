package io.tranche.kernel;

/**
 * The arithmetic of lots and bounds (SEMANTICS.md "Units, lots, bounds"), shared by the validator and
 * the allocator: exact, no allocation.
 */
final class Lots
{
    /** Parts per million in a whole. */
    static final long PPM = 1_000_000L;

    private Lots()
    {
    }

    /** ⌊S · ppm / 10^6⌋ exactly, for S ≤ 2^62. */
    static long shareLimit(final long supply, final int ppm)
    {
        return (supply / PPM) * ppm + ((supply % PPM) * ppm) / PPM;
    }

    /** min(demand, cap, share) in whole lots; {@code unbounded} when all are absent. */
    static long upperBoundLots(
        final long demand, final long cap, final long shareUnits, final long lot, final long unbounded)
    {
        long units = Long.MAX_VALUE;
        if (demand != Claims.ABSENT)
        {
            units = demand;
        }
        if (cap != Claims.ABSENT && cap < units)
        {
            units = cap;
        }
        if (shareUnits != Claims.ABSENT && shareUnits < units)
        {
            units = shareUnits;
        }
        return units == Long.MAX_VALUE ? unbounded : lot == 1 ? units : units / lot;
    }

    /** ⌈x / y⌉ for x ≥ 0, y ≥ 1. */
    static long ceilDiv(final long x, final long y)
    {
        final long q = x / y;
        return q * y == x ? q : q + 1;
    }

    /** x + y for non-negative values, Long.MAX_VALUE when the sum overflows. */
    static long saturatingAdd(final long x, final long y)
    {
        final long s = x + y;
        return s < 0 ? Long.MAX_VALUE : s;
    }
}
