package io.tranche.kernel;

import java.util.Arrays;

/**
 * The exact core shared by the level methods: finds the level λ with
 * {@code Σ clamp(λ·w_k, lo_k, hi_k) = target} over {@code k < m}, writes each exact share
 * {@code x_k = base_k + num_k / den}, and rounds by largest remainder.
 * <p>
 * Inputs live in {@link #lo}, {@link #hi}, {@link #w} (filled by the caller) and are read as unsigned
 * 64-bit values, so that a method may work in half units (TALMUD) with bounds up to 2^63 and targets up
 * to 2^63. Free claims ({@code lo < hi}, {@code w > 0}) have {@code hi ≤ 2^62} and {@code w ≤ 2^62},
 * and {@code Σw < 2^63}. Claims with {@code lo == hi} or {@code w == 0} are fixed at {@code lo}.
 * <p>
 * Cost, independent of the target: one pass when no bound binds (the guess λ = target / Σw is checked
 * while the shares are computed). Otherwise {@link #search} brackets λ between breakpoints
 * {@code lo/w} and {@code hi/w} like quickselect, expected O(m) (a sampled first round on large tiers,
 * then median-of-three pivots), and falls back after a work budget to {@link #sweep}: sort the
 * breakpoints (merge sort on indices, exact cross-multiplied comparisons) and sweep once, O(m log m).
 * Rounding ({@link #round}) is two passes and a radix selection, O(m). No allocation: all scratch is
 * sized in {@link #ensureCapacity}. No floating point.
 */
final class LevelSolver
{
    private static final int RADIX_BITS = 11;
    private static final int HISTOGRAM_BITS = 16;
    /** Bits of {@link #reachedAt}. */
    private static final int REACHED_P = 1;
    private static final int REACHED_R = 2;

    /** Lower bound per claim (unsigned): {@link #ownLo} or the caller's column, read only. */
    long[] lo;
    /** Upper bound per claim (unsigned): {@link #ownHi} or the caller's column, read only. */
    long[] hi;
    /** Weight per claim (unsigned): {@link #ownW} or the caller's column, read only. */
    long[] w;
    /** Scratch columns for callers that transform or gather their inputs. */
    long[] ownLo;
    long[] ownHi;
    long[] ownW;
    /** Output: ⌊x_k⌋. */
    long[] base;
    /** Output: the fractional part of x_k is {@code num_k / den}. */
    long[] num;
    /** Output: the common denominator of every fractional part. */
    long den;
    /** Whether {@link #evaluate} histograms the remainders and sums the bases for {@link #round}. */
    private boolean histogramWanted;
    /** True when the histogram and {@link #baseSum} describe the current base and num. */
    private boolean histogramReady;
    private long baseSum;
    /** Set by {@link #select}: how many values equal to the selected one are within the requested rank. */
    private long tiesLeft;
    /** The level of the last shares written is {@code levelNumerator / den}. */
    private long levelNumerator;
    /** Claims strictly inside their bounds at that level (neither fixed nor clamped). */
    private int freeClaims;
    /** Levels {@link #unitLevel} settled, counted for tests (which route a problem took). */
    long unitLevels;
    /** Tiers from which {@link CommonCase} rounds in the pass that writes the shares (a field for tests). */
    int sampledFrom = SAMPLE_THRESHOLD;
    /** Half-width of that band in standard deviations (a field so that tests can make it miss). */
    double bandSigmas = 4;
    /** The band of remainders {@link CommonCase} placed from a sample: it lists the claims inside it. */
    long bandLow;
    long bandHigh;
    /** Left by {@link CommonCase}'s one-pass rounding: Σ⌊share⌋, and the claims given a lot above the band. */
    long bandSum;
    long bandAbove;
    /** Roundings {@link #settleBand} finished, and bands that missed the threshold, counted for tests. */
    long bandsSettled;
    long bandMisses;
    /** Problems {@link CommonCase} solved reading the demands alone ({@link Claims#plain()}), counted for tests. */
    long plainRoutes;
    /** Of those, the tiers of at most {@link CommonCase#TINY_TIER} claims rounded by counting, counted for tests. */
    long tinyRoutes;

    /** Claims in a sample of a large tier, and the tier size from which sampling starts to pay. */
    private static final int SAMPLE_SIZE = 4096;
    static final int SAMPLE_THRESHOLD = 8 * SAMPLE_SIZE;

    private LevelSolver sampler;
    private long pivotLowA;
    private long pivotLowB;
    private long pivotHighA;
    private long pivotHighB;
    private long pivotSeed;
    /** Running sums of {@link #search}: clamped bounds (C) and weights linear on the bracket (A). */
    private long settledC;
    private long settledA;

