package io.tranche.kernel;

/**
 * The common problem without the framework's passes: one tier, no floors, lot 1, no share limit (caps
 * and weights allowed). Then every claim's bounds are {@code lo = 0} and {@code hi = min(demand, cap, S)},
 * and a rule can read the claims' own columns and write the awards in units straight into
 * {@link Claims#awardArray()}: no bounds columns, no tier order, no copy of the awards.
 * <p>
 * Each entry point checks that the problem is the common case while it does the method's own first pass
 * (stopping at the first floor or second tier it meets) and returns {@link #NOT_APPLICABLE} when it is not,
 * or when the fast route does not settle it (a bound binds at the level): the caller then runs the general
 * path, which overwrites every award. The results are the general path's, award for award
 * (CommonCaseTest forces both paths on the same problems).
 */
final class CommonCase
{
    /** Returned when the general path must run. */
    static final long NOT_APPLICABLE = -1;

    private CommonCase()
    {
    }

    /**
     * @return units allocated, or {@link #NOT_APPLICABLE}.
     */
    static long allocate(final long supply, final Method method, final Claims claims, final int n, final Workspace ws)
    {
        switch (method)
        {
            case FIFO:
                return fifo(supply, claims, n);
            case PROPORTIONAL:
                return level(supply, true, claims, n, ws.solver);
            case EQUAL:
                return level(supply, false, claims, n, ws.solver);
            default:
                return NOT_APPLICABLE;
        }
    }

    /** min(demand, cap, supply), an absent demand or cap being unbounded. */
    private static long bound(final long demand, final long cap, final long supply)
    {
        final long d = demand == Claims.ABSENT ? Long.MAX_VALUE : demand;
        final long c = cap == Claims.ABSENT ? Long.MAX_VALUE : cap;
        return Math.min(Math.min(d, c), supply);
    }

    /** FIFO in one pass: each claim in queue order takes its bound while units remain. */
    static long fifo(final long supply, final Claims claims, final int n)
    {
        final long[] demand = claims.demandArray();
        final long[] cap = claims.capArray();
        final long[] floor = claims.floorArray();
        final int[] tier = claims.tierArray();
        final long[] award = claims.awardArray();
        final int firstTier = tier[0];
        long rest = supply;
        for (int i = 0; i < n; i++)
        {
            if (floor[i] != 0 | tier[i] != firstTier)
            {
                return NOT_APPLICABLE;
            }
            final long add = Math.min(bound(demand[i], cap[i], supply), rest);
            award[i] = add;
            rest -= add;
        }
        return supply - rest;
    }

    /**
     * PROPORTIONAL ({@code demandWeight}) and EQUAL: the first pass checks the case and sums the weights and
     * bounds of the claims that compete; when no bound binds at λ = S / Σw (PROPORTIONAL on a rationed
     * problem without caps: λ &lt; 1 and w = demand), a second pass writes each share's integer part and
     * histograms the remainders, and the rounding pass adds the extra lots. EQUAL without weights needs
     * no division per claim: every competing claim gets ⌊S / m⌋ and the first S mod m one more.
     */
    static long level(
        final long supply, final boolean demandWeight, final Claims claims, final int n, final LevelSolver solver)
    {
        final long[] demand = claims.demandArray();
        final long[] weight = claims.weightArray();
        final long[] cap = claims.capArray();
        final long[] floor = claims.floorArray();
        final int[] tier = claims.tierArray();
        final int firstTier = tier[0];
        long sumW = 0;
        long sumH = 0;
        long minH = Long.MAX_VALUE;
        int competing = 0;
        boolean weights = false;
        for (int i = 0; i < n; i++)
        {
            if (floor[i] != 0 | tier[i] != firstTier)
            {
                return NOT_APPLICABLE;
            }
            final long d = demand[i];
            final long g = weight[i];
            final long h = bound(d, cap[i], supply);
            final long w = g != Claims.ABSENT ? g : demandWeight ? d : 1;
            weights |= g != Claims.ABSENT;
            if (w != 0 & h != 0)
            {
                sumW += w;
                sumH = Lots.saturatingAdd(sumH, h);
                minH = Math.min(minH, h);
                competing++;
            }
        }
        final long[] award = claims.awardArray();
        if (sumH <= supply || supply == 0)
        {
            // Every competing claim gets its bound (or, with no supply, every claim gets 0).
            final boolean full = supply != 0;
            for (int i = 0; i < n; i++)
            {
                final long g = weight[i];
                final long d = demand[i];
                final long w = g != Claims.ABSENT ? g : demandWeight ? d : 1;
                award[i] = full && w != 0 ? bound(d, cap[i], supply) : 0;
            }
            return full ? sumH : 0;
        }
        if (!demandWeight && !weights)
        {
            return equalShares(supply, claims, n, competing, minH);
        }
        if (!shares(supply, sumW, demandWeight, claims, n, solver))
        {
            return NOT_APPLICABLE;
        }
        solver.roundInPlace(n, supply, award);
        return supply;
    }

