package io.tranche.kernel;

import java.util.Arrays;

/**
 * A highest-averages (divisor) method: the greedy process of SEMANTICS.md — start from the floors and
 * give each next lot to the claim of greatest priority {@code w / t(a)} — computed without looping
 * per lot.
 * <p>
 * The greedy awards are exactly the lots that come first in one total order (priority, descending,
 * then queue position), because each claim's own lots come in strictly falling priority. So:
 * <ol>
 * <li>find the level λ = N/D of the relaxed problem Σ clamp(λ·w, lo, hi) = T exactly: read off the first
 * pass when no bound can bind (no floors, every bound at least its weight, λ ≤ 1), else with the level
 * methods' {@link LevelSolver} (one pass when no bound binds, else a breakpoint search);</li>
 * <li>take every lot whose priority is at least 1/λ: a_i = clamp(#{n : t(n) ≤ λ·w_i}, lo_i, hi_i),
 * decided exactly (below λ = 1 mostly from λ as a 0.64 fixed-point fraction, one product per claim). That
 * set is a prefix of the order (a valid apportionment for its own total), and its total is within the
 * number of claims of T; moving λ by the error over the free weight brings it within the rounding noise;</li>
 * <li>round once more at a level on the far side of T, listing the claims whose award differs: the lots
 * between the two prefixes are the next (or last) ones, so selection or a heap over those claims alone
 * finishes. Large errors (blocks of tied priorities) select over the whole tier or go through a bounded
 * heap.</li>
 * </ol>
 * Cost O(n log n) whatever the target. Priorities are compared by exact cross-multiplication
 * ({@link Int128}, {@link WideMath}), never in floating point. No allocation in {@link #split}.
 */
abstract class DivisorMethod implements Rule
{
    /** Corrections of at least this many lots select their claims ({@link #correctBySelection}). */
    private static final int BULK_CORRECTION = 256;

    /** The largest level numerator {@link #roundNear} and {@link #correctByBracket} move to. */
    private static final long MAX_LEVEL = 1L << 62;

    /** Heap orders: which claim sits on top. */
    private static final int ADD_FIRST_ON_TOP = 0;
    private static final int ADD_LAST_ON_TOP = 1;
    private static final int REMOVE_LAST_ON_TOP = 2;
    private static final int REMOVE_FIRST_ON_TOP = 3;

    /** Weights below this have a counter each in {@link #firstLotsOnly}'s histogram; larger ones one per bit length. */
    private static final int SMALL_WEIGHTS = 64;
    /** The bucket of a weight of bit length b ≥ 7 ({@link #SMALL_WEIGHTS} and above) is b + this. */
    private static final int BIT_LENGTH_OFFSET = SMALL_WEIGHTS - 7;
    /** {@link #firstLotsOnly}'s buckets: 0 (no weight, or not competing for a first lot) to bit length 63. */
    private static final int WEIGHT_BUCKETS = BIT_LENGTH_OFFSET + 64;

    /** True when t(0) = 0: a claim's first lot has infinite priority (Adams, Dean, Huntington–Hill). */
    private final boolean infiniteFirstLot;
    /** Scratch limbs for 256-bit products. */
    protected final long[] wide = new long[8];
    /** The 128-bit division of {@link #roundAll}, prepared once per common denominator. */
    private final Int128 div = new Int128();
    /** The denominator {@link #reciprocalValue} was computed for (0: none). */
    private long reciprocalDivisor;
    /** {@code Long.divideUnsigned(-1L, reciprocalDivisor)}. */
    private long reciprocalValue;
    /** Lots the heap added or removed in the last split: the jump's error, kept for tests. */
    long lastCorrection;
    /** True when the last split's correction selected its claims by quickselect, kept for tests. */
    boolean lastCorrectionBySelection;
    /** True when, in addition, each selected claim took or gave exactly one lot (no heap), kept for tests. */
    boolean lastCorrectionOneLotEach;
    /** True when the last split's correction rounded at the selected lot's priority, kept for tests. */
    boolean lastCorrectionByThreshold;
    /**
     * From this ⌊λ·w⌋ on, Dean's and Huntington–Hill's estimates test the fraction against ½ less the pass's gap
     * ({@link #gapFrom}) instead of against their threshold by a product: the band left undecided is then at most
     * 1/256 (Dean) or 1/512 (Huntington–Hill) of the fractions, and narrower where the pass's counts are larger.
     */
    static final long SHORT_THRESHOLD_FROM = 64;

    /**
     * @param u U = L + w for a fraction L/2^64 below ½ and a weight w ≤ 2^62, so U &lt; 2^63 + 2^62 (no wrap).
     * @param g a gap, 1 to 2^62.
     * @return 1 when U + g ≤ 2^63 (so U &lt; 2^63 too), else 0: the fraction below U/2^64 is then at most
     *     ½ − g/2^64. One add and a sign bit: no products or branches (the short estimates' whole cost per claim).
     *     Where L ≥ 2^63 the caller's up decides and this is not read.
     */
    static long belowHalfBy(final long u, final long g)
    {
        return ~(u + (g - 1)) >>> 63;
    }

    /**
     * The smallest weight competing in the current split (0 before one): every count q a pass of the split reads is
     * at least ⌊λ·minWeight⌋ for that pass's λ.
     */
    private long minWeight;
    /**
     * For the pass under way ({@link #levelFraction}): the gap below ½ that {@link #lotsUpToEstimate} may test a
     * fraction against without a product, for every count q ≥ {@link #SHORT_THRESHOLD_FROM} the pass can read
     * ({@link #gapFrom}).
     */
    long estimateGap;
    /** True when every count of the pass under way is at least {@link #SHORT_THRESHOLD_FROM}. */
    boolean shortPass;

    /**
     * @param q a count of the pass under way.
     * @return true when {@link #lotsUpToEstimate} tests its fraction against ½ less {@link #estimateGap} (q is at
     *     least {@link #SHORT_THRESHOLD_FROM}, known for the whole pass when {@link #shortPass}).
     */
    final boolean shortEstimate(final long q)
    {
        return shortPass || q >= SHORT_THRESHOLD_FROM;
    }

    /** {@link #compareByHalves} could not tell: the exact comparison must run. */
    static final int UNDECIDED = 2;

    /**
     * Dean's and Huntington–Hill's priorities w/t(n) ordered by Sainte-Laguë's, without their 250-bit products. For
     * X = 2n + 1 both have X − 1/X ≤ 2t(n) ≤ X (Dean's 2t(n) = X − 1/X; Huntington–Hill's √(X² − 1)), so
     * w_i·2t(n_j) lies in [A − w_i/X_j, A] for A = w_i·X_j, and w_j·2t(n_i) in [B − w_j/X_i, B] for B = w_j·X_i.
     * When A exceeds B by more than w_i/X_j (read off X_j's bit length, rounded up), the first priority is the
     * higher; when B exceeds A by more than w_j/X_i, the second. Priorities that close are left to the caller.
     *
     * @param wi weight, 0 ≤ wi &lt; 2^63.
     * @param ni lots held, below 2^62.
     * @param wj weight, 0 ≤ wj &lt; 2^63.
     * @param nj lots held, below 2^62.
     * @return −1 or 1 as the first priority is below or above the second, else {@link #UNDECIDED}.
     */
    static int compareByHalves(final long wi, final long ni, final long wj, final long nj)
    {
        final long xi = 2 * ni + 1;
        final long xj = 2 * nj + 1;
        final long aLow = wi * xj;
        final long bLow = wj * xi;
        // D = A − B in 128 bits: both products are below 2^126, so their signed high words serve
        final long low = aLow - bLow;
        final long borrow = Long.compareUnsigned(aLow, bLow) < 0 ? 1 : 0;
        final long high = Math.multiplyHigh(wi, xj) - Math.multiplyHigh(wj, xi) - borrow;
        if (high == 0)
        {
            return Long.compareUnsigned(low, (wi >>> 63 - Long.numberOfLeadingZeros(xj)) + 1) > 0 ? 1 : UNDECIDED;
        }
        if (high == -1)
        {
            return Long.compareUnsigned(-low, (wj >>> 63 - Long.numberOfLeadingZeros(xi)) + 1) > 0 ? -1 : UNDECIDED;
        }
        return high > 0 ? 1 : -1;
    }

