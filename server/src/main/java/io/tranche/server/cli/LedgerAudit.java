package io.tranche.server.cli;

import io.tranche.proto.v1.ConsistencyProof;
import io.tranche.proto.v1.GetCheckpointRequest;
import io.tranche.proto.v1.GetConsistencyProofRequest;
import io.tranche.proto.v1.GetInclusionProofRequest;
import io.tranche.proto.v1.ListLeafHashesRequest;
import io.tranche.proto.v1.ListLeafHashesResponse;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.merkle.Checkpoint;
import io.tranche.server.merkle.LedgerLeaves;
import io.tranche.server.merkle.ProofChecks;
import io.tranche.server.merkle.NoteVerifier;
import io.tranche.server.merkle.Rfc9162;
import io.tranche.server.merkle.SignedNote;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The client's side of the verifiable ledger, against a server: its signed checkpoint checked with the pinned key,
 * a consistency proof from the checkpoint saved last time, its leaf hashes (which must give the signed root) and
 * every tranche it serves (each must be a leaf of that tree). Any failure is an {@link AuditFailure} saying what
 * and where, naming the first differing leaf when the saved leaf hashes allow.
 */
final class LedgerAudit
{
    private static final int PAGE = 10_000;

    private LedgerAudit()
    {
    }

    /** A verification that failed: its message is the one line to print. */
    static final class AuditFailure extends Exception
    {
        private static final long serialVersionUID = 1L;

        AuditFailure(final String message)
        {
            super(message, null, false, false);
        }
    }

    /**
     * A server's checkpoint, its signature verified.
     *
     * @param note       the signed note.
     * @param checkpoint its text.
     * @param key        the key that verified it.
     * @param firstUse   true when the key was taken from the server (nothing pinned yet).
     */
    record Verified(String note, Checkpoint checkpoint, NoteVerifier key, boolean firstUse)
    {
    }

    /**
     * @param connection the server.
     * @param pinned     the trusted key, or null to take the server's (trust on first use).
     * @return the server's current checkpoint, verified.
     * @throws AuditFailure when its signature, its origin or its form is wrong.
     */
    static Verified checkpoint(final QueueClient connection, final NoteVerifier pinned) throws AuditFailure
    {
        final io.tranche.proto.v1.Checkpoint answer =
            connection.ledger().getCheckpoint(GetCheckpointRequest.getDefaultInstance());
        final NoteVerifier key;
        try
        {
            key = pinned != null ? pinned : NoteVerifier.parse(answer.getVerifierKey());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new AuditFailure("the server's verifier key: " + ex.getMessage());
        }
        return verify(answer.getNote(), key, pinned == null, "the server's checkpoint");
    }

    /**
     * @param note     a signed checkpoint.
     * @param key      the trusted key.
     * @param firstUse whether the key was taken on trust.
     * @param what     what the note is, for messages.
     * @return it, verified.
     * @throws AuditFailure naming the reason it is refused.
     */
    static Verified verify(final String note, final NoteVerifier key, final boolean firstUse, final String what)
        throws AuditFailure
    {
        final String problem = SignedNote.problem(note, key);
        if (problem != null)
        {
            throw new AuditFailure(what + ": " + problem);
        }
        final Checkpoint checkpoint;
        try
        {
            checkpoint = Checkpoint.parse(SignedNote.parse(note).text());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new AuditFailure(what + " is not a checkpoint: " + ex.getMessage());
        }
        if (!checkpoint.origin().equals(key.name()))
        {
            throw new AuditFailure(what + " is of origin " + checkpoint.origin() + ", not " + key.name() +
                " (the pinned key's log): a checkpoint of another log");
        }
        return new Verified(note, checkpoint, key, firstUse);
    }

    /**
     * The whole online check; on success FILE holds the server's checkpoint.
     *
     * @param connection the server.
     * @param file       the saved checkpoint (created on first use).
     * @param keyOption  {@code --log-key}, or null.
     * @param tranches   the server's tranches, listed before the checkpoint is fetched.
     * @return a line saying what was verified.
     * @throws AuditFailure on the first thing that does not verify.
     * @throws IOException  when a local file cannot be read or written.
     */
    static String verifyServer(final QueueClient connection, final CheckpointFile file, final String keyOption,
        final List<Tranche> tranches) throws AuditFailure, IOException
    {
        final Checkpoint saved = file.exists() ? file.checkpoint() : null;
        final NoteVerifier pinned = file.pinned(keyOption);
        if (saved != null && pinned == null)
        {
            throw new AuditFailure(file.keyFile() + " is missing: give the server's verifier key with --log-key " +
                "(from `tranche key --data-dir` on the server)");
        }
        if (saved != null)
        {
            verify(file.note(), pinned, false, "the saved checkpoint " + file.path());
        }
        final Verified current = checkpoint(connection, pinned);
        final Checkpoint now = current.checkpoint();
        final List<byte[]> kept = saved != null ? file.leaves() : new ArrayList<>();
        if (saved != null)
        {
            checkExtends(connection, saved, now, kept);
        }
        final List<byte[]> leaves = kept.size() == (saved == null ? 0 : saved.size()) ? kept : new ArrayList<>();
        fetchLeafHashes(connection, leaves, now.size());
        if (!Arrays.equals(Rfc9162.root(leaves), now.root()))
        {
            throw new AuditFailure("the server's " + now.size() + " leaf hashes do not give the root its checkpoint " +
                "signs (" + Rfc9162.hex(now.root()) + ")");
        }
        checkTranches(tranches, leaves, now.size());
        file.save(current.note(), current.key(), leaves);
        return "checkpoint " + now.origin() + ", size " + now.size() + ", root " + Rfc9162.hex(now.root()) + "\n" +
            "signed by  " + current.key().name() + "+" + String.format("%08x", current.key().keyId()) +
            (current.firstUse() ? " (the server's own key, trusted on first use: compare it with `tranche key " +
            "--data-dir` on the server)" : "") + "\n" +
            (saved == null ? "" : "extends    the saved checkpoint (size " + saved.size() + ")\n") +
            "tranches   " + tranches.size() + " found in the tree\n" +
            "saved to   " + file.path();
    }

