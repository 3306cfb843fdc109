package io.tranche.server.cli;

import io.tranche.server.ledger.OfflineVerifier;
import io.tranche.server.merkle.Checkpoint;
import io.tranche.server.merkle.LedgerKey;
import io.tranche.server.merkle.ProofChecks;
import io.tranche.server.merkle.MerkleLog;
import io.tranche.server.merkle.NoteVerifier;
import io.tranche.server.merkle.Rfc9162;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code verify --data-dir D --checkpoint FILE}: the tree rebuilt from D's journal must extend the checkpoint saved in
 * FILE (its root at the saved size must be the saved root); then, when D's signing key is the pinned one, FILE is
 * replaced by a checkpoint of the rebuilt tree signed with it.
 */
final class OfflineAudit
{
    private OfflineAudit()
    {
    }

    static String verify(final Path dataDir, final OfflineVerifier.Report report, final CheckpointFile file,
        final String keyOption) throws LedgerAudit.AuditFailure, IOException
    {
        final MerkleLog tree = report.tree;
        final Path keyPath = dataDir.resolve(LedgerKey.FILE);
        final LedgerKey own = Files.exists(keyPath) ? LedgerKey.load(keyPath) : null;
        NoteVerifier pinned = file.pinned(keyOption);
        final boolean firstUse = pinned == null;
        if (pinned == null)
        {
            if (file.exists() || own == null)
            {
                throw new LedgerAudit.AuditFailure(file.keyFile() + " is missing: give the server's verifier key " +
                    "with --log-key (from `tranche key --data-dir`)");
            }
            pinned = own.verifier();
        }
        final List<byte[]> rebuilt = new ArrayList<>();
        for (long i = 0; i < tree.size(); i++)
        {
            rebuilt.add(tree.leafHash(i));
        }
        String extended = "";
        if (file.exists())
        {
            final Checkpoint saved = LedgerAudit.verify(file.note(), pinned, false,
                "the saved checkpoint " + file.path()).checkpoint();
            final List<byte[]> kept = file.leaves();
            if (tree.size() < saved.size())
            {
                throw new LedgerAudit.AuditFailure("the journal of " + dataDir + " holds " + tree.size() +
                    " changes, fewer than the saved checkpoint's " + saved.size() + ": history was cut (a rollback)" +
                    firstDifference(tree, kept, saved.size()));
            }
            if (!Arrays.equals(tree.rootAt(saved.size()), saved.root()))
            {
                throw new LedgerAudit.AuditFailure("history before size " + saved.size() + " was rewritten: the tree " +
                    "rebuilt from the journal of " + dataDir + " has root " + Rfc9162.hex(tree.rootAt(saved.size())) +
                    " at that size, the saved checkpoint " + Rfc9162.hex(saved.root()) +
                    firstDifference(tree, kept, saved.size()));
            }
            extended = "extends    the saved checkpoint (size " + saved.size() + ")\n";
        }
        if (own == null || !own.verifier().equals(pinned))
        {
            return "tree       rebuilt from the journal, size " + tree.size() + ", root " + Rfc9162.hex(tree.root()) +
                "\n" + extended + "kept       " + file.path() + ": " + dataDir + " holds no signing key that the " +
                "pinned key " + pinned.name() + " verifies, so no newer checkpoint is signed";
        }
        final String note = new Checkpoint(own.name(), tree.size(), tree.root()).sign(own);
        file.save(note, pinned, rebuilt);
        return "checkpoint " + own.name() + ", size " + tree.size() + ", root " + Rfc9162.hex(tree.root()) +
            ", rebuilt from the journal\n" + extended + "saved to   " + file.path() + " (signed with " + keyPath +
            (firstUse ? ", its key pinned on first use" : "") + ")";
    }

    private static String firstDifference(final MerkleLog tree, final List<byte[]> kept, final long savedSize)
        throws IOException
    {
        if (kept.size() != savedSize)
        {
            return "";
        }
        for (int i = 0; i < Math.min(kept.size(), tree.size()); i++)
        {
            final byte[] now = tree.leafHash(i);
            if (!MessageDigest.isEqual(now, kept.get(i)))
            {
                return "; the first differing leaf is " + i + " (saved hash " + Rfc9162.hex(kept.get(i)) +
                    ", the journal's " + Rfc9162.hex(now) + ": now " + ProofChecks.describe(tree.leaf(i)) + ")";
            }
        }
        return tree.size() < savedSize ? "; leaves " + tree.size() + " to " + (savedSize - 1) + " are gone" : "";
    }
}