    /** Tiers of at most this many claims, this many lots off after the first rounding, go straight to the heap. */
    static final int SMALL_TIER = 8;
    /** Cleared by tests only: tied first lots then go through the other routes ({@link #onesFirstLots}). */
    boolean onesRoute = true;
    /** Cleared by tests only: large errors at a jump then go through the selection ({@link #correctBySelection}). */
    boolean jumpRoute = true;
    /** True when the last split's correction rounded at a priority read off a jump of the total, for tests. */
    boolean lastCorrectionAtJump;
    /** True when the last split's correction took its lots from a bracket of two levels, kept for tests. */
    boolean lastCorrectionByBracket;
    /** True when the last split's bracket left one lot, found by one scan of the listed claims, kept for tests. */
    boolean lastCorrectionFirstByScan;
    /** True when the last split's correction went straight to the heap over a small tier, kept for tests. */
    boolean lastCorrectionSmallTier;
    /** True when the last split rounded at its weight-1 claims' first lots ({@link #onesFirstLots}), for tests. */
    boolean lastCorrectionAtOnes;
    /** True when the last split took its relaxed level without the solver (no bound could bind), for tests. */
    boolean lastLevelUnbound;
    /** Levels the bracket's listed claims alone were rounded at ({@link #narrowBracket}), counted for tests. */
    long bracketSteps;
    /** True when the last split gave first lots only ({@link #firstLotsOnly}), kept for tests. */
    boolean lastFirstLotsOnly;
    /** {@link #firstLotsOnly}'s histogram of the weights competing for a first lot, by {@link #weightBucket}. */
    private final int[] weightCounts = new int[WEIGHT_BUCKETS];
    /** Set by {@link #thresholdInBucket}: the weights of the bucket strictly above the threshold. */
    private int bucketAbove;
    /** True when the last split came from the claims' columns ({@link CommonCase#divisor}), kept for tests. */
    boolean lastFromColumns;
    /** True when, in addition, the pass read the demand column alone (plain claims), kept for tests. */
    boolean lastFromPlainColumns;
    /**
     * True while a split from the claims' columns has not written lo = 0 and the identity order into the workspace
     * ({@link CommonCase#divisor} leaves them to {@link #writeColumns} on a small tier).
     */
    boolean columnsPending;
    /** Roundings of the whole tier the last split's {@link #roundNear} made, kept for tests. */
    int nearRoundings;
    /** The level numerator of the awards {@link #roundNear} left. */
    private long nearLevel;
    /** The slope of {@link #roundNear}'s last move: {@link #nearSlopeLevels} levels per this many lots. */
    private long nearSlopeLots;
    /** See {@link #nearSlopeLots}. */
    private long nearSlopeLevels;
    /** The nearest level {@link #roundNear} rounded at on the other side of the target (0: none). */
    private long acrossLevel;
    /** The total of the rounding at {@link #acrossLevel}. */
    private long acrossSum;
    /** The level across the target at which {@link #roundNear} found the total jumping past it (0: none). */
    private long jumpLevel;

    DivisorMethod(final boolean infiniteFirstLot)
    {
        this.infiniteFirstLot = infiniteFirstLot;
    }

    /**
     * The number of lots n ≥ 0 with t(n) ≤ x, for x = q + r/d.
     *
     * @param q ⌊x⌋, below 2^62.
     * @param r remainder, {@code 0 ≤ r < d}.
     * @param d denominator, {@code 1 ≤ d < 2^63}.
     * @return the count; one of q and q + 1.
     */
    abstract long lotsUpTo(long q, long r, long d);

    /**
     * The number of lots n ≥ 0 with t(n) ≤ x when all that is known is ⌊x⌋ and that the fractional part f of
     * x lies in [L, L + w)/2^64 (read unsigned; L + w ≤ 2^64).
     *
     * @param q ⌊x⌋, below 2^62.
     * @param low L.
     * @param w the width of the interval, w &gt; 0.
     * @return the count, or −1 when the interval does not decide it.
     */
    abstract long lotsUpToEstimate(long q, long low, long w);

    /**
     * The gap G for {@link #lotsUpToEstimate}'s short test (Dean and Huntington–Hill; 0 for the others): a fraction
     * U/2^64 with U + G ≤ 2^63 lies below the threshold of every count q ≥ max(qMin, {@link #SHORT_THRESHOLD_FROM}).
     *
     * @param qMin a lower bound on the counts of the pass, 0 ≤ qMin &lt; 2^62.
     * @return G, a power of two.
     */
    long gapFrom(final long qMin)
    {
        return 0;
    }

    /**
     * The exact priority of lot n + 1 (after n lots) of a claim of weight w, for explanations (a cold path:
     * it allocates). The one statement of t(n) as a rational beside the exact comparisons below.
     *
     * @param weight w ≥ 0.
     * @param n      lots held, n ≥ 0.
     * @return w / t(n) (its square where t(n) is irrational); infinite where t(n) = 0.
     */
    abstract Explainer.Fraction priority(long weight, long n);

    /**
     * Compares the finite priorities w_i / t(n_i) and w_j / t(n_j) exactly (t(n) &gt; 0 for both).
     *
     * @return negative, zero or positive as the first priority is below, equal to or above the second.
     */
    abstract int compareFinite(long wi, long ni, long wj, long nj);

    /**
     * Writes the level λ = t(k) / w at which lot k (finite t(k) &gt; 0) of a claim of weight w becomes
     * due, as {@link #lotLevelNumerator} / {@link #lotLevelDenominator}, both below 2^63.
     *
     * @return false when t(k) is not rational (Dean, Huntington–Hill) or a term does not fit.
     */
    boolean lotLevel(final long w, final long k)
    {
        return false;
    }

    /** Output of {@link #lotLevel}. */
    long lotLevelNumerator;
    /** Output of {@link #lotLevel}. */
    long lotLevelDenominator;

    /**
     * @return the sign of the average rounding error per claim: −1 when rounding tends to lose lots
     * (D'Hondt rounds down), +1 when it tends to gain (Adams rounds up), 0 otherwise.
     */
    int roundingBias()
    {
        return 0;
    }

