package io.tranche.server.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.tranche.proto.v1.Checkpoint;
import io.tranche.proto.v1.GetCheckpointRequest;
import io.tranche.proto.v1.ListTranchesRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.TestServer;
import io.tranche.server.grpc.LedgerServiceTest;
import io.tranche.server.state.InMemoryLedger;
import io.tranche.server.state.QueueStateMachine;
import io.tranche.server.state.RecordPlace;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tree over a data directory it was not written with: a snapshot in the format of the builds before the tree
 * (the last digest where the tree's size and root are now) and no tree files, as an upgraded directory has them;
 * and a damaged tree file. Each start rebuilds the tree from the journal, to the root the directory had, and the
 * offline verifier cross-checks the old snapshot.
 */
@Tag("slow")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LedgerUpgradeTest
{
    private static final int WRITER_MAGIC = 0x54524E32; // "TRN2"

    @TempDir
    Path dir;

    private Checkpoint checkpoint(final TestServer server)
    {
        return LedgerServiceTest.ledger(server).getCheckpoint(GetCheckpointRequest.getDefaultInstance());
    }

    @Test
    void shouldRebuildTheTreeOverASnapshotWrittenBeforeIt() throws Exception
    {
        final Path data = dir.resolve("data");
        final Checkpoint before;
        final List<Tranche> tranches;
        try (TestServer server = TestServer.start(TestServer.config(data).snapshotEvery(7)))
        {
            LedgerServiceTest.write(server);
            before = checkpoint(server);
            tranches = server.queue().listTranches(ListTranchesRequest.newBuilder().setPageSize(100).build())
                .getTranchesList();
        }
        final List<Path> snapshots = LedgerFiles.snapshots(data);
        assertThat(snapshots).hasSize(1);
        toFormatBeforeTheTree(snapshots.get(0), tranches);
        for (final String name : new String[] {"ledger.tree", "ledger.leaves", "ledger.leaves.idx"})
        {
            Files.delete(data.resolve(name));
        }
        assertThat(OfflineVerifier.verify(data, 100_000).problem).as("the old snapshot cross-checked").isNull();
        try (TestServer server = TestServer.start(TestServer.config(data).snapshotEvery(7)))
        {
            final Checkpoint after = checkpoint(server);
            assertThat(after.getTreeSize()).isEqualTo(before.getTreeSize());
            assertThat(after.getRootHash()).isEqualTo(before.getRootHash());
        }
        assertThat(data.resolve("ledger.tree")).exists();
    }

    @Test
    void shouldRebuildADamagedTreeFileToTheSameRoot() throws Exception
    {
        final Path data = dir.resolve("data");
        final Checkpoint before;
        try (TestServer server = TestServer.start(TestServer.config(data).snapshotEvery(7)))
        {
            LedgerServiceTest.write(server);
            before = checkpoint(server);
        }
        // A node on the right edge at the snapshot's size (7 leaves: nodes (2,0), (1,2), (0,6)) changed.
        LedgerFiles.flipBit(data.resolve("ledger.tree"), 16 + 32 * 3, 0);
        try (TestServer server = TestServer.start(TestServer.config(data).snapshotEvery(7)))
        {
            assertThat(checkpoint(server).getRootHash()).isEqualTo(before.getRootHash());
        }
        // A header that is not a tree file's: the file is moved aside and rebuilt.
        LedgerFiles.flipBit(data.resolve("ledger.tree"), 0, 1);
        try (TestServer server = TestServer.start(TestServer.config(data).snapshotEvery(7)))
        {
            assertThat(checkpoint(server).getRootHash()).isEqualTo(before.getRootHash());
        }
        assertThat(data.resolve("ledger.tree.damaged")).exists();
    }

    // Rewrites a snapshot's state section as the builds before the tree wrote it.
    private static void toFormatBeforeTheTree(final Path snapshot, final List<Tranche> tranches) throws Exception
    {
        final byte[] bytes = Files.readAllBytes(snapshot);
        final ByteBuffer buf = ByteBuffer.wrap(bytes);
        assertThat(buf.getInt(0)).isEqualTo(WRITER_MAGIC);
        final long count = buf.getLong(20);
        final int stateStart = (int)(28 + 24 * count);
        final InMemoryLedger ledger = new InMemoryLedger();
        for (int n = 0; n < count; n++)
        {
            ledger.append(tranches.get(n), n, RecordPlace.NONE);
        }
        final QueueStateMachine machine = new QueueStateMachine(ledger, 100_000);
        machine.restore(new DataInputStream(new ByteArrayInputStream(bytes, stateStart, bytes.length - 4 -
            stateStart)));
        final ByteArrayOutputStream rewritten = new ByteArrayOutputStream();
        rewritten.write(bytes, 0, stateStart);
        machine.snapshot(new DataOutputStream(rewritten), QueueStateMachine.SnapshotFormat.BEFORE_TREE);
        final CRC32C crc = new CRC32C();
        final byte[] body = rewritten.toByteArray();
        crc.update(body);
        rewritten.write(ByteBuffer.allocate(4).putInt((int)crc.getValue()).array());
        assertThat(ByteBuffer.wrap(body).getInt(stateStart)).as("TRS2").isEqualTo(0x54525332);
        Files.write(snapshot, rewritten.toByteArray());
    }
}