    private int[] events;
    private int[] eventsScratch;
    /** The sorted events of the last {@link #sortedEvents(int)} call. */
    private int[] sortedEvents;
    /** Remainder histogram of the rounding (also filled by {@link CommonCase}). */
    final int[] histogram = new int[1 << HISTOGRAM_BITS];
    final Int128 div = new Int128();
    /** Set by {@link #decidingBucket}: the extra lots that go to claims inside the deciding bucket. */
    private long extraInBucket;
    private int capacity;

    LevelSolver(final int capacity)
    {
        ensureCapacity(capacity);
    }

    void ensureCapacity(final int capacity)
    {
        if (capacity > this.capacity || ownLo == null)
        {
            final int c = Math.max(1, capacity);
            ownLo = new long[c];
            ownHi = new long[c];
            ownW = new long[c];
            lo = ownLo;
            hi = ownHi;
            w = ownW;
            base = new long[c];
            num = new long[c];
            events = new int[2 * c];
            eventsScratch = new int[2 * c];
            this.capacity = c;
            if (c >= SAMPLE_THRESHOLD && sampler == null)
            {
                sampler = new LevelSolver(SAMPLE_SIZE);
            }
        }
    }

    /**
     * @return an int scratch column of at least {@link #ensureCapacity capacity} entries that is free
     * between calls (the divisor methods' correction heap, after the level is solved).
     */
    int[] indexScratch()
    {
        return events;
    }

    /** @return bytes held in per-claim arrays (the fixed-size histogram and sampler excluded). */
    long bytes()
    {
        return 8L * (ownLo.length + ownHi.length + ownW.length + base.length + num.length) +
            4L * (events.length + eventsScratch.length);
    }

    /**
     * Solves for the exact shares of claims {@code 0..m)}: fills {@link #base}, {@link #num}, {@link #den}.
     * Requires {@code Σlo ≤ target ≤ Σhi} (unsigned).
     *
     * @param m      number of claims.
     * @param target    sum of the shares, unsigned.
     * @param histogram true when the shares go to {@link #round} unchanged: the last pass over them then
     *                  also prepares the rounding, which saves {@link #round} a pass.
     */
    void solve(final int m, final long target, final boolean histogram)
    {
        histogramWanted = histogram;
        histogramReady = false;
        final long[] lo = this.lo;
        final long[] hi = this.hi;
        final long[] w = this.w;
        long fixed = 0;
        long sumW = 0;
        for (int k = 0; k < m; k++)
        {
            final long l = lo[k];
            if (l == hi[k] || w[k] == 0)
            {
                fixed += l;
            }
            else
            {
                sumW += w[k];
            }
        }
        final long free = target - fixed;
        if (sumW == 0 || free == 0)
        {
            // Every claim sits at lo: λ = 0.
            evaluate(m, 0, 1, false);
            return;
        }
        // Guess that no bound binds: λ = free / Σw. Checking it costs nothing beyond computing the shares.
        if (evaluate(m, free, sumW, true))
        {
            return;
        }
        if (!search(m, free))
        {
            sweep(m, free);
        }
    }

    /**
     * The level of unit weights and zero lower bounds, {@code Σ min(bound_k, λ) = target}, by water-filling from
     * below: with λ at or below the answer, the claims whose bound is at most λ stay clamped at the answer, so
     * λ' = (target − Σ clamped bounds) / (claims above λ) is again at or below it, and the clamped set only
     * grows; when a round clamps no new claim, λ' is the answer. Each round is one branch-free pass over the
     * bounds still above the level (a heavy tail clamps most claims in the first rounds). Leaves
     * λ = {@link #levelNumerator} / {@link #den}, {@link #den} being the claims strictly above it (each claim with
     * {@code bound ≤ ⌊λ⌋} is clamped, every other one sits at λ). No shares are written.
     *
     * @param bound  the bounds, each below 2^63, with {@code Σ bound > target} (signed, no overflow).
     * @param m      number of claims.
     * @param target {@code 0 < target}.
     * @param rounds the most passes to try after the first.
     * @return false when the level did not settle within {@code rounds} passes (nothing set).
     */
    boolean unitLevel(final long[] bound, final int m, final long target, final int rounds)
    {
        // A clamped claim stays clamped: each round reads only the bounds still above the level, compacted
        // into the own hi column (free here: the general path points the solver's columns anew per split).
        final long[] live = ownHi;
        int size = 0;
        for (int k = 0; k < m; k++)
        {
            final long b = bound[k];
            live[size] = b;
            size += b > 0 ? 1 : 0;
        }
        if (size == 0)
        {
            // Σ bound ≤ target: outside the contract.
            return false;
        }
        return waterFill(size, 0, target / size, target, rounds);
    }