    @Override
    public final void split(final Workspace ws, final int from, final int to, final long target)
    {
        final int[] order = ws.order;
        final long[] lo = ws.lo;
        final long[] hi = ws.hi;
        final long[] w = ws.w;
        final long[] a = ws.award;

        long sumLo = 0;
        long sumHi = 0;
        long fixed = 0;
        int active = 0;
        // competing claims still at 0: the lots they can take first (infinite priority under Adams, Dean, HH)
        long firstLots = 0;
        long sumW = 0;
        long ones = 0;
        // true while no competing claim has a floor or a bound below min(weight, target): then no bound binds at
        // λ = (target − fixed) / Σw ≤ 1, since λ·w ≤ w and λ·w ≤ target − fixed (w ≤ Σw)
        boolean loose = true;
        long minW = Long.MAX_VALUE;
        for (int k = from; k < to; k++)
        {
            final int i = order[k];
            final long loI = lo[i];
            final long hiI = hi[i];
            sumLo += loI;
            sumHi = Lots.saturatingAdd(sumHi, hiI);
            // A claim without weight or without headroom never competes for a lot.
            if (w[i] == 0 || loI >= hiI)
            {
                a[i] = loI;
                fixed += loI;
            }
            else
            {
                active++;
                firstLots += loI == 0 ? 1 : 0;
                sumW += w[i];
                ones += w[i] == 1 ? 1 : 0;
                loose &= loI == 0 & hiI >= Math.min(w[i], target);
                minW = Math.min(minW, w[i]);
            }
        }
        lastFromColumns = false;
        lastFromPlainColumns = false;
        columnsPending = false;
        splitFromSums(ws, from, to, target, sumLo, sumHi, fixed, active, firstLots, sumW, ones, loose, minW);
    }

    /**
     * {@link #split} after its first pass, from that pass's sums: also the entry of the common problem, whose one
     * pass over the claims' columns writes the bounds columns and these sums ({@link CommonCase#divisor}).
     *
     * @param sumLo     Σlo over the tier.
     * @param sumHi     Σhi over the tier, saturating.
     * @param fixed     Σlo of the claims that do not compete (no weight or no headroom); their awards are written.
     * @param active    the competing claims.
     * @param firstLots the competing claims with lo = 0.
     * @param sumW      Σw of the competing claims.
     * @param ones      the competing claims of weight 1.
     * @param loose     true when no competing claim has a floor or a bound below min(its weight, target).
     * @param minW      the smallest weight of the competing claims.
     */
    final void splitFromSums(
        final Workspace ws, final int from, final int to, final long target, final long sumLo, final long sumHi,
        final long fixed, final int active, final long firstLots, final long sumW, final long ones,
        final boolean loose, final long minW)
    {
        minWeight = active == 0 ? 0 : minW;
        final int[] order = ws.order;
        final long[] lo = ws.lo;
        final long[] hi = ws.hi;
        final long[] w = ws.w;
        final long[] a = ws.award;
        clearLastRoute();
        if (target <= sumLo || target >= sumHi || active == 0)
        {
            writeColumns(ws, from, to);
            final boolean all = target >= sumHi;
            for (int k = from; k < to; k++)
            {
                final int i = order[k];
                a[i] = all ? hi[i] : lo[i];
            }
            return;
        }

        if (infiniteFirstLot && target - sumLo <= firstLots)
        {
            writeColumns(ws, from, to);
        }
        lastFirstLotsOnly =
            infiniteFirstLot && target - sumLo <= firstLots && firstLotsOnly(ws, from, to, target - sumLo);
        if (lastFirstLotsOnly)
        {
            return;
        }

        lastLevelUnbound = loose && target - fixed <= sumW;
        if (lastLevelUnbound && ones >= BULK_CORRECTION && !infiniteFirstLot && onesRoute)
        {
            writeColumns(ws, from, to);
            if (onesFirstLots(ws.solver.indexScratch(), order, from, to, lo, hi, w, a, fixed, target, sumW, ones))
            {
                lastCorrectionAtOnes = true;
                return;
            }
        }

        // Step 1: the level λ = n/d with Σ clamp(λ·w_i, lo_i, hi_i) = target.
        long n;
        final long d;
        final long freeClaims;
        if (lastLevelUnbound)
        {
            // No floor, every bound at least min(weight, target) and λ = (target − fixed) / Σw ≤ 1: no bound binds,
            // so that is the level, with every competing claim free; the solver's passes are not needed.
            n = target - fixed;
            d = sumW;
            freeClaims = active;
        }
        else
        {
            writeColumns(ws, from, to);
            final LevelSolver solver = LevelMethods.columns(ws, from, to);
            solver.solve(to - from, target, false);
            n = solver.levelNumerator();
            d = solver.den;
            freeClaims = solver.freeClaims();
        }
        // d is the weight of the claims free at λ, so moving n by k moves the relaxed total by at most
        // k (exactly k while no bound starts to bind): pre-compensate the average rounding bias (half a
        // lot per free claim under D'Hondt and Adams, Pukelsheim's rule of thumb), saving a refinement.
        final long compensated = n - roundingBias() * (freeClaims >>> 1);
        if (compensated > 0)
        {
            n = compensated;
        }

        // Step 2: every lot of priority ≥ 1/λ, the level moved until the total is within the rounding noise.
        // At level 0 a rule whose first lot has a finite priority gives the floors alone. Under a rule that rounds
        // down (D'Hondt) that is the secant's first point: the chord through it reads the slope of the rounded
        // total off the first rounding (a third of the relaxed slope on the benchmark's tail at 1M claims and
        // 400,000 lots). Sainte-Laguë's total jumps at λ = ½ there (the weight-1 claims' first lots), and the
        // chord would leap across the jump: it takes the first move by the error alone.
        final long origin = roundingBias() < 0 && !infiniteFirstLot ? fixed + sumLo : -1;
        final long sum = roundNear(order, from, to, lo, hi, w, a, n, d, fixed, target, active, origin);
        n = nearLevel;

        // Step 3: at most about one lot per claim to add or remove.
        lastCorrection = Math.abs(sum - target);
        if (sum != target)
        {
            correctError(ws.solver.indexScratch(), order, from, to, ws, n, d, sum, fixed, target, active);
        }
    }

    /**
     * Writes lo = 0 and the identity order over the tier when the split came from the claims' columns without them
     * ({@link #columnsPending}): the routes that read them call this first; the common rounding and the bracket
     * read neither (the bracket writes lo for the claims it lists).
     */
    private void writeColumns(final Workspace ws, final int from, final int to)
    {
        if (columnsPending)
        {
            final long[] lo = ws.lo;
            final int[] order = ws.order;
            for (int k = from; k < to; k++)
            {
                lo[k] = 0;
                order[k] = k;
            }
            columnsPending = false;
        }
    }

    /** Forgets which route the previous split took (the {@code last*} fields tests read). */
    private void clearLastRoute()
    {
        lastFirstLotsOnly = false;
        lastCorrectionAtOnes = false;
        lastCorrection = 0;
        lastCorrectionBySelection = false;
        lastCorrectionOneLotEach = false;
        lastCorrectionByThreshold = false;
        lastCorrectionByBracket = false;
        lastCorrectionFirstByScan = false;
        lastCorrectionAtJump = false;
        lastCorrectionSmallTier = false;
    }