    /** EQUAL, every weight 1: ⌊S / m⌋ each and one more for the first S mod m, unless a bound binds there. */
    private static long equalShares(
        final long supply, final Claims claims, final int n, final int competing, final long minH)
    {
        final long q = supply / competing;
        final long r = supply - q * competing;
        if (minH < q || (minH == q && r != 0))
        {
            return NOT_APPLICABLE;
        }
        final long[] demand = claims.demandArray();
        final long[] cap = claims.capArray();
        final long[] award = claims.awardArray();
        long extra = r;
        for (int i = 0; i < n; i++)
        {
            final boolean competes = demand[i] != 0 & cap[i] != 0;
            final long one = competes & extra > 0 ? 1 : 0;
            award[i] = competes ? q + one : 0;
            extra -= one;
        }
        return supply;
    }

    /**
     * The exact shares {@code w·S / Σw} of every claim: integer part into {@code award}, remainder into the
     * solver's {@code num}, remainders histogrammed for {@link LevelSolver#roundInPlace}, as the solver's
     * strict evaluation does.
     *
     * @return false as soon as a bound binds.
     */
    private static boolean shares(
        final long supply, final long sumW, final boolean demandWeight, final Claims claims, final int n,
        final LevelSolver solver)
    {
        final long[] demand = claims.demandArray();
        final long[] weight = claims.weightArray();
        final long[] cap = claims.capArray();
        final long[] award = claims.awardArray();
        final long[] num = solver.num;
        final int[] histogram = solver.histogram;
        final Int128 div = solver.div;
        final long d = sumW;
        final int shift = LevelSolver.histogramShift(n, d);
        java.util.Arrays.fill(histogram, 0, (int)((d - 1) >>> shift) + 1, 0);
        final long reciprocal = Long.divideUnsigned(-1L, d);
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            final long g = weight[i];
            final long w = g != Claims.ABSENT ? g : demandWeight ? demand[i] : 1;
            final long h = bound(demand[i], cap[i], supply);
            long q = 0;
            long r = 0;
            if (w != 0 & h != 0)
            {
                final long pLo = w * supply;
                final long pHi = Int128.multiplyHighUnsigned(w, supply);
                if (pHi == 0)
                {
                    q = Int128.quotientByReciprocal(pLo, d, reciprocal);
                    r = pLo - q * d;
                }
                else
                {
                    // w ≤ Σw, so w·S / Σw ≤ S < 2^64: the high part is below d.
                    q = div.divideUnsigned(pHi, pLo, d);
                    r = div.remainder;
                }
                if (q > h || (q == h && r != 0))
                {
                    return false;
                }
            }
            award[i] = q;
            num[i] = r;
            sum += q;
            histogram[(int)(r >>> shift)]++;
        }
        solver.sharesWritten(d, supply, sum);
        return true;
    }
}