    /**
     * The rounds of {@link #unitLevel} from a state it reaches: the {@code size} bounds still above the level in
     * {@link #ownHi}, {@code clamped} the sum of the others, {@code q} the next level to try.
     */
    boolean waterFill(
        final int start, final long clampedSoFar, final long firstLevel, final long target, final int rounds)
    {
        final long[] live = ownHi;
        int size = start;
        long clamped = clampedSoFar;
        long q = firstLevel;
        for (int round = 0; round < rounds; round++)
        {
            long c = clamped;
            int kept = 0;
            for (int j = 0; j < size; j++)
            {
                final long b = live[j];
                final boolean atBound = b <= q;
                c += atBound ? b : 0;
                live[kept] = b;
                kept += atBound ? 0 : 1;
            }
            if (kept == 0)
            {
                return false;
            }
            if (kept == size)
            {
                den = kept;
                levelNumerator = target - c;
                freeClaims = kept;
                histogramReady = false;
                unitLevels++;
                return true;
            }
            clamped = c;
            size = kept;
            q = (target - c) / kept;
        }
        return false;
    }

    /** @return the numerator of the level λ = numerator / {@link #den} of the shares last solved. */
    long levelNumerator()
    {
        return levelNumerator;
    }

    /** @return the claims strictly inside their bounds at the level last solved (the divisor methods' noise). */
    int freeClaims()
    {
        return freeClaims;
    }

    /**
     * Finds λ by bracketing, as quickselect finds a median (Kiwiel's breakpoint search for the continuous
     * knapsack): evaluate the total at a pivot breakpoint, keep the half of the bracket that holds the
     * target, and retire every claim whose clamp is settled on the bracket into the sums C (clamped
     * bounds) and A (weights of claims that are linear on the whole bracket). Expected O(m) with
     * pseudo-random median-of-three pivots; it gives up after a work budget of a few passes, so that an
     * unlucky input falls back to the O(m log m) {@link #sweep} and the bound holds.
     * <p>
     * Invariants: the total at λL is below {@code free} (so {@code C < free}); at λR (when finite) it is
     * at least {@code free}. Every claim left in {@code u} has a breakpoint strictly inside (λL, λR), so
     * each round retires at least the pivot.
     *
     * @return false when the work budget ran out (nothing written).
     */
    boolean search(final int m, final long free)
    {
        final long[] lo = this.lo;
        final long[] hi = this.hi;
        final long[] w = this.w;
        final int[] u = events;
        int size = 0;
        long sumLo = 0;
        for (int k = 0; k < m; k++)
        {
            if (lo[k] != hi[k] && w[k] != 0)
            {
                u[size++] = k;
                sumLo += lo[k];
            }
        }
        if (sumLo == free)
        {
            evaluate(m, 0, 1, false);
            return true;
        }
        long budget = 16L * size + 256;
        long c = 0;
        long a = 0;
        long leftA = 0;
        long leftB = 1;
        long rightA = 0;
        long rightB = 0;
        boolean rightInfinite = true;
        pivotSeed = 0x9E37_79B9_7F4A_7C15L;
        boolean firstRound = true;
        while (size > 0)
        {
            budget -= 2L * size;
            if (budget < 0)
            {
                return false;
            }
            long pa;
            long pb;
            long ra;
            long rb;
            final boolean twoPivots = firstRound && size >= SAMPLE_THRESHOLD && sampledPivots(size, free);
            firstRound = false;
            if (twoPivots)
            {
                // First round on a large tier: two pivots around the level of an evenly spaced sample.
                pa = pivotLowA;
                pb = pivotLowB;
                ra = pivotHighA;
                rb = pivotHighB;
            }
            else
            {
                medianOfThreePivot(size, leftA, leftB);
                pa = pivotHighA;
                pb = pivotHighB;
                ra = pa;
                rb = pb;
            }
            final int reached = reachedAt(size, free, c, a, pa, pb, ra, rb, twoPivots);
            final boolean reachedP = (reached & REACHED_P) != 0;
            final boolean reachedR = (reached & REACHED_R) != 0;
            if (!reachedR)
            {
                leftA = ra;
                leftB = rb;
            }
            else if (reachedP)
            {
                rightA = pa;
                rightB = pb;
                rightInfinite = false;
            }
            else
            {
                leftA = pa;
                leftB = pb;
                rightA = ra;
                rightB = rb;
                rightInfinite = false;
            }
            settledC = c;
            settledA = a;
            size = retire(size, leftA, leftB, rightA, rightB, rightInfinite);
            c = settledC;
            a = settledA;
        }
        // Every claim is settled on the bracket: the total there is C + λ·A, and A > 0 since it rises
        // from below free at λL to at least free at λR.
        evaluate(m, free - c, a, false);
        return true;
    }