    /** Step 3 of {@link #split}: brings the total {@code sum} of the rounding at λ = n/d to the target. */
    private void correctError(
        final int[] scratch, final int[] order, final int from, final int to, final Workspace ws, final long n,
        final long d, final long sum, final long fixed, final long target, final int active)
    {
        final long[] lo = ws.lo;
        final long[] hi = ws.hi;
        final long[] w = ws.w;
        final long[] a = ws.award;
        final boolean adding = sum < target;
        final long count = adding ? target - sum : sum - target;
        if (to - from <= SMALL_TIER && count <= SMALL_TIER)
        {
            // A few claims a few lots off: the heap over them all costs less than a bracket's second rounding.
            writeColumns(ws, from, to);
            correct(scratch, order, from, to, lo, hi, w, a, adding, count);
            lastCorrectionSmallTier = true;
            return;
        }
        if (count <= bracketReach(active) &&
            correctByBracket(scratch, order, from, to, lo, hi, w, a, n, d, sum, target))
        {
            lastCorrectionByBracket = true;
            return;
        }
        writeColumns(ws, from, to);
        if (count >= BULK_CORRECTION && jumpLevel != 0 && jumpRoute &&
            correctAtJump(scratch, order, from, to, lo, hi, w, a, d, adding, fixed, target))
        {
            lastCorrectionAtJump = true;
            return;
        }
        if (count < BULK_CORRECTION ||
            !correctBySelection(scratch, order, from, to, lo, hi, w, a, adding, count, fixed, target))
        {
            correct(scratch, order, from, to, lo, hi, w, a, adding, count);
        }
    }

    /**
     * A large correction (the benchmark's Pareto tail: hundreds of thousands of claims of weight 1 or 2
     * whose lots tie) through selection instead of a bounded heap over every claim: the {@code count}
     * claims whose next lot comes first are found by quickselect in pop order, expected O(n) instead
     * of O(n log count). Only they can be touched (any other claim has {@code count} lots ahead of its
     * own). When no selected claim's second lot would come before the last one selected, each takes
     * exactly one lot (each claim's own lots come in strict greedy order, so the selected lots are then
     * exactly the first {@code count} of the order); otherwise the selected claims go through the heap.
     *
     * @return false (nothing changed) when the selection's work budget ran out; the full heap then runs.
     */
    private boolean correctBySelection(
        final int[] idx, final int[] order, final int from, final int to, final long[] lo, final long[] hi,
        final long[] w, final long[] a, final boolean adding, final long count, final long fixed, final long target)
    {
        final int popMode = adding ? ADD_FIRST_ON_TOP : REMOVE_LAST_ON_TOP;
        int size = 0;
        for (int k = from; k < to; k++)
        {
            final int i = order[k];
            if (w[i] != 0 && (adding ? a[i] < hi[i] : a[i] > lo[i]))
            {
                idx[size++] = i;
            }
        }
        final int c = (int)Math.min(count, size);
        if (c < size && !selectFirst(idx, size, c, w, a, popMode))
        {
            return false;
        }
        if (c == count && oneLotEach(idx, c, lo, hi, w, a, adding, popMode))
        {
            final long step = adding ? 1 : -1;
            for (int k = 0; k < c; k++)
            {
                a[idx[k]] += step;
            }
            lastCorrectionBySelection = true;
            lastCorrectionOneLotEach = true;
            return true;
        }
        lastCorrectionBySelection = true;
        if (c == count && thresholdRound(idx, c, order, from, to, lo, hi, w, a, adding, fixed, target))
        {
            return true;
        }
        popLots(idx, c, hi, lo, w, a, adding, count);
        return true;
    }

    /**
     * A block of tied first lots: the many claims of weight 1 (the benchmark's Pareto tail) all take their first
     * lot at one priority P = 1/t(0), where the total jumps by their number. When the target lies within that
     * jump by the relaxed estimate (the other claims' weight times t(0) below it, that plus the block above it),
     * rounding exactly at P awards every lot of priority ≥ P at once, and the ties at P are given up from the
     * last queue position ({@link #thresholdRound}): the search for the jump ({@link #roundNear}, which takes up
     * to five roundings to find it) is skipped. Any level's rounding is a prefix of the greedy order, so a wrong
     * estimate costs a rounding, never exactness: the rounding at P falling short leaves the general path to run.
     *
     * @return false when the route did not apply or its rounding fell short (the awards are then overwritten).
     */
    private boolean onesFirstLots(
        final int[] idx, final int[] order, final int from, final int to, final long[] lo, final long[] hi,
        final long[] w, final long[] a, final long fixed, final long target, final long sumW, final long ones)
    {
        if (!lotLevel(1, 0) || lotLevelNumerator > lotLevelDenominator)
        {
            return false;
        }
        // the others' relaxed total at λ = t(0): below the jump, and the block on top of it
        final long below = fixed + scaleLevel(sumW - ones, lotLevelNumerator, lotLevelDenominator);
        if (below >= target || target - below >= ones)
        {
            return false;
        }
        long excess = roundAll(order, from, to, lo, hi, w, a, lotLevelNumerator, lotLevelDenominator, fixed) - target;
        if (excess < 0)
        {
            return false;
        }
        excess = giveUpTies(order, from, to, lo, hi, w, a, 1, 0, excess);
        if (excess > bracketReach(to - from))
        {
            return false;
        }
        if (excess != 0)
        {
            correct(idx, order, from, to, lo, hi, w, a, false, excess);
        }
        return true;
    }

    /**
     * A large error left where {@link #roundNear} found the total jumping across the target between its level and
     * {@link #jumpLevel}: a block of tied priorities holds the target (the benchmark's tail under Sainte-Laguë at
     * 1M claims and 400,000 lots, where the million weight-1 claims' first lots have priority 2). Most lots
     * between the two levels are then the block's, so the first claim whose award differs at the jump level gives
     * the candidate priority P (its next lot, or its last when removing), found by a scan that stops there; then
     * {@link #thresholdRound} rounds at P and gives up the ties at P from the last queue position. Where P is not
     * the block's priority the rounding at P is still a prefix of the greedy order and the heap finishes from it,
     * exactly; the selection of the error's claims over the whole tier (quickselect with 128-bit comparisons, or a
     * heap once its budget is spent) is what this replaces.
     *
     * @return false (nothing changed) when no claim differs or P's level is not a fraction of longs.
     */
    private boolean correctAtJump(
        final int[] idx, final int[] order, final int from, final int to, final long[] lo, final long[] hi,
        final long[] w, final long[] a, final long d, final boolean adding, final long fixed, final long target)
    {
        final long m = jumpLevel;
        final long reciprocal = reciprocal(d);
        final long fraction = levelFraction(m, d);
        for (int k = from; k < to; k++)
        {
            final int i = order[k];
            final long wI = w[i];
            final long loI = lo[i];
            final long hiI = hi[i];
            if (wI != 0 && loI < hiI && roundOne(wI, loI, hiI, m, d, reciprocal, fraction) != a[i])
            {
                idx[0] = i;
                return thresholdRound(idx, 1, order, from, to, lo, hi, w, a, adding, fixed, target);
            }
        }
        return false;
    }

