package io.tranche.server.cli;

import com.google.protobuf.util.JsonFormat;
import io.tranche.proto.v1.AwardRef;
import io.tranche.proto.v1.Checkpoint;
import io.tranche.proto.v1.GetCheckpointRequest;
import io.tranche.proto.v1.GetConsistencyProofRequest;
import io.tranche.proto.v1.GetInclusionProofRequest;
import io.tranche.proto.v1.Tranche;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.SplittableRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tranche ledger --server ADDR}: the ledger's checkpoint and seeded proofs as one JSON document, unverified,
 * for a verifier of another implementation ({@code scripts/tranche_ledger.py}) to check on its own.
 */
@Command(
    name = "ledger",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Prints the server's signed checkpoint and proofs as one JSON document, without checking them, for an " +
            "independent verifier (scripts/tranche_ledger.py): --inclusion seeded leaves proven at seeded tree " +
            "sizes, --consistency seeded pairs of sizes (each with the signed checkpoints of both sizes) and, with " +
            "--awards, every award of every tranche.",
        "Exit status: 0 printed, 1 a call failed, 2 a mistake in the request."
    })
public final class LedgerCommand extends ClientCommand
{
    @Option(names = "--inclusion", paramLabel = "N", description = "Inclusion proofs (default: ${DEFAULT-VALUE}).")
    int inclusion = 100;

    @Option(names = "--consistency", paramLabel = "N", description = "Consistency proofs (default: ${DEFAULT-VALUE}).")
    int consistency = 20;

    @Option(names = "--awards", description = "Add a proof of every award of every tranche.")
    boolean awards;

    @Option(names = "--seed", description = "Seed of the leaves and sizes (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Override
    protected int run(final QueueClient connection, final PrintWriter out) throws IOException
    {
        if (inclusion < 0 || consistency < 0)
        {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--inclusion and --consistency " +
                "must be >= 0, were " + inclusion + " and " + consistency);
        }
        final JsonFormat.Printer json = JsonFormat.printer().omittingInsignificantWhitespace();
        final Checkpoint checkpoint = connection.ledger().getCheckpoint(GetCheckpointRequest.getDefaultInstance());
        final long size = checkpoint.getTreeSize();
        final SplittableRandom random = new SplittableRandom(seed);
        final StringBuilder doc = new StringBuilder(1 << 16);
        doc.append("{\"checkpoint\":").append(json.print(checkpoint)).append(",\"inclusion\":[");
        for (int i = 0; size > 0 && i < inclusion; i++)
        {
            final long treeSize = 1 + random.nextLong(size);
            doc.append(i == 0 ? "" : ",").append(json.print(connection.ledger().getInclusionProof(
                GetInclusionProofRequest.newBuilder().setLeafIndex(random.nextLong(treeSize)).setTreeSize(treeSize)
                    .build())));
        }
        doc.append("],\"consistency\":[");
        for (int i = 0; size > 0 && i < consistency; i++)
        {
            final long to = 1 + random.nextLong(size);
            final long from = 1 + random.nextLong(to);
            final Checkpoint fromCheckpoint = connection.ledger().getConsistencyProof(GetConsistencyProofRequest
                .newBuilder().setFromSize(0).setToSize(from).build()).getCheckpoint();
            doc.append(i == 0 ? "" : ",").append("{\"from\":").append(json.print(fromCheckpoint)).append(",\"proof\":")
                .append(json.print(connection.ledger().getConsistencyProof(GetConsistencyProofRequest.newBuilder()
                    .setFromSize(from).setToSize(to).build()))).append('}');
        }
        doc.append("],\"awards\":[");
        if (awards)
        {
            final List<Tranche> tranches = TranchesCommand.listAll(connection, 0);
            boolean first = true;
            for (final Tranche t : tranches)
            {
                for (final io.tranche.proto.v1.Award a : t.getAwardsList())
                {
                    doc.append(first ? "" : ",").append("{\"tranche\":").append(t.getNumber()).append(",\"claimId\":");
                    Json.quote(doc, a.getId());
                    doc.append(",\"proof\":").append(json.print(connection.ledger()
                        .getInclusionProof(GetInclusionProofRequest.newBuilder().setAward(AwardRef.newBuilder()
                            .setTranche(t.getNumber()).setClaimId(a.getId())).build()))).append('}');
                    first = false;
                }
            }
        }
        out.println(doc.append("]}"));
        return 0;
    }
}