    /**
     * Whether the total reaches {@code free} at the pivots p = pa/pb ≤ r = ra/rb: C + Σ clamped bounds +
     * pivot·(A + Σ weights inside) over the undecided claims {@code events[0..size)}.
     *
     * @return {@link #REACHED_P} and {@link #REACHED_R} bits (p is r when there is one pivot).
     */
    private int reachedAt(
        final int size, final long free, final long c, final long a, final long pa, final long pb, final long ra,
        final long rb, final boolean twoPivots)
    {
        final long[] lo = this.lo;
        final long[] hi = this.hi;
        final long[] w = this.w;
        final int[] u = events;
        // Totals at the pivots p = pa/pb ≤ r = ra/rb: C + Σ clamped bounds + pivot·(A + Σ weights inside).
        long cp = c;
        long ap = a;
        long cr = c;
        long ar = a;
        boolean reachedP = !twoPivots;
        boolean reachedR = false;
        for (int j = 0; j < size; j++)
        {
            final int k = u[j];
            final long wk = w[k];
            final long h = hi[k];
            final long l = lo[k];
            // Branch-free accumulation (& not &&): which side of a pivot a claim falls is a coin toss.
            if (!reachedR)
            {
                final boolean atHi = compareFractions(h, wk, ra, rb) <= 0;
                final boolean atLo = !atHi & compareFractions(l, wk, ra, rb) >= 0;
                cr += atHi ? h : atLo ? l : 0;
                ar += atHi | atLo ? 0 : wk;
                // cr < free ≤ 2^63 before the add and a bound ≤ 2^62: no unsigned overflow.
                reachedR = Long.compareUnsigned(cr, free) >= 0;
            }
            if (!reachedP)
            {
                final boolean atHi = compareFractions(h, wk, pa, pb) <= 0;
                final boolean atLo = !atHi & compareFractions(l, wk, pa, pb) >= 0;
                cp += atHi ? h : atLo ? l : 0;
                ap += atHi | atLo ? 0 : wk;
                reachedP = Long.compareUnsigned(cp, free) >= 0;
            }
            else if (reachedR)
            {
                break;
            }
        }
        if (!reachedR)
        {
            reachedR = Int128.compareProductsUnsigned(ra, ar, free - cr, rb) >= 0;
        }
        if (!twoPivots)
        {
            reachedP = reachedR;
        }
        else if (!reachedP)
        {
            reachedP = Int128.compareProductsUnsigned(pa, ap, free - cp, pb) >= 0;
        }
        return (reachedP ? REACHED_P : 0) | (reachedR ? REACHED_R : 0);
    }

    /**
     * Median of three pseudo-random undecided breakpoints (deterministic seed: same input, same work),
     * left in {@link #pivotHighA}/{@link #pivotHighB}.
     */
    private void medianOfThreePivot(final int size, final long leftA, final long leftB)
    {
        final long[] lo = this.lo;
        final long[] hi = this.hi;
        final long[] w = this.w;
        final int[] u = events;
        long seed = pivotSeed;
        long pa = 0;
        long pb = 0;
        long qa = 0;
        long qb = 0;
        long ra = 0;
        long rb = 0;
        for (int t = 0; t < 3; t++)
        {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            final int k = u[(int)(((seed >>> 33) * size) >>> 31)];
            final long l = lo[k];
            final long wk = w[k];
            // Undecided: the start lo/w is inside unless it is at or left of λL; then the end is inside.
            final boolean startInside = compareFractions(l, wk, leftA, leftB) > 0;
            final long na = startInside ? l : hi[k];
            if (t == 0)
            {
                pa = na;
                pb = wk;
            }
            else if (t == 1)
            {
                qa = na;
                qb = wk;
            }
            else
            {
                ra = na;
                rb = wk;
            }
        }
        // Order p ≤ q, then the median of (p, q, r) is clamp(r, p, q).
        if (compareFractions(pa, pb, qa, qb) > 0)
        {
            final long ta = pa;
            final long tb = pb;
            pa = qa;
            pb = qb;
            qa = ta;
            qb = tb;
        }
        if (compareFractions(ra, rb, pa, pb) < 0)
        {
            ra = pa;
            rb = pb;
        }
        else if (compareFractions(ra, rb, qa, qb) > 0)
        {
            ra = qa;
            rb = qb;
        }
        pivotHighA = ra;
        pivotHighB = rb;
        pivotSeed = seed;
    }

    /**
     * Retires from {@code events[0..size)} every claim settled on the bracket: at hi left of it, at lo right
     * of it, or linear across it, adding to {@link #settledC} and {@link #settledA}.
     *
     * @return the number of claims still undecided, kept at the front.
     */
    private int retire(
        final int size, final long leftA, final long leftB, final long rightA, final long rightB,
        final boolean rightInfinite)
    {
        final long[] lo = this.lo;
        final long[] hi = this.hi;
        final long[] w = this.w;
        final int[] u = events;
        long c = settledC;
        long a = settledA;
        int kept = 0;
        for (int j = 0; j < size; j++)
        {
            final int k = u[j];
            final long l = lo[k];
            final long h = hi[k];
            final long wk = w[k];
            // Settled at hi left of the bracket, at lo right of it, or linear across it; else undecided.
            final boolean atHi = compareFractions(h, wk, leftA, leftB) <= 0;
            // Non-short-circuit & on purpose: evaluating every comparison beats a mispredicted branch.
            final boolean bounded = !rightInfinite;
            final boolean atLo = !atHi & bounded & compareFractions(l, wk, rightA, rightB) >= 0;
            final boolean linear = !atHi & !atLo & bounded &
                compareFractions(l, wk, leftA, leftB) <= 0 & compareFractions(h, wk, rightA, rightB) >= 0;
            c += atHi ? h : atLo ? l : 0;
            a += linear ? wk : 0;
            u[kept] = k;
            kept += atHi | atLo | linear ? 0 : 1;
        }
        settledC = c;
        settledA = a;
        return kept;
    }

