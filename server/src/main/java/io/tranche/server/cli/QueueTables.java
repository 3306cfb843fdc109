package io.tranche.server.cli;

import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.Tranche;
import java.util.List;

/** The aligned tables the queue client prints for claims and tranches. */
public final class QueueTables
{
    private QueueTables()
    {
    }

    /**
     * One row per claim, in the order given (queue order from the server).
     *
     * @param claims the claims.
     * @return the table; a header only when there are none.
     */
    public static String claims(final List<Claim> claims)
    {
        final String[][] rows = new String[claims.size() + 1][];
        rows[0] = new String[] {"position", "id", "tier", "demand", "awarded", "weight", "cap", "floor"};
        for (int i = 0; i < claims.size(); i++)
        {
            final Claim c = claims.get(i);
            rows[i + 1] = new String[] {
                Long.toString(c.getPosition()),
                c.getId(),
                Integer.toString(c.getTier()),
                c.hasDemand() ? Table.group(c.getDemand()) : "-",
                Table.group(c.getAwarded()),
                c.hasWeight() ? Table.group(c.getWeight()) : "-",
                c.hasCap() ? Table.group(c.getCap()) : "-",
                Table.group(c.getFloor())};
        }
        final StringBuilder sb = new StringBuilder();
        Table.render(sb, rows);
        return sb.toString();
    }

    /**
     * A tranche in full: a heading line, one row per award, and the totals.
     *
     * @param t the tranche.
     * @return the text.
     */
    public static String tranche(final Tranche t)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("tranche ").append(t.getNumber())
            .append("  request ").append(t.getRequestId())
            .append("  supply ").append(Table.group(t.getSupply()))
            .append("  ").append(policy(t.getPolicy()));
        if (t.hasReleaseTime())
        {
            sb.append("  released ").append(time(t));
        }
        sb.append('\n');
        final String[][] rows = new String[t.getAwardsCount() + 1][];
        rows[0] = new String[] {"id", "award", "unmet", "share"};
        for (int i = 0; i < t.getAwardsCount(); i++)
        {
            final Award a = t.getAwards(i);
            rows[i + 1] = new String[] {
                a.getId(),
                Table.group(a.getUnits()),
                a.hasUnmet() ? Table.group(a.getUnmet()) : "-",
                Table.percent(a.getUnits(), t.getSupply())};
        }
        Table.render(sb, rows);
        sb.append("allocated ").append(Table.group(t.getAllocated()))
            .append(" of ").append(Table.group(t.getSupply()))
            .append(", unallocated ").append(Table.group(t.getUnallocated())).append('\n');
        return sb.toString();
    }

    /**
     * One row per tranche: the ledger.
     *
     * @param tranches the tranches.
     * @return the table.
     */
    public static String ledger(final List<Tranche> tranches)
    {
        final String[][] rows = new String[tranches.size() + 1][];
        rows[0] = new String[] {"number", "request", "supply", "policy", "served", "allocated", "unallocated", "released"};
        for (int i = 0; i < tranches.size(); i++)
        {
            final Tranche t = tranches.get(i);
            int awarded = 0;
            for (int a = 0; a < t.getAwardsCount(); a++)
            {
                if (t.getAwards(a).getUnits() > 0)
                {
                    awarded++;
                }
            }
            rows[i + 1] = new String[] {
                Long.toString(t.getNumber()),
                t.getRequestId(),
                Table.group(t.getSupply()),
                policy(t.getPolicy()),
                Integer.toString(awarded),
                Table.group(t.getAllocated()),
                Table.group(t.getUnallocated()),
                t.hasReleaseTime() ? time(t) : "-"};
        }
        final StringBuilder sb = new StringBuilder();
        Table.render(sb, rows);
        return sb.toString();
    }

    /**
     * @param t a tranche.
     * @return its release time in RFC 3339 to the second (the JSON output has the nanoseconds).
     */
    static String time(final Tranche t)
    {
        return java.time.Instant.ofEpochSecond(t.getReleaseTime().getSeconds()).toString();
    }

    /**
     * @param p a policy.
     * @return e.g. {@code PROPORTIONAL lot 8 max-share 250000ppm}.
     */
    public static String policy(final Policy p)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(p.getMethod() == io.tranche.proto.v1.Method.UNRECOGNIZED ? "method " + p.getMethodValue() : p.getMethod().name());
        if (p.getLot() > 1)
        {
            sb.append(" lot ").append(Table.group(p.getLot()));
        }
        if (p.getMaxSharePpm() != 0)
        {
            sb.append(" max-share ").append(p.getMaxSharePpm()).append("ppm");
        }
        return sb.toString();
    }
}
