package io.tranche.kernel;

/**
 * Checks a problem against every rule of SPEC.md and SEMANTICS.md "Validation" and records each
 * violation with its claim index, field and value. Ids are the caller's ({@link ClaimCheck}). A cold
 * path when the problem is invalid: it builds messages and may allocate; a valid one allocates nothing.
 */
final class Validator
{
    private static final String MAX_TEXT = "2^62 (4611686018427387904)";
    private static final String METHOD_NAMES = Method.names();

    private final int capacity;
    private long sumFloor;
    private long sumWeight;
    private long sumDemand;
    private boolean floorOverflow;
    private boolean weightOverflow;
    private boolean demandOverflow;

    Validator(final int capacity)
    {
        this.capacity = capacity;
    }

    /**
     * @param supply      units to split.
     * @param method      the rule, or null for {@code METHOD_UNSPECIFIED}.
     * @param lot         lot size; 0 means 1.
     * @param maxSharePpm concentration limit in ppm of the supply; 0 = none.
     * @param claims      the claims in queue order.
     * @param claimCheck  the caller's check of each claim (ids), or null.
     * @param out         receives the violations; cleared first.
     * @return true when the problem is valid.
     */
    boolean validate(
        final long supply, final Method method, final long lot, final int maxSharePpm, final Claims claims,
        final ClaimCheck claimCheck, final Violations out)
    {
        out.clear();
        checkHeader(supply, method, lot, maxSharePpm, out);
        final int n = claims.count();
        if (n > capacity)
        {
            out.add(Violations.PROBLEM, Violations.Field.CLAIMS, n, n + " claims exceed the limit of " + capacity);
            return false;
        }
        final boolean headerValid = out.isEmpty();
        final long l = lot <= 0 || lot > Claims.MAX_VALUE ? 1 : lot;
        final long shareUnits = headerValid && maxSharePpm != 0 ?
            Lots.shareLimit(supply, maxSharePpm) : Claims.ABSENT;
        if (claimCheck != null)
        {
            claimCheck.reset();
        }
        if (headerValid && claims.plain() && plainClaimsValid(claims, n))
        {
            // Nothing of the claims' own to report: only the caller's check of each claim is left.
            if (claimCheck != null)
            {
                claimCheck.checkAll(n, out);
            }
            return out.isEmpty();
        }
        sumFloor = 0;
        sumWeight = 0;
        sumDemand = 0;
        floorOverflow = false;
        weightOverflow = false;
        demandOverflow = false;
        for (int i = 0; i < n; i++)
        {
            if (claimCheck != null)
            {
                claimCheck.check(i, out);
            }
            if (checkClaim(method, claims, i, out))
            {
                addTotals(method, claims, i);
                if (headerValid)
                {
                    checkFloor(claims, i, l, shareUnits, out);
                }
            }
        }
        if (floorOverflow)
        {
            // The totals overflowed: there is no one value to report.
            out.add(Violations.PROBLEM, Violations.Field.CLAIMS, 0,
                "the total of the floors exceeds 2^63-1 and cannot be represented exactly");
        }
        if (weightOverflow)
        {
            out.add(Violations.PROBLEM, Violations.Field.CLAIMS, 0, "the total of the weights (defaults included) " +
                "exceeds 2^63-1 and cannot be represented exactly; scale the weights down");
        }
        if (demandOverflow)
        {
            out.add(Violations.PROBLEM, Violations.Field.CLAIMS, 0,
                "the total of the demands exceeds 2^63-1 and cannot be represented exactly under " + method);
        }
        return out.isEmpty();
    }