    /**
     * Sets {@link #pivotLowA}/{@link #pivotLowB} ≤ {@link #pivotHighA}/{@link #pivotHighB} to sample
     * breakpoints around the level of an evenly spaced sample of the undecided claims in
     * {@code events[0..size)}, with the target scaled to the sample (Floyd and Rivest's selection idea):
     * the tier's level then most likely lies between them, and one pass retires all but a few percent.
     *
     * @return false when the sample has no breakpoint (never for free claims).
     */
    private boolean sampledPivots(final int size, final long free)
    {
        final LevelSolver sampler = this.sampler;
        final int[] u = events;
        final long[] sLo = sampler.ownLo;
        final long[] sHi = sampler.ownHi;
        final long[] sW = sampler.ownW;
        final int s = SAMPLE_SIZE;
        for (int j = 0; j < s; j++)
        {
            final int k = u[(int)((long)j * size / s)];
            sLo[j] = lo[k];
            sHi[j] = hi[k];
            sW[j] = w[k];
        }
        final long scaled = div.multiplyDivideUnsigned(free, s, size);
        final int e = sampler.sortedEvents(s);
        if (e == 0)
        {
            return false;
        }
        final int[] sorted = sampler.sortedEvents;
        // First sorted breakpoint at which the sample's total reaches the scaled target (as in sweep).
        long c = 0;
        long a = 0;
        for (int j = 0; j < s; j++)
        {
            if (sLo[j] == 0)
            {
                a += sW[j];
            }
            else
            {
                c += sLo[j];
            }
        }
        int at = e - 1;
        if (Long.compareUnsigned(c, scaled) >= 0)
        {
            at = 0;
        }
        else
        {
            for (int j = 0; j < e; j++)
            {
                final int ev = sorted[j];
                final int k = ev >>> 1;
                final long key = (ev & 1) == 0 ? sLo[k] : sHi[k];
                if (Int128.compareProductsUnsigned(key, a, scaled - c, sW[k]) >= 0)
                {
                    at = j;
                    break;
                }
                if ((ev & 1) == 0)
                {
                    c -= sLo[k];
                    a += sW[k];
                }
                else
                {
                    c += sHi[k];
                    a -= sW[k];
                }
            }
        }
        // The rank of the tier's level among the e sample breakpoints varies by at most √e / 2 (one
        // standard deviation of a binomial); keep 3 on each side, so that about 3/√e of the tier stays.
        // √e within a factor √2, in integers: 2^⌊bits(e)/2⌋.
        final int rootE = 1 << ((32 - Integer.numberOfLeadingZeros(e)) >> 1);
        final int margin = 3 * rootE / 2;
        final int low = sorted[Math.max(0, at - margin)];
        final int high = sorted[Math.min(e - 1, at + margin)];
        pivotLowA = (low & 1) == 0 ? sLo[low >>> 1] : sHi[low >>> 1];
        pivotLowB = sW[low >>> 1];
        pivotHighA = (high & 1) == 0 ? sLo[high >>> 1] : sHi[high >>> 1];
        pivotHighB = sW[high >>> 1];
        return true;
    }

    /**
     * Sorts the breakpoints of claims {@code 0..m)} (all free): a start {@code lo/w} for {@code lo > 0}
     * and an end {@code hi/w} for each; leaves them in {@link #sortedEvents}.
     *
     * @return the number of events.
     */
    private int sortedEvents(final int m)
    {
        int e = 0;
        boolean uniform = true;
        final long firstW = w[0];
        for (int k = 0; k < m; k++)
        {
            uniform &= w[k] == firstW;
            if (lo[k] != 0)
            {
                events[e++] = k << 1;
            }
            events[e++] = (k << 1) | 1;
        }
        sortedEvents = sort(e, uniform);
        return e;
    }

    /** Compares a/b with c/d for a, c ≤ 2^62 and positive b, d ≤ 2^62 (exact, 128-bit cross products). */
    private static int compareFractions(final long a, final long b, final long c, final long d)
    {
        if (b == d)
        {
            return Long.compare(a, c);
        }
        return Int128.compareProductsSigned(a, d, c, b);
    }

