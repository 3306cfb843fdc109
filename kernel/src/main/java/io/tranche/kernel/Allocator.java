package io.tranche.kernel;

import org.agrona.collections.Object2IntHashMap;

/**
 * Splits a supply of indivisible units across claims in strict priority tiers, under one named
 * rationing rule, with caps, floors, a concentration limit and lot sizes (SPEC.md "One allocation
 * problem"). Exact integer arithmetic only; no heap allocation per call once warmed up for up to
 * {@link #capacity()} claims.
 * <p>
 * Not thread safe: use one allocator per thread (it owns its workspace).
 *
 * <pre>{@code
 * Allocator allocator = new Allocator(1024);
 * Claims claims = new Claims(1024);
 * claims.add("alpha", 300_000, Claims.ABSENT, 0, Claims.ABSENT, 0);
 * claims.add("beta", 200_000, Claims.ABSENT, 0, Claims.ABSENT, 0);
 * Violations violations = new Violations();
 * if (allocator.validate(400_000, Method.PROPORTIONAL, 8, 0, claims, violations)) {
 *     long allocated = allocator.allocate(400_000, Method.PROPORTIONAL, 8, 0, claims);
 *     long alpha = claims.award(0);
 * }
 * }</pre>
 */
public final class Allocator
{
    /** Parts per million in a whole. */
    public static final long PPM = 1_000_000L;

    private static final String MAX_TEXT = "2^62 (4611686018427387904)";

    private final int capacity;
    private final Workspace ws;
    private int preallocated;
    private final Rule[] rules = new Rule[Method.values().length];
    private final Object2IntHashMap<String> seenIds = new Object2IntHashMap<>(-1);

    /**
     * An allocator whose workspaces are sized to {@code capacity} up front: no call allocates.
     *
     * @param capacity the largest number of claims one problem may have.
     */
    public Allocator(final int capacity)
    {
        this(capacity, capacity);
    }

    /**
     * An allocator that starts with room for {@code initialCapacity} claims and grows its workspaces
     * (a cold path, once per new size) up to {@code capacity}. Calls allocate nothing once the
     * workspaces have reached the largest problem seen.
     *
     * @param initialCapacity claims the workspaces hold from the start.
     * @param capacity        the largest number of claims one problem may have.
     */
    public Allocator(final int initialCapacity, final int capacity)
    {
        if (capacity < 1 || initialCapacity < 1 || initialCapacity > capacity)
        {
            throw new IllegalArgumentException(
                "initialCapacity=" + initialCapacity + " capacity=" + capacity + " need 1 <= initialCapacity <= capacity");
        }
        this.capacity = capacity;
        this.ws = new Workspace(initialCapacity);
        this.preallocated = initialCapacity;
        for (final Method method : Method.values())
        {
            rule(method);
        }
    }

    /** @return the largest number of claims accepted. */
    public int capacity()
    {
        return capacity;
    }