    /**
     * Some selected claims take or give more than one lot (the Pareto tail under D'Hondt or Sainte-Laguë at
     * fewer lots than claims: hundreds of thousands of weight-1 claims tie at one priority P while the
     * largest claims move by thousands of lots), so a heap would pop every lot. Instead: P is the priority
     * of the last selected lot; rounding at λ = 1/P awards every lot of priority ≥ P, exactly, in one pass;
     * that is a prefix of the greedy order holding at least the lots with priority above P, and the ties at
     * exactly P (one lot per claim at most) are given up from the last queue position. What is left, when
     * the lots at P are too few or too many, goes through the heap ({@link #correct}), from a prefix.
     *
     * @return false (nothing changed) when P's level is not a fraction of longs (Dean, Huntington–Hill, an
     * infinite-priority first lot).
     */
    private boolean thresholdRound(
        final int[] idx, final int c, final int[] order, final int from, final int to, final long[] lo,
        final long[] hi, final long[] w, final long[] a, final boolean adding, final long fixed, final long target)
    {
        final int popMode = adding ? ADD_FIRST_ON_TOP : REMOVE_LAST_ON_TOP;
        int last = idx[0];
        for (int k = 1; k < c; k++)
        {
            if (above(w, a, last, idx[k], popMode))
            {
                last = idx[k];
            }
        }
        final long wLast = w[last];
        final long kLast = adding ? a[last] : a[last] - 1;
        if (infiniteFirstLot && kLast == 0 || !lotLevel(wLast, kLast))
        {
            return false;
        }
        lastCorrectionByThreshold = true;
        final long sum = roundAll(order, from, to, lo, hi, w, a, lotLevelNumerator, lotLevelDenominator, fixed);
        final long excess = giveUpTies(order, from, to, lo, hi, w, a, wLast, kLast, sum - target);
        if (excess != 0)
        {
            correct(idx, order, from, to, lo, hi, w, a, excess < 0, Math.abs(excess));
        }
        return true;
    }

    /**
     * Gives up, from the last queue position, lots whose priority is exactly that of lot {@code kLast} of a claim of
     * weight {@code wLast} (each claim's last lot held), while {@code excess} &gt; 0: on a rounding at that
     * priority, the ties come last in the greedy order in reverse queue order, so what is left is a prefix.
     *
     * @return the excess left.
     */
    private long giveUpTies(
        final int[] order, final int from, final int to, final long[] lo, final long[] hi, final long[] w,
        final long[] a, final long wLast, final long kLast, final long excess)
    {
        long left = excess;
        for (int k = to - 1; k >= from && left > 0; k--)
        {
            final int i = order[k];
            final long ai = a[i];
            if (w[i] != 0 && ai > lo[i] && lo[i] < hi[i] && !(infiniteFirstLot && ai == 1) &&
                compareFinite(w[i], ai - 1, wLast, kLast) == 0)
            {
                a[i] = ai - 1;
                left--;
            }
        }
        return left;
    }

    /** True when no claim of {@code idx[0..c)} has a second lot before the last of their next lots in pop order. */
    private boolean oneLotEach(
        final int[] idx, final int c, final long[] lo, final long[] hi, final long[] w, final long[] a,
        final boolean adding, final int popMode)
    {
        int last = idx[0];
        for (int k = 1; k < c; k++)
        {
            if (above(w, a, last, idx[k], popMode))
            {
                last = idx[k];
            }
        }
        for (int k = 0; k < c; k++)
        {
            final int i = idx[k];
            if (adding ? a[i] + 1 < hi[i] && ahead(w, i, a[i] + 1, last, a[last]) :
                a[i] - 1 > lo[i] && ahead(w, last, a[last] - 1, i, a[i] - 2))
            {
                return false;
            }
        }
        return true;
    }

    /** Swaps into {@code idx[0]} the claim of {@code idx[0..size)} that comes first in the given pop order. */
    private void firstToFront(final int[] idx, final int size, final long[] w, final long[] a, final int mode)
    {
        int best = 0;
        for (int k = 1; k < size; k++)
        {
            if (above(w, a, idx[k], idx[best], mode))
            {
                best = k;
            }
        }
        final int t = idx[0];
        idx[0] = idx[best];
        idx[best] = t;
    }

    /**
     * Partially orders {@code idx[0..size)} so that its first {@code c} entries are the claims whose
     * next lot comes first in the given pop order: quickselect with median-of-three pivots.
     *
     * @return false when a linear work budget ran out (the heap then takes over).
     */
    private boolean selectFirst(
        final int[] idx, final int size, final int c, final long[] w, final long[] a, final int mode)
    {
        int left = 0;
        int right = size - 1;
        final int target = c - 1;
        long budget = 6L * size + 64;
        while (left < right)
        {
            budget -= right - left + 1;
            if (budget < 0)
            {
                return false;
            }
            final int mid = (left + right) >>> 1;
            int x = idx[left];
            int y = idx[mid];
            int z = idx[right];
            // median of three in pop order
            if (above(w, a, y, x, mode))
            {
                final int t = x;
                x = y;
                y = t;
            }
            if (above(w, a, z, y, mode))
            {
                y = above(w, a, z, x, mode) ? x : z;
            }
            final int pivot = y;
            int i = left;
            int j = right;
            while (i <= j)
            {
                while (idx[i] != pivot && above(w, a, idx[i], pivot, mode))
                {
                    i++;
                }
                while (idx[j] != pivot && above(w, a, pivot, idx[j], mode))
                {
                    j--;
                }
                if (i <= j)
                {
                    final int t = idx[i];
                    idx[i] = idx[j];
                    idx[j] = t;
                    i++;
                    j--;
                }
            }
            if (target <= j)
            {
                right = j;
            }
            else if (target >= i)
            {
                left = i;
            }
            else
            {
                return true;
            }
        }
        return true;
    }

    /**
     * Rounds at λ = n/d, then moves n toward the target while the total is outside the rounding noise (up to four
     * more roundings). The first move is by the total's distance (d is the free weight, so a shift of k moves the
     * relaxed total by k); later moves read the slope off the last two roundings (a secant), and once levels on
     * both sides of the target are known they interpolate between the nearest two. The rounded total can move
     * far slower than the relaxed one (the benchmark's Pareto tail under D'Hondt at 400,000 lots for 1M claims:
     * the million claims of weight 1 round to 0 all the way to λ = 1, a third of the relaxed slope), where moving
     * by the distance alone left tens of thousands of lots to the correction. Any level is exact; the moves only
     * choose which. Leaves for {@link #correctByBracket} the slope of the last move ({@link #nearSlopeLevels} per
     * {@link #nearSlopeLots}) and the nearest level known on the other side of the target ({@link #acrossLevel}).
     *
     * @return the total of the awards left in {@code a}.
     */
    private long roundNear(
        final int[] order, final int from, final int to, final long[] lo, final long[] hi, final long[] w,
        final long[] a, final long level, final long d, final long fixed, final long target, final int active,
        final long origin)
    {
        final long noise = bracketReach(active);
        long n = level;
        long sum = roundAll(order, from, to, lo, hi, w, a, n, d, fixed);
        nearRoundings = 1;
        long below = 0;
        long belowSum = 0;
        long above = 0;
        long aboveSum = 0;
        boolean secant = origin >= 0;
        long previous = 0;
        long previousSum = origin;
        nearSlopeLevels = 1;
        nearSlopeLots = 1;
        jumpLevel = 0;
        for (int pass = 0; pass < 4 && Math.abs(sum - target) > noise; pass++)
        {
            if (sum < target)
            {
                below = n;
                belowSum = sum;
            }
            else
            {
                above = n;
                aboveSum = sum;
            }
            final long next;
            if (below != 0 && above != 0)
            {
                // strictly inside the bracket, by interpolation (the total is monotone in the level)
                final long span = above - below;
                if (span <= 1)
                {
                    break;
                }
                final long move = scaleLevel(target - belowSum, span, aboveSum - belowSum);
                next = below + Math.max(1, Math.min(span - 1, move));
            }
            else
            {
                final long error = Math.abs(target - sum);
                final long move = !secant || previousSum == sum ?
                    error : scaleLevel(error, Math.abs(n - previous), Math.abs(sum - previousSum));
                next = sum < target ? n + Math.min(move, MAX_LEVEL - n) : move < n ? n - move : n >>> 1;
                if (next <= 0 || next == n)
                {
                    break;
                }
            }
            final long nextSum = roundAll(order, from, to, lo, hi, w, a, next, d, fixed);
            nearRoundings++;
            if (nextSum < target != sum < target && Math.abs(nextSum - target) >= Math.abs(sum - target))
            {
                // Across the target and no nearer: a jump of the total (a block of tied priorities, such as the
                // million weight-1 claims' first lots under Sainte-Laguë), which moving the level does not narrow.
                // Keep the nearer level and let the correction finish.
                acrossLevel = next;
                acrossSum = nextSum;
                jumpLevel = next;
                nearLevel = n;
                nearRoundings++;
                return roundAll(order, from, to, lo, hi, w, a, n, d, fixed);
            }
            secant = true;
            previous = n;
            previousSum = sum;
            n = next;
            sum = nextSum;
        }
        if (secant && previousSum != sum)
        {
            nearSlopeLevels = Math.abs(n - previous);
            nearSlopeLots = Math.abs(sum - previousSum);
        }
        acrossLevel = sum < target ? above : sum > target ? below : 0;
        acrossSum = sum < target ? aboveSum : belowSum;
        nearLevel = n;
        return sum;
    }

