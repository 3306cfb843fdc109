package io.tranche.kernel;

import java.util.Arrays;

/**
 * The exact core shared by the level methods: finds the level λ with
 * {@code Σ clamp(λ·w_k, lo_k, hi_k) = target} over {@code k < m}, writes each exact share
 * {@code x_k = base_k + num_k / den}, and rounds by largest remainder.
 * <p>
 * Inputs live in {@link #lo}, {@link #hi}, {@link #w} (filled by the caller) and are read as unsigned
 * 64-bit values, so that a method may work in half units (TALMUD) with bounds up to 2^63 and targets up
 * to 2^64 − 1. Free claims ({@code lo < hi}, {@code w > 0}) have {@code hi ≤ 2^62} and {@code w ≤ 2^62},
 * and {@code Σw < 2^63}. Claims with {@code lo == hi} or {@code w == 0} are fixed at {@code lo}.
 * <p>
 * Cost: one pass when no bound binds (the guess λ = target / Σw is checked while the shares are
 * computed); otherwise the breakpoints {@code lo/w} and {@code hi/w} are sorted (merge sort on indices,
 * exact cross-multiplied comparisons) and swept once, O(m log m). Rounding selects the k-th largest
 * remainder by radix selection, O(m). No allocation: all scratch is sized in {@link #ensureCapacity}.
 */
final class LevelSolver
{
    private static final int RADIX_BITS = 11;
    private static final int HISTOGRAM_BITS = 16;

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
    /** Set by {@link #select}: how many values equal to the selected one are within the requested rank. */
    private long tiesLeft;