    /**
     * Checks a problem against every rule of SPEC.md and records each violation with its field path.
     *
     * @param supply      units to split.
     * @param method      the rule, or null for {@code METHOD_UNSPECIFIED}.
     * @param lot         lot size; 0 means 1.
     * @param maxSharePpm concentration limit in ppm of the supply; 0 = none.
     * @param claims      the claims in queue order.
     * @param out         receives the violations; cleared first.
     * @return true when the problem is valid and {@link #allocate} may be called.
     */
    public boolean validate(
        final long supply, final Method method, final long lot, final int maxSharePpm, final Claims claims, final Violations out)
    {
        out.clear();
        if (supply < 0)
        {
            out.add("supply", "must be >= 0, was " + supply);
        }
        else if (supply > Claims.MAX_VALUE)
        {
            out.add("supply", "must be <= " + MAX_TEXT + ", was " + supply);
        }
        if (method == null)
        {
            out.add("policy.method", "must be one of PROPORTIONAL, EQUAL, EQUAL_LOSSES, TALMUD, FIFO, DHONDT, " +
                "SAINTE_LAGUE, ADAMS, DEAN, HUNTINGTON_HILL; was METHOD_UNSPECIFIED or unknown");
        }
        if (lot < 0)
        {
            out.add("policy.lot", "must be >= 0 (0 means 1), was " + lot);
        }
        else if (lot > Claims.MAX_VALUE)
        {
            out.add("policy.lot", "must be <= " + MAX_TEXT + ", was " + lot);
        }
        if (maxSharePpm < 0 || maxSharePpm > PPM)
        {
            out.add("policy.max_share_ppm", "must be between 0 and 1000000 (0 = no limit), was " + maxSharePpm);
        }
        final int n = claims.count();
        if (n > capacity)
        {
            out.add("claims", n + " claims exceed the limit of " + capacity);
            return false;
        }
        final boolean headerValid = out.isEmpty();
        final long l = lot <= 0 || lot > Claims.MAX_VALUE ? 1 : lot;
        final long shareUnits = headerValid && maxSharePpm != 0 ? shareLimit(supply, maxSharePpm) : Claims.ABSENT;

        final String[] id = claims.idArray();
        final long[] demand = claims.demandArray();
        final long[] weight = claims.weightArray();
        final int[] tier = claims.tierArray();
        final long[] cap = claims.capArray();
        final long[] floor = claims.floorArray();
        seenIds.clear();
        long sumFloor = 0;
        long sumWeight = 0;
        long sumDemand = 0;
        boolean floorOverflow = false;
        boolean weightOverflow = false;
        boolean demandOverflow = false;
        for (int i = 0; i < n; i++)
        {
            final String claimId = id[i];
            if (claimId == null || claimId.isEmpty())
            {
                out.add(path(i, "id"), "must not be empty");
            }
            else
            {
                final int first = seenIds.getValue(claimId);
                if (first >= 0)
                {
                    out.add(path(i, "id"), "duplicates claims[" + first + "].id \"" + claimId + "\"");
                }
                else
                {
                    seenIds.put(claimId, i);
                }
            }
            boolean claimValid = true;
            claimValid &= checkOptional(out, i, "demand", demand[i]);
            claimValid &= checkOptional(out, i, "weight", weight[i]);
            claimValid &= checkOptional(out, i, "cap", cap[i]);
            claimValid &= checkOptional(out, i, "floor", floor[i] == Claims.ABSENT ? -1 : floor[i]);
            if (tier[i] < 0)
            {
                out.add(path(i, "tier"), "must be >= 0, was " + tier[i]);
                claimValid = false;
            }
            if (method != null)
            {
                if (method.needsFiniteDemand() && demand[i] == Claims.ABSENT)
                {
                    out.add(path(i, "demand"), "is required under " + method + " (unbounded demand has no " +
                        (method == Method.TALMUD ? "half" : "loss") + ")");
                    claimValid = false;
                }
                if (method == Method.EQUAL_LOSSES && weight[i] == 0)
                {
                    out.add(path(i, "weight"), "must be > 0 under EQUAL_LOSSES, was 0");
                    claimValid = false;
                }
                if (method.defaultWeightIsDemand() && weight[i] == Claims.ABSENT && demand[i] == Claims.ABSENT)
                {
                    out.add(path(i, "weight"), "neither weight nor demand is given; " + method +
                        " weighs a claim by its demand when it has no weight");
                    claimValid = false;
                }
            }
            if (!claimValid)
            {
                continue;
            }
            // Totals that must be representable: floors always; weights where used; demands where they are the losses.
            if (!floorOverflow)
            {
                final long s = sumFloor + floor[i];
                if (s < 0)
                {
                    floorOverflow = true;
                }
                sumFloor = s;
            }
            if (method != null && method.usesWeight() && !weightOverflow)
            {
                final long w = effectiveWeight(method, demand[i], weight[i]);
                final long s = sumWeight + w;
                if (s < 0)
                {
                    weightOverflow = true;
                }
                sumWeight = s;
            }
            if (method != null && method.needsFiniteDemand() && !demandOverflow)
            {
                final long s = sumDemand + demand[i];
                if (s < 0)
                {
                    demandOverflow = true;
                }
                sumDemand = s;
            }
            if (headerValid)
            {
                final long lo = ceilDiv(floor[i], l);
                final long hi = upperBoundLots(demand[i], cap[i], shareUnits, l, Long.MAX_VALUE);
                // Also for a zero-weight claim, which is held at its floor: the floor must fit the bound, or the
                // claim would get more than its demand (issue 8).
                if (lo > hi)
                {
                    out.add(path(i, "floor"), "floor " + floor[i] + " (" + lo * l + " in lots of " + l +
                        ") exceeds the claim's bound " + hi * l + " = min(demand " + text(demand[i]) + ", cap " +
                        text(cap[i]) + ", share limit " + text(shareUnits) + ") rounded down to the lot");
                }
            }
        }
        if (floorOverflow)
        {
            out.add("claims", "the total of the floors exceeds 2^63-1 and cannot be represented exactly");
        }
        if (weightOverflow)
        {
            out.add("claims", "the total of the weights (defaults included) exceeds 2^63-1 and cannot be represented " +
                "exactly; scale the weights down");
        }
        if (demandOverflow)
        {
            out.add("claims", "the total of the demands exceeds 2^63-1 and cannot be represented exactly under " + method);
        }
        return out.isEmpty();
    }