    /**
     * The largest error {@link #correctByBracket} takes: a rounding left within it is not repeated. Its pass lists
     * about twice the error's claims, which a few of its narrowing steps round again: at up to a thirty-second of
     * the tier that costs less than another rounding of the whole tier (Adams at 1M claims and S = 10^12 ends its
     * first rounding about 21,000 lots off, which a sixty-fourth did not reach).
     *
     * @param active the competing claims.
     * @return the reach in lots.
     */
    private static long bracketReach(final int active)
    {
        return 8 + (active >>> 5);
    }

    /**
     * @return ⌊lots · levels / perLots⌋ (all three non-negative, {@code perLots} &gt; 0), at most {@link #MAX_LEVEL}:
     * the level move that a slope of {@code levels} per {@code perLots} lots gives for {@code lots} lots.
     */
    static long scaleLevel(final long lots, final long levels, final long perLots)
    {
        final long high = Int128.multiplyHighUnsigned(lots, levels);
        if (Long.compareUnsigned(high, perLots) >= 0)
        {
            return MAX_LEVEL;
        }
        final long move = Int128.quotientUnsigned(high, lots * levels, perLots);
        return move < 0 || move > MAX_LEVEL ? MAX_LEVEL : move;
    }

    /**
     * Adams, Dean and Huntington–Hill give a claim's first lot infinite priority. When the lots beyond
     * the floors ({@code rest}) are no more than the competing claims still at 0, every one of them is
     * such a first lot, and they go to the {@code rest} largest weights, ties to the earlier position.
     * <p>
     * One pass histograms those claims' weights ({@link #weightBucket}: one counter per weight below
     * {@link #SMALL_WEIGHTS}, one per bit length above); the bucket that holds the rest-th largest weight is read
     * off the counts. A small weight's bucket holds that one value, so the threshold and the number of weights
     * above it are known at once; otherwise a second pass gathers that bucket's weights alone and selects among
     * them ({@link LongSort#kthLargest}). The last pass writes the awards: one lot above the threshold, one to
     * the earliest claims at it while lots remain. O(n), no allocation.
     *
     * @return false (and nothing written) when the case does not apply.
     */
    private boolean firstLotsOnly(final Workspace ws, final int from, final int to, final long rest)
    {
        final int[] order = ws.order;
        final long[] lo = ws.lo;
        final long[] hi = ws.hi;
        final long[] w = ws.w;
        final int[] counts = weightCounts;
        Arrays.fill(counts, 0);
        for (int k = from; k < to; k++)
        {
            final int i = order[k];
            // bucket 0 (weight 0) collects the claims that do not compete for a first lot
            counts[lo[i] == 0 & hi[i] > 0 ? weightBucket(w[i]) : 0]++;
        }
        int above = 0;
        int bucket = WEIGHT_BUCKETS - 1;
        while (bucket > 0 && above + counts[bucket] < rest)
        {
            above += counts[bucket];
            bucket--;
        }
        if (bucket == 0 || rest < 1)
        {
            return false;
        }
        final int r = (int)rest;
        final long threshold;
        final int greater;
        if (bucket < SMALL_WEIGHTS)
        {
            threshold = bucket;
            greater = above;
        }
        else
        {
            threshold = thresholdInBucket(ws, from, to, bucket - BIT_LENGTH_OFFSET, counts[bucket], r - above);
            greater = above + bucketAbove;
        }
        writeFirstLots(ws, from, to, threshold, r - greater);
        return true;
    }

    /**
     * @return the {@code rank}-th largest weight of bit length {@code bits} among the claims competing for a first
     * lot ({@code size} of them), gathered into the solver's free column; the number of them strictly above it is
     * left in {@link #bucketAbove}.
     */
    private long thresholdInBucket(
        final Workspace ws, final int from, final int to, final int bits, final int size, final int rank)
    {
        final int[] order = ws.order;
        final long[] lo = ws.lo;
        final long[] hi = ws.hi;
        final long[] w = ws.w;
        // the solver's gather columns are free until the level is solved
        final long[] weights = ws.solver.ownLo;
        final long least = 1L << (bits - 1);
        final long most = least - 1 + least;
        int m = 0;
        for (int k = from; k < to && m < size; k++)
        {
            final int i = order[k];
            final long wi = w[i];
            if (wi >= least && wi <= most && lo[i] == 0 && hi[i] > 0)
            {
                weights[m++] = wi;
            }
        }
        final long threshold = LongSort.kthLargest(weights, ws.solver.ownHi, m, rank);
        int strictlyAbove = 0;
        for (int j = 0; j < m; j++)
        {
            strictlyAbove += weights[j] > threshold ? 1 : 0;
        }
        bucketAbove = strictlyAbove;
        return threshold;
    }

    /**
     * Writes the awards of {@link #firstLotsOnly}: the floor, plus one lot for a claim at 0 competing with a weight
     * above {@code threshold}, and for the first {@code ties} such claims at it in queue order.
     */
    private static void writeFirstLots(
        final Workspace ws, final int from, final int to, final long threshold, final int ties)
    {
        final int[] order = ws.order;
        final long[] lo = ws.lo;
        final long[] hi = ws.hi;
        final long[] w = ws.w;
        final long[] a = ws.award;
        int left = ties;
        for (int k = from; k < to; k++)
        {
            final int i = order[k];
            long award = lo[i];
            if (award == 0 && hi[i] > 0 && w[i] != 0)
            {
                final long wi = w[i];
                if (wi > threshold)
                {
                    award = 1;
                }
                else if (wi == threshold && left > 0)
                {
                    award = 1;
                    left--;
                }
            }
            a[i] = award;
        }
    }

    /**
     * @return the histogram bucket of a weight (non-negative): the weight itself below {@link #SMALL_WEIGHTS},
     * else its bit length plus {@link #BIT_LENGTH_OFFSET}; larger weights never fall in a lower bucket.
     */
    private static int weightBucket(final long weight)
    {
        return weight < SMALL_WEIGHTS ? (int)weight : BIT_LENGTH_OFFSET + 64 - Long.numberOfLeadingZeros(weight);
    }

