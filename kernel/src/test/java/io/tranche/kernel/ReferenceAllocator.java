package io.tranche.kernel;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A slow, obviously-correct implementation of docs/SEMANTICS.md, written from the text and not from
 * the kernel: BigInteger and exact rationals everywhere, level methods solved by evaluating the
 * piecewise-linear Σclamp at every breakpoint, divisor methods by the defining greedy (one lot at a
 * time, a linear scan for the greatest priority, exact comparisons), FIFO literally.
 * <p>
 * Meant for small targets (a few hundred lots in the splitting tier): the divisor greedy costs
 * O(lots · claims) BigInteger comparisons. Only valid problems are allocated; {@link #violations}
 * gives the field paths a validator must report.
 */
public final class ReferenceAllocator
{
    /** 2^62, the largest accepted number. */
    public static final long MAX = 1L << 62;

    private static final BigInteger MILLION = BigInteger.valueOf(1_000_000L);

    /**
     * Instrumentation for coverage reports: how many lots (or extra lots) so far were decided by queue
     * position between exactly equal priorities (or equal fractional parts). Single-threaded use.
     */
    static long positionTieBreaks;

    private ReferenceAllocator()
    {
    }

    /** The outcome of one problem. */
    public static final class Result
    {
        /** Awards in units, by queue position. */
        public final long[] awards;
        /** Exact (unrounded) share of each claim in lots: x_i for the level methods, the award otherwise. */
        public final Q[] shareLots;
        /** Σ awards in units. */
        public final long allocated;
        /** True when Σlo exceeded the supply in lots and the floors were rationed. */
        public final boolean floorsRationed;

        Result(final long[] awards, final Q[] shareLots, final long allocated, final boolean floorsRationed)
        {
            this.awards = awards;
            this.shareLots = shareLots;
            this.allocated = allocated;
            this.floorsRationed = floorsRationed;
        }
    }

    /** Per-claim bounds in lots as SEMANTICS.md "Units, lots, bounds" defines them (before any rationing). */
    public static final class Bounds
    {
        public final long lot;
        public final long supplyLots;
        public final long[] lo;
        public final long[] hi;
        /** Effective weight (0 for TALMUD and FIFO, which use none). */
        public final BigInteger[] w;

        Bounds(final long lot, final long supplyLots, final long[] lo, final long[] hi, final BigInteger[] w)
        {
            this.lot = lot;
            this.supplyLots = supplyLots;
            this.lo = lo;
            this.hi = hi;
            this.w = w;
        }

        /** @return Σlo in lots. */
        public BigInteger sumLo()
        {
            BigInteger s = BigInteger.ZERO;
            for (final long x : lo)
            {
                s = s.add(BigInteger.valueOf(x));
            }
            return s;
        }

        /** @return Σhi in lots. */
        public BigInteger sumHi()
        {
            BigInteger s = BigInteger.ZERO;
            for (final long x : hi)
            {
                s = s.add(BigInteger.valueOf(x));
            }
            return s;
        }
    }

    static boolean isDivisor(final Method m)
    {
        switch (m)
        {
            case DHONDT:
            case SAINTE_LAGUE:
            case ADAMS:
            case DEAN:
            case HUNTINGTON_HILL:
                return true;
            default:
                return false;
        }
    }

    static boolean isLevel(final Method m)
    {
        return m == Method.PROPORTIONAL || m == Method.EQUAL || m == Method.EQUAL_LOSSES || m == Method.TALMUD;
    }

    /** PROPORTIONAL and the divisor methods weigh a claim by its demand when no weight is given. */
    static boolean defaultWeightIsDemand(final Method m)
    {
        return m == Method.PROPORTIONAL || isDivisor(m);
    }

    static boolean usesWeight(final Method m)
    {
        return m != Method.TALMUD && m != Method.FIFO;
    }

    /** The methods under which a zero-weight claim is held at its floor. */
    static boolean holdsZeroWeight(final Method m)
    {
        return m == Method.PROPORTIONAL || m == Method.EQUAL || isDivisor(m);
    }

    /** EQUAL_LOSSES and TALMUD read hi as the demand and keep it as is. */
    static boolean hiIsDemand(final Method m)
    {
        return m == Method.EQUAL_LOSSES || m == Method.TALMUD;
    }

    static BigInteger effectiveWeight(final Method m, final long demand, final long weight)
    {
        if (!usesWeight(m))
        {
            return BigInteger.ZERO;
        }
        if (weight != Claims.ABSENT)
        {
            return BigInteger.valueOf(weight);
        }
        return defaultWeightIsDemand(m) ? BigInteger.valueOf(demand) : BigInteger.ONE;
    }

    /**
     * @param p a valid problem.
     * @return lo, hi (lots) and effective weights, with the zero-weight hold and the lowering of
     * bounds above the supply applied.
     */
    public static Bounds bounds(final Problem p)
    {
        final int n = p.size();
        final Method m = p.method;
        final long lot = p.lot == 0 ? 1 : p.lot;
        final long sl = p.supply / lot;
        final BigInteger shareUnits = p.ppm > 0 ?
            BigInteger.valueOf(p.supply).multiply(BigInteger.valueOf(p.ppm)).divide(MILLION) : null;
        final long[] lo = new long[n];
        final long[] hi = new long[n];
        final BigInteger[] w = new BigInteger[n];
        for (int i = 0; i < n; i++)
        {
            lo[i] = BigInteger.valueOf(p.floor[i]).add(BigInteger.valueOf(lot - 1)).divide(BigInteger.valueOf(lot))
                .longValueExact();
            BigInteger bound = null;
            if (p.demand[i] != Claims.ABSENT)
            {
                bound = BigInteger.valueOf(p.demand[i]);
            }
            if (p.cap[i] != Claims.ABSENT)
            {
                bound = bound == null ? BigInteger.valueOf(p.cap[i]) : bound.min(BigInteger.valueOf(p.cap[i]));
            }
            if (shareUnits != null)
            {
                bound = bound == null ? shareUnits : bound.min(shareUnits);
            }
            hi[i] = bound == null ? sl : bound.divide(BigInteger.valueOf(lot)).longValueExact();
            if (!hiIsDemand(m) && hi[i] > sl)
            {
                hi[i] = Math.max(sl, lo[i]);
            }
            w[i] = effectiveWeight(m, p.demand[i], p.weight[i]);
            if (holdsZeroWeight(m) && w[i].signum() == 0)
            {
                hi[i] = lo[i];
            }
        }
        return new Bounds(lot, sl, lo, hi, w);
    }

    /**
     * Allocates a valid problem exactly as SEMANTICS.md defines it.
     *
     * @param p a problem that passes validation.
     * @return awards in units and exact shares in lots.
     */
    public static Result allocate(final Problem p)
    {
        return allocate(p, LARGE_TIER);
    }

    /**
     * Tiers with more claims than this are solved by the scalable variants: the level methods by a
     * bisection over the sorted breakpoints instead of evaluating Σclamp at every one, the divisor
     * methods by the same one-lot-at-a-time greedy with a heap instead of a linear scan. Both
     * variants are checked against the plain ones in {@code ReferenceAllocatorTest}.
     */
    public static final int LARGE_TIER = 200;

    /**
     * @param p         a valid problem.
     * @param largeTier tiers with more claims use the scalable variants (0: always, MAX_VALUE: never).
     * @return awards and exact shares.
     */
    public static Result allocate(final Problem p, final int largeTier)
    {
        final int n = p.size();
        final Method m = p.method;
        final Bounds b = bounds(p);
        final long[] lo = b.lo.clone();
        final long[] hi = b.hi.clone();
        final BigInteger[] w = b.w.clone();
        final long sl = b.supplyLots;

        final BigInteger sumLo = b.sumLo();
        final boolean rationed = sumLo.compareTo(BigInteger.valueOf(sl)) > 0;
        BigInteger rest;
        if (rationed)
        {
            ration(m, lo, hi, w);
            rest = BigInteger.valueOf(sl);
        }
        else
        {
            rest = BigInteger.valueOf(sl).subtract(sumLo);
        }

        final long[] a = new long[n];
        final Q[] x = new Q[n];
        final TreeSet<Integer> tiers = new TreeSet<>();
        for (int i = 0; i < n; i++)
        {
            tiers.add(p.tier[i]);
        }
        for (final int t : tiers)
        {
            final List<Integer> members = new ArrayList<>();
            for (int i = 0; i < n; i++)
            {
                if (p.tier[i] == t)
                {
                    members.add(i);
                }
            }
            BigInteger headroom = BigInteger.ZERO;
            BigInteger tierLo = BigInteger.ZERO;
            for (final int i : members)
            {
                headroom = headroom.add(BigInteger.valueOf(hi[i] - lo[i]));
                tierLo = tierLo.add(BigInteger.valueOf(lo[i]));
            }
            if (headroom.compareTo(rest) <= 0)
            {
                for (final int i : members)
                {
                    a[i] = hi[i];
                    x[i] = Q.of(hi[i]);
                }
                rest = rest.subtract(headroom);
            }
            else if (rest.signum() > 0)
            {
                final long target = tierLo.add(rest).longValueExact();
                split(m, members, lo, hi, w, target, a, x, members.size() > largeTier);
                rest = BigInteger.ZERO;
            }
            else
            {
                for (final int i : members)
                {
                    a[i] = lo[i];
                    x[i] = Q.of(lo[i]);
                }
            }
        }
        final long[] awards = new long[n];
        long allocated = 0;
        for (int i = 0; i < n; i++)
        {
            awards[i] = BigInteger.valueOf(a[i]).multiply(BigInteger.valueOf(b.lot)).longValueExact();
            allocated = Math.addExact(allocated, awards[i]);
        }
        return new Result(awards, x, allocated, rationed);
    }

    /**
     * Step 1, rationing: the floor becomes the demand, the floor the weight where the default weight is the demand,
     * 1 for EQUAL and EQUAL_LOSSES; given weights are not used.
     */
    private static void ration(final Method m, final long[] lo, final long[] hi, final BigInteger[] w)
    {
        for (int i = 0; i < lo.length; i++)
        {
            hi[i] = lo[i];
            lo[i] = 0;
            if (defaultWeightIsDemand(m))
            {
                w[i] = BigInteger.valueOf(hi[i]);
            }
            else if (m == Method.EQUAL || m == Method.EQUAL_LOSSES)
            {
                w[i] = BigInteger.ONE;
            }
            else
            {
                w[i] = BigInteger.ZERO;
            }
            if (holdsZeroWeight(m) && w[i].signum() == 0)
            {
                hi[i] = lo[i];
            }
        }
    }

    private static void split(
        final Method m, final List<Integer> members, final long[] lo, final long[] hi, final BigInteger[] w,
        final long target, final long[] a, final Q[] x, final boolean large)
    {
        if (isLevel(m))
        {
            level(m, members, lo, hi, w, target, a, x, large);
        }
        else if (m == Method.FIFO)
        {
            long remaining = target;
            for (final int i : members)
            {
                remaining -= lo[i];
            }
            for (final int i : members)
            {
                final long give = Math.min(hi[i] - lo[i], remaining);
                a[i] = lo[i] + give;
                remaining -= give;
                x[i] = Q.of(a[i]);
            }
        }
        else if (large)
        {
            heapGreedy(m, members, lo, hi, w, target, a, x);
        }
        else
        {
            greedy(m, members, lo, hi, w, target, a, x);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Level methods

    /** x_i at parameter λ (or μ for the upper half of TALMUD). */
    private static Q share(
        final Method m, final boolean talmudUpper, final long lo, final long hi, final BigInteger w, final Q param)
    {
        final Q l = Q.of(lo);
        final Q h = Q.of(hi);
        final Q g;
        switch (m)
        {
            case PROPORTIONAL:
            case EQUAL:
                g = param.mul(Q.of(w));
                break;
            case EQUAL_LOSSES:
                g = h.sub(param.mul(Q.of(w)));
                break;
            case TALMUD:
            {
                final Q half = Q.of(BigInteger.valueOf(hi), BigInteger.TWO);
                g = talmudUpper ? Q.max(half, h.sub(param)) : Q.min(param, half);
                break;
            }
            default:
                throw new IllegalArgumentException(m.toString());
        }
        return Q.min(Q.max(g, l), h);
    }

    private static void level(
        final Method m, final List<Integer> members, final long[] lo, final long[] hi, final BigInteger[] w,
        final long target, final long[] a, final Q[] x, final boolean large)
    {
        final Q t = Q.of(target);
        boolean upper = false;
        if (m == Method.TALMUD)
        {
            // V = Σ max(lo, hi/2); the lower piece serves T ≤ V.
            Q v = Q.ZERO;
            for (final int i : members)
            {
                v = v.add(Q.max(Q.of(lo[i]), Q.of(BigInteger.valueOf(hi[i]), BigInteger.TWO)));
            }
            upper = t.compareTo(v) > 0;
        }
        // Every point where some x_i(param) has a kink; between two consecutive ones Σx is linear.
        final TreeSet<Q> points = kinks(m, members, lo, hi, w);
        final List<Q> ps = new ArrayList<>(points);
        Q param = large ? bisect(m, upper, members, lo, hi, w, t, ps) : null;
        final List<Q> fs = new ArrayList<>();
        for (int k = 0; k < ps.size() && param == null; k++)
        {
            final Q point = ps.get(k);
            Q f = Q.ZERO;
            for (final int i : members)
            {
                f = f.add(share(m, upper, lo[i], hi[i], w[i], point));
            }
            fs.add(f);
        }
        for (int k = 0; k < fs.size() && param == null; k++)
        {
            if (fs.get(k).compareTo(t) == 0)
            {
                param = ps.get(k);
            }
        }
        for (int k = 0; k + 1 < fs.size() && param == null; k++)
        {
            final Q f0 = fs.get(k);
            final Q f1 = fs.get(k + 1);
            final Q low = Q.min(f0, f1);
            final Q high = Q.max(f0, f1);
            if (low.compareTo(t) < 0 && t.compareTo(high) < 0)
            {
                // Σx is linear on [p_k, p_k+1]: interpolate exactly.
                param = ps.get(k).add(t.sub(f0).mul(ps.get(k + 1).sub(ps.get(k))).div(f1.sub(f0)));
            }
        }
        if (param == null)
        {
            throw new AssertionError("no level reaches target " + target + " for " + m + " " + members);
        }
        Q check = Q.ZERO;
        for (final int i : members)
        {
            x[i] = share(m, upper, lo[i], hi[i], w[i], param);
            check = check.add(x[i]);
        }
        if (check.compareTo(t) != 0)
        {
            throw new AssertionError("level solution sums to " + check + " not " + target);
        }
        // Largest remainder: floors first, then one more lot to the largest fractional parts,
        // ties to the earlier queue position (members are in queue order and the sort is stable).
        long given = 0;
        for (final int i : members)
        {
            a[i] = x[i].floor().longValueExact();
            given += a[i];
        }
        final Map<Integer, Q> fraction = new HashMap<>();
        for (final int i : members)
        {
            fraction.put(i, x[i].fraction());
        }
        final List<Integer> byFraction = new ArrayList<>(members);
        byFraction.sort((i, j) -> fraction.get(j).compareTo(fraction.get(i)));
        long extra = target - given;
        if (extra > 0 && extra < byFraction.size() &&
            x[byFraction.get((int)extra - 1)].fraction().compareTo(x[byFraction.get((int)extra)].fraction()) == 0)
        {
            positionTieBreaks++;
        }
        for (int k = 0; extra > 0; k++, extra--)
        {
            final int i = byFraction.get(k);
            if (x[i].fraction().num.signum() == 0)
            {
                throw new AssertionError("extra lot for an integral share");
            }
            a[i]++;
        }
    }

    /** @return the parameters at which some share of the level method {@code m} changes slope, and zero. */
    private static TreeSet<Q> kinks(
        final Method m, final List<Integer> members, final long[] lo, final long[] hi, final BigInteger[] w)
    {
        final TreeSet<Q> points = new TreeSet<>();
        points.add(Q.ZERO);
        for (final int i : members)
        {
            switch (m)
            {
                case PROPORTIONAL:
                case EQUAL:
                    if (w[i].signum() > 0)
                    {
                        points.add(Q.of(BigInteger.valueOf(lo[i]), w[i]));
                        points.add(Q.of(BigInteger.valueOf(hi[i]), w[i]));
                    }
                    break;
                case EQUAL_LOSSES:
                    points.add(Q.of(BigInteger.valueOf(hi[i] - lo[i]), w[i]));
                    break;
                case TALMUD:
                    points.add(Q.of(BigInteger.valueOf(hi[i]), BigInteger.TWO));
                    points.add(Q.of(lo[i]));
                    points.add(Q.of(hi[i] - lo[i]));
                    break;
                default:
                    throw new IllegalArgumentException(m.toString());
            }
        }
        return points;
    }

    private static Q sumShares(
        final Method m, final boolean upper, final List<Integer> members, final long[] lo, final long[] hi,
        final BigInteger[] w, final Q param)
    {
        // Σ over the common denominator 2·den(param): every share is an integer, a half-integer (TALMUD's
        // half-demands), param·w or hi − param·w, so its denominator divides 2·den(param).
        final BigInteger common = param.den.shiftLeft(1);
        BigInteger sum = BigInteger.ZERO;
        for (final int i : members)
        {
            final Q x = share(m, upper, lo[i], hi[i], w[i], param);
            final BigInteger[] qr = common.divideAndRemainder(x.den);
            if (qr[1].signum() != 0)
            {
                throw new AssertionError("share " + x + " not over " + common);
            }
            sum = sum.add(x.num.multiply(qr[0]));
        }
        return Q.of(sum, common);
    }

    /**
     * The same solution as the sweep, for large tiers: Σx is monotone in the parameter (non-decreasing
     * for PROPORTIONAL, EQUAL and the lower TALMUD piece, non-increasing for EQUAL_LOSSES and the upper
     * TALMUD piece), so bisect over the sorted breakpoints for the last one on the near side of T,
     * then interpolate on the segment after it.
     */
    private static Q bisect(
        final Method m, final boolean upper, final List<Integer> members, final long[] lo, final long[] hi,
        final BigInteger[] w, final Q t, final List<Q> ps)
    {
        final int last = ps.size() - 1;
        final Q f0 = sumShares(m, upper, members, lo, hi, w, ps.get(0));
        final Q fLast = sumShares(m, upper, members, lo, hi, w, ps.get(last));
        final int direction = fLast.compareTo(f0) >= 0 ? 1 : -1;
        // invariant: side(low) <= 0 (F(p_low) on the near side of T or equal), side(high) > 0 unless high == last + 1
        int low = 0;
        int high = last + 1;
        if (direction * f0.compareTo(t) > 0)
        {
            throw new AssertionError("target " + t + " before the first breakpoint");
        }
        while (high - low > 1)
        {
            final int mid = (low + high) >>> 1;
            final Q f = sumShares(m, upper, members, lo, hi, w, ps.get(mid));
            if (direction * f.compareTo(t) <= 0)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }
        final Q fLow = sumShares(m, upper, members, lo, hi, w, ps.get(low));
        if (fLow.compareTo(t) == 0 || low == last)
        {
            return ps.get(low);
        }
        final Q fNext = sumShares(m, upper, members, lo, hi, w, ps.get(low + 1));
        return ps.get(low).add(t.sub(fLow).mul(ps.get(low + 1).sub(ps.get(low))).div(fNext.sub(fLow)));
    }

    // ---------------------------------------------------------------------------------------------
    // Divisor methods

    /** Priority w / t(n) as a fraction num/den (den = 0: infinite); Huntington–Hill squared. */
    private static BigInteger[] priority(final Method m, final BigInteger w, final long award)
    {
        final BigInteger n = BigInteger.valueOf(award);
        switch (m)
        {
            case DHONDT:
                return new BigInteger[] {w, n.add(BigInteger.ONE)};
            case SAINTE_LAGUE:
                // w / (n + 1/2) = 2w / (2n + 1)
                return new BigInteger[] {w.shiftLeft(1), n.shiftLeft(1).add(BigInteger.ONE)};
            case ADAMS:
                return new BigInteger[] {w, n};
            case DEAN:
                // w / (n(n+1)/(n+1/2)) = w(2n+1) / (2n(n+1))
                return new BigInteger[] {w.multiply(n.shiftLeft(1).add(BigInteger.ONE)),
                    n.multiply(n.add(BigInteger.ONE)).shiftLeft(1)};
            case HUNTINGTON_HILL:
                // (w / √(n(n+1)))² = w² / (n(n+1))
                return new BigInteger[] {w.multiply(w), n.multiply(n.add(BigInteger.ONE))};
            default:
                throw new IllegalArgumentException(m.toString());
        }
    }

    /** @return true when claim i (priority pi, weight wi) goes before claim j; i is earlier in the queue than j. */
    private static boolean before(final BigInteger[] pi, final BigInteger wi, final BigInteger[] pj,
        final BigInteger wj)
    {
        final boolean infI = pi[1].signum() == 0;
        final boolean infJ = pj[1].signum() == 0;
        if (infI && infJ)
        {
            return wi.compareTo(wj) >= 0;
        }
        if (infI || infJ)
        {
            return infI;
        }
        return pi[0].multiply(pj[1]).compareTo(pj[0].multiply(pi[1])) >= 0;
    }

    private static void greedy(
        final Method m, final List<Integer> members, final long[] lo, final long[] hi, final BigInteger[] w,
        final long target, final long[] a, final Q[] x)
    {
        long total = 0;
        for (final int i : members)
        {
            a[i] = lo[i];
            total += lo[i];
        }
        while (total < target)
        {
            int best = -1;
            BigInteger[] bestPriority = null;
            boolean tied = false;
            // members are in queue order: replacing only on strictly-before keeps the earlier claim on ties.
            for (final int i : members)
            {
                if (a[i] >= hi[i] || w[i].signum() == 0)
                {
                    continue;
                }
                final BigInteger[] pr = priority(m, w[i], a[i]);
                if (best < 0 || !before(bestPriority, w[best], pr, w[i]))
                {
                    best = i;
                    bestPriority = pr;
                    tied = false;
                }
                else if (before(pr, w[i], bestPriority, w[best]))
                {
                    tied = true;
                }
            }
            // only the last lot decides between tied claims (earlier tied lots go to all of them)
            if (tied && total == target - 1)
            {
                positionTieBreaks++;
            }
            if (best < 0)
            {
                throw new AssertionError("no claim can take another lot; target " + target);
            }
            a[best]++;
            total++;
        }
        for (final int i : members)
        {
            x[i] = Q.of(a[i]);
        }
    }

    /** The greedy above with a heap: one lot at a time to the greatest priority, ties to the earlier claim. */
    private static void heapGreedy(
        final Method m, final List<Integer> members, final long[] lo, final long[] hi, final BigInteger[] w,
        final long target, final long[] a, final Q[] x)
    {
        final Map<Integer, BigInteger[]> pri = new HashMap<>();
        final java.util.PriorityQueue<Integer> heap = new java.util.PriorityQueue<>((i, j) ->
        {
            final BigInteger[] pi = pri.get(i);
            final BigInteger[] pj = pri.get(j);
            final boolean iFirst = before(pi, w[i], pj, w[j]);
            final boolean jFirst = before(pj, w[j], pi, w[i]);
            if (iFirst && jFirst)
            {
                return Integer.compare(i, j);
            }
            return iFirst ? -1 : 1;
        });
        long total = 0;
        for (final int i : members)
        {
            a[i] = lo[i];
            total += lo[i];
            if (a[i] < hi[i] && w[i].signum() > 0)
            {
                pri.put(i, priority(m, w[i], a[i]));
                heap.add(i);
            }
        }
        while (total < target)
        {
            final Integer best = heap.poll();
            if (best == null)
            {
                throw new AssertionError("no claim can take another lot; target " + target);
            }
            a[best]++;
            total++;
            if (a[best] < hi[best])
            {
                pri.put(best, priority(m, w[best], a[best]));
                heap.add(best);
            }
        }
        for (final int i : members)
        {
            x[i] = Q.of(a[i]);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Validation

    /**
     * The field paths a validator must report for {@code p} (one entry per violation, sorted), per
     * SEMANTICS.md "Validation". A claim whose own numbers are out of range is not checked further
     * (its floor bound and its share of the totals are meaningless); neither is the floor bound while
     * the header (supply, lot, ppm, method) is invalid.
     *
     * @param p        any problem.
     * @param capacity the allocator's claim limit.
     * @return sorted field paths, empty when the problem is valid.
     */
    public static List<String> violations(final Problem p, final int capacity)
    {
        final List<String> out = new ArrayList<>();
        final int n = p.size();
        if (p.supply < 0 || p.supply > MAX)
        {
            out.add("supply");
        }
        if (p.method == null)
        {
            out.add("policy.method");
        }
        if (p.lot < 0 || p.lot > MAX)
        {
            out.add("policy.lot");
        }
        if (p.ppm < 0 || p.ppm > 1_000_000)
        {
            out.add("policy.max_share_ppm");
        }
        if (n > capacity)
        {
            out.add("claims");
            Collections.sort(out);
            return out;
        }
        final boolean header = out.isEmpty();
        final Map<String, Integer> seen = new HashMap<>();
        BigInteger sumFloor = BigInteger.ZERO;
        BigInteger sumWeight = BigInteger.ZERO;
        BigInteger sumDemand = BigInteger.ZERO;
        final Method m = p.method;
        for (int i = 0; i < n; i++)
        {
            final String prefix = "claims[" + i + "].";
            if (p.id[i] == null || p.id[i].isEmpty())
            {
                out.add(prefix + "id");
            }
            else if (seen.putIfAbsent(p.id[i], i) != null)
            {
                out.add(prefix + "id");
            }
            if (!claimInRange(p, i, prefix, out))
            {
                continue;
            }
            sumFloor = sumFloor.add(BigInteger.valueOf(p.floor[i]));
            if (m != null && usesWeight(m))
            {
                sumWeight = sumWeight.add(effectiveWeight(m, p.demand[i], p.weight[i]));
            }
            if (m != null && hiIsDemand(m))
            {
                sumDemand = sumDemand.add(BigInteger.valueOf(p.demand[i]));
            }
            if (header && floorAboveBound(p, i))
            {
                out.add(prefix + "floor");
            }
        }
        final BigInteger maxLong = BigInteger.valueOf(Long.MAX_VALUE);
        if (sumFloor.compareTo(maxLong) > 0)
        {
            out.add("claims");
        }
        if (sumWeight.compareTo(maxLong) > 0)
        {
            out.add("claims");
        }
        if (sumDemand.compareTo(maxLong) > 0)
        {
            out.add("claims");
        }
        Collections.sort(out);
        return out;
    }

    /** Adds the violations of claim {@code i}'s own numbers; @return true when there are none. */
    private static boolean claimInRange(final Problem p, final int i, final String prefix, final List<String> out)
    {
        boolean ok = true;
        if (p.demand[i] != Claims.ABSENT && (p.demand[i] < 0 || p.demand[i] > MAX))
        {
            out.add(prefix + "demand");
            ok = false;
        }
        if (p.weight[i] != Claims.ABSENT && (p.weight[i] < 0 || p.weight[i] > MAX))
        {
            out.add(prefix + "weight");
            ok = false;
        }
        if (p.cap[i] != Claims.ABSENT && (p.cap[i] < 0 || p.cap[i] > MAX))
        {
            out.add(prefix + "cap");
            ok = false;
        }
        if (p.floor[i] < 0 || p.floor[i] > MAX)
        {
            out.add(prefix + "floor");
            ok = false;
        }
        if (p.tier[i] < 0)
        {
            out.add(prefix + "tier");
            ok = false;
        }
        if (p.method != null)
        {
            if (hiIsDemand(p.method) && p.demand[i] == Claims.ABSENT)
            {
                out.add(prefix + "demand");
                ok = false;
            }
            if (p.method == Method.EQUAL_LOSSES && p.weight[i] == 0)
            {
                out.add(prefix + "weight");
                ok = false;
            }
            if (defaultWeightIsDemand(p.method) && p.weight[i] == Claims.ABSENT && p.demand[i] == Claims.ABSENT)
            {
                out.add(prefix + "weight");
                ok = false;
            }
        }
        return ok;
    }

    /** @return true when claim {@code i}'s floor, in whole lots, is above its bound (demand, cap, share limit). */
    private static boolean floorAboveBound(final Problem p, final int i)
    {
        final long lot = p.lot == 0 ? 1 : p.lot;
        final BigInteger bl = BigInteger.valueOf(lot);
        final BigInteger lo = BigInteger.valueOf(p.floor[i]).add(bl).subtract(BigInteger.ONE).divide(bl);
        BigInteger bound = null;
        if (p.demand[i] != Claims.ABSENT)
        {
            bound = BigInteger.valueOf(p.demand[i]);
        }
        if (p.cap[i] != Claims.ABSENT)
        {
            bound = bound == null ? BigInteger.valueOf(p.cap[i]) : bound.min(BigInteger.valueOf(p.cap[i]));
        }
        if (p.ppm > 0)
        {
            final BigInteger share =
                BigInteger.valueOf(p.supply).multiply(BigInteger.valueOf(p.ppm)).divide(MILLION);
            bound = bound == null ? share : bound.min(share);
        }
        // a zero-weight claim held at its floor too: no award may exceed its bound
        return bound != null && lo.compareTo(bound.divide(bl)) > 0;
    }

    // ---------------------------------------------------------------------------------------------

    /** An exact non-negative-or-negative rational num/den, den &gt; 0, in lowest terms. */
    public static final class Q implements Comparable<Q>
    {
        static final Q ZERO = new Q(BigInteger.ZERO, BigInteger.ONE);

        public final BigInteger num;
        public final BigInteger den;

        private Q(final BigInteger num, final BigInteger den)
        {
            this.num = num;
            this.den = den;
        }

        static Q of(final long v)
        {
            return new Q(BigInteger.valueOf(v), BigInteger.ONE);
        }

        static Q of(final BigInteger v)
        {
            return new Q(v, BigInteger.ONE);
        }

        static Q of(final BigInteger num, final BigInteger den)
        {
            if (den.signum() == 0)
            {
                throw new ArithmeticException("zero denominator");
            }
            BigInteger nn = den.signum() < 0 ? num.negate() : num;
            BigInteger dd = den.abs();
            final BigInteger g = nn.gcd(dd);
            if (!g.equals(BigInteger.ONE) && g.signum() != 0)
            {
                nn = nn.divide(g);
                dd = dd.divide(g);
            }
            return new Q(nn, dd);
        }

        Q add(final Q o)
        {
            return of(num.multiply(o.den).add(o.num.multiply(den)), den.multiply(o.den));
        }

        Q sub(final Q o)
        {
            return of(num.multiply(o.den).subtract(o.num.multiply(den)), den.multiply(o.den));
        }

        Q mul(final Q o)
        {
            return of(num.multiply(o.num), den.multiply(o.den));
        }

        Q div(final Q o)
        {
            return of(num.multiply(o.den), den.multiply(o.num));
        }

        static Q min(final Q a, final Q b)
        {
            return a.compareTo(b) <= 0 ? a : b;
        }

        static Q max(final Q a, final Q b)
        {
            return a.compareTo(b) >= 0 ? a : b;
        }

        /** @return ⌊this⌋. */
        public BigInteger floor()
        {
            final BigInteger[] qr = num.divideAndRemainder(den);
            return qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
        }

        /** @return this − ⌊this⌋, in [0, 1). */
        public Q fraction()
        {
            return sub(of(floor()));
        }

        @Override
        public int compareTo(final Q o)
        {
            return num.multiply(o.den).compareTo(o.num.multiply(den));
        }

        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Q && compareTo((Q)o) == 0;
        }

        @Override
        public int hashCode()
        {
            return num.hashCode() * 31 + den.hashCode();
        }

        @Override
        public String toString()
        {
            return den.equals(BigInteger.ONE) ? num.toString() : num + "/" + den;
        }
    }
}