    private static void checkExtends(final QueueClient connection, final Checkpoint saved, final Checkpoint now,
        final List<byte[]> kept) throws AuditFailure
    {
        if (!saved.origin().equals(now.origin()))
        {
            throw new AuditFailure("the server's checkpoint is of origin " + now.origin() + ", the saved one of " +
                saved.origin() + ": another log");
        }
        if (now.size() < saved.size())
        {
            throw new AuditFailure("the server's checkpoint has size " + now.size() + ", smaller than the saved " +
                "checkpoint's " + saved.size() + ": history was cut (a rollback)" +
                firstDifference(connection, kept, saved.size(), now.size()));
        }
        final ConsistencyProof proof = connection.ledger().getConsistencyProof(GetConsistencyProofRequest.newBuilder()
            .setFromSize(saved.size()).setToSize(now.size()).build());
        if (!Rfc9162.verifyConsistency(saved.size(), now.size(), saved.root(), now.root(),
            ProofChecks.hashes(proof.getPathList())))
        {
            throw new AuditFailure("history before size " + saved.size() + " was rewritten: no consistency proof " +
                "from the saved checkpoint (size " + saved.size() + ", root " + Rfc9162.hex(saved.root()) +
                ") to the server's (size " + now.size() + ")" +
                firstDifference(connection, kept, saved.size(), now.size()));
        }
    }

    // With the saved leaf hashes of the saved checkpoint, the first leaf the server now has otherwise.
    private static String firstDifference(final QueueClient connection, final List<byte[]> kept, final long savedSize,
        final long nowSize)
    {
        if (kept.size() != savedSize)
        {
            return "";
        }
        final List<byte[]> theirs = new ArrayList<>();
        fetchLeafHashes(connection, theirs, Math.min(savedSize, nowSize));
        for (int i = 0; i < theirs.size(); i++)
        {
            if (!MessageDigest.isEqual(theirs.get(i), kept.get(i)))
            {
                final byte[] leaf = connection.ledger().getInclusionProof(GetInclusionProofRequest.newBuilder()
                    .setLeafIndex(i).build()).getLeaf().toByteArray();
                return "; the first differing leaf is " + i + " (saved hash " + Rfc9162.hex(kept.get(i)) +
                    ", the server's " + Rfc9162.hex(theirs.get(i)) + ": now " + ProofChecks.describe(leaf) + ")";
            }
        }
        return nowSize < savedSize ? "; leaves " + nowSize + " to " + (savedSize - 1) + " are gone" : "";
    }

    /**
     * Appends the server's leaf hashes from {@code leaves.size()} up to a size.
     *
     * @param connection the server.
     * @param leaves     the hashes so far.
     * @param size       the size to reach.
     */
    static void fetchLeafHashes(final QueueClient connection, final List<byte[]> leaves, final long size)
    {
        while (leaves.size() < size)
        {
            final ListLeafHashesResponse page = connection.ledger().listLeafHashes(ListLeafHashesRequest.newBuilder()
                .setStartIndex(leaves.size()).setCount(PAGE).setTreeSize(size).build());
            if (page.getLeafHashesCount() == 0)
            {
                return;
            }
            leaves.addAll(ProofChecks.hashes(page.getLeafHashesList()));
        }
    }

    /**
     * Every tranche must be a leaf of the tree, in order.
     *
     * @param tranches the tranches.
     * @param leaves   the tree's leaf hashes.
     * @param size     the tree's size.
     * @throws AuditFailure naming the first tranche that is not.
     */
    static void checkTranches(final List<Tranche> tranches, final List<byte[]> leaves, final long size)
        throws AuditFailure
    {
        final MessageDigest sha = Rfc9162.newSha256();
        int at = 0;
        for (final Tranche t : tranches)
        {
            final byte[] hash = Rfc9162.leafHash(sha, LedgerLeaves.trancheLeaf(sha, t).toByteArray());
            while (at < leaves.size() && !MessageDigest.isEqual(leaves.get(at), hash))
            {
                at++;
            }
            if (at == leaves.size())
            {
                throw new AuditFailure("tranche " + t.getNumber() + " as the server serves it is not in the ledger's " +
                    "tree (size " + size + "): the tranche was altered after it was recorded");
            }
            at++;
        }
    }
}