    /**
     * Computes {@code x_k = clamp(w_k·n / d, lo_k, hi_k)} as {@code base + num/d}.
     *
     * @param strict when true, stop and return false as soon as a bound would bind.
     * @return true when every share was computed (always, unless strict and a bound binds).
     */
    private boolean evaluate(final int m, final long n, final long d, final boolean strict)
    {
        final long[] lo = this.lo;
        final long[] hi = this.hi;
        final long[] w = this.w;
        final long[] base = this.base;
        final long[] num = this.num;
        final Int128 div = this.div;
        final int[] histogram = this.histogram;
        final boolean counting = histogramWanted;
        final int shift = histogramShift(m, d);
        if (counting)
        {
            Arrays.fill(histogram, 0, (int)((d - 1) >>> shift) + 1, 0);
        }
        long sum = 0;
        int clamped = 0;
        // For Int128.quotientByReciprocal: a multiply per claim instead of a hardware division.
        final long reciprocal = Long.divideUnsigned(-1L, d);
        for (int k = 0; k < m; k++)
        {
            final long l = lo[k];
            final long h = hi[k];
            final long wk = w[k];
            long q;
            long r;
            if (l == h || wk == 0)
            {
                q = l;
                r = 0;
                clamped++;
            }
            else
            {
                final long pLo = wk * n;
                final long pHi = Int128.multiplyHighUnsigned(wk, n);
                if (pHi == 0)
                {
                    q = Int128.quotientByReciprocal(pLo, d, reciprocal);
                    r = pLo - q * d;
                }
                else if (Long.compareUnsigned(pHi, d) >= 0)
                {
                    // The quotient is at least 2^64, above any bound.
                    q = -1L;
                    r = 1;
                }
                else
                {
                    q = div.divideByInvariant(pHi, pLo, d);
                    r = div.remainder;
                }
                if (Long.compareUnsigned(q, l) < 0)
                {
                    if (strict)
                    {
                        return false;
                    }
                    q = l;
                    r = 0;
                    clamped++;
                }
                else if (Long.compareUnsigned(q, h) > 0 || (q == h && r != 0))
                {
                    if (strict)
                    {
                        return false;
                    }
                    q = h;
                    r = 0;
                    clamped++;
                }
            }
            base[k] = q;
            num[k] = r;
            if (counting)
            {
                sum += q;
                histogram[(int)(r >>> shift)]++;
            }
        }
        den = d;
        levelNumerator = n;
        freeClaims = m - clamped;
        histogramReady = counting;
        baseSum = sum;
        return true;
    }

    /** The shift that maps a remainder below {@code den} to a histogram bucket, for m claims. */
    static int histogramShift(final int m, final long den)
    {
        final int bits = Math.min(HISTOGRAM_BITS, Math.max(4, 32 - Integer.numberOfLeadingZeros(m)));
        return Math.max(0, 64 - Long.numberOfLeadingZeros(den - 1) - bits);
    }

    /**
     * Sweeps the sorted breakpoints. Between breakpoints the total is {@code C + λ·A}: C sums the bounds
     * of the claims clamped there, A the weights of those strictly inside their bounds. Invariant: the
     * total at the last breakpoint passed is below {@code free}, hence {@code C < free}.
     */
    void sweep(final int m, final long free)
    {
        final long[] lo = this.lo;
        final long[] hi = this.hi;
        final long[] w = this.w;
        final int[] events = this.events;
        long c = 0;
        long a = 0;
        int e = 0;
        boolean uniform = true;
        long firstW = 0;
        for (int k = 0; k < m; k++)
        {
            final long l = lo[k];
            final long wk = w[k];
            if (l == hi[k] || wk == 0)
            {
                continue;
            }
            if (firstW == 0)
            {
                firstW = wk;
            }
            uniform &= wk == firstW;
            if (l == 0)
            {
                a += wk;
            }
            else
            {
                c += l;
                events[e++] = k << 1;
            }
            events[e++] = (k << 1) | 1;
        }
        long n = 0;
        long d = 1;
        if (c == free)
        {
            // Every free claim sits at its floor: λ is at most the smallest start.
            evaluate(m, 0, 1, false);
            return;
        }
        final int[] sorted = sort(e, uniform);
        for (int j = 0; j < e; j++)
        {
            final int ev = sorted[j];
            final int k = ev >>> 1;
            final long key = (ev & 1) == 0 ? lo[k] : hi[k];
            final long wk = w[k];
            // Total at λ = key / wk reaches free ⇔ C + key·A / wk ≥ free ⇔ key·A ≥ (free − C)·wk.
            if (Int128.compareProductsUnsigned(key, a, free - c, wk) >= 0)
            {
                n = free - c;
                d = a;
                break;
            }
            if ((ev & 1) == 0)
            {
                c -= lo[k];
                a += wk;
            }
            else
            {
                c += hi[k];
                a -= wk;
            }
        }
        evaluate(m, n, d, false);
    }

