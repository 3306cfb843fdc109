package io.tranche.server.cli;

import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.allocation.AllocationExplainer;
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
        for (final Claim c : claims)
        {
            if (c.hasCap() && c.getCap() == 0 && c.getDemand() > 0)
            {
                // It stays queued and counts as outstanding, but no tranche can ever give it anything.
                sb.append("note: ").append(c.getId()).append("'s cap is used up: no tranche can serve its ")
                    .append(Table.group(c.getDemand())).append(" outstanding; raise the cap (claim update ")
                    .append(c.getId()).append(" --cap N) or remove it (claim rm ").append(c.getId()).append(")\n");
            }
        }
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
        if (!t.getReleasedBy().isEmpty())
        {
            sb.append(" by ").append(t.getReleasedBy());
        }
        sb.append('\n');
        final boolean why = t.hasExplanation();
        final String[][] rows = new String[t.getAwardsCount() + 1][];
        rows[0] =
            why ? new String[] {"id", "award", "unmet", "share", "why"} :
            new String[] {"id", "award", "unmet", "share"};
        for (int i = 0; i < t.getAwardsCount(); i++)
        {
            final Award a = t.getAwards(i);
            rows[i + 1] = new String[] {
                a.getId(),
                Table.group(a.getUnits()),
                a.hasUnmet() ? Table.group(a.getUnmet()) : "-",
                Table.percent(a.getUnits(), t.getSupply())};
            if (why)
            {
                rows[i + 1] = java.util.Arrays.copyOf(rows[i + 1], 5);
                rows[i + 1][4] = AllocationExplainer.why(a.getExplanation(), t.getExplanation().getLot());
            }
        }
        Table.render(sb, rows);
        sb.append("allocated ").append(Table.group(t.getAllocated()))
            .append(" of ").append(Table.group(t.getSupply()))
            .append(", unallocated ").append(Table.group(t.getUnallocated())).append('\n');
        if (t.getAwardsFiltered())
        {
            sb.append("(this credential's own awards only; the totals are the whole tranche's)\n");
        }
        if (why)
        {
            sb.append(AllocateCommand.explanationLine(t.getExplanation())).append('\n');
        }
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
        rows[0] =
            new String[] {"number", "request", "supply", "policy", "served", "allocated", "unallocated", "released"};
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
     * The ledger for spreadsheets (RFC 4180, CRLF line ends): one row per (tranche, claim) with number,
     * time, claim id, units, unmet, tier (empty when the server did not record it), method, and who released the
     * tranche (empty when it was recorded before names were kept).
     *
     * @param tranches the tranches.
     * @return the CSV text with its header row.
     */
    public static String csv(final List<Tranche> tranches)
    {
        final StringBuilder sb = new StringBuilder("number,time,claim_id,units,unmet,tier,method,released_by\r\n");
        for (final Tranche t : tranches)
        {
            final String time = t.hasReleaseTime() ?
                java.time.Instant.ofEpochSecond(t.getReleaseTime().getSeconds(), t.getReleaseTime().getNanos())
                .toString() : "";
            for (final Award a : t.getAwardsList())
            {
                sb.append(t.getNumber()).append(',');
                csvField(sb, time).append(',');
                csvField(sb, a.getId()).append(',');
                sb.append(a.getUnits()).append(',');
                if (a.hasUnmet())
                {
                    sb.append(a.getUnmet());
                }
                sb.append(',');
                if (a.hasTier())
                {
                    sb.append(a.getTier());
                }
                sb.append(',');
                csvField(sb, t.getPolicy().getMethod().name()).append(',');
                csvField(sb, t.getReleasedBy()).append("\r\n");
            }
        }
        return sb.toString();
    }

    /** RFC 4180: a field with a comma, a double quote, CR or LF is quoted, its quotes doubled. */
    static StringBuilder csvField(final StringBuilder sb, final String value)
    {
        boolean quote = false;
        for (int i = 0; i < value.length() && !quote; i++)
        {
            final char c = value.charAt(i);
            quote = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        if (!quote)
        {
            return sb.append(value);
        }
        sb.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (c == '"')
            {
                sb.append('"');
            }
            sb.append(c);
        }
        return sb.append('"');
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
        sb.append(p.getMethod() == io.tranche.proto.v1.Method.UNRECOGNIZED ? "method " + p.getMethodValue() :
            p.getMethod().name());
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
