package io.tranche.kernel;

/**
 * One rationing rule applied inside one tier.
 * <p>
 * Contract: the claims are {@code ws.order[from..to)}, in queue order; their bounds are
 * {@code ws.lo[i] ≤ ws.hi[i]} (lots) and their effective weights {@code ws.w[i]}. The caller guarantees
 * {@code Σlo ≤ target ≤ Σhi} over those claims and {@code target ≤ 2^62}. The rule sets
 * {@code ws.award[i]} for each of them so that {@code lo ≤ award ≤ hi} and {@code Σaward == target},
 * as SPEC.md defines the method. No allocation, no exceptions, no floating point. A rule keeps no
 * per-claim state: its scratch is the shared {@link Workspace}.
 */
interface Rule
{
    /**
     * @param ws     the workspace holding bounds, weights and the award column.
     * @param from   first index into {@code ws.order}.
     * @param to     one past the last index into {@code ws.order}.
     * @param target lots to hand out to these claims, floors included.
     */
    void split(Workspace ws, int from, int to, long target);
}
