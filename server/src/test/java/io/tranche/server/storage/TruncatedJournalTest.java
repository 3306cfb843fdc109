package io.tranche.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.server.RobustnessSupport;
import io.tranche.server.TestServer;
import io.tranche.server.ledger.LedgerChild;
import io.tranche.server.ledger.LedgerFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, item 4: after a clean SIGTERM with records [3 creates, tranche 1, tranche 2, create d], the newest
 * journal segment cut short ({@code truncate -s 300}) used to start with "dropping a torn last record … was never
 * acknowledged", without the acknowledged tranche 2 and claim d. A torn write can only be past the synced length,
 * which the journal mark records: every cut below it must refuse the start, naming the file, the offset and the
 * synced length, and change nothing. The data directory is written by a real {@code tranche serve} child.
 */
@Tag("slow")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TruncatedJournalTest
{
    private static final long SEED = Long.getLong("tranche.truncation.seed", 0x17_0004L);
    private static final int CUTS = 20;

    @TempDir
    static Path dir;
    private static Path data;
    private static CrashRecoveryTest.Snapshot acknowledged;
    private static Path segment;
    private static List<LedgerFiles.RecordSpan> records;
    private static long synced;

    @BeforeAll
    static void writeTheIssuesHistory() throws Exception
    {
        data = dir.resolve("data");
        final LedgerChild child = LedgerChild.start(dir, data, "write", List.of());
        try
        {
            final ManagedChannel channel = RobustnessSupport.channel(child.address);
            try
            {
                create(channel, "a", 100);
                create(channel, "b", 100);
                create(channel, "c", 100);
                release(channel, "r1", 30, Method.PROPORTIONAL);
                release(channel, "r2", 40, Method.EQUAL);
                create(channel, "d", 50);
            }
            finally
            {
                RobustnessSupport.close(channel);
            }
            acknowledged = CrashRecoveryTest.Snapshot.read(child.address);
            assertThat(child.terminate()).as("exit status after SIGTERM").isZero();
        }
        finally
        {
            child.kill();
        }
        assertThat(acknowledged.claims()).hasSize(4);
        assertThat(acknowledged.tranches()).hasSize(2);
        segment = LedgerFiles.activeSegment(data);
        records = LedgerFiles.records(Files.readAllBytes(segment));
        assertThat(records).as("records in " + segment).hasSize(6);
        synced = Files.size(segment);
    }

    @Test
    void shouldRefuseTheIssuesTruncationInOneLineAndChangeNothing() throws Exception
    {
        final Path copy = dir.resolve("issue");
        LedgerFiles.copy(data, copy);
        final Path cut = copy.resolve(segment.getFileName());
        truncate(cut, 300);
        // Where the intact records end below 300: the record that 300 cuts into starts there.
        final LedgerFiles.RecordSpan torn = records.stream().filter(r -> r.end() > 300).findFirst().orElseThrow();

        final LedgerChild.Start restart = LedgerChild.attempt(dir, copy, "issue-restart", List.of());
        if (restart.child() != null)
        {
            final CrashRecoveryTest.Snapshot recovered = CrashRecoveryTest.Snapshot.read(restart.child().address);
            restart.child().kill();
            throw new AssertionError("started on a journal cut to 300 of " + synced + " synced bytes, with " +
                recovered.claims().size() + " claims and " + recovered.tranches().size() + " tranches (acknowledged " +
                "4 and 2); stderr:\n" + restart.child().stderr());
        }
        assertThat(restart.exitStatus()).as("exit status; stderr:%n%s", restart.stderr()).isEqualTo(1);
        assertThat(restart.stderr().strip()).as("one line, no stack trace").doesNotContain("\n")
            .doesNotContain("Exception").doesNotContain("\tat ")
            .startsWith("tranche serve: cannot start: journal file " + cut + " is cut short at offset " +
                torn.offset() + ": ")
            .contains("the file has 300 bytes", "synced to " + synced + " bytes", "up to record 6",
                "acknowledged and missing")
            .doesNotContain("dropping a torn");
        assertThat(LedgerFiles.refusalProblem(restart.stderr(), cut, 300)).isNull();
        assertThat(Files.size(cut)).as("nothing was changed").isEqualTo(300);
    }

    @Test
    void shouldRefuseEachOfTwentySeededTruncationsBelowTheSyncedLength() throws Exception
    {
        final Random random = new Random(SEED);
        final TreeSet<Integer> cuts = new TreeSet<>();
        while (cuts.size() < CUTS)
        {
            cuts.add(random.nextInt((int)synced));
        }
        final List<String> failures = new ArrayList<>();
        for (final int at : cuts)
        {
            final Path copy = dir.resolve("cut-" + at);
            LedgerFiles.copy(data, copy);
            final Path cut = copy.resolve(segment.getFileName());
            truncate(cut, at);
            final String[] detail = new String[1];
            final BitFlipSweepTest.Outcome outcome =
                BitFlipSweepTest.startAndClassify(copy, cut, at, acknowledged, detail, TestServer.config(copy));
            if (outcome != BitFlipSweepTest.Outcome.REFUSED || !detail[0].contains("synced to " + synced + " bytes"))
            {
                failures.add("cut at " + at + ": " + outcome + " (" + detail[0] + ")");
            }
            if (Files.size(cut) != at)
            {
                failures.add("cut at " + at + ": the start changed the file to " + Files.size(cut) + " bytes");
            }
        }
        System.out.println("TruncatedJournalTest seed " + SEED + ": cuts " + cuts + " of " + synced + " synced bytes");
        assertThat(failures).as("cuts below the synced length (seed %d) that were not refused", SEED).isEmpty();
    }

    static void truncate(final Path file, final long size) throws IOException
    {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            ch.truncate(size);
        }
    }

    private static void create(final ManagedChannel channel, final String id, final long demand)
    {
        RobustnessSupport.queue(channel).createClaim(CreateClaimRequest.newBuilder()
            .setClaim(TestServer.claim(id, demand)).build());
    }

    private static void release(final ManagedChannel channel, final String requestId, final long supply,
        final Method method)
    {
        RobustnessSupport.queue(channel).releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId(requestId)
            .setSupply(supply).setPolicy(Policy.newBuilder().setMethod(method)).build());
    }
}
