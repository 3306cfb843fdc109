package io.tranche.kernel;

import java.util.Arrays;

/**
 * One allocation problem as plain immutable-by-convention data, for tests: the header (supply,
 * method, lot, max_share_ppm) and the claims in queue order, with {@link Claims#ABSENT} for absent
 * demand, weight or cap. A null method stands for {@code METHOD_UNSPECIFIED}.
 */
public final class Problem
{
    public final long supply;
    public final Method method;
    public final long lot;
    public final int ppm;
    public final String[] id;
    public final long[] demand;
    public final long[] weight;
    public final int[] tier;
    public final long[] cap;
    public final long[] floor;

    public Problem(
        final long supply, final Method method, final long lot, final int ppm, final String[] id, final long[] demand,
        final long[] weight, final int[] tier, final long[] cap, final long[] floor)
    {
        this.supply = supply;
        this.method = method;
        this.lot = lot;
        this.ppm = ppm;
        this.id = id;
        this.demand = demand;
        this.weight = weight;
        this.tier = tier;
        this.cap = cap;
        this.floor = floor;
    }

    /** @return number of claims. */
    public int size()
    {
        return id.length;
    }

    /** @return the same claims with another supply. */
    public Problem withSupply(final long newSupply)
    {
        return new Problem(newSupply, method, lot, ppm, id, demand, weight, tier, cap, floor);
    }

    /** @return the same problem under another method. */
    public Problem withMethod(final Method newMethod)
    {
        return new Problem(supply, newMethod, lot, ppm, id, demand, weight, tier, cap, floor);
    }

    /**
     * Writes the claims into {@code claims} (cleared first).
     *
     * @param claims reusable claims.
     * @return {@code claims}.
     */
    public Claims fill(final Claims claims)
    {
        claims.clear();
        for (int i = 0; i < id.length; i++)
        {
            claims.add(demand[i], weight[i], tier[i], cap[i], floor[i]);
        }
        return claims;
    }

    /** @return a fresh {@link Claims} holding the claims. */
    public Claims toClaims()
    {
        return fill(new Claims(Math.max(1, id.length)));
    }

    private static String v(final long x)
    {
        return x == Claims.ABSENT ? "-" : Long.toString(x);
    }

    /** A compact, reproducible description: header, then one claim per line. */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("supply=").append(supply).append(" method=").append(method).append(" lot=").append(lot)
            .append(" ppm=").append(ppm).append(" claims=").append(id.length).append('\n');
        for (int i = 0; i < id.length; i++)
        {
            sb.append("  [").append(i).append("] id=").append(id[i]).append(" demand=").append(v(demand[i]))
                .append(" weight=").append(v(weight[i])).append(" tier=").append(tier[i]).append(" cap=")
                .append(v(cap[i])).append(" floor=").append(floor[i]).append('\n');
        }
        return sb.toString();
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!(o instanceof Problem))
        {
            return false;
        }
        final Problem p = (Problem)o;
        return supply == p.supply && method == p.method && lot == p.lot && ppm == p.ppm && Arrays.equals(id, p.id) &&
            Arrays.equals(demand, p.demand) && Arrays.equals(weight, p.weight) && Arrays.equals(tier, p.tier) &&
            Arrays.equals(cap, p.cap) && Arrays.equals(floor, p.floor);
    }

    @Override
    public int hashCode()
    {
        return Long.hashCode(supply) * 31 + Arrays.hashCode(demand);
    }
}