    /**
     * The common request in one tight pass over the demand column: claims with no weight, cap or floor in one tier
     * ({@link Claims#plain()}) leave each claim's checks to its demand (given, and in [0, 2^62]) and the totals to
     * the demands' (below 2^63 bounds every total any method reads), the floor check to nothing (no floor exceeds
     * a bound), and the tier to one value. A false answer says only that the general loop must look.
     *
     * @return true when every demand is given and in range, their total fits in a long and the tier is not negative.
     */
    private static boolean plainClaimsValid(final Claims claims, final int n)
    {
        final long[] demand = claims.demandArray();
        // an absent demand is Claims.ABSENT, negative; a total past 2^63 − 1 turns negative once (each demand is at
        // most 2^62), and the sign bit is kept from then on
        long bad = n == 0 ? 0 : claims.tierArray()[0];
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            final long d = demand[i];
            sum += d;
            bad |= d | Claims.MAX_VALUE - d | sum;
        }
        return bad >= 0;
    }

    private static void checkHeader(
        final long supply, final Method method, final long lot, final int maxSharePpm, final Violations out)
    {
        if (supply < 0)
        {
            out.add(Violations.PROBLEM, Violations.Field.SUPPLY, supply, "must be >= 0, was " + supply);
        }
        else if (supply > Claims.MAX_VALUE)
        {
            out.add(Violations.PROBLEM, Violations.Field.SUPPLY, supply, "must be <= " + MAX_TEXT + ", was " + supply);
        }
        if (method == null)
        {
            out.add(Violations.PROBLEM, Violations.Field.METHOD, 0,
                "must be one of " + METHOD_NAMES + "; was METHOD_UNSPECIFIED or unknown");
        }
        if (lot < 0)
        {
            out.add(Violations.PROBLEM, Violations.Field.LOT, lot, "must be >= 0 (0 means 1), was " + lot);
        }
        else if (lot > Claims.MAX_VALUE)
        {
            out.add(Violations.PROBLEM, Violations.Field.LOT, lot, "must be <= " + MAX_TEXT + ", was " + lot);
        }
        if (maxSharePpm < 0 || maxSharePpm > Lots.PPM)
        {
            out.add(Violations.PROBLEM, Violations.Field.MAX_SHARE_PPM, maxSharePpm,
                "must be between 0 and 1000000 (0 = no limit), was " + maxSharePpm);
        }
    }

    /** @return true when the claim's own values are valid (the totals and the floor bound may be checked). */
    private static boolean checkClaim(final Method method, final Claims claims, final int i, final Violations out)
    {
        final long demand = claims.demandArray()[i];
        final long weight = claims.weightArray()[i];
        final long floor = claims.floorArray()[i];
        final int tier = claims.tierArray()[i];
        boolean claimValid = true;
        final boolean hasDemand = claims.has(i, Claims.DEMAND);
        final boolean hasWeight = claims.has(i, Claims.WEIGHT);
        claimValid &= !hasDemand || checkValue(out, i, Violations.Field.DEMAND, demand);
        claimValid &= !hasWeight || checkValue(out, i, Violations.Field.WEIGHT, weight);
        claimValid &= !claims.has(i, Claims.CAP) || checkValue(out, i, Violations.Field.CAP, claims.capArray()[i]);
        claimValid &= checkValue(out, i, Violations.Field.FLOOR, floor);
        if (tier < 0)
        {
            out.add(i, Violations.Field.TIER, tier, "must be >= 0, was " + tier);
            claimValid = false;
        }
        if (method == null)
        {
            return claimValid;
        }
        if (method.needsFiniteDemand() && !hasDemand)
        {
            out.add(i, Violations.Field.DEMAND, 0, "is required under " + method + " (unbounded demand has no " +
                (method == Method.TALMUD ? "half" : "loss") + ")");
            claimValid = false;
        }
        if (method == Method.EQUAL_LOSSES && hasWeight && weight == 0)
        {
            out.add(i, Violations.Field.WEIGHT, 0, "must be > 0 under EQUAL_LOSSES, was 0");
            claimValid = false;
        }
        if (method.defaultWeightIsDemand() && !hasWeight && !hasDemand)
        {
            out.add(i, Violations.Field.WEIGHT, 0, "neither weight nor demand is given; " + method +
                " weighs a claim by its demand when it has no weight");
            claimValid = false;
        }
        return claimValid;
    }

    /** Totals that must be representable: floors always; weights where used; demands where they are the losses. */
    private void addTotals(final Method method, final Claims claims, final int i)
    {
        if (!floorOverflow)
        {
            sumFloor += claims.floorArray()[i];
            floorOverflow = sumFloor < 0;
        }
        if (method != null && method.usesWeight() && !weightOverflow)
        {
            sumWeight += effectiveWeight(method, claims.demandArray()[i], claims.weightArray()[i]);
            weightOverflow = sumWeight < 0;
        }
        if (method != null && method.needsFiniteDemand() && !demandOverflow)
        {
            sumDemand += claims.demandArray()[i];
            demandOverflow = sumDemand < 0;
        }
    }

    private static void checkFloor(
        final Claims claims, final int i, final long l, final long shareUnits, final Violations out)
    {
        final long demand = claims.demandArray()[i];
        final long cap = claims.capArray()[i];
        final long floor = claims.floorArray()[i];
        final long lo = Lots.ceilDiv(floor, l);
        final long hi = Lots.upperBoundLots(demand, cap, shareUnits, l, Long.MAX_VALUE);
        // Also for a zero-weight claim, which is held at its floor: the floor must fit the bound, or the claim
        // would get more than its demand (issue 8).
        if (lo > hi)
        {
            out.add(i, Violations.Field.FLOOR, floor, "floor " + floor + " (" + lo * l + " in lots of " + l +
                ") exceeds the claim's bound " + hi * l + " = min(demand " + text(demand) + ", cap " +
                text(cap) + ", share limit " + text(shareUnits) + ") rounded down to the lot");
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

    private static boolean checkValue(final Violations out, final int i, final Violations.Field field, final long value)
    {
        if (value < 0)
        {
            out.add(i, field, value, "must be >= 0, was " + value);
            return false;
        }
        if (value > Claims.MAX_VALUE)
        {
            out.add(i, field, value, "must be <= " + MAX_TEXT + ", was " + value);
            return false;
        }
        return true;
    }

    private static String text(final long value)
    {
        return value == Claims.ABSENT ? "none" : Long.toString(value);
    }
}
