package io.tranche.server.cli;

import io.tranche.proto.v1.AwardRef;
import io.tranche.proto.v1.ConsistencyProof;
import io.tranche.proto.v1.GetConsistencyProofRequest;
import io.tranche.proto.v1.GetInclusionProofRequest;
import io.tranche.proto.v1.InclusionProof;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.merkle.Checkpoint;
import io.tranche.server.merkle.ProofChecks;
import io.tranche.server.merkle.NoteVerifier;
import io.tranche.server.merkle.Rfc9162;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tranche proof --server ADDR --tranche N --claim ID}: one award, proven in the ledger: the award's leaf in its
 * tranche's award tree, the tranche's leaf in the ledger's tree, the root signed by the pinned key, and (with
 * {@code --checkpoint FILE}) that tree extends the checkpoint saved there.
 */
@Command(
    name = "proof",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Prints a claim's award in a tranche and verifies that it is in the ledger: its audit path to the " +
            "tranche's award root, the tranche's audit path to the root of the server's signed checkpoint, the " +
            "checkpoint's signature with the pinned key, and, with --checkpoint FILE, a consistency proof from the " +
            "checkpoint saved there. The proof carries only hashes of the other awards.",
        "Exit status: 0 proven, 1 a proof or signature that does not verify (the reason on standard error), 2 a " +
            "mistake in the request (an unknown tranche or claim)."
    })
public final class ProofCommand extends ClientCommand
{
    @Option(names = "--tranche", paramLabel = "N", required = true, description = "The tranche number.")
    long tranche;

    @Option(names = "--claim", paramLabel = "ID", required = true, description = "The claim whose award to prove.")
    String claim;

    @Option(names = "--checkpoint", paramLabel = "FILE",
        description = "A checkpoint saved by `verify --checkpoint FILE`: its pinned key verifies the proof's " +
            "checkpoint, which must extend it.")
    Path checkpoint;

    @Option(names = "--log-key", paramLabel = "VKEY",
        description = "The server's verifier key (name+hash+key), or @FILE holding it. Without it or --checkpoint, " +
            "the server's own key is trusted, and printed.")
    String key;

    @Override
    protected int run(final QueueClient connection, final PrintWriter out) throws IOException
    {
        if (tranche < 1)
        {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--tranche must be >= 1, was " +
                tranche);
        }
        final CheckpointFile file = checkpoint == null ? null : new CheckpointFile(checkpoint);
        final NoteVerifier pinned = file != null ? file.pinned(key) : key != null ?
            new CheckpointFile(Path.of("-")).pinned(key) : null;
        final InclusionProof proof = connection.ledger().getInclusionProof(GetInclusionProofRequest.newBuilder()
            .setAward(AwardRef.newBuilder().setTranche(tranche).setClaimId(claim)).build());
        final PrintWriter err = spec.commandLine().getErr();
        try
        {
            final NoteVerifier trusted;
            try
            {
                trusted = pinned != null ? pinned : NoteVerifier.parse(proof.getCheckpoint().getVerifierKey());
            }
            catch (final IllegalArgumentException ex)
            {
                throw new LedgerAudit.AuditFailure("the server's verifier key: " + ex.getMessage());
            }
            final Checkpoint signed = LedgerAudit.verify(proof.getCheckpoint().getNote(), trusted, pinned == null,
                "the proof's checkpoint").checkpoint();
            final String extended = file != null && file.exists() ? extendsSaved(connection, file, signed) : "";
            final ProofChecks.AwardResult result = ProofChecks.award(proof, tranche, claim, signed);
            if (result.problem() != null)
            {
                throw new LedgerAudit.AuditFailure(result.problem());
            }
            print(out, result, proof, signed, trusted, pinned == null, extended);
            return 0;
        }
        catch (final LedgerAudit.AuditFailure ex)
        {
            out.flush();
            err.println("tranche proof: " + ex.getMessage());
            err.flush();
            return QueueClient.EXIT_FAILURE;
        }
    }

    private static String extendsSaved(final QueueClient connection, final CheckpointFile file, final Checkpoint now)
        throws IOException, LedgerAudit.AuditFailure
    {
        final Checkpoint saved = LedgerAudit.verify(file.note(), file.pinned(null), false,
            "the saved checkpoint " + file.path()).checkpoint();
        if (now.size() < saved.size())
        {
            throw new LedgerAudit.AuditFailure("the proof's checkpoint has size " + now.size() + ", smaller than the " +
                "saved checkpoint's " + saved.size() + ": history was cut (a rollback)");
        }
        final ConsistencyProof proof = connection.ledger().getConsistencyProof(GetConsistencyProofRequest.newBuilder()
            .setFromSize(saved.size()).setToSize(now.size()).build());
        if (!saved.origin().equals(now.origin()) || !Rfc9162.verifyConsistency(saved.size(), now.size(),
            saved.root(), now.root(), ProofChecks.hashes(proof.getPathList())))
        {
            throw new LedgerAudit.AuditFailure("the proof's checkpoint (size " + now.size() + ") does not extend the " +
                "saved checkpoint (size " + saved.size() + "): history before it was rewritten");
        }
        return "the checkpoint saved in " + file.path() + " (size " + saved.size() + ")";
    }

    private void print(final PrintWriter out, final ProofChecks.AwardResult result, final InclusionProof proof,
        final Checkpoint signed, final NoteVerifier trusted, final boolean firstUse, final String extended)
    {
        final Tranche t = result.tranche().getTranche();
        final io.tranche.proto.v1.Award a = result.award();
        out.println("tranche " + t.getNumber() + ", claim " + a.getId() + ": " + Table.group(a.getUnits()) + " units" +
            (a.hasUnmet() ? ", unmet " + Table.group(a.getUnmet()) : "") +
            (a.hasTier() ? ", tier " + a.getTier() : "") +
            " (request " + t.getRequestId() + ", supply " + Table.group(t.getSupply()) + ", " +
            t.getPolicy().getMethod() + ", released " + QueueTables.time(t) + ")");
        out.println("award      " + proof.getAward().getAwardIndex() + " of " + proof.getAward().getAwardCount() +
            " in the tranche's award tree, root " + Rfc9162.hex(result.tranche().getAwardsRoot().toByteArray()));
        out.println("tranche    leaf " + proof.getLeafIndex() + " of " + signed.size() + " in the ledger's tree, " +
            "root " + Rfc9162.hex(signed.root()));
        out.println("signed by  " + trusted.name() + "+" + String.format("%08x", trusted.keyId()) + (firstUse ?
            " (the server's own key, trusted on first use: " + trusted + ")" : ""));
        if (!extended.isEmpty())
        {
            out.println("extends    " + extended);
        }
        out.println("proven");
    }
}
