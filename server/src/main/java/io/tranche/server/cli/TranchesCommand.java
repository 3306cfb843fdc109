package io.tranche.server.cli;

import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.tranche.proto.v1.GetTrancheRequest;
import io.tranche.proto.v1.ListTranchesRequest;
import io.tranche.proto.v1.ListTranchesResponse;
import io.tranche.proto.v1.Tranche;
import io.tranche.proto.v1.WatchTranchesRequest;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tranche tranches}: the ledger of released tranches, one tranche in full, or a live stream of them.
 */
@Command(
    name = "tranches",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Prints the ledger of released tranches, one tranche in full, or a live stream of them.",
        "Without arguments: one row per tranche. NUMBER: that tranche in full. --watch: the recorded tranches " +
            "numbered above --after, then each new one as it is released.",
        "Exit status: 0 done, 2 a mistake in the request (not found, denied), 1 anything else."
    })
public final class TranchesCommand extends ClientCommand
{
    /** Page size asked for when listing the whole ledger. */
    static final int LIST_PAGE_SIZE = 100;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NUMBER", description = "Print this tranche in full.")
    Long number;

    @Option(names = "--watch", description = "Stream tranches as they are released (Ctrl-C to stop).")
    boolean watch;

    @Option(names = "--after", paramLabel = "N",
        description = "Only tranches numbered above N (default: 0, all of them).")
    long after;

    @Option(names = "--csv",
        description = "The whole ledger as CSV (RFC 4180): one row per tranche and claim: number, " +
        "time, claim_id, units, unmet, tier, method, released_by.")
    boolean csv;

    @Option(names = "--limit", paramLabel = "N",
        description = "With --watch: stop after N tranches (default: never).")
    Long limit;

    @Override
    protected Duration defaultTimeout()
    {
        // A watch is open-ended by design; only an explicit --timeout bounds it.
        return watch ? null : ClientDefaults.defaultTimeout();
    }

    @Override
    protected int run(final QueueClient connection, final PrintWriter out)
    {
        if (number != null && watch)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "give either NUMBER or --watch, not both");
        }
        if (limit != null && !watch)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--limit goes with --watch");
        }
        if (csv && (number != null || watch))
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--csv lists the whole ledger: not with NUMBER or --watch");
        }
        if (number != null)
        {
            final Tranche t =
                connection.blocking().getTranche(GetTrancheRequest.newBuilder().setNumber(number).build());
            out.print(json() ? toJson(t) + "\n" : QueueTables.tranche(t));
            return 0;
        }
        if (watch)
        {
            return watch(connection, out);
        }
        final List<Tranche> all = listAll(connection, after);
        if (csv)
        {
            out.print(QueueTables.csv(all));
        }
        else if (json())
        {
            out.println(toJson(ListTranchesResponse.newBuilder().addAllTranches(all)));
        }
        else
        {
            out.print(QueueTables.ledger(all));
        }
        return 0;
    }

    /**
     * Pages through ListTranches.
     *
     * @param connection the connection.
     * @param after      only tranches numbered above this.
     * @return the tranches in ledger order.
     */
    static List<Tranche> listAll(final QueueClient connection, final long after)
    {
        final List<Tranche> all = new ArrayList<>();
        String token = "";
        do
        {
            final ListTranchesResponse page = connection.blocking().listTranches(
                ListTranchesRequest.newBuilder().setPageSize(LIST_PAGE_SIZE).setPageToken(token).build());
            for (final Tranche t : page.getTranchesList())
            {
                if (t.getNumber() > after)
                {
                    all.add(t);
                }
            }
            if (!token.isEmpty() && page.getNextPageToken().equals(token))
            {
                throw new IllegalStateException("the server returned the same page token twice: " + token);
            }
            token = page.getNextPageToken();
        }
        while (!token.isEmpty());
        return all;
    }

    private int watch(final QueueClient connection, final PrintWriter out)
    {
        // A cancellable context ends the stream when --limit is reached, instead of leaving it to the deadline.
        final Context.CancellableContext context = Context.current().withCancellation();
        final Context previous = context.attach();
        long last = after;
        try
        {
            final Iterator<Tranche> stream = connection.blocking().watchTranches(
                WatchTranchesRequest.newBuilder().setAfterNumber(after).build());
            long seen = 0;
            while ((limit == null || seen < limit) && stream.hasNext())
            {
                final Tranche t = stream.next();
                if (json())
                {
                    out.println(toJsonLine(t));
                }
                else
                {
                    if (seen > 0)
                    {
                        out.println();
                    }
                    out.print(QueueTables.tranche(t));
                }
                out.flush();
                seen++;
                last = t.getNumber();
            }
            return 0;
        }
        catch (final StatusRuntimeException ex)
        {
            if (limit != null && ex.getStatus().getCode() == io.grpc.Status.Code.CANCELLED)
            {
                return 0;
            }
            final String description = ex.getStatus().getDescription();
            if (ex.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE && description != null &&
                description.contains("after_number"))
            {
                // The server names the protocol field; a command-line user resumes with --after.
                final PrintWriter err = spec.commandLine().getErr();
                err.println("tranche tranches: UNAVAILABLE: the server is shutting down; to resume, run it again " +
                    "with --watch --after " + last);
                err.flush();
                return QueueClient.EXIT_FAILURE;
            }
            throw ex;
        }
        finally
        {
            context.detach(previous);
            context.cancel(null);
        }
    }
}