    /**
     * Allocates the supply. The problem must have passed {@link #validate}; invalid input gives
     * undefined awards. The awards (units) are written to {@link Claims#award(int)}.
     *
     * @param supply      units to split.
     * @param method      the rule.
     * @param lot         lot size; 0 means 1.
     * @param maxSharePpm concentration limit in ppm of the supply; 0 = none.
     * @param claims      the claims in queue order.
     * @return units allocated (Σ awards); {@code supply − allocated} are unallocated.
     */
    public long allocate(final long supply, final Method method, final long lot, final int maxSharePpm, final Claims claims)
    {
        final int n = claims.count();
        if (n > preallocated)
        {
            grow(n);
        }
        final Workspace ws = this.ws;
        final Rule rule = rule(method);
        final long l = lot == 0 ? 1 : lot;
        final long sLots = supply / l;
        final long shareUnits = maxSharePpm == 0 ? Claims.ABSENT : shareLimit(supply, maxSharePpm);
        final long[] demand = claims.demandArray();
        final long[] weight = claims.weightArray();
        final long[] cap = claims.capArray();
        final long[] floor = claims.floorArray();
        final long[] lo = ws.lo;
        final long[] hi = ws.hi;
        final long[] w = ws.w;
        final long[] a = ws.award;
        final boolean usesWeight = method.usesWeight();
        final boolean holdsZero = method.holdsZeroWeightAtFloor();
        final boolean finiteDemands = method.needsFiniteDemand();

        // Bounds in lots, one pass, no call per claim; an absent demand, cap or share limit is unbounded.
        final long shareBound = shareUnits == Claims.ABSENT ? Long.MAX_VALUE : shareUnits;
        final long hiLimit = finiteDemands ? Long.MAX_VALUE : sLots;
        final boolean demandWeight = method.defaultWeightIsDemand();
        long sumLo = 0;
        for (int i = 0; i < n; i++)
        {
            final long d = demand[i];
            final long c = cap[i];
            final long dBound = d == Claims.ABSENT ? Long.MAX_VALUE : d;
            final long cBound = c == Claims.ABSENT ? Long.MAX_VALUE : c;
            final long units = Math.min(Math.min(dBound, cBound), shareBound);
            final long loI;
            long hiI;
            if (l == 1)
            {
                // lot == 1 is the common case: no division per claim.
                loI = floor[i];
                hiI = units;
            }
            else
            {
                loI = ceilDiv(floor[i], l);
                hiI = units == Long.MAX_VALUE ? Long.MAX_VALUE : units / l;
            }
            // A bound at or above the whole supply never binds for these methods (an award never exceeds
            // the target); capping keeps every bound <= 2^62 and gives unbounded claims the supply.
            // EQUAL_LOSSES and TALMUD read hi as the demand (always finite there) and keep it.
            if (hiI > hiLimit)
            {
                hiI = Math.max(hiLimit, loI);
            }
            long wI = 0;
            if (usesWeight)
            {
                final long given = weight[i];
                wI = given != Claims.ABSENT ? given : demandWeight ? d : 1;
                if (holdsZero && wI == 0)
                {
                    hiI = loI;
                }
            }
            lo[i] = loI;
            hi[i] = hiI;
            w[i] = wI;
            sumLo += loI;
        }
        sortByTier(claims.tierArray(), n);

        if (sumLo > sLots)
        {
            // The floors themselves are rationed: tier by tier, by the method, with the floors as the
            // demands (and as the weights where the default weight is the demand).
            for (int i = 0; i < n; i++)
            {
                final long f = lo[i];
                hi[i] = f;
                lo[i] = 0;
                w[i] = !usesWeight ? 0 : method.defaultWeightIsDemand() ? f : 1;
                if (holdsZero && w[i] == 0)
                {
                    hi[i] = 0;
                }
            }
        }
        final long rest = sumLo > sLots ? sLots : sLots - sumLo;
        serveTiers(rule, claims.tierArray(), n, rest);

        final long[] award = claims.awardArray();
        long allocated = 0;
        for (int i = 0; i < n; i++)
        {
            final long units = a[i] * l;
            award[i] = units;
            allocated += units;
        }
        return allocated;
    }

