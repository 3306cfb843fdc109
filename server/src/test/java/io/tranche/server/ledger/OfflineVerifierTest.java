package io.tranche.server.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.cli.Main;
import io.tranche.server.ServerConfig;
import io.tranche.server.TrancheServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify --data-dir} on a ledger written by a real server under a seeded random workload: it
 * verifies; an award edited on disk with its checksums fixed up is named with tranche, claim and both
 * values; a tranche cut out of the journal (later records renumbered, checksums fixed) breaks the chain.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OfflineVerifierTest
{
    private static final int HEADER = 29;
    private static final int SEGMENT_HEADER = 16;
    private static final int TRANCHES = 12;

    @TempDir
    Path dir;

    private Path data;

    @BeforeEach
    void writeLedger() throws Exception
    {
        data = dir.resolve("data");
        final TrancheServer server = TrancheServer.start(new ServerConfig().listen("127.0.0.1", 0).dataDir(data));
        final ManagedChannel channel =
            NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        try
        {
            final QueueServiceGrpc.QueueServiceBlockingStub queue =
                QueueServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
            final Random rnd = new Random(11);
            final Method[] methods = {Method.PROPORTIONAL, Method.EQUAL, Method.DHONDT, Method.SAINTE_LAGUE,
                Method.HUNTINGTON_HILL, Method.FIFO, Method.EQUAL_LOSSES, Method.TALMUD};
            int id = 0;
            for (int k = 1; k <= TRANCHES; k++)
            {
                for (int c = 0; c < 3 + rnd.nextInt(6); c++)
                {
                    final Claim.Builder claim = Claim.newBuilder().setId("firm-" + id++)
                        .setDemand(500 + rnd.nextInt(20_000)).setTier(rnd.nextInt(3));
                    if (rnd.nextInt(4) == 0)
                    {
                        claim.setCap(200 + rnd.nextInt(5_000));
                    }
                    queue.createClaim(CreateClaimRequest.newBuilder().setClaim(claim).build());
                }
                queue.releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("r-" + k)
                    .setSupply(1_000 + rnd.nextInt(30_000))
                    .setPolicy(Policy.newBuilder().setMethod(methods[rnd.nextInt(methods.length)])
                        .setLot(rnd.nextInt(3) == 0 ? 8 : 1).setMaxSharePpm(rnd.nextInt(3) == 0 ? 300_000 : 0))
                    .build());
            }
        }
        finally
        {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            server.close();
        }
    }

    @Test
    void shouldVerifyALedgerWrittenByARandomWorkload() throws Exception
    {
        final OfflineVerifier.Report report = OfflineVerifier.verify(data, 100_000);
        assertThat(report.problem).isNull();
        assertThat(report.tranches).isEqualTo(TRANCHES);
        assertThat(report.records).isGreaterThan(TRANCHES);
        final String[] run = run("verify", "--data-dir", data.toString());
        assertThat(run[0]).as(run[1] + run[2]).isEqualTo("0");
        assertThat(run[1]).contains("12 tranche(s)").contains("tree size " + report.treeSize);
    }

    @Test
    void shouldReportASnapshotThatDisagreesWithTheJournal() throws Exception
    {
        final Path snapped = dir.resolve("snapped");
        final TrancheServer server = TrancheServer.start(new ServerConfig().listen("127.0.0.1", 0)
            .dataDir(snapped).snapshotEvery(5));
        final ManagedChannel channel =
            NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        try
        {
            final QueueServiceGrpc.QueueServiceBlockingStub queue = QueueServiceGrpc.newBlockingStub(channel);
            for (int i = 0; i < 8; i++)
            {
                queue.createClaim(CreateClaimRequest.newBuilder().setClaim(Claim.newBuilder().setId("c" + i)
                    .setDemand(100 + i)).build());
                if (i % 4 == 3)
                {
                    queue.releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("r" + i).setSupply(50)
                        .setPolicy(Policy.newBuilder().setMethod(Method.DHONDT)).build());
                }
            }
        }
        finally
        {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            server.close();
        }
        final OfflineVerifier.Report clean = OfflineVerifier.verify(snapped, 100_000);
        assertThat(clean.problem).isNull();
        assertThat(clean.snapshotsChecked).as("the newest snapshot is cross-checked").isEqualTo(1);
        final Path snapshot;
        try (java.util.stream.Stream<Path> files = Files.list(snapped))
        {
            snapshot = files.filter(p -> p.getFileName().toString().endsWith(".snap")).findFirst().orElseThrow();
        }
        final byte[] bytes = Files.readAllBytes(snapshot);
        bytes[bytes.length - 12] ^= 1; // inside the state section (the last request id's tranche number)
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        java.nio.ByteBuffer.wrap(bytes).putInt(bytes.length - 4, (int)crc.getValue());
        Files.write(snapshot, bytes);
        final OfflineVerifier.Report report = OfflineVerifier.verify(snapped, 100_000);
        assertThat(report.problem).contains("snapshot at record").contains("disagrees with the journal");
    }

    @Test
    void shouldNameTrancheClaimAndBothValuesForAnAwardEditedOnDisk() throws Exception
    {
        final Path segment = onlySegment();
        final byte[] bytes = Files.readAllBytes(segment);
        final List<int[]> records = records(bytes);
        // Tranche 5: one unit moved from one award to another, totals kept, payload length kept, checksums fixed.
        for (final int[] r : records)
        {
            final io.tranche.server.state.Command command = io.tranche.server.state.Command.decode(bytes[r[0] + 20],
                java.util.Arrays.copyOfRange(bytes, r[0] + HEADER, r[0] + HEADER + r[1]));
            if (!(command instanceof io.tranche.server.state.Command.RecordTranche recorded))
            {
                continue;
            }
            final Tranche t = recorded.tranche();
            if (t.getNumber() != 5)
            {
                continue;
            }
            int from = -1;
            int to = -1;
            for (int i = 0; i < t.getAwardsCount(); i++)
            {
                if (t.getAwards(i).getUnits() > 200 && from < 0)
                {
                    from = i;
                }
                else if (t.getAwards(i).getUnits() > 200 && to < 0)
                {
                    to = i;
                }
            }
            assertThat(to).as("tranche 5 has two awards to move a unit between").isPositive();
            final long step = t.getPolicy().getLot() == 0 ? 1 : t.getPolicy().getLot();
            final Award a = t.getAwards(from);
            final Tranche edited = t.toBuilder()
                .setAwards(from, a.toBuilder().setUnits(a.getUnits() - step).setUnmet(a.getUnmet() + step))
                .setAwards(to, t.getAwards(to).toBuilder().setUnits(t.getAwards(to).getUnits() + step)
                    .setUnmet(t.getAwards(to).getUnmet() - step))
                .build();
            final byte[] payload = new io.tranche.server.state.Command.RecordTranche(edited, recorded.principal())
                .encode();
            assertThat(payload.length).isEqualTo(r[1]);
            System.arraycopy(payload, 0, bytes, r[0] + HEADER, payload.length);
            fixChecksums(bytes, r[0]);
            Files.write(segment, bytes);
            final OfflineVerifier.Report report = OfflineVerifier.verify(data, 100_000);
            assertThat(report.problem).isEqualTo("tranche 5, claim " + a.getId() + ": units: recorded " +
                (a.getUnits() - step) + ", recomputed " + a.getUnits());
            final String[] run = run("verify", "--data-dir", data.toString());
            assertThat(run[0]).isEqualTo("1");
            assertThat(run[2]).contains("tranche 5, claim " + a.getId());
            return;
        }
        throw new AssertionError("no record of tranche 5");
    }

    @Test
    void shouldBreakTheChainWhenATrancheIsCutOutOfTheJournal() throws Exception
    {
        final Path segment = onlySegment();
        final byte[] bytes = Files.readAllBytes(segment);
        final List<int[]> records = records(bytes);
        int cut = -1;
        for (int k = 0; k < records.size(); k++)
        {
            final int[] r = records.get(k);
            if (io.tranche.server.state.Command.decode(bytes[r[0] + 20], java.util.Arrays.copyOfRange(bytes,
                r[0] + HEADER, r[0] + HEADER + r[1])) instanceof io.tranche.server.state.Command.RecordTranche t &&
                t.tranche().getNumber() == 7)
            {
                cut = k;
            }
        }
        assertThat(cut).isPositive();
        // Cut the record out and renumber the later ones, checksums fixed: only the ledger's own checks can tell.
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes, 0, records.get(cut)[0]);
        for (int k = cut + 1; k < records.size(); k++)
        {
            final int[] r = records.get(k);
            final byte[] rec = java.util.Arrays.copyOfRange(bytes, r[0], r[0] + HEADER + r[1]);
            final ByteBuffer b = ByteBuffer.wrap(rec);
            b.putLong(12, b.getLong(12) - 1);
            fixChecksums(rec, 0);
            out.write(rec);
        }
        Files.write(segment, out.toByteArray());
        // The journal is now shorter than it was synced: the journal mark catches that first.
        assertThatThrownBy(() -> OfflineVerifier.verify(data, 100_000)).hasMessageContaining("is cut short at offset")
            .hasMessageContaining("journal mark");
        // A forger who also removes the mark is caught by the ledger's own checks.
        Files.delete(data.resolve("journal.mark"));
        final OfflineVerifier.Report report = OfflineVerifier.verify(data, 100_000);
        assertThat(report.problem).startsWith("tranche 8: number: expected 7, found 8");
    }

    private Path onlySegment() throws Exception
    {
        try (Stream<Path> files = Files.list(data))
        {
            final List<Path> segments =
                files.filter(p -> p.getFileName().toString().matches("journal-\\d{20}\\.log")).toList();
            assertThat(segments).hasSize(1);
            return segments.get(0);
        }
    }

    /** {offset, payload length} of every record (Journal's format 2: 16-byte segment header, 29-byte record header). */
    private static List<int[]> records(final byte[] bytes)
    {
        final List<int[]> out = new ArrayList<>();
        int offset = SEGMENT_HEADER;
        final ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (offset + HEADER <= bytes.length)
        {
            final int length = buf.getInt(offset);
            out.add(new int[] {offset, length});
            offset += HEADER + length;
        }
        return out;
    }

    /** bodyCrc = CRC32C(payload); headerCrc = CRC32C(length, bodyCrc, index, type, time). */
    private static void fixChecksums(final byte[] bytes, final int offset)
    {
        final ByteBuffer buf = ByteBuffer.wrap(bytes);
        final int length = buf.getInt(offset);
        final CRC32C crc = new CRC32C();
        crc.update(bytes, offset + HEADER, length);
        buf.putInt(offset + 8, (int)crc.getValue());
        crc.reset();
        crc.update(bytes, offset, 4);
        crc.update(bytes, offset + 8, HEADER - 8);
        buf.putInt(offset + 4, (int)crc.getValue());
    }

    private static String[] run(final String... args)
    {
        final PrintStream out = System.out;
        final PrintStream err = System.err;
        final ByteArrayOutputStream o = new ByteArrayOutputStream();
        final ByteArrayOutputStream e = new ByteArrayOutputStream();
        try
        {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            final int status = Main.execute(args);
            return new String[] {Integer.toString(status), o.toString(StandardCharsets.UTF_8),
                e.toString(StandardCharsets.UTF_8)};
        }
        finally
        {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
