package io.tranche.kernel;

/**
 * Preallocated columns shared by the allocator and its rules, all in lots. Index {@code i} is the
 * claim's queue position in {@link Claims}; {@link #order} lists the claims grouped by tier
 * (ascending), queue order inside a tier.
 */
final class Workspace
{
    /** Lower bound per claim, in lots. */
    long[] lo;
    /** Upper bound per claim, in lots (an unbounded claim gets the whole supply in lots). */
    long[] hi;
    /** Effective weight per claim (0 for TALMUD and FIFO, which do not use weights). */
    long[] w;
    /** Award per claim, in lots: the output of a rule. */
    long[] award;
    /** Claim indices sorted by (tier, position). */
    int[] order;
    /** Scratch for sorting by (tier, position). */
    long[] keys;
    long[] keysScratch;
    int capacity;

    Workspace(final int capacity)
    {
        ensureCapacity(capacity);
    }

    void ensureCapacity(final int capacity)
    {
        if (capacity > this.capacity || lo == null)
        {
            final int c = Math.max(1, capacity);
            lo = new long[c];
            hi = new long[c];
            w = new long[c];
            award = new long[c];
            order = new int[c];
            keys = new long[c];
            keysScratch = new long[c];
            this.capacity = c;
        }
    }
}