    /**
     * Hands {@code rest} lots beyond the floors out tier by tier: a tier whose headroom fits is filled
     * to its bounds, the first that does not fit is split by the rule, the rest keep their floors.
     */
    private void serveTiers(final Rule rule, final int[] tier, final int n, final long restLots)
    {
        final Workspace ws = this.ws;
        final int[] order = ws.order;
        final long[] lo = ws.lo;
        final long[] hi = ws.hi;
        final long[] a = ws.award;
        long rest = restLots;
        int from = 0;
        while (from < n)
        {
            final int t = tier[order[from]];
            int to = from + 1;
            while (to < n && tier[order[to]] == t)
            {
                to++;
            }
            long headroom = 0;
            long sumLo = 0;
            for (int k = from; k < to; k++)
            {
                final int i = order[k];
                headroom = saturatingAdd(headroom, hi[i] - lo[i]);
                sumLo += lo[i];
            }
            if (headroom <= rest)
            {
                for (int k = from; k < to; k++)
                {
                    final int i = order[k];
                    a[i] = hi[i];
                }
                rest -= headroom;
            }
            else if (rest > 0)
            {
                rule.split(ws, from, to, sumLo + rest);
                rest = 0;
            }
            else
            {
                for (int k = from; k < to; k++)
                {
                    final int i = order[k];
                    a[i] = lo[i];
                }
            }
            from = to;
        }
    }

    private void grow(final int n)
    {
        final int size = (int)Math.min(capacity, Math.max(n, (long)preallocated * 2));
        ws.ensureCapacity(size);
        for (final Rule rule : rules)
        {
            rule.ensureCapacity(size);
        }
        preallocated = size;
    }

    private Rule rule(final Method method)
    {
        Rule rule = rules[method.ordinal()];
        if (rule == null)
        {
            rule = method.kind() == Method.Kind.DIVISOR ?
                DivisorMethods.create(method, preallocated) : LevelMethods.create(method, preallocated);
            rules[method.ordinal()] = rule;
        }
        return rule;
    }

    /** Fills {@code ws.order} with claim indices sorted by (tier, queue position), stable, no allocation. */
    private void sortByTier(final int[] tier, final int n)
    {
        final int[] order = ws.order;
        boolean sorted = true;
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
            if (i > 0 && tier[i] < tier[i - 1])
            {
                sorted = false;
            }
        }
        if (sorted)
        {
            return;
        }
        final long[] keys = ws.keys;
        for (int i = 0; i < n; i++)
        {
            keys[i] = ((long)tier[i] << 32) | i;
        }
        final long[] sortedKeys = LongSort.sort(keys, ws.keysScratch, n);
        for (int i = 0; i < n; i++)
        {
            order[i] = (int)sortedKeys[i];
        }
    }

    static long effectiveWeight(final Method method, final long demand, final long weight)
    {
        if (weight != Claims.ABSENT)
        {
            return weight;
        }
        return method.defaultWeightIsDemand() ? demand : 1;
    }

    /** ⌊S · ppm / 10^6⌋ exactly, for S ≤ 2^62. */
    static long shareLimit(final long supply, final int ppm)
    {
        return (supply / PPM) * ppm + ((supply % PPM) * ppm) / PPM;
    }

    /** min(demand, cap, share) in whole lots; {@code unbounded} when all are absent. */
    static long upperBoundLots(final long demand, final long cap, final long shareUnits, final long lot, final long unbounded)
    {
        long units = Long.MAX_VALUE;
        if (demand != Claims.ABSENT)
        {
            units = demand;
        }
        if (cap != Claims.ABSENT && cap < units)
        {
            units = cap;
        }
        if (shareUnits != Claims.ABSENT && shareUnits < units)
        {
            units = shareUnits;
        }
        return units == Long.MAX_VALUE ? unbounded : lot == 1 ? units : units / lot;
    }

    static long ceilDiv(final long x, final long y)
    {
        final long q = x / y;
        return q * y == x ? q : q + 1;
    }

    static long saturatingAdd(final long x, final long y)
    {
        final long s = x + y;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    private static boolean checkOptional(final Violations out, final int i, final String field, final long value)
    {
        if (value == Claims.ABSENT)
        {
            return true;
        }
        if (value < 0)
        {
            out.add(path(i, field), "must be >= 0, was " + value);
            return false;
        }
        if (value > Claims.MAX_VALUE)
        {
            out.add(path(i, field), "must be <= " + MAX_TEXT + ", was " + value);
            return false;
        }
        return true;
    }

    private static String text(final long value)
    {
        return value == Claims.ABSENT ? "none" : Long.toString(value);
    }

    private static String path(final int i, final String field)
    {
        return "claims[" + i + "]." + field;
    }
}
