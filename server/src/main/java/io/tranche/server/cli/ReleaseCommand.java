package io.tranche.server.cli;

import io.grpc.StatusRuntimeException;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import java.io.PrintWriter;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tranche release}: releases one tranche of supply against the server's queue and prints what each
 * claim was awarded. Safe to retry with the same {@code --request-id}: the server returns the recorded
 * tranche and allocates nothing new.
 */
@Command(
    name = "release",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Releases a tranche of supply against the queued claims.",
        "Runs the allocation over the queue in queue order, records the tranche in the ledger, lowers each " +
            "outstanding demand by its award and drops the claims fully served. Without --request-id one is " +
            "generated (and shown); retrying with the same id is safe: it returns the recorded tranche.",
        "Exit status: 0 done, 2 a mistake in the request (invalid, conflicting request id, denied), 1 anything else."
    })
public final class ReleaseCommand extends ClientCommand
{
    @Option(names = "--supply", required = true, paramLabel = "UNITS", converter = Units.class,
        description = "Units to allocate.")
    long supply;

    @Option(names = "--method", required = true, paramLabel = "METHOD", converter = Methods.class,
        completionCandidates = Methods.Candidates.class,
        description = "Rationing rule inside a tier: ${COMPLETION-CANDIDATES} (case-insensitive).")
    Method method;

    @Option(names = "--lot", paramLabel = "UNITS", converter = Units.class,
        description = "Units move in multiples of this lot (default: 1).")
    long lot;

    @Option(names = "--max-share-ppm", paramLabel = "PPM",
        description = "Most any one claim may get, in parts per million of the supply (default: no limit).")
    int maxSharePpm;

    @Option(names = "--request-id", paramLabel = "ID",
        description =
            "Idempotency key; the same id returns the recorded tranche (default: a new random UUID, printed).")
    String requestId;

    @Option(names = "--dry-run", description = "Preview: the tranche that would be released now (validate_only); " +
        "records nothing, consumes no number.")
    boolean dryRun;

    @Option(names = "--explain", description = "Each award says why it is what it is (a \"why\" column).")
    boolean explain;

    private String sentId;

    @Override
    protected int run(final QueueClient connection, final PrintWriter out)
    {
        sentId = requestId != null ? requestId : UUID.randomUUID().toString();
        final ReleaseTrancheRequest request = ReleaseTrancheRequest.newBuilder()
            .setRequestId(sentId)
            .setSupply(supply)
            .setPolicy(Policy.newBuilder().setMethod(method).setLot(lot).setMaxSharePpm(maxSharePpm))
            .setValidateOnly(dryRun)
            .setExplain(explain)
            .build();
        final Tranche tranche = connection.blocking().releaseTranche(request);
        if (json())
        {
            out.println(toJson(tranche));
        }
        else
        {
            if (dryRun)
            {
                out.println("dry run: nothing was released or recorded");
            }
            out.print(QueueTables.tranche(tranche));
        }
        return 0;
    }

    @Override
    protected void failed(final PrintWriter err, final StatusRuntimeException ex)
    {
        // Whether the server recorded the tranche is unknown after e.g. UNAVAILABLE or DEADLINE_EXCEEDED:
        // retrying with the same id is the safe way to find out.
        if (requestId == null && sentId != null &&
            QueueClient.exitStatus(ex.getStatus().getCode()) != QueueClient.EXIT_CLIENT_ERROR)
        {
            err.println("  the request id was " + sentId + "; retry with --request-id " + sentId +
                " to get this tranche without releasing it twice");
            err.flush();
        }
    }
}
