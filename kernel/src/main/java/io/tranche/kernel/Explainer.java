package io.tranche.kernel;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * Explains an allocation after the fact: for every claim the bound or rule that decided its award,
 * and for the split tier the level, the last divisor and the rounding (docs/audit.md "Explain").
 * <p>
 * A cold path: it allocates freely and computes with exact rationals ({@link BigInteger}), never
 * {@code double}. It recomputes the bounds, tiers and the exact level from docs/SEMANTICS.md on its
 * own and reads the awards from {@link Claims#award(int)}; {@link Allocator#allocate} never calls
 * it, so the hot path stays allocation-free when no explanation is asked for.
 */
public final class Explainer
{
    private static final BigInteger TWO = BigInteger.TWO;
    private static final Rule[] DIVISOR_RULES = divisorRules();

    private Explainer()
    {
    }

    /** What decided one award. */
    public enum Reason
    {
        /** The claim's tier came before the split tier and its headroom fit: award = upper bound. */
        TIER_SERVED_IN_FULL,
        /** The claim's tier came after the split tier (or nothing was left): award = floor. */
        TIER_NOT_REACHED,
        /** Weight 0 under PROPORTIONAL, EQUAL or a divisor method: held at its floor. */
        WEIGHT_ZERO,
        /** Split tier: the method gave nothing beyond the floor. */
        FLOOR,
        /** Split tier: the method reached the upper bound. */
        UPPER_BOUND,
        /** Split tier: strictly between floor and upper bound. */
        SPLIT
    }

    /** Which limit a claim's upper bound is. */
    public enum Bound
    {
        /** The demand. */
        DEMAND,
        /** The cap. */
        CAP,
        /** The concentration limit. */
        SHARE_LIMIT,
        /** Nothing below the supply bounds it. */
        SUPPLY,
        /** The floors were rationed: the floor is the bound. */
        FLOOR_ENTITLEMENT
    }

    /**
     * An exact, reduced rational with a positive denominator; infinity is 1/0.
     */
    public static final class Fraction implements Comparable<Fraction>
    {
        /** 0/1. */
        public static final Fraction ZERO = new Fraction(BigInteger.ZERO, BigInteger.ONE);
        /** 1/0: the priority of a first lot under a divisor method with t(0) = 0. */
        public static final Fraction INFINITY = new Fraction(BigInteger.ONE, BigInteger.ZERO);

        private final BigInteger numerator;
        private final BigInteger denominator;

        private Fraction(final BigInteger numerator, final BigInteger denominator)
        {
            this.numerator = numerator;
            this.denominator = denominator;
        }

        /**
         * @param numerator   any integer.
         * @param denominator non-zero.
         * @return the reduced fraction.
         */
        public static Fraction of(final BigInteger numerator, final BigInteger denominator)
        {
            if (denominator.signum() == 0)
            {
                throw new ArithmeticException("denominator=0");
            }
            BigInteger n = numerator;
            BigInteger d = denominator;
            if (d.signum() < 0)
            {
                n = n.negate();
                d = d.negate();
            }
            final BigInteger g = n.gcd(d);
            if (!g.equals(BigInteger.ONE) && g.signum() != 0)
            {
                n = n.divide(g);
                d = d.divide(g);
            }
            return new Fraction(n, d);
        }

        /** @param value an integer. @return value/1. */
        public static Fraction of(final long value)
        {
            return new Fraction(BigInteger.valueOf(value), BigInteger.ONE);
        }

        /** @return the numerator. */
        public BigInteger numerator()
        {
            return numerator;
        }

        /** @return the denominator (0 for infinity). */
        public BigInteger denominator()
        {
            return denominator;
        }

        /** @return true for 1/0. */
        public boolean isInfinite()
        {
            return denominator.signum() == 0;
        }

        /** @return ⌊this⌋ (finite only). */
        public BigInteger floor()
        {
            final BigInteger[] qr = numerator.divideAndRemainder(denominator);
            return qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
        }

        /** @return this − ⌊this⌋ (finite only). */
        public Fraction fractionalPart()
        {
            return of(numerator.subtract(floor().multiply(denominator)), denominator);
        }

        Fraction add(final Fraction o)
        {
            return of(
                numerator.multiply(o.denominator).add(o.numerator.multiply(denominator)),
                denominator.multiply(o.denominator));
        }

        Fraction subtract(final Fraction o)
        {
            return of(
                numerator.multiply(o.denominator).subtract(o.numerator.multiply(denominator)),
                denominator.multiply(o.denominator));
        }

        Fraction multiply(final BigInteger k)
        {
            return of(numerator.multiply(k), denominator);
        }

        Fraction divide(final BigInteger k)
        {
            return of(numerator, denominator.multiply(k));
        }

        @Override
        public int compareTo(final Fraction o)
        {
            if (isInfinite() || o.isInfinite())
            {
                return Boolean.compare(isInfinite(), o.isInfinite());
            }
            return numerator.multiply(o.denominator).compareTo(o.numerator.multiply(denominator));
        }

        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Fraction && numerator.equals(((Fraction)o).numerator) &&
                denominator.equals(((Fraction)o).denominator);
        }

        @Override
        public int hashCode()
        {
            return numerator.hashCode() * 31 + denominator.hashCode();
        }

        @Override
        public String toString()
        {
            if (isInfinite())
            {
                return "∞";
            }
            return denominator.equals(BigInteger.ONE) ? numerator.toString() : numerator + "/" + denominator;
        }

        static Fraction min(final Fraction a, final Fraction b)
        {
            return a.compareTo(b) <= 0 ? a : b;
        }

        static Fraction max(final Fraction a, final Fraction b)
        {
            return a.compareTo(b) >= 0 ? a : b;
        }
    }

    /** The explanation of one allocation: per-claim columns by queue position, and the tranche-level facts. */
    public static final class Explanation
    {
        private final int count;
        private final long lot;
        private final Reason[] reason;
        private final Bound[] upperBound;
        private final long[] loLots;
        private final long[] hiLots;
        private final Fraction[] share;
        private final boolean[] extraLot;
        private final Fraction[] nextPriority;
        private final boolean[] tie;
        private boolean floorsRationed;
        private int splitTier = -1;
        private Fraction level;
        private boolean talmudLosses;
        private long extraLots;
        private Fraction lastPriority;
        private long lotsLeftOver;

        Explanation(final int count, final long lot)
        {
            this.count = count;
            this.lot = lot;
            reason = new Reason[count];
            upperBound = new Bound[count];
            loLots = new long[count];
            hiLots = new long[count];
            share = new Fraction[count];
            extraLot = new boolean[count];
            nextPriority = new Fraction[count];
            tie = new boolean[count];
        }

        /** @return number of claims. */
        public int count()
        {
            return count;
        }

        /** @return the lot size (units per lot). */
        public long lot()
        {
            return lot;
        }

        /** @param i queue position. @return what decided the award. */
        public Reason reason(final int i)
        {
            return reason[i];
        }

        /** @param i queue position. @return which limit the upper bound is. */
        public Bound upperBound(final int i)
        {
            return upperBound[i];
        }

        /** @param i queue position. @return lower bound in lots as the kernel used it. */
        public long loLots(final int i)
        {
            return loLots[i];
        }

        /** @param i queue position. @return upper bound in lots as the kernel used it. */
        public long hiLots(final int i)
        {
            return hiLots[i];
        }

        /** @param i queue position. @return the exact share in lots (level methods, split tier), or null. */
        public Fraction share(final int i)
        {
            return share[i];
        }

        /** @param i queue position. @return true when rounding gave the claim the extra lot. */
        public boolean extraLot(final int i)
        {
            return extraLot[i];
        }

        /**
         * @param i queue position.
         * @return the priority of the claim's next lot (divisor methods, split tier, below its bound), or
         * null; squared where the method's t(n) is irrational ({@link DivisorMethod#priority}).
         */
        public Fraction nextPriority(final int i)
        {
            return nextPriority[i];
        }

        /** @param i queue position. @return true when queue position decided an equal remainder or priority. */
        public boolean tieBrokenByPosition(final int i)
        {
            return tie[i];
        }

        /** @return true when the floors were rationed. */
        public boolean floorsRationed()
        {
            return floorsRationed;
        }

        /** @return the split tier, or -1. */
        public int splitTier()
        {
            return splitTier;
        }

        /** @return λ (μ on the losses side of TALMUD) for level methods with a split tier, else null. */
        public Fraction level()
        {
            return level;
        }

        /** @return true when TALMUD used equal losses on the half-demands. */
        public boolean talmudLosses()
        {
            return talmudLosses;
        }

        /** @return lots handed out by rounding (level methods). */
        public long extraLots()
        {
            return extraLots;
        }

        /** @return priority of the last lot served (divisor methods; squared where t(n) is irrational), or null. */
        public Fraction lastPriority()
        {
            return lastPriority;
        }

        /** @return ⌊supply / lot⌋ − allocated lots. */
        public long lotsLeftOver()
        {
            return lotsLeftOver;
        }
    }

    /**
     * Explains the awards the last {@link Allocator#allocate} call wrote into {@code claims}. The
     * problem must be valid ({@link Allocator#validate}).
     *
     * @param supply      units split.
     * @param method      the rule.
     * @param lot         lot size; 0 means 1.
     * @param maxSharePpm concentration limit in ppm; 0 = none.
     * @param claims      the claims with their awards.
     * @return the explanation.
     */
    public static Explanation explain(
        final long supply, final Method method, final long lot, final int maxSharePpm, final Claims claims)
    {
        final int n = claims.count();
        final long l = lot == 0 ? 1 : lot;
        final long sLots = supply / l;
        final long shareUnits = maxSharePpm == 0 ? Claims.ABSENT : Lots.shareLimit(supply, maxSharePpm);
        final Explanation e = new Explanation(n, l);
        final long[] w = new long[n];
        final boolean[] held = new boolean[n];
        final long sumLo = bounds(e, method, claims, sLots, shareUnits, w, held);
        final long rest;
        if (sumLo > sLots)
        {
            rationFloors(e, method, w, held);
            rest = sLots;
        }
        else
        {
            rest = sLots - sumLo;
        }

        final long[] a = new long[n];
        long allocatedLots = 0;
        for (int i = 0; i < n; i++)
        {
            a[i] = claims.award(i) / l;
            allocatedLots += a[i];
        }
        e.lotsLeftOver = sLots - allocatedLots;
        explainTiers(e, method, claims, w, held, rest, a);
        return e;
    }

    private static long bounds(
        final Explanation e, final Method method, final Claims claims, final long sLots, final long shareUnits,
        final long[] w, final boolean[] held)
    {
        final int n = claims.count();
        final long l = e.lot;
        final long[] lo = e.loLots;
        final long[] hi = e.hiLots;
        long sumLo = 0;
        for (int i = 0; i < n; i++)
        {
            Bound bound = Bound.SUPPLY;
            long units = Long.MAX_VALUE;
            if (claims.demand(i) != Claims.ABSENT)
            {
                units = claims.demand(i);
                bound = Bound.DEMAND;
            }
            if (claims.cap(i) != Claims.ABSENT && claims.cap(i) < units)
            {
                units = claims.cap(i);
                bound = Bound.CAP;
            }
            if (shareUnits != Claims.ABSENT && shareUnits < units)
            {
                units = shareUnits;
                bound = Bound.SHARE_LIMIT;
            }
            lo[i] = Lots.ceilDiv(claims.floor(i), l);
            hi[i] = units == Long.MAX_VALUE ? sLots : units / l;
            if (!method.needsFiniteDemand() && hi[i] > sLots)
            {
                hi[i] = Math.max(sLots, lo[i]);
                bound = Bound.SUPPLY;
            }
            if (method.usesWeight())
            {
                w[i] = Validator.effectiveWeight(method, claims.demand(i), claims.weight(i));
                if (method.holdsZeroWeightAtFloor() && w[i] == 0)
                {
                    hi[i] = lo[i];
                    held[i] = true;
                }
            }
            e.upperBound[i] = bound;
            sumLo += lo[i];
        }
        return sumLo;
    }

    private static void rationFloors(final Explanation e, final Method method, final long[] w, final boolean[] held)
    {
        final long[] lo = e.loLots;
        final long[] hi = e.hiLots;
        e.floorsRationed = true;
        for (int i = 0; i < lo.length; i++)
        {
            hi[i] = lo[i];
            lo[i] = 0;
            w[i] = !method.usesWeight() ? 0 : method.defaultWeightIsDemand() ? hi[i] : 1;
            held[i] = false;
            if (method.holdsZeroWeightAtFloor() && w[i] == 0)
            {
                hi[i] = 0;
            }
            e.upperBound[i] = Bound.FLOOR_ENTITLEMENT;
        }
    }

    private static void explainTiers(
        final Explanation e, final Method method, final Claims claims, final long[] w, final boolean[] held,
        final long rest, final long[] a)
    {
        final int n = claims.count();
        final long[] lo = e.loLots;
        final long[] hi = e.hiLots;
        final Integer[] boxed = new Integer[n];
        for (int i = 0; i < n; i++)
        {
            boxed[i] = i;
        }
        Arrays.sort(boxed, (x, y) -> claims.tier(x) != claims.tier(y) ?
            Integer.compare(claims.tier(x), claims.tier(y)) : Integer.compare(x, y));
        BigInteger left = BigInteger.valueOf(rest);
        int from = 0;
        while (from < n)
        {
            final int t = claims.tier(boxed[from]);
            int to = from + 1;
            while (to < n && claims.tier(boxed[to]) == t)
            {
                to++;
            }
            final int[] members = new int[to - from];
            BigInteger headroom = BigInteger.ZERO;
            long tierLo = 0;
            for (int k = from; k < to; k++)
            {
                final int i = boxed[k];
                members[k - from] = i;
                headroom = headroom.add(BigInteger.valueOf(hi[i] - lo[i]));
                tierLo += lo[i];
            }
            if (headroom.compareTo(left) <= 0)
            {
                for (final int i : members)
                {
                    e.reason[i] = held[i] ? Reason.WEIGHT_ZERO : Reason.TIER_SERVED_IN_FULL;
                }
                left = left.subtract(headroom);
            }
            else if (left.signum() > 0)
            {
                e.splitTier = t;
                final long target = tierLo + left.longValueExact();
                for (final int i : members)
                {
                    e.reason[i] = held[i] ? Reason.WEIGHT_ZERO : a[i] == hi[i] ? Reason.UPPER_BOUND :
                        a[i] == lo[i] ? Reason.FLOOR : Reason.SPLIT;
                }
                if (method.kind() == Method.Kind.LEVEL)
                {
                    explainLevel(e, method, members, lo, hi, w, held, target, a);
                }
                else if (method.kind() == Method.Kind.DIVISOR)
                {
                    explainDivisor(e, method, members, hi, w, a);
                }
                left = BigInteger.ZERO;
            }
            else
            {
                for (final int i : members)
                {
                    e.reason[i] = held[i] ? Reason.WEIGHT_ZERO : Reason.TIER_NOT_REACHED;
                }
            }
            from = to;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Level methods: every one is a clamp of a line in λ, so one solver of Σclamp(λ·w, L, U) = T serves all.

    private static void explainLevel(
        final Explanation e, final Method method, final int[] members, final long[] lo, final long[] hi, final long[] w,
        final boolean[] held, final long target, final long[] a)
    {
        final Fraction[] x = levelShares(e, method, members, lo, hi, w, held, Fraction.of(target));
        explainRounding(e, members, lo, hi, held, a, x);
    }

    private static Fraction[] levelShares(
        final Explanation e, final Method method, final int[] members, final long[] lo, final long[] hi, final long[] w,
        final boolean[] held, final Fraction t)
    {
        final int m = members.length;
        final Fraction[] lower = new Fraction[m];
        final Fraction[] upper = new Fraction[m];
        final BigInteger[] weight = new BigInteger[m];
        final Fraction[] x = new Fraction[m];
        if (method == Method.PROPORTIONAL || method == Method.EQUAL)
        {
            for (int k = 0; k < m; k++)
            {
                final int i = members[k];
                lower[k] = Fraction.of(lo[i]);
                upper[k] = Fraction.of(hi[i]);
                weight[k] = held[i] ? BigInteger.ZERO : BigInteger.valueOf(w[i]);
            }
            final Fraction lambda = solveGain(lower, upper, weight, t);
            e.level = lambda;
            for (int k = 0; k < m; k++)
            {
                x[k] = clamp(lambda.multiply(weight[k]), lower[k], upper[k]);
            }
        }
        else
        {
            lossShares(e, method, members, lo, hi, w, t, lower, upper, weight, x);
        }
        return x;
    }

    private static void lossShares(
        final Explanation e, final Method method, final int[] members, final long[] lo, final long[] hi, final long[] w,
        final Fraction t, final Fraction[] lower, final Fraction[] upper, final BigInteger[] weight, final Fraction[] x)
    {
        final int m = members.length;
        // EQUAL_LOSSES: x = hi − clamp(λ·w, 0, hi − lo). TALMUD: the gains side is EQUAL with w = 1 on
        // [lo, max(lo, hi/2)]; the losses side is EQUAL_LOSSES with w = 1 on [max(lo, hi/2), hi].
        boolean losses = method == Method.EQUAL_LOSSES;
        final Fraction[] base = new Fraction[m];
        if (method == Method.TALMUD)
        {
            Fraction v = Fraction.ZERO;
            for (int k = 0; k < m; k++)
            {
                final int i = members[k];
                base[k] = Fraction.max(Fraction.of(lo[i]), Fraction.of(BigInteger.valueOf(hi[i]), TWO));
                v = v.add(base[k]);
            }
            losses = t.compareTo(v) > 0;
            e.talmudLosses = losses;
        }
        else
        {
            for (int k = 0; k < m; k++)
            {
                base[k] = Fraction.of(lo[members[k]]);
            }
        }
        for (int k = 0; k < m; k++)
        {
            final int i = members[k];
            weight[k] = method == Method.TALMUD ? BigInteger.ONE : BigInteger.valueOf(w[i]);
            if (losses)
            {
                lower[k] = Fraction.ZERO;
                upper[k] = Fraction.of(hi[i]).subtract(base[k]);
            }
            else
            {
                lower[k] = Fraction.of(lo[i]);
                upper[k] = base[k];
            }
        }
        if (losses)
        {
            Fraction sumHi = Fraction.ZERO;
            for (final int i : members)
            {
                sumHi = sumHi.add(Fraction.of(hi[i]));
            }
            final Fraction mu = solveGain(lower, upper, weight, sumHi.subtract(t));
            e.level = mu;
            for (int k = 0; k < m; k++)
            {
                x[k] = Fraction.of(hi[members[k]]).subtract(clamp(mu.multiply(weight[k]), lower[k], upper[k]));
            }
        }
        else
        {
            final Fraction lambda = solveGain(lower, upper, weight, t);
            e.level = lambda;
            for (int k = 0; k < m; k++)
            {
                x[k] = clamp(lambda.multiply(weight[k]), lower[k], upper[k]);
            }
        }
    }

    private static void explainRounding(
        final Explanation e, final int[] members, final long[] lo, final long[] hi, final boolean[] held,
        final long[] a, final Fraction[] x)
    {
        final int m = members.length;
        // Rounding: the extra lots are those above ⌊x⌋; the margin is the smallest remainder that got one.
        Fraction cutoff = null;
        long extras = 0;
        for (int k = 0; k < m; k++)
        {
            final int i = members[k];
            e.share[i] = x[k];
            final long base = x[k].floor().longValueExact();
            e.extraLot[i] = a[i] == base + 1;
            e.reason[i] = held[i] ? Reason.WEIGHT_ZERO : x[k].compareTo(Fraction.of(hi[i])) == 0 ? Reason.UPPER_BOUND :
                x[k].compareTo(Fraction.of(lo[i])) == 0 ? Reason.FLOOR : Reason.SPLIT;
            if (e.extraLot[i])
            {
                extras++;
                final Fraction r = x[k].fractionalPart();
                cutoff = cutoff == null ? r : Fraction.min(cutoff, r);
            }
        }
        e.extraLots = extras;
        if (cutoff != null)
        {
            boolean lost = false;
            for (int k = 0; k < m; k++)
            {
                if (!e.extraLot[members[k]] && x[k].fractionalPart().equals(cutoff))
                {
                    lost = true;
                }
            }
            if (lost)
            {
                for (int k = 0; k < m; k++)
                {
                    if (x[k].fractionalPart().equals(cutoff))
                    {
                        e.tie[members[k]] = true;
                    }
                }
            }
        }
    }

    /**
     * The smallest λ ≥ 0 with Σ clamp(λ·w_k, L_k, U_k) = T, for 0 ≤ L ≤ U and ΣL ≤ T ≤ ΣU: a search
     * over the sorted breakpoints, then the linear piece that crosses T solved exactly.
     */
    private static Fraction solveGain(
        final Fraction[] lower, final Fraction[] upper, final BigInteger[] w, final Fraction target)
    {
        final int m = lower.length;
        if (sum(lower, upper, w, Fraction.ZERO).compareTo(target) >= 0)
        {
            return Fraction.ZERO;
        }
        final Fraction[] points = new Fraction[2 * m];
        int p = 0;
        for (int k = 0; k < m; k++)
        {
            if (w[k].signum() > 0)
            {
                points[p++] = lower[k].divide(w[k]);
                points[p++] = upper[k].divide(w[k]);
            }
        }
        final Fraction[] sorted = Arrays.copyOf(points, p);
        Arrays.sort(sorted);
        int lowIndex = 0;
        int highIndex = p - 1;
        // Invariant: F(sorted[highIndex]) ≥ T (F at the last breakpoint is ΣU ≥ T).
        while (lowIndex < highIndex)
        {
            final int mid = (lowIndex + highIndex) >>> 1;
            if (sum(lower, upper, w, sorted[mid]).compareTo(target) >= 0)
            {
                highIndex = mid;
            }
            else
            {
                lowIndex = mid + 1;
            }
        }
        final Fraction right = sorted[highIndex];
        Fraction left = Fraction.ZERO;
        for (int k = highIndex - 1; k >= 0; k--)
        {
            if (sorted[k].compareTo(right) < 0)
            {
                left = sorted[k];
                break;
            }
        }
        // On (left, right] no breakpoint lies inside: each claim is at L, at U, or on its line.
        Fraction constant = Fraction.ZERO;
        BigInteger slope = BigInteger.ZERO;
        for (int k = 0; k < m; k++)
        {
            if (w[k].signum() == 0 || lower[k].divide(w[k]).compareTo(right) >= 0)
            {
                constant = constant.add(w[k].signum() == 0 ?
                    Fraction.min(Fraction.max(Fraction.ZERO, lower[k]), upper[k]) :
                    lower[k]);
            }
            else if (upper[k].divide(w[k]).compareTo(left) <= 0)
            {
                constant = constant.add(upper[k]);
            }
            else
            {
                slope = slope.add(w[k]);
            }
        }
        return target.subtract(constant).divide(slope);
    }

    private static Fraction sum(
        final Fraction[] lower, final Fraction[] upper, final BigInteger[] w, final Fraction lambda)
    {
        Fraction s = Fraction.ZERO;
        for (int k = 0; k < lower.length; k++)
        {
            s = s.add(clamp(lambda.multiply(w[k]), lower[k], upper[k]));
        }
        return s;
    }

    private static Fraction clamp(final Fraction v, final Fraction lower, final Fraction upper)
    {
        return Fraction.min(Fraction.max(v, lower), upper);
    }

    // ---------------------------------------------------------------------------------------------
    // Divisor methods: the priority of lot n+1 is w / t(n); the last lot served sets the divisor.

    private static void explainDivisor(
        final Explanation e, final Method method, final int[] members, final long[] hi, final long[] w, final long[] a)
    {
        final long[] lo = e.loLots;
        Fraction last = null;
        long lastWeight = 0;
        for (final int i : members)
        {
            if (w[i] == 0)
            {
                continue;
            }
            if (a[i] < hi[i])
            {
                e.nextPriority[i] = priority(method, w[i], a[i]);
            }
            if (a[i] > lo[i])
            {
                final Fraction served = priority(method, w[i], a[i] - 1);
                // Among infinite priorities the larger weight goes first: the last served has the least.
                if (last == null || served.compareTo(last) < 0 ||
                    (served.isInfinite() && last.isInfinite() && w[i] < lastWeight))
                {
                    last = served;
                    lastWeight = w[i];
                }
            }
        }
        e.lastPriority = last;
        if (last == null)
        {
            return;
        }
        boolean lost = false;
        for (final int i : members)
        {
            if (e.nextPriority[i] != null && atMargin(e.nextPriority[i], w[i], last, lastWeight))
            {
                lost = true;
            }
        }
        if (lost)
        {
            for (final int i : members)
            {
                final boolean loser = e.nextPriority[i] != null && atMargin(e.nextPriority[i], w[i], last, lastWeight);
                final boolean winner = w[i] != 0 && a[i] > lo[i] &&
                    atMargin(priority(method, w[i], a[i] - 1), w[i], last, lastWeight);
                e.tie[i] = loser || winner;
            }
        }
    }

    private static boolean atMargin(final Fraction p, final long w, final Fraction last, final long lastWeight)
    {
        return p.compareTo(last) == 0 && (!last.isInfinite() || w == lastWeight);
    }

    /**
     * @return the priority of lot n + 1 of a claim of weight w under a divisor method, as the method's own
     * class states it ({@link DivisorMethod#priority}): w / t(n), squared where t(n) is irrational; infinite
     * where t(n) = 0.
     */
    static Fraction priority(final Method method, final long weight, final long n)
    {
        final Rule rule = DIVISOR_RULES[method.ordinal()];
        if (rule == null)
        {
            throw new IllegalArgumentException("method=" + method + " is not a divisor method");
        }
        return ((DivisorMethod)rule).priority(weight, n);
    }

    private static Rule[] divisorRules()
    {
        // priority() is pure (no scratch), so one instance per method serves every thread.
        final Rule[] rules = new Rule[Method.values().length];
        for (final Method method : Method.values())
        {
            rules[method.ordinal()] = method.kind() == Method.Kind.DIVISOR ? method.newRule() : null;
        }
        return rules;
    }
}
