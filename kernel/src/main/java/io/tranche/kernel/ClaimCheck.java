package io.tranche.kernel;

/**
 * A caller's own check of one claim, run by {@link Allocator#validate} in queue order just before the kernel checks
 * that claim's fields, so that its violations sit among the kernel's in field order. The server checks ids this way:
 * the kernel knows claims by index only.
 */
public interface ClaimCheck
{
    /** Called once before the first claim of a validation. */
    void reset();

    /**
     * @param claim the claim's index (queue position).
     * @param out   receives the violations, e.g. {@code out.add(claim, Violations.Field.ID, 0, "must not be empty")}.
     */
    void check(int claim, Violations out);

    /**
     * {@link #check} of claims 0 to {@code n - 1} in order, when nothing else is checked between them (claims with
     * demands alone): an implementation may run them as one loop over its own columns.
     *
     * @param n   claims.
     * @param out receives the violations.
     */
    default void checkAll(final int n, final Violations out)
    {
        for (int i = 0; i < n; i++)
        {
            check(i, out);
        }
    }
}
