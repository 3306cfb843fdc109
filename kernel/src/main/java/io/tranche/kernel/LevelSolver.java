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

    /** Lower bound per claim (unsigned). */
    long[] lo;
    /** Upper bound per claim (unsigned). */
    long[] hi;
    /** Weight per claim (unsigned). */
    long[] w;
    /** Output: ⌊x_k⌋. */
    long[] base;
    /** Output: the fractional part of x_k is {@code num_k / den}. */
    long[] num;
    /** Output: the common denominator of every fractional part. */
    long den;
    /** Output of {@link #roundLargestRemainders}: claims with {@code num > threshold} get one more lot. */
    private long threshold;
    /** Output of {@link #roundLargestRemainders}: this many claims with {@code num == threshold}, earliest first, get one more. */
    private long ties;

    private int[] events;
    private int[] eventsScratch;
    private long[] select;
    private final int[] histogram = new int[1 << RADIX_BITS];
    private final Int128 div = new Int128();
    private int capacity;

    LevelSolver(final int capacity)
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
                if (Long.compareUnsigned(r, d) >= 0)
                {
                    q++;
                    r -= d;
                }
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
     * Prepares largest-remainder rounding of {@code x_k = base_k + num_k/den}: the
     * {@code target − Σbase} extra lots go to the largest {@code num}, ties to the smaller k. Afterwards
     * {@link #extra(int)} is 0 or 1 when asked in ascending k.
     *
     * @param m      number of claims.
     * @param target Σx, an integer.
     */
    void roundLargestRemainders(final int m, final long target)
    {
        final long[] base = this.base;
        final long[] num = this.num;
        final long[] select = this.select;
        long sum = 0;
        int c = 0;
        for (int k = 0; k < m; k++)
        {
            sum += base[k];
            final long r = num[k];
            if (r != 0)
            {
                select[c++] = r;
            }
        }
        long extra = target - sum;
        if (extra <= 0)
        {
            threshold = Long.MAX_VALUE;
            ties = 0;
            return;
        }
        // Radix selection of the extra-th largest remainder: each round keeps the one bucket of
        // RADIX_BITS bits that holds it, so at most 64 / RADIX_BITS + 1 rounds over a shrinking set.
        final int[] histogram = this.histogram;
        while (true)
        {
            long min = select[0];
            long max = min;
            for (int j = 1; j < c; j++)
            {
                final long v = select[j];
                min = v < min ? v : min;
                max = v > max ? v : max;
            }
            if (min == max)
            {
                threshold = min;
                ties = extra;
                return;
            }
            final int bits = 64 - Long.numberOfLeadingZeros(max ^ min);
            final int shift = Math.max(0, bits - RADIX_BITS);
            final long offset = min >>> shift;
            final int buckets = (int)((max >>> shift) - offset) + 1;
            Arrays.fill(histogram, 0, buckets, 0);
            for (int j = 0; j < c; j++)
            {
                histogram[(int)((select[j] >>> shift) - offset)]++;
            }
            int bucket = buckets - 1;
            while (histogram[bucket] < extra)
            {
                extra -= histogram[bucket];
                bucket--;
            }
            int kept = 0;
            for (int j = 0; j < c; j++)
            {
                final long v = select[j];
                if ((int)((v >>> shift) - offset) == bucket)
                {
                    select[kept++] = v;
                }
            }
            c = kept;
        }
    }

    /**
     * One lot more or not, for claims asked in ascending k after {@link #roundLargestRemainders}.
     *
     * @param k the claim.
     * @return 1 when the claim receives one of the extra lots, else 0.
     */
    int extra(final int k)
    {
        final long r = num[k];
        if (r > threshold)
        {
            return 1;
        }
        if (r == threshold && ties > 0)
        {
            ties--;
            return 1;
        }
        return 0;
    }
}