    private int[] events;
    private int[] eventsScratch;
    private long[] select;
    private final int[] histogram = new int[1 << HISTOGRAM_BITS];
    private final Int128 div = new Int128();
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
            select = new long[c];
            events = new int[2 * c];
            eventsScratch = new int[2 * c];
            this.capacity = c;
        }
    }

    /**
     * Solves for the exact shares of claims {@code 0..m)}: fills {@link #base}, {@link #num}, {@link #den}.
     * Requires {@code Σlo ≤ target ≤ Σhi} (unsigned).
     *
     * @param m      number of claims.
     * @param target sum of the shares, unsigned.
     */
    void solve(final int m, final long target)
    {
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
        long seed = 0x9E37_79B9_7F4A_7C15L;
        while (size > 0)
        {
            budget -= 2L * size;
            if (budget < 0)
            {
                return false;
            }
            // Median of three pseudo-random inside breakpoints (deterministic seed: same input, same work).
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
            // Total at the pivot ra/rb: C + Σ clamped bounds + (ra/rb)·(A + Σ weights of claims inside).
            long cp = c;
            long ap = a;
            boolean reached = false;
            for (int j = 0; j < size; j++)
            {
                final int k = u[j];
                final long wk = w[k];
                if (compareFractions(hi[k], wk, ra, rb) <= 0)
                {
                    cp += hi[k];
                }
                else if (compareFractions(lo[k], wk, ra, rb) >= 0)
                {
                    cp += lo[k];
                }
                else
                {
                    ap += wk;
                    continue;
                }
                // cp < free ≤ 2^63 before the add and a bound ≤ 2^62: no unsigned overflow.
                if (Long.compareUnsigned(cp, free) >= 0)
                {
                    reached = true;
                    break;
                }
            }
            if (!reached)
            {
                reached = Int128.compareProductsUnsigned(ra, ap, free - cp, rb) >= 0;
            }
            if (reached)
            {
                rightA = ra;
                rightB = rb;
                rightInfinite = false;
            }
            else
            {
                leftA = ra;
                leftB = rb;
            }
            int kept = 0;
            for (int j = 0; j < size; j++)
            {
                final int k = u[j];
                final long l = lo[k];
                final long h = hi[k];
                final long wk = w[k];
                if (compareFractions(h, wk, leftA, leftB) <= 0)
                {
                    c += h;
                }
                else if (rightInfinite)
                {
                    u[kept++] = k;
                }
                else if (compareFractions(l, wk, rightA, rightB) >= 0)
                {
                    c += l;
                }
                else if (compareFractions(l, wk, leftA, leftB) <= 0 && compareFractions(h, wk, rightA, rightB) >= 0)
                {
                    a += wk;
                }
                else
                {
                    u[kept++] = k;
                }
            }
            size = kept;
        }
        // Every claim is settled on the bracket: the total there is C + λ·A, and A > 0 since it rises
        // from below free at λL to at least free at λR.
        evaluate(m, free - c, a, false);
        return true;
    }

    /** Compares a/b with c/d for a, c ≤ 2^62 and positive b, d ≤ 2^62 (exact, 128-bit cross products). */
    private static int compareFractions(final long a, final long b, final long c, final long d)
    {
        if (b == d)
        {
            return Long.compare(a, c);
        }
        return Int128.compareProducts(a, d, c, b);
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
        // ⌊2^64 / d⌋ or one less: a multiply by it estimates ⌊x / d⌋ from below by at most 1 (libdivide's idea).
        final long reciprocal = Long.divideUnsigned(-1L, d);
        for (int k = 0; k < m; k++)
        {
            final long l = lo[k];
            final long h = hi[k];
            final long wk = w[k];
            if (l == h || wk == 0)
            {
                base[k] = l;
                num[k] = 0;
                continue;
            }
            final long pLo = wk * n;
            final long pHi = Int128.multiplyHighUnsigned(wk, n);
            long q;
            long r;
            if (pHi == 0)
            {
                q = Int128.multiplyHighUnsigned(pLo, reciprocal);
                r = pLo - q * d;
                // The estimate is low by at most one: 0 ≤ r < 2d, and r − d fits a signed long. Branch free
                // because the correction is needed about half the time.
                final long low = ~((r - d) >> 63);
                q -= low;
                r -= low & d;
            }
            else if (Long.compareUnsigned(pHi, d) >= 0)
            {
                // The quotient is at least 2^64, above any bound.
                q = -1L;
                r = 1;
            }
            else
            {
                q = div.divideUnsigned(pHi, pLo, d);
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
            }
            else if (Long.compareUnsigned(q, h) > 0 || (q == h && r != 0))
            {
                if (strict)
                {
                    return false;
                }
                q = h;
                r = 0;
            }
            base[k] = q;
            num[k] = r;
        }
        den = d;
        return true;
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
                            kj < ki : Int128.compareProducts(kj, w[ei >>> 1], ki, w[ej >>> 1]) < 0;
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
        final int[] histogram = this.histogram;
        final int bits = Math.min(HISTOGRAM_BITS, Math.max(4, 32 - Integer.numberOfLeadingZeros(m)));
        final long top = den - 1;
        final int shift = Math.max(0, 64 - Long.numberOfLeadingZeros(top) - bits);
        final int buckets = (int)(top >>> shift) + 1;
        Arrays.fill(histogram, 0, buckets, 0);
        long sum = 0;
        for (int k = 0; k < m; k++)
        {
            sum += base[k];
            histogram[(int)(num[k] >>> shift)]++;
        }
        long extra = target - sum;
        if (extra <= 0)
        {
            for (int k = 0; k < m; k++)
            {
                award[order[from + k]] = base[k];
            }
            return;
        }
        int bucket = buckets - 1;
        while (histogram[bucket] < extra)
        {
            extra -= histogram[bucket];
            bucket--;
        }
        // Now extra (≥ 1) lots go to the largest remainders inside the deciding bucket.
        final int[] candidates = events;
        int c = 0;
        for (int k = 0; k < m; k++)
        {
            final int digit = (int)(num[k] >>> shift);
            // One more lot, branch-free, when the digit is above the deciding bucket.
            award[order[from + k]] = base[k] + ((bucket - digit) >>> 31);
            if (digit == bucket)
            {
                candidates[c++] = k;
            }
        }
        final long[] select = this.select;
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
                award[order[from + k]]++;
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