    /**
     * Sets each competing claim to clamp(#{lots with t(k) ≤ λ·w}, lo, hi) for λ = n/d, exactly.
     *
     * @return the total award of the tier.
     */
    private long roundAll(
        final int[] order, final int from, final int to, final long[] lo, final long[] hi, final long[] w,
        final long[] a, final long n, final long d, final long fixed)
    {
        long sum = fixed;
        // For Int128.quotientByReciprocal: a multiply per claim instead of a hardware division (the profile's
        // largest pass at 1M)
        final long reciprocal = reciprocal(d);
        final long fraction = levelFraction(n, d);
        // The common problem's columns (CommonCase#divisor) hold the identity order and no floors: the loop, split
        // on that invariant by the compiler, then reads neither column.
        final boolean columns = lastFromColumns;
        for (int k = from; k < to; k++)
        {
            final int i = columns ? k : order[k];
            final long wI = w[i];
            final long loI = columns ? 0 : lo[i];
            final long hiI = hi[i];
            if (wI == 0 || loI >= hiI)
            {
                continue;
            }
            final long award = roundOne(wI, loI, hiI, n, d, reciprocal, fraction);
            a[i] = award;
            sum += award;
        }
        return sum;
    }

    /**
     * @return λ = n/d below 1 as a 0.64 fixed-point fraction ⌊n·2^64/d⌋ for {@link #roundOne}'s short route,
     * or 0 (no short route) when λ ≥ 1.
     */
    private long levelFraction(final long n, final long d)
    {
        // by the invariant divisor d (the free weight, the same on every pass and usually from call to call):
        // the same quotient as Knuth's division, bit for bit, with two multiplications
        if (n >= d)
        {
            return 0;
        }
        final long fraction = div.divideByInvariant(n, 0, d);
        // ⌊minWeight·F / 2^64⌋, as roundOne reads each count: no count of the pass is below it
        final long qMin = Math.multiplyHigh(minWeight, fraction) + (fraction >> 63 & minWeight);
        estimateGap = gapFrom(qMin);
        shortPass = qMin >= SHORT_THRESHOLD_FROM;
        return fraction;
    }

    /**
     * @return {@code Long.divideUnsigned(-1L, d)} for {@link Int128#quotientByReciprocal}, kept from the last
     * pass with the same denominator.
     */
    private long reciprocal(final long d)
    {
        if (d != reciprocalDivisor)
        {
            reciprocalValue = Long.divideUnsigned(-1L, d);
            reciprocalDivisor = d;
        }
        return reciprocalValue;
    }

    /**
     * @return clamp(#{lots with t(k) ≤ λ·w}, lo, hi) for λ = n/d, exactly; the claim competes (w &gt; 0, lo &lt; hi).
     * With λ &lt; 1 given as the fraction F = ⌊λ·2^64⌋ (≠ 0), w·F = H·2^64 + L, and when L + w ≤ 2^64,
     * ⌊λw⌋ = H and the fractional part of λw lies in [L, L + w)/2^64: {@link #lotsUpToEstimate} decides
     * from that most claims without a 128-bit division.
     */
    private long roundOne(
        final long wI, final long loI, final long hiI, final long n, final long d, final long reciprocal,
        final long fraction)
    {
        if (fraction != 0)
        {
            final long low = wI * fraction;
            if (Long.compareUnsigned(low, -wI) <= 0)
            {
                // ⌊w·F / 2^64⌋ for F read unsigned (w ≥ 0): the signed high word, plus w where F ≥ 2^63
                final long lots = lotsUpToEstimate(Math.multiplyHigh(wI, fraction) + (fraction >> 63 & wI), low, wI);
                if (lots >= 0)
                {
                    return lots < loI ? loI : lots > hiI ? hiI : lots;
                }
            }
        }
        final long pHigh = Math.multiplyHigh(n, wI);
        final long pLow = n * wI;
        long q;
        long r;
        if (pHigh == 0 && pLow >= 0)
        {
            q = Int128.quotientByReciprocal(pLow, d, reciprocal);
            r = pLow - q * d;
        }
        else if (Int128.compareUnsigned(pHigh, pLow, Math.multiplyHigh(hiI, d), hiI * d) >= 0)
        {
            return hiI;
        }
        else
        {
            q = div.divideByInvariant(pHigh, pLow, d);
            r = div.remainder;
        }
        if (q >= hiI)
        {
            return hiI;
        }
        final long award = lotsUpTo(q, r, d);
        return award < loI ? loI : award > hiI ? hiI : award;
    }

    /**
     * The correction of a small error from a bracket: {@code a} holds the rounding at λ = n/d (total
     * {@code sum}); one more pass rounds at a level on the far side of the target, by twice the error plus a
     * margin, without writing the awards, and lists the claims whose award differs there. Both roundings are
     * prefixes of the greedy order, so the lots between them are the next (or last) ones, and they belong to
     * the listed claims only: those go through the selection or the heap, never the whole tier.
     *
     * @return false (nothing changed) when the second level does not reach across the target (a bound binds
     * or a block of ties moves less than expected); the general correction then runs.
     */
    private boolean correctByBracket(
        final int[] idx, final int[] order, final int from, final int to, final long[] lo, final long[] hi,
        final long[] w, final long[] a, final long n, final long d, final long sum, final long target)
    {
        final boolean adding = sum < target;
        final long count = adding ? target - sum : sum - target;
        // twice the error plus a margin, at the slope of the last move (a level already rounded across the
        // target is taken when no farther); a few lots take the error plus three, as every claim listed beyond
        // the error's own costs comparisons of priorities
        final long shift = scaleLevel(count <= SMALL_TIER ? count + 3 : 2 * count + 4, nearSlopeLevels, nearSlopeLots);
        final long known = acrossLevel;
        final boolean takeKnown = known != 0 && Math.abs(known - n) <= shift;
        final long far = takeKnown ? known : adding ? n + Math.min(shift, MAX_LEVEL - n) : n - shift;
        if (far <= 0 || far == n || far < n != !adding)
        {
            return false;
        }
        final long reciprocal = reciprocal(d);
        final long fraction = levelFraction(far, d);
        long farSum = sum;
        int size = 0;
        // as in roundAll
        final boolean columns = lastFromColumns;
        for (int k = from; k < to; k++)
        {
            final int i = columns ? k : order[k];
            final long wI = w[i];
            final long loI = columns ? 0 : lo[i];
            final long hiI = hi[i];
            if (wI == 0 || loI >= hiI)
            {
                continue;
            }
            final long award = roundOne(wI, loI, hiI, far, d, reciprocal, fraction);
            final long ai = a[i];
            if (award != ai)
            {
                // the listed claims' lo is read from here on (0 on the columns, written here alone)
                lo[i] = loI;
                idx[size++] = i;
                farSum += award - ai;
            }
        }
        if (adding ? farSum < target : farSum > target)
        {
            return false;
        }
        final long left = narrowBracket(idx, size, lo, hi, w, a, n, far, d, sum, farSum, target);
        if (left == 0)
        {
            return true;
        }
        // only claims that can still take (give) a lot stay listed
        int kept = 0;
        for (int k = 0; k < size; k++)
        {
            final int i = idx[k];
            if (adding ? a[i] < hi[i] : a[i] > lo[i])
            {
                idx[kept++] = i;
            }
        }
        size = kept;
        final int popMode = adding ? ADD_FIRST_ON_TOP : REMOVE_LAST_ON_TOP;
        final int c = (int)Math.min(left, size);
        if (c == 1)
        {
            // one lot: the claim whose next (last) lot comes first in pop order, by one scan
            firstToFront(idx, size, w, a, popMode);
            lastCorrectionFirstByScan = true;
        }
        else if (c < size && !selectFirst(idx, size, c, w, a, popMode))
        {
            popLots(idx, size, hi, lo, w, a, adding, left);
            return true;
        }
        if (c == left && oneLotEach(idx, c, lo, hi, w, a, adding, popMode))
        {
            final long step = adding ? 1 : -1;
            for (int k = 0; k < c; k++)
            {
                a[idx[k]] += step;
            }
            return true;
        }
        popLots(idx, c, hi, lo, w, a, adding, left);
        return true;
    }