    /** Stable bottom-up merge sort of the event indices by λ = key / w; returns the array holding the result. */
    private int[] sort(final int n, final boolean uniform)
    {
        final long[] lo = this.lo;
        final long[] hi = this.hi;
        final long[] w = this.w;
        int[] src = events;
        int[] dst = eventsScratch;
        for (int width = 1; width < n; width <<= 1)
        {
            for (int left = 0; left < n; left += width << 1)
            {
                final int mid = Math.min(left + width, n);
                final int right = Math.min(left + (width << 1), n);
                int i = left;
                int j = mid;
                int k = left;
                if (mid < right)
                {
                    while (i < mid && j < right)
                    {
                        final int ei = src[i];
                        final int ej = src[j];
                        final long ki = (ei & 1) == 0 ? lo[ei >>> 1] : hi[ei >>> 1];
                        final long kj = (ej & 1) == 0 ? lo[ej >>> 1] : hi[ej >>> 1];
                        // Keys of free claims are at most 2^62, so signed arithmetic is exact here.
                        final boolean takeRight = uniform ?
                            kj < ki : Int128.compareProductsSigned(kj, w[ei >>> 1], ki, w[ej >>> 1]) < 0;
                        dst[k++] = takeRight ? src[j++] : src[i++];
                    }
                }
                while (i < mid)
                {
                    dst[k++] = src[i++];
                }
                while (j < right)
                {
                    dst[k++] = src[j++];
                }
            }
            final int[] t = src;
            src = dst;
            dst = t;
        }
        return src;
    }

    /**
     * Rounds {@code x_k = base_k + num_k/den} by largest remainder and writes the awards: the
     * {@code target − Σbase} extra lots go to the largest {@code num}, ties to the smaller k (queue order).
     * <p>
     * Two passes: the first sums the bases and histograms the top digit of each remainder (every
     * remainder is below den, so the digit range is known up front); the second writes
     * {@code base + 1} for the digits above the deciding bucket and {@code base} elsewhere, and collects
     * the claims of the deciding bucket, usually a small fraction, which a radix selection then settles.
     *
     * @param m      number of claims.
     * @param target Σx, an integer.
     * @param award  the award column.
     * @param order  maps k to the claim index: the claim is {@code order[from + k]}.
     * @param from   offset into order.
     */
    void round(final int m, final long target, final long[] award, final int[] order, final int from)
    {
        final long[] base = this.base;
        final long[] num = this.num;
        final int bucket = decidingBucket(m, target);
        if (bucket < 0)
        {
            for (int k = 0; k < m; k++)
            {
                award[order[from + k]] = base[k];
            }
            return;
        }
        final int shift = histogramShift(m, den);
        final int[] candidates = events;
        int c = 0;
        long candidateMin = Long.MAX_VALUE;
        long candidateMax = Long.MIN_VALUE;
        for (int k = 0; k < m; k++)
        {
            final long r = num[k];
            final int digit = (int)(r >>> shift);
            // One more lot, branch-free, when the digit is above the deciding bucket.
            award[order[from + k]] = base[k] + ((bucket - digit) >>> 31);
            if (digit == bucket)
            {
                candidates[c++] = k;
                candidateMin = Math.min(candidateMin, r);
                candidateMax = Math.max(candidateMax, r);
            }
        }
        settleBucket(c, candidateMin, candidateMax, award, order, from);
    }

    /**
     * Records shares written by {@link CommonCase} straight into an award column (the integer parts) and
     * {@link #num}, with the histogram of the remainders filled: {@link #roundInPlace} may follow.
     */
    void sharesWritten(final long d, final long n, final long baseSum)
    {
        den = d;
        levelNumerator = n;
        this.baseSum = baseSum;
        histogramReady = true;
    }

    /**
     * {@link #round} for claims {@code 0..m)} whose integer parts are already in {@code award} (see
     * {@link #sharesWritten}): adds the extra lots in place. The bucket search and the settling are shared
     * with {@link #round}; the loop is not, since one copy would add a branch or an indirection per claim.
     */
    void roundInPlace(final int m, final long target, final long[] award)
    {
        final long[] num = this.num;
        final int bucket = decidingBucket(m, target);
        if (bucket < 0)
        {
            return;
        }
        final int shift = histogramShift(m, den);
        final int[] candidates = events;
        int c = 0;
        long candidateMin = Long.MAX_VALUE;
        long candidateMax = Long.MIN_VALUE;
        for (int k = 0; k < m; k++)
        {
            final long r = num[k];
            final int digit = (int)(r >>> shift);
            award[k] += (bucket - digit) >>> 31;
            if (digit == bucket)
            {
                candidates[c++] = k;
                candidateMin = Math.min(candidateMin, r);
                candidateMax = Math.max(candidateMax, r);
            }
        }
        settleBucket(c, candidateMin, candidateMax, award, null, 0);
    }

