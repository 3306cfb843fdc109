package io.tranche.server.ledger;

import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.state.Command;
import io.tranche.server.state.InMemoryLedger;
import io.tranche.server.storage.Journal;
import io.tranche.server.state.Outcome;
import io.tranche.server.state.QueueStateMachine;
import io.tranche.server.storage.Writer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code tranche verify --data-dir DIR}: replays a data directory's journal from its first record
 * into a fresh {@link QueueStateMachine} (snapshots are not read: nothing is taken on trust), and
 * before each recorded tranche recomputes it with the kernel from the queue as it stood (a
 * {@code validate_only} release at the recorded time), then checks the awards, the conservation, every
 * award's unmet = outstanding demand − units and the numbering, and rebuilds the ledger's Merkle tree. Reads only.
 */
public final class OfflineVerifier
{
    /** What a verification found. */
    public static final class Report
    {
        /** Null when the ledger verifies; else the first difference, naming tranche, claim and both values. */
        public String problem;
        /** Journal records read. */
        public long records;
        /** Tranches checked. */
        public long tranches;
        /** Awards checked. */
        public long awards;
        /** Claims in the queue after the last record. */
        public long claims;
        /** Snapshots whose state matched the journal replayed up to them. */
        public long snapshotsChecked;
        /** The ledger's tree rebuilt from the journal (in the heap), for a comparison with a saved checkpoint. */
        public io.tranche.server.merkle.MerkleLog tree;
        /** The ledger's tree rebuilt from the journal: its size (one leaf per record) and root. */
        public long treeSize;
        /** The root of that tree. */
        public byte[] root = new byte[0];
    }

    private OfflineVerifier()
    {
    }

    private static final class Stop extends IOException
    {
        private static final long serialVersionUID = 1L;

        Stop(final String message)
        {
            super(message, null);
        }
    }

    /**
     * @param dataDir  the server's data directory (the server may be stopped or running; nothing is written).
     * @param maxQueue the queue limit the server ran with.
     * @return the report.
     * @throws IOException when a file cannot be read or a record is corrupt (named with file and offset).
     */
    public static Report verify(final Path dataDir, final int maxQueue) throws IOException
    {
        final Report report = new Report();
        final InMemoryLedger ledger = new InMemoryLedger();
        final QueueStateMachine machine = new QueueStateMachine(ledger, maxQueue);
        // Snapshots are checkpoints to cross-check, never trusted: the state is rebuilt from record 1.
        final java.util.TreeMap<Long, byte[]> snapshots;
        try
        {
            snapshots = Writer.snapshotStates(dataDir);
        }
        catch (final IOException ex)
        {
            report.problem = ex.getMessage();
            return report;
        }
        try
        {
            Journal.replayAll(dataDir, (index, type, time, payload, segment, offset) ->
            {
                report.records++;
                final Command command = Command.decode(type, payload);
                if (command instanceof Command.RecordTranche recorded)
                {
                    final String problem = checkTranche(machine, recorded.tranche(), time, report);
                    if (problem != null)
                    {
                        throw new Stop(problem);
                    }
                }
                final Outcome outcome = machine.apply(command, time);
                if (!outcome.mutates())
                {
                    throw new Stop("journal record " + index + " (type " + type + ") does not apply: " + outcome);
                }
                crossCheck(snapshots.get(index), machine, index, report);
            });
        }
        catch (final Stop stop)
        {
            report.problem = stop.getMessage();
        }
        report.claims = machine.queueLength();
        report.tree = ledger.tree();
        report.treeSize = ledger.tree().size();
        report.root = ledger.tree().root();
        return report;
    }

    private static void crossCheck(final byte[] expected, final QueueStateMachine machine, final long index,
        final Report report) throws IOException
    {
        if (expected == null)
        {
            return;
        }
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        // In the snapshot's own format: one written before the tree and attribution holds neither.
        final QueueStateMachine.SnapshotFormat format = QueueStateMachine.format(expected);
        machine.snapshot(new java.io.DataOutputStream(bytes),
            format == null ? QueueStateMachine.SnapshotFormat.CURRENT : format);
        final byte[] actual = bytes.toByteArray();
        if (!Arrays.equals(actual, expected))
        {
            throw new Stop("snapshot at record " + index + " disagrees with the journal replayed up to it (state " +
                "section: first difference at byte " + Arrays.mismatch(actual, expected) + " of " + expected.length +
                "): the snapshot was altered, or the journal before it was");
        }
        report.snapshotsChecked++;
    }

    private static String checkTranche(final QueueStateMachine machine, final Tranche t, final long time,
        final Report report)
    {
        final String at = "tranche " + t.getNumber();
        final long expectedNumber = machine.trancheCount() + 1;
        if (t.getNumber() != expectedNumber)
        {
            return at + ": number: expected " + expectedNumber + ", found " + t.getNumber() + " (a tranche is missing)";
        }
        if (t.getAllocated() + t.getUnallocated() != t.getSupply())
        {
            return at + ": conservation: allocated " + t.getAllocated() + " + unallocated " + t.getUnallocated() +
                " != supply " + t.getSupply();
        }
        final Outcome preview = machine.prepare(new Command.ReleaseTranche(ReleaseTrancheRequest.newBuilder()
            .setRequestId(t.getRequestId()).setSupply(t.getSupply()).setPolicy(t.getPolicy()).setValidateOnly(true)
            .build()), time);
        if (preview.kind() != Outcome.Kind.PREVIEW)
        {
            return at + ": cannot be recomputed from the queue as it stood: " + preview;
        }
        final Tranche expected = (Tranche)preview.value();
        if (expected.getAwardsCount() != t.getAwardsCount())
        {
            return at + ": awards: recorded " + t.getAwardsCount() + " awards, the queue held " +
                expected.getAwardsCount() + " claims";
        }
        long sum = 0;
        for (int i = 0; i < t.getAwardsCount(); i++)
        {
            final Award recorded = t.getAwards(i);
            final Award computed = expected.getAwards(i);
            if (!recorded.getId().equals(computed.getId()))
            {
                return at + ": award " + i + ": recorded claim " + recorded.getId() + ", queue holds " +
                    computed.getId();
            }
            if (recorded.getUnits() != computed.getUnits())
            {
                return at + ", claim " + recorded.getId() + ": units: recorded " + recorded.getUnits() +
                    ", recomputed " +
                    computed.getUnits();
            }
            final Claim claim = machine.claim(recorded.getId());
            final long outstanding = claim.getDemand();
            if (recorded.getUnmet() != outstanding - recorded.getUnits())
            {
                return at + ", claim " + recorded.getId() + ": demand: outstanding " + outstanding + " != awarded " +
                    recorded.getUnits() + " + unmet " + recorded.getUnmet();
            }
            sum += recorded.getUnits();
        }
        if (sum != t.getAllocated())
        {
            return at + ": allocated: recorded " + t.getAllocated() + ", awards sum to " + sum;
        }
        report.tranches++;
        report.awards += t.getAwardsCount();
        return null;
    }
}
