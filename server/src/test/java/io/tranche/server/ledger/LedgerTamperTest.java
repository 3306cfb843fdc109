package io.tranche.server.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.tranche.proto.v1.AttributedCommand;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.proto.v1.UpdateClaimRequest;
import io.tranche.server.TestServer;
import io.tranche.server.cli.CliRun;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stopped server's journal rewritten with care (records edited, cut out and renumbered, every CRC fixed up, the
 * journal mark removed, the tree's files left to be rebuilt from the forgery), after an auditor saved a checkpoint
 * with {@code verify --checkpoint}: each rewrite is caught online ({@code verify --server --checkpoint} on the
 * restarted server, or a server that refuses to start) and offline ({@code verify --data-dir --checkpoint}),
 * naming the first differing leaf where the server still starts. The digest chain this tree replaced let the first
 * two through.
 */
@Tag("slow")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LedgerTamperTest
{
    private static final int SEGMENT_HEADER = 16;
    private static final int HEADER = 29;
    private static final byte CREATE = 1;
    private static final byte UPDATE = 2;
    private static final byte TRANCHE = 5;

    @TempDir
    Path dir;

    /** A journal record as the journal holds it: the command, wrapped with its principal when it names one. */
    record Rec(long index, byte type, long time, byte[] payload)
    {
        private static final int ATTRIBUTED = 0x10;

        byte base()
        {
            return (byte)(type & ~ATTRIBUTED);
        }

        byte[] command()
        {
            try
            {
                return (type & ATTRIBUTED) == 0 ? payload :
                    AttributedCommand.parseFrom(payload).getCommand().toByteArray();
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        }

        // The forger keeps the principal and changes the command.
        Rec withCommand(final byte[] command)
        {
            try
            {
                return new Rec(index, type, time, (type & ATTRIBUTED) == 0 ? command : AttributedCommand
                    .parseFrom(payload).toBuilder().setCommand(com.google.protobuf.ByteString.copyFrom(command))
                    .build().toByteArray());
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        }
    }

    /**
     * Six claims, four tranches of 300 (FIFO, so that units can move between two firms), an update and two creates
     * after the last tranche: 13 changes. Then the auditor's first {@code verify --checkpoint}.
     */
    private Path ledger(final Path data, final Path checkpoint) throws Exception
    {
        try (TestServer server = TestServer.start(data))
        {
            for (int i = 0; i < 6; i++)
            {
                server.queue().createClaim(CreateClaimRequest.newBuilder()
                    .setClaim(TestServer.claim("firm-" + (char)('a' + i), 200 + 40 * i)).build());
            }
            for (int k = 1; k <= 4; k++)
            {
                server.queue().releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("r" + k).setSupply(300)
                    .setPolicy(Policy.newBuilder().setMethod(Method.EQUAL)).build());
            }
            server.queue().updateClaim(UpdateClaimRequest.newBuilder()
                .setClaim(Claim.newBuilder().setId("firm-f").setDemand(900)).build());
            server.queue().createClaim(CreateClaimRequest.newBuilder().setClaim(TestServer.claim("firm-g", 50))
                .build());
            server.queue().createClaim(CreateClaimRequest.newBuilder().setClaim(TestServer.claim("firm-h", 60))
                .build());
            final CliRun saved = CliRun.run("verify", "--server", "127.0.0.1:" + server.server.port(),
                "--checkpoint", checkpoint.toString());
            assertThat(saved.status()).as(saved.toString()).isZero();
            assertThat(saved.out()).contains("checkpoint tranche/").contains("size 13,")
                .contains("trusted on first use");
        }
        return data;
    }

    @Test
    void shouldCatchUnitsMovedBetweenTwoFirmsInTrancheFourWithTheCrcsFixed() throws Exception
    {
        final Path data = dir.resolve("moved");
        final Path checkpoint = dir.resolve("moved.ckpt");
        ledger(data, checkpoint);
        rewrite(data, records ->
        {
            for (int i = 0; i < records.size(); i++)
            {
                final Rec r = records.get(i);
                final Tranche t = r.base() == TRANCHE ? parse(r) : null;
                if (t != null && t.getNumber() == 4)
                {
                    records.set(i, r.withCommand(moveEight(t).toByteArray()));
                }
            }
            return records;
        });
        final CliRun online = online(data, checkpoint);
        assertThat(online.status()).as(online.toString()).isEqualTo(1);
        assertThat(online.err()).contains("history before size 13 was rewritten")
            .contains("the first differing leaf is 9").contains("now tranche 4 (request r4");
        final CliRun offline = offline(data, checkpoint);
        assertThat(offline.status()).as(offline.toString()).isEqualTo(1);
        // The kernel's recomputation sees this one first, before the checkpoint is compared.
        assertThat(offline.err()).contains("tranche 4, claim firm-").contains("recomputed");
    }

    @Test
    void shouldCatchACreateClaimDeletedAfterTheLastTrancheWithTheRecordsRenumbered() throws Exception
    {
        final Path data = dir.resolve("deleted");
        final Path checkpoint = dir.resolve("deleted.ckpt");
        ledger(data, checkpoint);
        rewrite(data, records ->
        {
            records.remove(11);
            return records;
        });
        final CliRun online = online(data, checkpoint);
        assertThat(online.status()).as(online.toString()).isEqualTo(1);
        assertThat(online.err()).contains("has size 12, smaller than the saved checkpoint's 13")
            .contains("the first differing leaf is 11").contains("now claim firm-h created");
        final CliRun offline = offline(data, checkpoint);
        assertThat(offline.status()).as(offline.toString()).isEqualTo(1);
        assertThat(offline.err()).contains("holds 12 changes, fewer than the saved checkpoint's 13")
            .contains("the first differing leaf is 11");
    }

    @Test
    void shouldCatchAnUpdateWhoseDemandWasEditedAfterTheLastTranche() throws Exception
    {
        final Path data = dir.resolve("updated");
        final Path checkpoint = dir.resolve("updated.ckpt");
        ledger(data, checkpoint);
        rewrite(data, records ->
        {
            final Rec r = records.get(10);
            assertThat(r.base()).isEqualTo(UPDATE);
            final UpdateClaimRequest edited = parseUpdate(r).toBuilder()
                .setClaim(Claim.newBuilder().setId("firm-f").setDemand(9000)).build();
            records.set(10, r.withCommand(edited.toByteArray()));
            return records;
        });
        final CliRun online = online(data, checkpoint);
        assertThat(online.status()).as(online.toString()).isEqualTo(1);
        assertThat(online.err()).contains("history before size 13 was rewritten")
            .contains("the first differing leaf is 10").contains("now claim firm-f updated (demand 9000");
        final CliRun offline = offline(data, checkpoint);
        assertThat(offline.status()).as(offline.toString()).isEqualTo(1);
        assertThat(offline.err()).contains("history before size 13 was rewritten")
            .contains("the first differing leaf is 10");
    }

    @Test
    void shouldCatchWhoCreatedAClaimRenamedInTheJournal() throws Exception
    {
        final Path data = dir.resolve("renamed");
        final Path checkpoint = dir.resolve("renamed.ckpt");
        ledger(data, checkpoint);
        rewrite(data, records ->
        {
            final Rec r = records.get(0);
            try
            {
                final AttributedCommand named = AttributedCommand.parseFrom(r.payload());
                assertThat(named.getPrincipal()).isNotEmpty().isNotEqualTo("someone-else");
                records.set(0, new Rec(r.index(), r.type(), r.time(),
                    named.toBuilder().setPrincipal("someone-else").build().toByteArray()));
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
            return records;
        });
        // The principal is part of the claim's leaf: attribution cannot be changed after a checkpoint either.
        final CliRun online = online(data, checkpoint);
        assertThat(online.status()).as(online.toString()).isEqualTo(1);
        assertThat(online.err()).contains("history before size 13 was rewritten")
            .contains("the first differing leaf is 0").contains("now claim firm-a created");
        final CliRun offline = offline(data, checkpoint);
        assertThat(offline.status()).as(offline.toString()).isEqualTo(1);
        assertThat(offline.err()).contains("the first differing leaf is 0");
    }

    @Test
    void shouldCatchATrancheCutOutWithTheLaterTranchesRenumbered() throws Exception
    {
        final Path data = dir.resolve("cut");
        final Path checkpoint = dir.resolve("cut.ckpt");
        ledger(data, checkpoint);
        rewrite(data, records ->
        {
            final List<Rec> out = new ArrayList<>();
            for (final Rec r : records)
            {
                final Tranche t = r.base() == TRANCHE ? parse(r) : null;
                if (t != null && t.getNumber() == 2)
                {
                    continue;
                }
                out.add(t != null && t.getNumber() > 2 ?
                    r.withCommand(t.toBuilder().setNumber(t.getNumber() - 1).build().toByteArray()) : r);
            }
            return out;
        });
        TestServer server = null;
        try
        {
            server = TestServer.start(data);
        }
        catch (final IOException refused)
        {
            // The recorded tranches no longer fit the queue they are replayed over: the server refuses to start.
            assertThat(refused.getMessage()).contains("does not apply to the recovered state");
        }
        if (server != null)
        {
            try (TestServer running = server)
            {
                final CliRun online = CliRun.run("verify", "--server", "127.0.0.1:" + running.server.port(),
                    "--checkpoint", checkpoint.toString());
                assertThat(online.status()).as(online.toString()).isEqualTo(1);
                assertThat(online.err()).contains("the first differing leaf is 7");
            }
        }
        final CliRun offline = offline(data, checkpoint);
        assertThat(offline.status()).as(offline.toString()).isEqualTo(1);
    }

    private CliRun online(final Path data, final Path checkpoint) throws IOException
    {
        try (TestServer server = TestServer.start(data))
        {
            return CliRun.run("verify", "--server", "127.0.0.1:" + server.server.port(), "--checkpoint",
                checkpoint.toString());
        }
    }

    private static CliRun offline(final Path data, final Path checkpoint)
    {
        return CliRun.run("verify", "--data-dir", data.toString(), "--checkpoint", checkpoint.toString());
    }

    private static Tranche moveEight(final Tranche t)
    {
        int from = -1;
        int to = -1;
        for (int i = 0; i < t.getAwardsCount(); i++)
        {
            if (t.getAwards(i).getUnits() >= 8 && from < 0)
            {
                from = i;
            }
            else if (to < 0 && t.getAwards(i).getUnmet() >= 8)
            {
                to = i;
            }
        }
        assertThat(from).as("an award of 8 units or more in tranche 4").isNotNegative();
        assertThat(to).as("another award with 8 units unmet").isNotNegative();
        final Award a = t.getAwards(from);
        final Award b = t.getAwards(to);
        return t.toBuilder()
            .setAwards(from, a.toBuilder().setUnits(a.getUnits() - 8).setUnmet(a.getUnmet() + 8))
            .setAwards(to, b.toBuilder().setUnits(b.getUnits() + 8).setUnmet(b.getUnmet() - 8))
            .build();
    }

    private static Tranche parse(final Rec r)
    {
        try
        {
            return Tranche.parseFrom(r.command());
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static UpdateClaimRequest parseUpdate(final Rec r)
    {
        try
        {
            return UpdateClaimRequest.parseFrom(r.command());
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }

    /**
     * What a careful forger does to a stopped server's directory: the records rewritten and renumbered from 1, every
     * CRC fixed up, the journal mark removed (a directory without one is accepted, as one written before the mark),
     * the tree's files removed (the server rebuilds them from the forged journal).
     */
    static void rewrite(final Path data, final UnaryOperator<List<Rec>> edit) throws IOException
    {
        final List<Path> segments = LedgerFiles.segments(data);
        assertThat(segments).hasSize(1);
        final byte[] bytes = Files.readAllBytes(segments.get(0));
        final ByteBuffer in = ByteBuffer.wrap(bytes);
        final List<Rec> records = new ArrayList<>();
        for (final LedgerFiles.RecordSpan span : LedgerFiles.records(bytes))
        {
            final int at = span.offset();
            final byte[] payload = java.util.Arrays.copyOfRange(bytes, at + HEADER, span.end());
            records.add(new Rec(in.getLong(at + 12), bytes[at + 20], in.getLong(at + 21), payload));
        }
        assertThat(records.get(0).base()).isEqualTo(CREATE);
        final List<Rec> edited = edit.apply(records);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes, 0, SEGMENT_HEADER);
        long index = 1;
        for (final Rec r : edited)
        {
            final ByteBuffer rec = ByteBuffer.allocate(HEADER + r.payload().length);
            rec.putInt(r.payload().length).putInt(0).putInt(0).putLong(index++).put(r.type()).putLong(r.time())
                .put(r.payload());
            final CRC32C crc = new CRC32C();
            crc.update(r.payload());
            rec.putInt(8, (int)crc.getValue());
            crc.reset();
            crc.update(rec.array(), 0, 4);
            crc.update(rec.array(), 8, HEADER - 8);
            rec.putInt(4, (int)crc.getValue());
            out.write(rec.array());
        }
        Files.write(segments.get(0), out.toByteArray());
        for (final String name : new String[] {"journal.mark", "ledger.tree", "ledger.leaves", "ledger.leaves.idx"})
        {
            Files.deleteIfExists(data.resolve(name));
        }
    }
}
