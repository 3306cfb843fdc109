package io.tranche.kernel;

/**
 * A highest-averages (divisor) method: the greedy process of SEMANTICS.md — start from the floors and
 * give each next lot to the claim of greatest priority {@code w / t(a)} — computed without looping
 * per lot.
 * <p>
 * The greedy awards are exactly the lots that come first in one total order (priority, descending,
 * then queue position), because each claim's own lots come in strictly falling priority. So:
 * <ol>
 * <li>find the level λ = N/D of the relaxed problem Σ clamp(λ·w, lo, hi) = T exactly (one pass when
 * no bound binds, else a sort of the breakpoints lo/w and hi/w);</li>
 * <li>take every lot whose priority is at least 1/λ: a_i = clamp(#{n : t(n) ≤ λ·w_i}, lo_i, hi_i),
 * decided exactly. That set is a prefix of the order (a valid apportionment for its own total), and
 * its total is within the number of claims of T;</li>
 * <li>add the next best or remove the last lots through a binary heap until the total is T.</li>
 * </ol>
 * Cost O(n log n) whatever the target. Priorities are compared by exact cross-multiplication
 * ({@link WideMath}), never in floating point. No allocation in {@link #split}.
 */
abstract class DivisorMethod implements Rule
{
    /** True when t(0) = 0: a claim's first lot has infinite priority (Adams, Dean, Huntington–Hill). */
    private final boolean infiniteFirstLot;
    /** Breakpoint events (claim index · 2 + 0 for lo/w, 1 for hi/w) and merge scratch. */
    private long[] events;
    private long[] eventsScratch;
    /** Binary heap of claim indices for the final correction. */
    private int[] heap;
    /** Claims still straddling the level interval during {@link #levelBySelection}, and their flags. */
    private int[] work;
    private byte[] flags;
    /** Scratch limbs for 256-bit products. */
    protected final long[] wide = new long[8];
    private int capacity;
    /** Lots the heap added or removed in the last split: the jump's error, kept for tests. */
    long lastCorrection;
    /** Claims free (strictly inside their bounds) at the level last found. */
    private long levelFreeClaims;
    /** Numerator of the level found by {@link #levelFromBreakpoints} (which returns the denominator). */
    private long levelNumerator;

