package io.tranche.server.cli;

import com.google.protobuf.util.JsonFormat;
import io.tranche.proto.v1.AwardCheck;
import io.tranche.proto.v1.AwardRef;
import io.tranche.proto.v1.Checkpoint;
import io.tranche.proto.v1.ConsistencyCheck;
import io.tranche.proto.v1.GetCheckpointRequest;
import io.tranche.proto.v1.GetConsistencyProofRequest;
import io.tranche.proto.v1.GetInclusionProofRequest;
import io.tranche.proto.v1.LedgerProofs;
import io.tranche.proto.v1.Tranche;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.SplittableRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tranche ledger --server ADDR}: the ledger's checkpoint and seeded proofs as one JSON document (a
 * {@link LedgerProofs} in proto3 JSON), unverified, for a verifier of another implementation
 * ({@code scripts/tranche_ledger.py}) to check on its own.
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
        final Checkpoint checkpoint = connection.ledger().getCheckpoint(GetCheckpointRequest.getDefaultInstance());
        final long size = checkpoint.getTreeSize();
        final SplittableRandom random = new SplittableRandom(seed);
        final LedgerProofs.Builder proofs = LedgerProofs.newBuilder().setCheckpoint(checkpoint);
        for (int i = 0; size > 0 && i < inclusion; i++)
        {
            final long treeSize = 1 + random.nextLong(size);
            proofs.addInclusion(connection.ledger().getInclusionProof(GetInclusionProofRequest.newBuilder()
                .setLeafIndex(random.nextLong(treeSize)).setTreeSize(treeSize).build()));
        }
        for (int i = 0; size > 0 && i < consistency; i++)
        {
            final long to = 1 + random.nextLong(size);
            final long from = 1 + random.nextLong(to);
            // The proof from 0 carries the signed checkpoint of its size.
            final Checkpoint fromCheckpoint = connection.ledger().getConsistencyProof(GetConsistencyProofRequest
                .newBuilder().setFromSize(0).setToSize(from).build()).getCheckpoint();
            proofs.addConsistency(ConsistencyCheck.newBuilder().setFrom(fromCheckpoint).setProof(connection.ledger()
                .getConsistencyProof(GetConsistencyProofRequest.newBuilder().setFromSize(from).setToSize(to).build())));
        }
        if (awards)
        {
            for (final Tranche t : TranchesCommand.listAll(connection, 0))
            {
                for (final io.tranche.proto.v1.Award a : t.getAwardsList())
                {
                    proofs.addAwards(AwardCheck.newBuilder().setTranche(t.getNumber()).setClaimId(a.getId())
                        .setProof(connection.ledger().getInclusionProof(GetInclusionProofRequest.newBuilder()
                            .setAward(AwardRef.newBuilder().setTranche(t.getNumber()).setClaimId(a.getId())).build())));
                }
            }
        }
        out.println(JsonFormat.printer().omittingInsignificantWhitespace().print(proofs));
        return 0;
    }
}
