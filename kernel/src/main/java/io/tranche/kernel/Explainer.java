package io.tranche.kernel;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * Explains an allocation after the fact: for every claim the bound or rule that decided its award,
 * and for the split tier the level, the last divisor and the rounding (docs/audit.md "Explain").
 * <p>
 * A cold path: it allocates freely and computes with exact rationals ({@link BigInteger}), never
 * {@code double}. It recomputes the bounds and tiers from docs/SEMANTICS.md (to name the binding
 * limit of each claim) and reads the awards from {@link Claims#award(int)}; the level and the exact
 * shares of a level method come from running the method's own rule and {@link LevelSolver} on the
 * split tier, and a divisor method's priorities from its own class ({@link DivisorMethod#priority}).
 * {@link Allocator#allocate} never calls it, so the hot path stays allocation-free when no explanation
 * is asked for.
 */
public final class Explainer
{
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
    // Level methods: the rule itself runs on the split tier; its LevelSolver's exact shares and level are read.

    private static void explainLevel(
        final Explanation e, final Method method, final int[] members, final long[] lo, final long[] hi, final long[] w,
        final boolean[] held, final long target, final long[] a)
    {
        explainRounding(e, members, lo, hi, held, a, levelShares(e, method, members, lo, hi, w, target));
    }

    /**
     * Runs the method's own rule on the split tier, in a workspace of its own, and reads the exact results of
     * its {@link LevelSolver}: the shares {@code base + num/den} (in lots, after the rule's own transform from
     * losses or half units) and the level {@code levelNumerator / den} (in lots per unit of weight: λ, or μ on
     * the losses side). The solver's level is the smallest that solves the tier: a split tier's target lies
     * strictly above the total at level 0, so at the solver's level some claim is strictly above its lower
     * clamp and the total is strictly increasing there.
     */
    private static Fraction[] levelShares(
        final Explanation e, final Method method, final int[] members, final long[] lo, final long[] hi, final long[] w,
        final long target)
    {
        final int m = members.length;
        final Workspace ws = new Workspace(m);
        for (int k = 0; k < m; k++)
        {
            final int i = members[k];
            ws.order[k] = k;
            ws.lo[k] = lo[i];
            ws.hi[k] = hi[i];
            ws.w[k] = w[i];
        }
        final Rule rule = method.newRule();
        rule.split(ws, 0, m, target);
        final LevelSolver solver = ws.solver;
        final BigInteger den = unsigned(solver.den);
        e.level = Fraction.of(unsigned(solver.levelNumerator()), den);
        e.talmudLosses = rule instanceof LevelMethods.Talmud && ((LevelMethods.Talmud)rule).lastOnLosses;
        final Fraction[] x = new Fraction[m];
        for (int k = 0; k < m; k++)
        {
            x[k] = Fraction.of(unsigned(solver.base[k]).multiply(den).add(unsigned(solver.num[k])), den);
        }
        return x;
    }

    private static BigInteger unsigned(final long value)
    {
        // The solver's columns are unsigned 64-bit values (half units reach 2^64 − 2).
        return value >= 0 ? BigInteger.valueOf(value) : BigInteger.valueOf(value).add(BigInteger.ONE.shiftLeft(64));
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
        final Rule rule = DIVISOR_RULES[method.index()];
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
            rules[method.index()] = method.kind() == Method.Kind.DIVISOR ? method.newRule() : null;
        }
        return rules;
    }
}