    DivisorMethod(final boolean infiniteFirstLot, final int capacity)
    {
        this.infiniteFirstLot = infiniteFirstLot;
        ensureCapacity(capacity);
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
     * Compares the finite priorities w_i / t(n_i) and w_j / t(n_j) exactly (t(n) &gt; 0 for both).
     *
     * @return negative, zero or positive as the first priority is below, equal to or above the second.
     */
    abstract int compareFinite(long wi, long ni, long wj, long nj);

    /**
     * @return the sign of the average rounding error per claim: −1 when rounding tends to lose lots
     * (D'Hondt rounds down), +1 when it tends to gain (Adams rounds up), 0 otherwise.
     */
    int roundingBias()
    {
        return 0;
    }

    @Override
    public final void ensureCapacity(final int capacity)
    {
        if (capacity > this.capacity || events == null)
        {
            final int c = Math.max(1, capacity);
            events = new long[2 * c];
            eventsScratch = new long[2 * c];
            heap = new int[c];
            work = new int[c];
            flags = new byte[c];
            this.capacity = c;
        }
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
        long sumW = 0;
        int active = 0;
        for (int k = from; k < to; k++)
        {
            final int i = order[k];
            final long loI = lo[i];
            final long hiI = hi[i];
            sumLo += loI;
            sumHi = Allocator.saturatingAdd(sumHi, hiI);
            // A claim without weight or without headroom never competes for a lot.
            if (w[i] == 0 || loI >= hiI)
            {
                a[i] = loI;
                fixed += loI;
            }
            else
            {
                sumW += w[i];
                active++;
            }
        }
        if (target <= sumLo || target >= sumHi || active == 0)
        {
            lastCorrection = 0;
            final boolean all = target >= sumHi;
            for (int k = from; k < to; k++)
            {
                final int i = order[k];
                a[i] = all ? hi[i] : lo[i];
            }
            return;
        }

        if (infiniteFirstLot && firstLotsOnly(order, from, to, lo, hi, w, a, target - sumLo))
        {
            lastCorrection = 0;
            return;
        }

        // Step 1: the level λ = n/d with Σ clamp(λ·w_i, lo_i, hi_i) = target.
        long n = target - fixed;
        long d = sumW;
        if (!noBoundBinds(order, from, to, lo, hi, w, n, d))
        {
            long level = levelBySelection(order, from, to, lo, hi, w, target, fixed, active);
            if (level <= 0)
            {
                level = levelFromBreakpoints(order, from, to, lo, hi, w, target, sumLo);
            }
            n = levelNumerator;
            d = level;
        }
        else
        {
            levelFreeClaims = active;
        }
        // d is the weight of the claims free at λ, so moving n by k moves the relaxed total by at most
        // k (exactly k while no bound starts to bind): pre-compensate the average rounding bias (half a
        // lot per free claim under D'Hondt and Adams, Pukelsheim's rule of thumb), saving a refinement.
        final long compensated = n - roundingBias() * (levelFreeClaims >>> 1);
        if (compensated > 0)
        {
            n = compensated;
        }

        // Step 2: every lot of priority ≥ 1/λ. Rounding loses or gains up to a lot per claim (about
        // half a lot on average under D'Hondt and Adams); moving the level by the difference over the
        // free weight brings the total within the rounding noise, so the heap has little left to do.
        long sum = roundAll(order, from, to, lo, hi, w, a, n, d, fixed);
        for (int pass = 0; pass < 3 && Math.abs(sum - target) > 8 + (active >>> 6); pass++)
        {
            final long shifted = n - (sum - target);
            if (shifted <= 0)
            {
                break;
            }
            final long shiftedSum = roundAll(order, from, to, lo, hi, w, a, shifted, d, fixed);
            if (Math.abs(shiftedSum - target) >= Math.abs(sum - target))
            {
                // A bound came into play: keep the better level and let the heap finish.
                sum = roundAll(order, from, to, lo, hi, w, a, n, d, fixed);
                break;
            }
            n = shifted;
            sum = shiftedSum;
        }

        // Step 3: at most about one lot per claim to add or remove.
        lastCorrection = Math.abs(sum - target);
        if (sum < target)
        {
            correct(order, from, to, lo, hi, w, a, true, target - sum);
        }
        else if (sum > target)
        {
            correct(order, from, to, lo, hi, w, a, false, sum - target);
        }
    }

    /**
     * Adams, Dean and Huntington–Hill give a claim's first lot infinite priority. When the lots beyond
     * the floors ({@code rest}) are no more than the competing claims still at 0, every one of them is
     * such a first lot, and they go to the {@code rest} largest weights, ties to the earlier position:
     * a selection, O(n) expected, instead of rounding everyone up and taking lots back one by one.
     *
     * @return false (and nothing written) when the case does not apply.
     */
    private boolean firstLotsOnly(
        final int[] order, final int from, final int to, final long[] lo, final long[] hi, final long[] w,
        final long[] a, final long rest)
    {
        final long[] weights = events;
        int zeros = 0;
        for (int k = from; k < to; k++)
        {
            final int i = order[k];
            if (lo[i] == 0 && hi[i] > 0 && w[i] != 0)
            {
                weights[zeros++] = w[i];
            }
        }
        if (rest > zeros)
        {
            return false;
        }
        final int r = (int)rest;
        final long threshold = kthLargest(weights, eventsScratch, zeros, r);
        int greater = 0;
        for (int k = from; k < to; k++)
        {
            final int i = order[k];
            if (lo[i] == 0 && hi[i] > 0 && w[i] > threshold)
            {
                greater++;
            }
        }
        int ties = r - greater;
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
                else if (wi == threshold && ties > 0)
                {
                    award = 1;
                    ties--;
                }
            }
            a[i] = award;
        }
        return true;
    }

    /**
     * The {@code k}-th largest of {@code v[0..m)} ({@code 1 <= k <= m}; {@code v} is permuted):
     * quickselect with median-of-three pivots, falling back to a merge sort past a linear work budget
     * so that the worst case stays O(m log m).
     */
    private static long kthLargest(final long[] v, final long[] scratch, final int m, final int k)
    {
        final int target = m - k;
        int left = 0;
        int right = m - 1;
        long budget = 4L * m + 64;
        while (left < right)
        {
            if (budget < 0)
            {
                return LongSort.sort(v, scratch, m)[target];
            }
            budget -= right - left + 1;
            final int mid = (left + right) >>> 1;
            final long x = v[left];
            final long y = v[mid];
            final long z = v[right];
            final long pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
            int i = left;
            int j = right;
            while (i <= j)
            {
                while (v[i] < pivot)
                {
                    i++;
                }
                while (v[j] > pivot)
                {
                    j--;
                }
                if (i <= j)
                {
                    final long t = v[i];
                    v[i] = v[j];
                    v[j] = t;
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
                return v[target];
            }
        }
        return v[target];
    }

    /**
     * Sets each competing claim to clamp(#{lots with t(k) ≤ λ·w}, lo, hi) for λ = n/d, exactly.
     *
     * @return the total award of the tier.
     */
    private long roundAll(
        final int[] order, final int from, final int to, final long[] lo, final long[] hi, final long[] w, final long[] a,
        final long n, final long d, final long fixed)
    {
        long sum = fixed;
        for (int k = from; k < to; k++)
        {
            final int i = order[k];
            final long wI = w[i];
            final long loI = lo[i];
            final long hiI = hi[i];
            if (wI == 0 || loI >= hiI)
            {
                continue;
            }
            final long pHigh = Math.multiplyHigh(n, wI);
            final long pLow = n * wI;
            long q;
            long r;
            if (pHigh == 0 && pLow >= 0)
            {
                q = pLow / d;
                r = pLow - q * d;
            }
            else if (WideMath.compare128(pHigh, pLow, Math.multiplyHigh(hiI, d), hiI * d) >= 0)
            {
                q = hiI;
                r = 0;
            }
            else
            {
                q = WideMath.divide128(pHigh, pLow, d);
                r = pLow - q * d;
            }
            long award;
            if (q >= hiI)
            {
                award = hiI;
            }
            else
            {
                award = lotsUpTo(q, r, d);
                if (award < loI)
                {
                    award = loI;
                }
                else if (award > hiI)
                {
                    award = hiI;
                }
            }
            a[i] = award;
            sum += award;
        }
        return sum;
    }

    /** @return the numerator of the level last found by {@link #levelBySelection} or {@link #levelFromBreakpoints}. */
    long levelNumerator()
    {
        return levelNumerator;
    }

    /** True when λ = n/d puts every competing claim inside its bounds (the usual case: nothing clamps). */
    private static boolean noBoundBinds(
        final int[] order, final int from, final int to, final long[] lo, final long[] hi, final long[] w,
        final long n, final long d)
    {
        for (int k = from; k < to; k++)
        {
            final int i = order[k];
            final long wI = w[i];
            final long loI = lo[i];
            final long hiI = hi[i];
            if (wI == 0 || loI >= hiI)
            {
                continue;
            }
            final long pHigh = Math.multiplyHigh(n, wI);
            final long pLow = n * wI;
            if (WideMath.compare128(pHigh, pLow, Math.multiplyHigh(loI, d), loI * d) < 0 ||
                WideMath.compare128(pHigh, pLow, Math.multiplyHigh(hiI, d), hiI * d) > 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Sorts the breakpoints lo_i/w_i and hi_i/w_i and walks them keeping f(λ) = c + λ·wa, where c sums
     * the bounds of the clamped claims and wa the weights of the free ones, until f reaches the target.
     *
     * @return the denominator of λ (the free weight); the numerator is left in {@link #levelNumerator}.
     */
    long levelFromBreakpoints(
        final int[] order, final int from, final int to, final long[] lo, final long[] hi, final long[] w,
        final long target, final long sumLo)
    {
        final long[] ev = events;
        int m = 0;
        for (int k = from; k < to; k++)
        {
            final int i = order[k];
            if (w[i] == 0 || lo[i] >= hi[i])
            {
                continue;
            }
            ev[m++] = (long)i << 1;
            ev[m++] = ((long)i << 1) | 1;
        }
        final long[] sorted = sortEvents(ev, eventsScratch, m, lo, hi, w);

        long c = sumLo;
        long wa = 0;
        long free = 0;
        for (int k = 0; k < m; k++)
        {
            final long e = sorted[k];
            final int i = (int)(e >>> 1);
            final boolean upper = (e & 1) != 0;
            final long p = upper ? hi[i] : lo[i];
            // f at this breakpoint p/w_i reaches the target: p·wa ≥ (target − c)·w_i.
            if (wa > 0 && WideMath.compareProducts(p, wa, target - c, w[i]) >= 0)
            {
                break;
            }
            if (upper)
            {
                c += hi[i];
                wa -= w[i];
                free--;
            }
            else
            {
                c -= lo[i];
                wa += w[i];
                free++;
            }
        }
        levelNumerator = target - c;
        levelFreeClaims = free;
        return wa;
    }

    /**
     * The same level as {@link #levelFromBreakpoints} in expected linear time, the way quickselect
     * finds a median: keep an interval (left, right) of levels with f(left) &lt; target ≤ f(right) and
     * the claims that still have a breakpoint strictly inside it; evaluate f at a pseudo-randomly
     * chosen inside breakpoint, move one end of the interval there and retire the claims that no longer
     * straddle it (into the constant part c or the free weight wa). When no breakpoint is left inside,
     * f is c + λ·wa on the interval. The choice of pivots changes only the running time.
     *
     * @return the denominator of λ, the numerator in {@link #levelNumerator}; or 0 when the work
     * exceeded an O(n log n) budget (the caller then sorts).
     */
    long levelBySelection(
        final int[] order, final int from, final int to, final long[] lo, final long[] hi, final long[] w,
        final long target, final long fixed, final int active)
    {
        final int[] work = this.work;
        final byte[] flags = this.flags;
        int m = 0;
        for (int k = from; k < to; k++)
        {
            final int i = order[k];
            if (w[i] == 0 || lo[i] >= hi[i])
            {
                continue;
            }
            work[m] = i;
            // Every competing claim starts at its floor: c holds all floors, lo/w ≤ left = 0 iff lo = 0.
            flags[m] = (byte)(lo[i] == 0 ? LO_AT_OR_BELOW_LEFT : 0);
            m++;
        }
        long c = 0;
        for (int k = 0; k < m; k++)
        {
            c += lo[work[k]];
        }
        c += fixed;
        long wa = 0;
        long free = 0;
        long budget = 8L * active * (64 - Long.numberOfLeadingZeros(active) + 1);
        long seed = 0x9E3779B97F4A7C15L;
        while (m > 0)
        {
            budget -= m;
            if (budget < 0)
            {
                return 0;
            }
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            final int pick = (int)((seed >>> 33) % m);
            final int pi = work[pick];
            // A live claim has lo/w inside the interval unless lo/w ≤ left, and then hi/w is inside.
            final boolean useHi = (flags[pick] & LO_AT_OR_BELOW_LEFT) != 0 ||
                ((flags[pick] & HI_AT_OR_ABOVE_RIGHT) == 0 && (seed & (1L << 20)) != 0);
            final long p = useHi ? hi[pi] : lo[pi];
            final long u = w[pi];

            // f(p/u) = c + Σ over live claims of (clamp(p/u·w_j, lo_j, hi_j) − lo_j) + (p/u)·wa, as
            // c − down + up + (p/u)·ww; up stops growing once past the target (Σhi may overflow).
            long up = 0;
            long down = 0;
            long ww = wa;
            for (int k = 0; k < m; k++)
            {
                final int j = work[k];
                final long wj = w[j];
                final int loCmp = WideMath.compareProducts(lo[j], u, p, wj);
                final int hiCmp = WideMath.compareProducts(hi[j], u, p, wj);
                int f = flags[k] & (LO_AT_OR_BELOW_LEFT | HI_AT_OR_ABOVE_RIGHT);
                if (loCmp <= 0)
                {
                    f |= LO_AT_OR_BELOW_PIVOT;
                }
                if (loCmp >= 0)
                {
                    f |= LO_AT_OR_ABOVE_PIVOT;
                }
                if (hiCmp <= 0)
                {
                    f |= HI_AT_OR_BELOW_PIVOT;
                    up = up <= target ? up + hi[j] - lo[j] : up;
                }
                else if (loCmp < 0)
                {
                    ww += wj;
                    down += lo[j];
                }
                if (hiCmp >= 0)
                {
                    f |= HI_AT_OR_ABOVE_PIVOT;
                }
                flags[k] = (byte)f;
            }
            final long cc = c - down + Math.min(up, target);
            final boolean reaches = cc >= target || WideMath.compareProducts(p, ww, target - cc, u) >= 0;
            int kept = 0;
            for (int k = 0; k < m; k++)
            {
                final int j = work[k];
                final int f = flags[k];
                if (reaches)
                {
                    if ((f & LO_AT_OR_ABOVE_PIVOT) != 0)
                    {
                        continue; // at its floor on the whole interval: already in c
                    }
                    if ((f & LO_AT_OR_BELOW_LEFT) != 0 && (f & HI_AT_OR_ABOVE_PIVOT) != 0)
                    {
                        c -= lo[j];
                        wa += w[j];
                        free++;
                        continue;
                    }
                    work[kept] = j;
                    flags[kept] = (byte)((f & LO_AT_OR_BELOW_LEFT) | ((f & HI_AT_OR_ABOVE_PIVOT) != 0 ? HI_AT_OR_ABOVE_RIGHT : 0));
                }
                else
                {
                    if ((f & HI_AT_OR_BELOW_PIVOT) != 0)
                    {
                        c += hi[j] - lo[j];
                        continue;
                    }
                    if ((f & LO_AT_OR_BELOW_PIVOT) != 0 && (f & HI_AT_OR_ABOVE_RIGHT) != 0)
                    {
                        c -= lo[j];
                        wa += w[j];
                        free++;
                        continue;
                    }
                    work[kept] = j;
                    flags[kept] = (byte)(((f & LO_AT_OR_BELOW_PIVOT) != 0 ? LO_AT_OR_BELOW_LEFT : 0) | (f & HI_AT_OR_ABOVE_RIGHT));
                }
                kept++;
            }
            m = kept;
        }
        levelNumerator = target - c;
        levelFreeClaims = free;
        return wa;
    }

    private static final int LO_AT_OR_BELOW_LEFT = 1;
    private static final int HI_AT_OR_ABOVE_RIGHT = 2;
    private static final int LO_AT_OR_BELOW_PIVOT = 4;
    private static final int LO_AT_OR_ABOVE_PIVOT = 8;
    private static final int HI_AT_OR_BELOW_PIVOT = 16;
    private static final int HI_AT_OR_ABOVE_PIVOT = 32;

    /** Stable bottom-up merge sort of breakpoint events by their value p/w, exactly. */
    private static long[] sortEvents(
        final long[] a, final long[] scratch, final int n, final long[] lo, final long[] hi, final long[] w)
    {
        long[] src = a;
        long[] dst = scratch;
        for (int width = 1; width < n; width <<= 1)
        {
            for (int left = 0; left < n; left += width << 1)
            {
                final int mid = Math.min(left + width, n);
                final int right = Math.min(left + (width << 1), n);
                int i = left;
                int j = mid;
                int k = left;
                while (i < mid && j < right)
                {
                    dst[k++] = eventBefore(src[j], src[i], lo, hi, w) ? src[j++] : src[i++];
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
            final long[] t = src;
            src = dst;
            dst = t;
        }
        return src;
    }

    private static boolean eventBefore(final long e1, final long e2, final long[] lo, final long[] hi, final long[] w)
    {
        final int i1 = (int)(e1 >>> 1);
        final int i2 = (int)(e2 >>> 1);
        final long p1 = (e1 & 1) != 0 ? hi[i1] : lo[i1];
        final long p2 = (e2 & 1) != 0 ? hi[i2] : lo[i2];
        return WideMath.compareProducts(p1, w[i2], p2, w[i1]) < 0;
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
        final int[] order, final int from, final int to, final long[] lo, final long[] hi, final long[] w, final long[] a,
        final boolean adding, final long count)
    {
        final int[] h = heap;
        final int keepMode = adding ? ADD_LAST_ON_TOP : REMOVE_FIRST_ON_TOP;
        final int popMode = adding ? ADD_FIRST_ON_TOP : REMOVE_LAST_ON_TOP;
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

    /** Heap orders: which claim sits on top. */
    private static final int ADD_FIRST_ON_TOP = 0;
    private static final int ADD_LAST_ON_TOP = 1;
    private static final int REMOVE_LAST_ON_TOP = 2;
    private static final int REMOVE_FIRST_ON_TOP = 3;

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
