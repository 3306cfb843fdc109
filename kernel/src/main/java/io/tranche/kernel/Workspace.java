package io.tranche.kernel;

/**
 * The one workspace of an {@link Allocator}, shared by every rule (only one runs at a time), all in
 * lots. Index {@code i} is the claim's queue position in {@link Claims}; {@link #order} lists the claims
 * grouped by tier (ascending), queue order inside a tier. Sized once and grown only on a cold path
 * ({@link #ensureCapacity}); 92 bytes per claim in all (see {@link #bytes}).
 */
final class Workspace
{
    /** Lower bound per claim, in lots. */
    long[] lo;
    /** Upper bound per claim, in lots (an unbounded claim gets the whole supply in lots). */
    long[] hi;
    /** Effective weight per claim (0 for TALMUD and FIFO, which do not use weights). */
    long[] w;
    /**
     * Award per claim, in lots: the output of a rule. At lot 1 it is the claims' own award column for the
     * call (lots are units: no copy); else {@link #ownAward}.
     */
    long[] award;
    /** The workspace's own award column. */
    long[] ownAward;
    /** Claim indices sorted by (tier, position). */
    int[] order;
    /**
     * The exact level solver of the level methods and of the divisor methods' relaxed level. Its
     * {@code base} and {@code num} columns double as the scratch of the sort by tier, which is done
     * before any rule runs.
     */
    final LevelSolver solver;
    int capacity;

    Workspace(final int capacity)
    {
        final int c = Math.max(1, capacity);
        solver = new LevelSolver(c);
        ensureCapacity(c);
    }

    void ensureCapacity(final int capacity)
    {
        if (capacity > this.capacity || lo == null)
        {
            final int c = Math.max(1, capacity);
            lo = new long[c];
            hi = new long[c];
            w = new long[c];
            ownAward = new long[c];
            award = ownAward;
            order = new int[c];
            solver.ensureCapacity(c);
            this.capacity = c;
        }
    }

    /** @return the bytes of the arrays this workspace holds (array headers excluded), for the memory test. */
    long bytes()
    {
        return 8L * (lo.length + hi.length + w.length + ownAward.length) + 4L * order.length +
            solver.bytes();
    }
}
