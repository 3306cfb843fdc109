package io.tranche.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.server.RobustnessSupport;
import io.tranche.server.ServerConfig;
import io.tranche.server.TestServer;
import io.tranche.server.TrancheServer;
import io.tranche.server.ledger.LedgerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, "Kept fixed": one flipped bit at every byte of a small data directory (a snapshot and a journal tail
 * after it). Each flip is started in-process on a copy and must end in one of two ways: a refusal naming the file
 * and the offset (and advising no step that loses records), or a recovery of every acknowledged claim and
 * tranche, exactly. Anything else, a silent loss above all, fails the test with its offsets. A torn tail (the
 * active segment cut anywhere inside its last record) must start and keep every earlier record.
 */
@Tag("slow")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
public class BitFlipSweepTest
{
    /** A snapshot after record 5; records 6..8 stay in the journal tail. */
    private static final int SNAPSHOT_EVERY = 5;

    public enum Outcome
    {
        /** Refused with the file, the offset and safe advice. */
        REFUSED,
        /** Started with every acknowledged record, exactly. */
        RECOVERED,
        /** Refused, but the message lacks the file or the offset, or advises losing records. */
        BAD_REFUSAL,
        /** Started without some acknowledged record, or with a changed one. */
        SILENT_LOSS,
        /**
         * Started, then a read of an acknowledged record failed with DATA_LOSS: loud, but the record is not
         * recovered and the start did not refuse.
         */
        DATA_LOSS_ON_READ,
        /** Failed some other way (not an IOException). */
        CRASHED
    }

    @TempDir
    public static Path dir;
    private static Path data;
    /** Queue and ledger as acknowledged after all eight mutations. */
    private static CrashRecoveryTest.Snapshot acknowledged;
    /** ... and before the last one (a create), which the torn-tail case cuts. */
    private static CrashRecoveryTest.Snapshot beforeLast;
    /** The journal mark as it was before the last create: what a crash before that create's sync leaves. */
    private static byte[] markBeforeLast;

    @BeforeAll
    public static void writeLedger() throws IOException
    {
        data = dir.resolve("ledger");
        try (TestServer server = TestServer.start(config(data)))
        {
            create(server, "alpha", 900);
            create(server, "bravo", 700);
            create(server, "charlie", 500);
            release(server, "r1", 40, Method.PROPORTIONAL);
            create(server, "delta", 300);
            create(server, "echo", 200);
            release(server, "r2", 25, Method.DHONDT);
            beforeLast = read(server);
            markBeforeLast = Files.readAllBytes(data.resolve("journal.mark"));
            create(server, "foxtrot", 100);
            acknowledged = read(server);
        }
        assertThat(LedgerFiles.snapshots(data)).as("a snapshot in " + data).hasSize(1);
        assertThat(LedgerFiles.records(Files.readAllBytes(LedgerFiles.activeSegment(data))))
            .as("journal records after the snapshot").hasSize(3);
    }