    /**
     * Finishes the one-pass rounding of {@link CommonCase}: the {@code need} lots left go to the largest
     * remainders among the {@code c} claims of the band, ties to the earlier claim. The band's claim indices are
     * in {@link #indexScratch()} in queue order, their remainders in {@link #num} (unless {@code oneValue}: then
     * they all share one remainder and the first {@code need} take the lots).
     */
    void settleBand(final int c, final long need, final boolean oneValue, final long[] award)
    {
        bandsSettled++;
        final int[] band = events;
        if (oneValue || need == c || need == 0)
        {
            for (int j = 0; j < need; j++)
            {
                award[band[j]]++;
            }
            return;
        }
        final long[] num = this.num;
        final long[] values = ownLo;
        System.arraycopy(num, 0, values, 0, c);
        final long threshold = select(values, c, need);
        long ties = tiesLeft;
        for (int j = 0; j < c; j++)
        {
            final long r = num[j];
            if (r > threshold || (r == threshold && ties-- > 0))
            {
                award[band[j]]++;
            }
        }
    }

    /**
     * Sums the bases and histograms the remainders unless the last evaluation did, and finds the bucket of
     * remainders that decides the rounding.
     *
     * @return the deciding bucket, with {@link #extraInBucket} (≥ 1) lots left for the claims inside it, or
     * −1 when no claim gets an extra lot.
     */
    private int decidingBucket(final int m, final long target)
    {
        final long[] base = this.base;
        final long[] num = this.num;
        final int[] histogram = this.histogram;
        final int shift = histogramShift(m, den);
        final int buckets = (int)((den - 1) >>> shift) + 1;
        long sum = baseSum;
        if (!histogramReady)
        {
            Arrays.fill(histogram, 0, buckets, 0);
            sum = 0;
            for (int k = 0; k < m; k++)
            {
                sum += base[k];
                histogram[(int)(num[k] >>> shift)]++;
            }
        }
        histogramReady = false;
        long extra = target - sum;
        if (extra <= 0)
        {
            return -1;
        }
        int bucket = buckets - 1;
        while (histogram[bucket] < extra)
        {
            extra -= histogram[bucket];
            bucket--;
        }
        extraInBucket = extra;
        return bucket;
    }

    /**
     * Gives the {@link #extraInBucket} lots left to the largest remainders among the deciding bucket's
     * {@code c} claims in {@code events}, ties to the earlier claim; a null {@code order} is the identity.
     */
    private void settleBucket(
        final int c, final long candidateMin, final long candidateMax, final long[] award, final int[] order,
        final int from)
    {
        final long[] num = this.num;
        final int[] candidates = events;
        final long extra = extraInBucket;
        if (candidateMin == candidateMax)
        {
            // One remainder shared by the whole bucket (EQUAL: every claim strictly inside its bounds has
            // the same share): the earliest extra claims of the bucket take the lots.
            for (int j = 0; j < extra; j++)
            {
                award[order == null ? candidates[j] : order[from + candidates[j]]]++;
            }
            return;
        }
        // Rounding reads only base and num: the own input columns are free scratch by now.
        final long[] select = ownLo;
        for (int j = 0; j < c; j++)
        {
            select[j] = num[candidates[j]];
        }
        final long threshold = select(select, c, extra);
        long ties = tiesLeft;
        for (int j = 0; j < c; j++)
        {
            final int k = candidates[j];
            final long r = num[k];
            if (r > threshold || (r == threshold && ties-- > 0))
            {
                award[order == null ? k : order[from + k]]++;
            }
        }
    }

    /**
     * The {@code rank}-th largest of {@code values[0..c)} (1 ≤ rank ≤ c) by radix selection: each round
     * keeps the one bucket of {@link #RADIX_BITS} bits that holds it. Leaves in {@link #tiesLeft} how
     * many values equal to the result are within the top {@code rank}.
     */
    private long select(final long[] values, final int count, final long rank)
    {
        final int[] histogram = this.histogram;
        int c = count;
        long need = rank;
        while (true)
        {
            long min = values[0];
            long max = min;
            for (int j = 1; j < c; j++)
            {
                final long v = values[j];
                min = v < min ? v : min;
                max = v > max ? v : max;
            }
            if (min == max)
            {
                tiesLeft = need;
                return min;
            }
            final int bits = 64 - Long.numberOfLeadingZeros(max ^ min);
            final int shift = Math.max(0, bits - RADIX_BITS);
            final long offset = min >>> shift;
            final int buckets = (int)((max >>> shift) - offset) + 1;
            Arrays.fill(histogram, 0, buckets, 0);
            for (int j = 0; j < c; j++)
            {
                histogram[(int)((values[j] >>> shift) - offset)]++;
            }
            int bucket = buckets - 1;
            while (histogram[bucket] < need)
            {
                need -= histogram[bucket];
                bucket--;
            }
            int kept = 0;
            for (int j = 0; j < c; j++)
            {
                final long v = values[j];
                if ((int)((v >>> shift) - offset) == bucket)
                {
                    values[kept++] = v;
                }
            }
            c = kept;
        }
    }
}
