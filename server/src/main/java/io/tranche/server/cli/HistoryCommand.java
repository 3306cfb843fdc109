package io.tranche.server.cli;

import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.ClaimChange;
import io.tranche.proto.v1.ClaimHistory;
import io.tranche.proto.v1.GetClaimHistoryRequest;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tranche history --claim ID}: every change to a claim, who made it and when, with the claim before and
 * after.
 */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Prints every change to a claim, oldest first: when, by whom (the principal's name), what (created, " +
            "updated, awarded, served, deleted), and each field as it was before and after (before->after where " +
            "it changed). An admin or auditor may ask for any claim, a claimant for its own.",
        "Exit status: 0 done, 2 a mistake in the request (not found, denied), 1 anything else."
    })
public final class HistoryCommand extends ClientCommand
{
    @Option(names = "--claim", required = true, paramLabel = "ID", description = "Id of the claim.")
    String id;

    @Override
    protected int run(final QueueClient connection, final PrintWriter out)
    {
        final ClaimHistory history =
            connection.blocking().getClaimHistory(GetClaimHistoryRequest.newBuilder().setId(id).build());
        if (json())
        {
            out.println(toJson(history));
        }
        else
        {
            out.print(table(history));
        }
        return 0;
    }

    /**
     * @param history a claim's history.
     * @return one row per change: time, by, change, tranche, units, then each field of the claim.
     */
    static String table(final ClaimHistory history)
    {
        final String[][] rows = new String[history.getChangesCount() + 1][];
        rows[0] = new String[] {"time", "by", "change", "tranche", "units", "demand", "tier", "weight", "cap",
            "floor", "awarded"};
        for (int i = 0; i < history.getChangesCount(); i++)
        {
            final ClaimChange c = history.getChanges(i);
            final boolean award = c.getKind() == ClaimChange.Kind.AWARDED || c.getKind() == ClaimChange.Kind.SERVED;
            final Claim before = c.hasBefore() ? c.getBefore() : null;
            final Claim after = c.hasAfter() ? c.getAfter() : null;
            rows[i + 1] = new String[] {
                java.time.Instant.ofEpochSecond(c.getTime().getSeconds()).toString(),
                c.getPrincipal().isEmpty() ? "(unknown)" : c.getPrincipal(),
                c.getKind().name().toLowerCase(Locale.ROOT),
                award ? Long.toString(c.getTrancheNumber()) : "-",
                award ? Table.group(c.getUnits()) : "-",
                field(before, after, Field.DEMAND),
                field(before, after, Field.TIER),
                field(before, after, Field.WEIGHT),
                field(before, after, Field.CAP),
                field(before, after, Field.FLOOR),
                field(before, after, Field.AWARDED)};
        }
        final StringBuilder sb = new StringBuilder();
        sb.append("claim ").append(history.getId()).append('\n');
        Table.render(sb, rows);
        return sb.toString();
    }

    private enum Field
    {
        DEMAND, TIER, WEIGHT, CAP, FLOOR, AWARDED
    }

    private static String field(final Claim before, final Claim after, final Field field)
    {
        final String was = before == null ? null : value(before, field);
        final String is = after == null ? null : value(after, field);
        if (was == null)
        {
            return is;
        }
        if (is == null)
        {
            return was;
        }
        return was.equals(is) ? is : was + "->" + is;
    }

    private static String value(final Claim c, final Field field)
    {
        switch (field)
        {
            case DEMAND:
                return Table.group(c.getDemand());
            case TIER:
                return Integer.toString(c.getTier());
            case WEIGHT:
                return c.hasWeight() ? Table.group(c.getWeight()) : "-";
            case CAP:
                return c.hasCap() ? Table.group(c.getCap()) : "-";
            case FLOOR:
                return Table.group(c.getFloor());
            default:
                return Table.group(c.getAwarded());
        }
    }
}
