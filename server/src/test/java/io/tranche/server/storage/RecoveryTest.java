package io.tranche.server.storage;

import static io.tranche.server.TestServer.claim;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.FieldMask;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.DeleteClaimRequest;
import io.tranche.proto.v1.ListClaimsRequest;
import io.tranche.proto.v1.ListTranchesRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.proto.v1.UpdateClaimRequest;
import io.tranche.server.TestServer;
import io.tranche.server.TrancheServer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RecoveryTest
{
    private static final Policy PROPORTIONAL = Policy.newBuilder().setMethod(Method.PROPORTIONAL).setLot(2).build();

    @TempDir
    Path dir;

    /** The whole visible state: every claim in queue order and every tranche. */
    record State(List<Claim> claims, List<Tranche> tranches)
    {
    }

    private static State state(final TestServer server)
    {
        final QueueServiceGrpc.QueueServiceBlockingStub queue = server.queue();
        return new State(
            queue.listClaims(ListClaimsRequest.newBuilder().setPageSize(1000).build()).getClaimsList(),
            queue.listTranches(ListTranchesRequest.newBuilder().setPageSize(1000).build()).getTranchesList());
    }

    /** A mixed history; returns the number of journal records it writes. */
    private static int drive(final TestServer server, final String prefix, final int rounds)
    {
        final QueueServiceGrpc.QueueServiceBlockingStub queue = server.queue();
        int records = 0;
        for (int r = 0; r < rounds; r++)
        {
            for (int i = 0; i < 3; i++)
            {
                queue.createClaim(CreateClaimRequest.newBuilder()
                    .setClaim(claim(prefix + r + "-" + i, 100 + 37L * i).toBuilder().setTier(i % 2)).build());
                records++;
            }
            queue.updateClaim(UpdateClaimRequest.newBuilder()
                .setClaim(Claim.newBuilder().setId(prefix + r + "-1").setWeight(7))
                .setUpdateMask(FieldMask.newBuilder().addPaths("weight")).build());
            queue.deleteClaim(DeleteClaimRequest.newBuilder().setId(prefix + r + "-2").build());
            queue.releaseTranche(ReleaseTrancheRequest.newBuilder()
                .setRequestId(prefix + "release-" + r).setSupply(151).setPolicy(PROPORTIONAL).build());
            records += 3;
        }
        return records;
    }

    private List<Path> files(final String glob) throws IOException
    {
        try (Stream<Path> s = Files.list(dir))
        {
            return s.filter(p -> p.getFileName().toString().matches(glob)).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void shouldRecoverTheSameStateAfterRestart() throws Exception
    {
        final State before;
        try (TestServer server = TestServer.start(dir))
        {
            drive(server, "a", 4);
            before = state(server);
        }
        assertThat(before.tranches()).hasSize(4);
        try (TestServer server = TestServer.start(dir))
        {
            assertThat(state(server)).isEqualTo(before);
            // Ids and request ids survive: a retried release is still recognised, a new one continues the numbering.
            final Tranche retried = server.queue().releaseTranche(ReleaseTrancheRequest.newBuilder()
                .setRequestId("arelease-0").setSupply(151).setPolicy(PROPORTIONAL).build());
            assertThat(retried).isEqualTo(before.tranches().get(0));
            drive(server, "b", 1);
            assertThat(state(server).tranches()).hasSize(5);
        }
    }

    @Test
    void shouldIgnoreATornLastRecord() throws Exception
    {
        final State beforeLast;
        final byte[] markBeforeLast;
        try (TestServer server = TestServer.start(dir))
        {
            drive(server, "a", 2);
            beforeLast = state(server);
            markBeforeLast = Files.readAllBytes(dir.resolve("journal.mark"));
            server.queue().createClaim(CreateClaimRequest.newBuilder().setClaim(claim("last", 9)).build());
        }
        final Path journal = files("journal-.*\\.log").get(0);
        final long size = Files.size(journal);
        // The crash tore the last record before its sync: the journal mark still ends before it.
        Files.write(dir.resolve("journal.mark"), markBeforeLast);
        try (RandomAccessFile f = new RandomAccessFile(journal.toFile(), "rw"))
        {
            f.setLength(size - 3);
        }
        try (TestServer server = TestServer.start(dir))
        {
            assertThat(state(server)).isEqualTo(beforeLast);
            server.queue().createClaim(CreateClaimRequest.newBuilder().setClaim(claim("after", 9)).build());
        }
        try (TestServer server = TestServer.start(dir))
        {
            assertThat(state(server).claims()).extracting(Claim::getId).contains("after").doesNotContain("last");
        }
    }

    @Test
    void shouldIgnoreAZeroFilledTail() throws Exception
    {
        final State before;
        try (TestServer server = TestServer.start(dir))
        {
            drive(server, "a", 1);
            before = state(server);
        }
        final Path journal = files("journal-.*\\.log").get(0);
        Files.write(journal, new byte[4096], java.nio.file.StandardOpenOption.APPEND);
        try (TestServer server = TestServer.start(dir))
        {
            assertThat(state(server)).isEqualTo(before);
        }
    }

    @Test
    void shouldRefuseACorruptRecordInTheMiddle() throws Exception
    {
        try (TestServer server = TestServer.start(dir))
        {
            drive(server, "a", 2);
        }
        final Path journal = files("journal-.*\\.log").get(0);
        try (RandomAccessFile f = new RandomAccessFile(journal.toFile(), "rw"))
        {
            f.seek(16 + 29 + 3); // inside the first record's payload (segment header 16, record header 29)
            final int b = f.read();
            f.seek(16 + 29 + 3);
            f.write(b ^ 0x40);
        }
        assertThatThrownBy(() -> TrancheServer.start(TestServer.config(dir)))
            .isInstanceOf(IOException.class)
            .hasMessageContaining(journal.getFileName().toString())
            .hasMessageContaining("corrupt at offset 16")
            .hasMessageContaining("checksum")
            .hasMessageNotContaining("move the file aside");
        // The refusal released the directory: after repair (here: none possible) the lock is free again.
        assertThatThrownBy(() -> TrancheServer.start(TestServer.config(dir))).hasMessageContaining("offset 16");
    }

    @Test
    void shouldRecoverFromSnapshotPlusJournalAndKeepOldSegments() throws Exception
    {
        final State before;
        try (TestServer server = TestServer.start(TestServer.config(dir).snapshotEvery(5)))
        {
            final int records = drive(server, "a", 3); // 18 records: snapshots after 5+ records each
            assertThat(records).isEqualTo(18);
            before = state(server);
        }
        final List<Path> snapshots = files("snapshot-.*\\.snap");
        assertThat(snapshots).hasSize(1);
        final List<Path> journals = files("journal-.*\\.log");
        // Every segment is kept (they hold the ledger); the newest snapshot's segment starts right after it.
        assertThat(journals.size()).isGreaterThan(1);
        final long snapshotIndex = Long.parseLong(snapshots.get(0).getFileName().toString().substring(9, 29));
        final long firstInJournal = Long.parseLong(journals.get(journals.size() - 1).getFileName().toString()
            .substring(8, 28));
        assertThat(firstInJournal).isEqualTo(snapshotIndex + 1);
        try (TestServer server = TestServer.start(TestServer.config(dir).snapshotEvery(5)))
        {
            assertThat(state(server)).isEqualTo(before);
        }
        // And with snapshots effectively off, the same directory still recovers.
        try (TestServer server = TestServer.start(dir))
        {
            assertThat(state(server)).isEqualTo(before);
        }
    }

    @Test
    void shouldRefuseACorruptSnapshot() throws Exception
    {
        try (TestServer server = TestServer.start(TestServer.config(dir).snapshotEvery(3)))
        {
            drive(server, "a", 1);
        }
        final Path snapshot = files("snapshot-.*\\.snap").get(0);
        try (RandomAccessFile f = new RandomAccessFile(snapshot.toFile(), "rw"))
        {
            f.seek(20);
            final int b = f.read();
            f.seek(20);
            f.write(b ^ 1);
        }
        assertThatThrownBy(() -> TrancheServer.start(TestServer.config(dir)))
            .hasMessageContaining(snapshot.getFileName().toString()).hasMessageContaining("checksum");
    }

    @Test
    void shouldRefuseASecondServerOnTheSameDirectory() throws Exception
    {
        try (TestServer server = TestServer.start(dir))
        {
            assertThatThrownBy(() -> TrancheServer.start(TestServer.config(dir)))
                .isInstanceOf(IOException.class).hasMessageContaining("in use");
            assertThat(server.queue().listClaims(ListClaimsRequest.getDefaultInstance()).getClaimsCount()).isZero();
        }
    }
}