    /**
     * Narrows a bracket by rounding its listed claims alone: between the roundings at n (in {@code a}, total
     * {@code sum}) and at {@code far} (total {@code farSum}, across the target) only the claims
     * {@code idx[0..size)} differ, and so at every level in between. Secant steps on the level move the near
     * side ({@code a}) toward the target until a few lots are left (those claims' lots then go through
     * selection or a heap, a few at a time), or the levels are adjacent.
     *
     * @return the lots still to add or remove.
     */
    private long narrowBracket(
        final int[] idx, final int size, final long[] lo, final long[] hi, final long[] w, final long[] a,
        final long n, final long far, final long d, final long sum, final long farSum, final long target)
    {
        final boolean adding = sum < target;
        final long reciprocal = reciprocal(d);
        long nearN = n;
        long nearSum = sum;
        long farN = far;
        long farTotal = farSum;
        for (int step = 0; step < 32; step++)
        {
            final long left = adding ? target - nearSum : nearSum - target;
            final long span = adding ? farN - nearN : nearN - farN;
            if (left <= 8 || span <= 1)
            {
                return left;
            }
            // the secant through both ends, strictly inside
            final long gap = adding ? farTotal - nearSum : nearSum - farTotal;
            final long move = Math.max(1, Math.min(span - 1, scaleLevel(left, span, gap)));
            final long mid = adding ? nearN + move : nearN - move;
            final long fraction = levelFraction(mid, d);
            bracketSteps++;
            long midSum = nearSum;
            for (int k = 0; k < size; k++)
            {
                final int i = idx[k];
                midSum += roundOne(w[i], lo[i], hi[i], mid, d, reciprocal, fraction) - a[i];
            }
            if (adding ? midSum <= target : midSum >= target)
            {
                for (int k = 0; k < size; k++)
                {
                    final int i = idx[k];
                    a[i] = roundOne(w[i], lo[i], hi[i], mid, d, reciprocal, fraction);
                }
                nearN = mid;
                nearSum = midSum;
            }
            else
            {
                farN = mid;
                farTotal = midSum;
            }
        }
        return adding ? target - nearSum : nearSum - target;
    }

    /**
     * True when lot n_i of claim i comes before lot n_j of claim j in the greedy order: greater
     * priority, then (infinite priorities) greater weight, then smaller queue position.
     */
    final boolean ahead(final long[] w, final int i, final long ni, final int j, final long nj)
    {
        final long wi = w[i];
        final long wj = w[j];
        int c;
        if (infiniteFirstLot && (ni == 0 || nj == 0))
        {
            c = ni == 0 ? (nj == 0 ? Long.compare(wi, wj) : 1) : -1;
        }
        else
        {
            c = compareFinite(wi, ni, wj, nj);
        }
        return c != 0 ? c > 0 : i < j;
    }

    /**
     * Gives ({@code adding}) or takes back {@code count} lots, one at a time in greedy order: the next
     * lot that comes first, or the last lot given that comes last. Only the {@code count} claims whose
     * first such lot is best can be touched (any other claim has {@code count} lots ahead of all of
     * its own), so they are selected in one pass with a bounded heap and only they enter the heap.
     */
    private void correct(
        final int[] heap, final int[] order, final int from, final int to, final long[] lo, final long[] hi,
        final long[] w, final long[] a,
        final boolean adding, final long count)
    {
        final int[] h = heap;
        final int keepMode = adding ? ADD_LAST_ON_TOP : REMOVE_FIRST_ON_TOP;
        final long limit = Math.min(count, Integer.MAX_VALUE);
        int size = 0;
        for (int k = from; k < to; k++)
        {
            final int i = order[k];
            if (w[i] == 0 || (adding ? a[i] >= hi[i] : a[i] <= lo[i]))
            {
                continue;
            }
            if (size < limit)
            {
                h[size] = i;
                siftUp(h, size, w, a, keepMode);
                size++;
            }
            else if (above(w, a, h[0], i, keepMode))
            {
                h[0] = i;
                siftDown(h, size, 0, w, a, keepMode);
            }
        }
        popLots(h, size, hi, lo, w, a, adding, count);
    }

    /** Heapifies {@code h[0..size)} in pop order and gives or takes back {@code count} lots one at a time. */
    private void popLots(
        final int[] h, final int heapSize, final long[] hi, final long[] lo, final long[] w, final long[] a,
        final boolean adding, final long count)
    {
        final int popMode = adding ? ADD_FIRST_ON_TOP : REMOVE_LAST_ON_TOP;
        int size = heapSize;
        for (int pos = (size >>> 1) - 1; pos >= 0; pos--)
        {
            siftDown(h, size, pos, w, a, popMode);
        }
        for (long left = count; left > 0 && size > 0; left--)
        {
            final int i = h[0];
            if (adding)
            {
                if (++a[i] >= hi[i])
                {
                    h[0] = h[--size];
                }
            }
            else
            {
                if (--a[i] <= lo[i])
                {
                    h[0] = h[--size];
                }
            }
            siftDown(h, size, 0, w, a, popMode);
        }
    }

    private void siftDown(final int[] h, final int size, final int pos, final long[] w, final long[] a, final int mode)
    {
        int p = pos;
        final int x = h[p];
        while (true)
        {
            final int left = 2 * p + 1;
            if (left >= size)
            {
                break;
            }
            int child = left;
            final int right = left + 1;
            if (right < size && above(w, a, h[right], h[left], mode))
            {
                child = right;
            }
            if (!above(w, a, h[child], x, mode))
            {
                break;
            }
            h[p] = h[child];
            p = child;
        }
        h[p] = x;
    }

    private void siftUp(final int[] h, final int pos, final long[] w, final long[] a, final int mode)
    {
        int p = pos;
        final int x = h[p];
        while (p > 0)
        {
            final int parent = (p - 1) >>> 1;
            if (!above(w, a, x, h[parent], mode))
            {
                break;
            }
            h[p] = h[parent];
            p = parent;
        }
        h[p] = x;
    }

    /** True when claim i belongs above claim j in a heap of the given order. */
    private boolean above(final long[] w, final long[] a, final int i, final int j, final int mode)
    {
        switch (mode)
        {
            case ADD_FIRST_ON_TOP:
                return ahead(w, i, a[i], j, a[j]);
            case ADD_LAST_ON_TOP:
                return ahead(w, j, a[j], i, a[i]);
            case REMOVE_LAST_ON_TOP:
                return ahead(w, j, a[j] - 1, i, a[i] - 1);
            default:
                return ahead(w, i, a[i] - 1, j, a[j] - 1);
        }
    }
}
