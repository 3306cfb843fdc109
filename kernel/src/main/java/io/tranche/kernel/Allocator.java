package io.tranche.kernel;

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
 * claims.add(300_000, Claims.ABSENT, 0, Claims.ABSENT, 0);
 * claims.add(200_000, Claims.ABSENT, 0, Claims.ABSENT, 0);
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
    public static final long PPM = Lots.PPM;

    private final int capacity;
    private final Workspace ws;
    private final Validator validator;
    private final Rule[] rules = new Rule[Method.values().length];
    private int preallocated;
    /** Σ(hi − lo) of the last {@link #bounds} pass, saturating. */
    private long boundsHeadroom;
    /** False forces the general path on every problem (tests compare both paths). */
    boolean commonCase = true;

    /**
     * An allocator whose workspace is sized to {@code capacity} up front: no call allocates.
     *
     * @param capacity the largest number of claims one problem may have.
     */
    public Allocator(final int capacity)
    {
        this(capacity, capacity);
    }

    /**
     * An allocator that starts with room for {@code initialCapacity} claims and grows its workspace
     * (a cold path, once per new size) up to {@code capacity}. Calls allocate nothing once the
     * workspace has reached the largest problem seen.
     *
     * @param initialCapacity claims the workspace holds from the start.
     * @param capacity        the largest number of claims one problem may have.
     */
    public Allocator(final int initialCapacity, final int capacity)
    {
        if (capacity < 1 || initialCapacity < 1 || initialCapacity > capacity)
        {
            throw new IllegalArgumentException("initialCapacity=" + initialCapacity + " capacity=" + capacity +
                " need 1 <= initialCapacity <= capacity");
        }
        this.capacity = capacity;
        this.ws = new Workspace(initialCapacity);
        this.validator = new Validator(capacity);
        this.preallocated = initialCapacity;
        for (final Method method : Method.values())
        {
            rules[method.index()] = method.newRule();
        }
    }

    /** @return the largest number of claims accepted. */
    public int capacity()
    {
        return capacity;
    }

    /** @return this allocator's instance of the method's rule (tests read a route's flags from it). */
    Rule rule(final Method method)
    {
        return rules[method.index()];
    }

    /**
     * Checks a problem against every rule of SPEC.md and records each violation with its claim index and field.
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
        final long supply, final Method method, final long lot, final int maxSharePpm, final Claims claims,
        final Violations out)
    {
        return validator.validate(supply, method, lot, maxSharePpm, claims, null, out);
    }

    /**
     * {@link #validate(long, Method, long, int, Claims, Violations)} with the caller's own check of each claim (its
     * id, which the kernel does not hold), run in queue order so that the violations come in field order.
     *
     * @param supply      units to split.
     * @param method      the rule, or null for {@code METHOD_UNSPECIFIED}.
     * @param lot         lot size; 0 means 1.
     * @param maxSharePpm concentration limit in ppm of the supply; 0 = none.
     * @param claims      the claims in queue order.
     * @param claimCheck  called for each claim before its fields are checked.
     * @param out         receives the violations; cleared first.
     * @return true when the problem is valid and {@link #allocate} may be called.
     */
    public boolean validate(
        final long supply, final Method method, final long lot, final int maxSharePpm, final Claims claims,
        final ClaimCheck claimCheck, final Violations out)
    {
        return validator.validate(supply, method, lot, maxSharePpm, claims, claimCheck, out);
    }

    /** @return the one workspace (for tests). */
    Workspace workspace()
    {
        return ws;
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
    public long allocate(
        final long supply, final Method method, final long lot, final int maxSharePpm, final Claims claims)
    {
        final int n = claims.count();
        if (n > preallocated)
        {
            grow(n);
        }
        if (n == 0)
        {
            return 0;
        }
        if (lot <= 1 && maxSharePpm == 0 && commonCase)
        {
            final long allocated = CommonCase.allocate(supply, method, claims, n, ws, rules[method.index()]);
            if (allocated != CommonCase.NOT_APPLICABLE)
            {
                return allocated;
            }
        }
        final long l = lot == 0 ? 1 : lot;
        final long sLots = supply / l;
        final long shareUnits = maxSharePpm == 0 ? Claims.ABSENT : Lots.shareLimit(supply, maxSharePpm);
        final long sumLo = bounds(method, l, sLots, shareUnits, claims, n);
        final Workspace ws = this.ws;
        ws.award = l == 1 ? claims.awardArray() : ws.ownAward;
        final long[] lo = ws.lo;
        final long[] hi = ws.hi;
        final long[] w = ws.w;
        final long[] a = ws.award;
        final boolean usesWeight = method.usesWeight();
        final boolean holdsZero = method.holdsZeroWeightAtFloor();
        final boolean oneTier = sortByTier(claims.tierArray(), n);

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
            // Every positive floor keeps a positive weight here, so the headroom is Σfloor.
            boundsHeadroom = sumLo;
        }
        final long rest = sumLo > sLots ? sLots : sLots - sumLo;
        // One tier: its Σlo and headroom are the bounds pass's (the floors' when they are rationed).
        final long tierLo = !oneTier ? -1 : sumLo > sLots ? 0 : sumLo;
        final long handed = serveTiers(rules[method.index()], claims.tierArray(), n, rest, tierLo, boundsHeadroom);
        final long allocatedLots = (sumLo > sLots ? 0 : sumLo) + handed;
        if (l == 1)
        {
            // The rule wrote the awards in place.
            return allocatedLots;
        }
        final long[] award = claims.awardArray();
        for (int i = 0; i < n; i++)
        {
            award[i] = a[i] * l;
        }
        return allocatedLots * l;
    }

    /**
     * Writes every claim's bounds in lots and effective weight into the workspace, in one pass with no
     * call per claim; an absent demand, cap or share limit is unbounded.
     *
     * @return Σlo.
     */
    private long bounds(
        final Method method, final long l, final long sLots, final long shareUnits, final Claims claims, final int n)
    {
        final Workspace ws = this.ws;
        final long[] demand = claims.demandArray();
        final long[] weight = claims.weightArray();
        final long[] cap = claims.capArray();
        final long[] floor = claims.floorArray();
        final long[] lo = ws.lo;
        final long[] hi = ws.hi;
        final long[] w = ws.w;
        final boolean usesWeight = method.usesWeight();
        final boolean holdsZero = method.holdsZeroWeightAtFloor();
        final boolean finiteDemands = method.needsFiniteDemand();

        final long shareBound = shareUnits == Claims.ABSENT ? Long.MAX_VALUE : shareUnits;
        final long hiLimit = finiteDemands ? Long.MAX_VALUE : sLots;
        final boolean demandWeight = method.defaultWeightIsDemand();
        long sumLo = 0;
        long headroom = 0;
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
                loI = Lots.ceilDiv(floor[i], l);
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
            headroom = Lots.saturatingAdd(headroom, hiI - loI);
        }
        boundsHeadroom = headroom;
        return sumLo;
    }

    /**
     * Hands {@code rest} lots beyond the floors out tier by tier: a tier whose headroom fits is filled
     * to its bounds, the first that does not fit is split by the rule, the rest keep their floors.
     *
     * @param oneLo       Σlo when every claim is in one tier (its headroom is then {@code oneHeadroom}), else −1:
     *                    the tier's scan is skipped.
     * @return the lots handed out beyond the lower bounds.
     */
    private long serveTiers(
        final Rule rule, final int[] tier, final int n, final long restLots, final long oneLo, final long oneHeadroom)
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
            int to = n;
            long headroom = oneHeadroom;
            long sumLo = oneLo;
            if (oneLo < 0)
            {
                final int t = tier[order[from]];
                to = from + 1;
                while (to < n && tier[order[to]] == t)
                {
                    to++;
                }
                headroom = 0;
                sumLo = 0;
                for (int k = from; k < to; k++)
                {
                    final int i = order[k];
                    headroom = Lots.saturatingAdd(headroom, hi[i] - lo[i]);
                    sumLo += lo[i];
                }
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
        return restLots - rest;
    }

    private void grow(final int n)
    {
        final int size = (int)Math.min(capacity, Math.max(n, (long)preallocated * 2));
        ws.ensureCapacity(size);
        preallocated = size;
    }

    /**
     * Fills {@code ws.order} with claim indices sorted by (tier, queue position), stable, no allocation.
     *
     * @return true when every claim is in one tier.
     */
    private boolean sortByTier(final int[] tier, final int n)
    {
        final int[] order = ws.order;
        boolean sorted = true;
        boolean one = true;
        final int first = tier[0];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
            one &= tier[i] == first;
            if (i > 0 && tier[i] < tier[i - 1])
            {
                sorted = false;
            }
        }
        if (sorted)
        {
            return one;
        }
        // The solver's base and num columns are free until a rule runs.
        final long[] keys = ws.solver.base;
        for (int i = 0; i < n; i++)
        {
            keys[i] = ((long)tier[i] << 32) | i;
        }
        final long[] sortedKeys = LongSort.sort(keys, ws.solver.num, n);
        for (int i = 0; i < n; i++)
        {
            order[i] = (int)sortedKeys[i];
        }
        return false;
    }
}