    @Test
    public void shouldRefuseWithFileAndOffsetOrRecoverEverythingForEveryFlippedBit() throws IOException
    {
        final List<Path> files = new ArrayList<>(LedgerFiles.snapshots(data));
        files.addAll(LedgerFiles.segments(data));
        final Map<String, EnumMap<Outcome, Integer>> counts = new LinkedHashMap<>();
        final List<String> failures = new ArrayList<>();
        final long start = System.nanoTime();
        int runs = 0;
        for (final Path file : files)
        {
            final String name = file.getFileName().toString();
            final EnumMap<Outcome, Integer> perFile = new EnumMap<>(Outcome.class);
            counts.put(name, perFile);
            final long size = Files.size(file);
            for (int offset = 0; offset < size; offset++)
            {
                // Vary the bit with the offset so that every bit position of every field is hit somewhere.
                final int bit = offset % 8;
                final Path copy = dir.resolve("flip-" + (runs++));
                LedgerFiles.copy(data, copy);
                LedgerFiles.flipBit(copy.resolve(name), offset, bit);
                final String[] detail = new String[1];
                final Outcome outcome = startAndClassify(copy, copy.resolve(name), size, acknowledged, detail);
                perFile.merge(outcome, 1, Integer::sum);
                if (outcome != Outcome.REFUSED && outcome != Outcome.RECOVERED)
                {
                    failures.add(name + " offset " + offset + " bit " + bit + ": " + outcome + " (" + detail[0] + ")");
                }
                deleteTree(copy);
            }
        }
        System.out.println("BitFlipSweepTest: " + runs + " flips in " +
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms; outcomes per file: " + counts);
        assertThat(failures).as("flips that were neither a proper refusal nor a full recovery (%d of %d); counts %s",
            failures.size(), runs, counts).isEmpty();
    }

    @Test
    public void shouldStartAndKeepEveryEarlierRecordWhenTheLastRecordIsTorn() throws IOException
    {
        final Path segment = LedgerFiles.activeSegment(data);
        final String name = segment.getFileName().toString();
        final List<LedgerFiles.RecordSpan> records = LedgerFiles.records(Files.readAllBytes(segment));
        final LedgerFiles.RecordSpan last = records.get(records.size() - 1);
        final List<String> failures = new ArrayList<>();
        for (int cut = last.offset(); cut < last.end(); cut++)
        {
            final Path copy = dir.resolve("torn-" + cut);
            LedgerFiles.copy(data, copy);
            // The crash came before the last record's sync: the mark ends before it.
            Files.write(copy.resolve("journal.mark"), markBeforeLast);
            truncate(copy.resolve(name), cut);
            final String[] detail = new String[1];
            final Outcome outcome = startAndClassify(copy, copy.resolve(name), cut, beforeLast, detail);
            if (outcome != Outcome.RECOVERED)
            {
                failures.add("cut at " + cut + " (last record " + last.offset() + ".." + last.end() + "): " + outcome +
                    " (" + detail[0] + ")");
            }
            deleteTree(copy);
        }
        assertThat(failures).as("torn tails that did not start with every earlier record").isEmpty();
    }

    @Test
    public void shouldRefuseToStartWhenTheLastAcknowledgedRecordIsCutShort() throws IOException
    {
        final Path segment = LedgerFiles.activeSegment(data);
        final String name = segment.getFileName().toString();
        final List<LedgerFiles.RecordSpan> records = LedgerFiles.records(Files.readAllBytes(segment));
        final LedgerFiles.RecordSpan last = records.get(records.size() - 1);
        final List<String> failures = new ArrayList<>();
        for (int cut = last.offset(); cut < last.end(); cut++)
        {
            final Path copy = dir.resolve("cut-" + cut);
            LedgerFiles.copy(data, copy);
            truncate(copy.resolve(name), cut);
            final String[] detail = new String[1];
            final Outcome outcome = startAndClassify(copy, copy.resolve(name), cut, acknowledged, detail);
            if (outcome != Outcome.REFUSED || !detail[0].contains("synced to " + last.end() + " bytes"))
            {
                failures.add("cut at " + cut + " (acknowledged last record " + last.offset() + ".." + last.end() +
                    "): " + outcome + " (" + detail[0] + ")");
            }
            assertThat(Files.size(copy.resolve(name))).as("the refusal changed nothing").isEqualTo(cut);
            deleteTree(copy);
        }
        assertThat(failures).as("cuts into an acknowledged record that were not refused").isEmpty();
    }

    private static void truncate(final Path file, final long size) throws IOException
    {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
            java.nio.file.StandardOpenOption.WRITE))
        {
            ch.truncate(size);
        }
    }

    public static Outcome startAndClassify(
        final Path copy, final Path file, final long size, final CrashRecoveryTest.Snapshot expected,
        final String[] detail)
    {
        return startAndClassify(copy, file, size, expected, detail, config(copy));
    }

    /** Starts a server on {@code copy} in this JVM and classifies what it came to, {@code detail[0]} saying why. */
    public static Outcome startAndClassify(
        final Path copy, final Path file, final long size, final CrashRecoveryTest.Snapshot expected,
        final String[] detail, final ServerConfig config)
    {
        final TrancheServer server;
        try
        {
            server = TrancheServer.start(config);
        }
        catch (final IOException ex)
        {
            final String problem = LedgerFiles.refusalProblem(ex.getMessage(), file, size);
            detail[0] = problem == null ? ex.getMessage() : problem + ": " + ex.getMessage();
            return problem == null ? Outcome.REFUSED : Outcome.BAD_REFUSAL;
        }
        catch (final RuntimeException ex)
        {
            detail[0] = ex.toString();
            return Outcome.CRASHED;
        }
        try
        {
            final ManagedChannel channel =
                NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            try
            {
                final CrashRecoveryTest.Snapshot recovered = new CrashRecoveryTest.Snapshot(
                    RobustnessSupport.allClaims(channel), RobustnessSupport.allTranches(channel));
                if (recovered.equals(expected))
                {
                    return Outcome.RECOVERED;
                }
                detail[0] = "started with " + recovered.claims().size() + " claims and " + recovered.tranches().size() +
                    " tranches, acknowledged " + expected.claims().size() + " and " + expected.tranches().size();
                return Outcome.SILENT_LOSS;
            }
            finally
            {
                RobustnessSupport.close(channel);
            }
        }
        catch (final RuntimeException ex)
        {
            detail[0] = "started, then reading failed: " + ex;
            return RobustnessSupport.code(ex) == io.grpc.Status.Code.DATA_LOSS ? Outcome.DATA_LOSS_ON_READ :
                Outcome.CRASHED;
        }
        finally
        {
            server.close();
        }
    }

    private static ServerConfig config(final Path data)
    {
        return TestServer.config(data).fsync(false).snapshotEvery(SNAPSHOT_EVERY).gracePeriod(java.time.Duration.ZERO);
    }

    private static void create(final TestServer server, final String id, final long demand)
    {
        server.queue().createClaim(CreateClaimRequest.newBuilder().setClaim(TestServer.claim(id, demand)).build());
    }

    private static void release(final TestServer server, final String requestId, final long supply, final Method method)
    {
        server.queue().releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId(requestId).setSupply(supply)
            .setPolicy(Policy.newBuilder().setMethod(method)).build());
    }

    private static CrashRecoveryTest.Snapshot read(final TestServer server)
    {
        return new CrashRecoveryTest.Snapshot(RobustnessSupport.allClaims(server.channel),
            RobustnessSupport.allTranches(server.channel));
    }

    public static void deleteTree(final Path root) throws IOException
    {
        try (java.util.stream.Stream<Path> walk = Files.walk(root))
        {
            for (final Path p : (Iterable<Path>)walk.sorted(java.util.Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(p);
            }
        }
    }
}
