package io.tranche.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, item 4, at the journal: a real child process writes synced records, then unsynced ones, and is killed
 * with SIGKILL mid-write. A cut inside the unsynced tail is a torn write: recovery keeps every synced record. A
 * cut below the synced length (recorded in the journal mark) lost synced records: recovery refuses, naming the
 * file, the offset and the synced length, and changes nothing. Also: the mark itself, damaged or missing, and a
 * deleted newest segment.
 */
@Tag("slow")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class JournalTruncationTest
{
    private static final long SEED = Long.getLong("tranche.truncation.seed", 0x17_0004L);
    private static final int SYNCED = 30;
    private static final int UNSYNCED = 90;
    private static final int UNSYNCED_BYTES = 1000;

    @TempDir
    Path dir;

    /** What recovery read: the index of every record, in order. */
    private static List<Long> recover(final Path data) throws IOException
    {
        final List<Long> indexes = new ArrayList<>();
        try (Journal j = Journal.recover(data, 0, new Journal.Options().fsync(false),
            (index, type, time, payload, segment, offset) ->
            {
                assertThat(payload).isEqualTo(JournalChild.payload((int)index,
                    index <= SYNCED ? 40 + (int)index % 50 : UNSYNCED_BYTES));
                indexes.add(index);
            }, note -> { }))
        {
            assertThat(j.nextIndex()).isEqualTo(indexes.size() + 1L);
        }
        return indexes;
    }

    private static void truncate(final Path file, final long size) throws IOException
    {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            ch.truncate(size);
        }
    }

    private static void copy(final Path from, final Path to) throws IOException
    {
        Files.createDirectories(to);
        try (var files = Files.list(from))
        {
            for (final Path p : (Iterable<Path>)files::iterator)
            {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }

    /** @return the killed child's data directory, with its synced length and file length. */
    private long[] killedMidWrite(final Path data) throws Exception
    {
        JournalChild.writeAndKill(data, SYNCED, UNSYNCED, UNSYNCED_BYTES);
        final JournalMark.Position mark = JournalMark.read(data, note -> { });
        final long fileLength = Files.size(Journal.segmentPath(data, 1));
        assertThat(mark.segment()).isEqualTo(1);
        assertThat(mark.nextIndex()).as("records synced before the kill").isEqualTo(SYNCED + 1);
        assertThat(fileLength).as("unsynced bytes reached the file before the kill").isGreaterThan(mark.size());
        return new long[] {mark.size(), fileLength};
    }

    @Test
    void shouldRecoverEverySyncedRecordForEachOfTwentySeededCutsInsideTheUnsyncedTail() throws Exception
    {
        final Path data = dir.resolve("killed");
        final long[] lengths = killedMidWrite(data);
        final long synced = lengths[0];
        final Random random = new Random(SEED);
        final TreeSet<Long> cuts = new TreeSet<>(List.of(synced, lengths[1]));
        while (cuts.size() < 22)
        {
            cuts.add(synced + 1 + random.nextInt((int)(lengths[1] - synced)));
        }
        final List<String> failures = new ArrayList<>();
        for (final long cut : cuts)
        {
            final Path copy = dir.resolve("tail-" + cut);
            copy(data, copy);
            truncate(Journal.segmentPath(copy, 1), cut);
            try
            {
                final List<Long> indexes = recover(copy);
                if (indexes.size() < SYNCED)
                {
                    failures.add("cut at " + cut + ": recovered " + indexes.size() + " records, " + SYNCED + " synced");
                }
            }
            catch (final IOException ex)
            {
                failures.add("cut at " + cut + " (synced " + synced + "): refused: " + ex.getMessage());
            }
        }
        System.out.println("JournalTruncationTest seed " + SEED + ": synced " + synced + " of " + lengths[1] +
            " bytes after SIGKILL; cuts in the unsynced tail " + cuts);
        assertThat(failures).as("cuts inside the unsynced tail that lost synced records or refused").isEmpty();
        assertThat(recover(data)).as("the uncut file: every complete record").hasSizeGreaterThan(SYNCED);
    }

    @Test
    void shouldRefuseEachOfTwentySeededCutsBelowTheSyncedLengthAfterSigkill() throws Exception
    {
        final Path data = dir.resolve("killed");
        final long synced = killedMidWrite(data)[0];
        final Random random = new Random(SEED);
        final TreeSet<Long> cuts = new TreeSet<>();
        while (cuts.size() < 20)
        {
            cuts.add((long)random.nextInt((int)synced));
        }
        final List<String> failures = new ArrayList<>();
        for (final long cut : cuts)
        {
            final Path copy = dir.resolve("below-" + cut);
            copy(data, copy);
            final Path segment = Journal.segmentPath(copy, 1);
            truncate(segment, cut);
            try
            {
                failures.add("cut at " + cut + " (synced " + synced + "): started with " + recover(copy).size() +
                    " records");
            }
            catch (final IOException ex)
            {
                if (!ex.getMessage().startsWith("journal file " + segment + " is cut short at offset ") ||
                    !ex.getMessage().contains("synced to " + synced + " bytes"))
                {
                    failures.add("cut at " + cut + ": refused without the file, offset or synced length: " +
                        ex.getMessage());
                }
            }
            if (Files.size(segment) != cut)
            {
                failures.add("cut at " + cut + ": the refusal changed the file to " + Files.size(segment) + " bytes");
            }
        }
        assertThat(failures).as("cuts below the synced length not refused as such").isEmpty();
    }

    @Test
    void shouldRefuseAZeroedSyncedTailThatKeepsTheFileLength() throws Exception
    {
        final Path data = dir.resolve("killed");
        final long synced = killedMidWrite(data)[0];
        final Path segment = Journal.segmentPath(data, 1);
        final byte[] bytes = Files.readAllBytes(segment);
        // Zeros from a page boundary below the synced length to the end: what a lost page cache looks like.
        final int from = (int)(synced / 4096 * 4096 - 4096 > 16 ? synced / 4096 * 4096 - 4096 : 16);
        Arrays.fill(bytes, from, bytes.length, (byte)0);
        Files.write(segment, bytes);
        assertThatThrownBy(() -> recover(data)).hasMessageContaining("journal file " + segment + " is cut short at ")
            .hasMessageContaining("synced to " + synced + " bytes");
    }

    @Test
    void shouldRefuseADeletedNewestSegmentThatHeldSyncedRecords() throws Exception
    {
        final Journal.Options options = new Journal.Options().fsync(false).maxSegmentBytes(300);
        try (Journal j = Journal.recover(dir, 0, options, (a, b, c, d, e, f) -> { }, note -> { }))
        {
            for (int i = 1; i <= 12; i++)
            {
                j.append((byte)1, i, JournalChild.payload(i, 60));
                j.sync();
            }
        }
        final List<Path> segments = Journal.segments(dir);
        assertThat(segments).hasSizeGreaterThan(2);
        final Path newest = segments.get(segments.size() - 1);
        Files.delete(newest);
        assertThatThrownBy(() -> Journal.recover(dir, 0, options, (a, b, c, d, e, f) -> { }, note -> { }).close())
            .hasMessageStartingWith("journal file " + newest + " is missing, but the journal was synced to ")
            .hasMessageContaining("up to record 12");
    }

    @Test
    void shouldRecoverOrRefuseNamingTheMarkForEveryFlippedBitOfTheMark() throws Exception
    {
        try (Journal j = Journal.recover(dir, 0, new Journal.Options().fsync(false), (a, b, c, d, e, f) -> { },
            note -> { }))
        {
            for (int i = 1; i <= 10; i++)
            {
                j.append((byte)1, i, JournalChild.payload(i, 50));
                j.sync();
            }
        }
        final Path mark = JournalMark.path(dir);
        final byte[] original = Files.readAllBytes(mark);
        final byte[] segment = Files.readAllBytes(Journal.segmentPath(dir, 1));
        final List<String> failures = new ArrayList<>();
        int recovered = 0;
        for (final int copyAt : new int[] {0, JournalMark.SECOND_COPY})
        {
            for (int offset = copyAt; offset < copyAt + JournalMark.COPY_BYTES; offset++)
            {
                for (int bit = 0; bit < 8; bit++)
                {
                    final byte[] flipped = original.clone();
                    flipped[offset] ^= (byte)(1 << bit);
                    Files.write(mark, flipped);
                    final List<Long> indexes = new ArrayList<>();
                    try (Journal j = Journal.recover(dir, 0, new Journal.Options().fsync(false),
                        (index, type, time, payload, seg, off) -> indexes.add(index), note -> { }))
                    {
                        assertThat(j.nextIndex()).isEqualTo(indexes.size() + 1L);
                        recovered++;
                        if (indexes.size() != 10)
                        {
                            failures.add("offset " + offset + " bit " + bit + ": recovered " + indexes.size() +
                                " of 10 records");
                        }
                    }
                    catch (final IOException ex)
                    {
                        failures.add("offset " + offset + " bit " + bit + ": refused: " + ex.getMessage());
                    }
                    assertThat(Files.readAllBytes(Journal.segmentPath(dir, 1))).isEqualTo(segment);
                }
            }
        }
        assertThat(failures).as("a single flipped bit of the mark: one copy is left intact").isEmpty();
        assertThat(recovered).isEqualTo(2 * JournalMark.COPY_BYTES * 8);
        // Both copies damaged: the start is refused, naming the mark.
        final byte[] both = original.clone();
        both[3] ^= 1;
        both[JournalMark.SECOND_COPY + 3] ^= 1;
        Files.write(mark, both);
        assertThatThrownBy(() -> recover(dir))
            .hasMessageStartingWith("journal mark " + mark + " is damaged at offset 0");
    }

    @Test
    void shouldStartOnAFullDiskBecauseTheMarkIsRewrittenInPlace() throws Exception
    {
        try (Journal j = Journal.recover(dir, 0, new Journal.Options(), (a, b, c, d, e, f) -> { }, note -> { }))
        {
            for (int i = 1; i <= 5; i++)
            {
                j.append((byte)1, i, JournalChild.payload(i, 50));
                j.sync();
            }
        }
        final FaultyChannels full = new FaultyChannels();
        full.budget.set(0);
        final List<Long> indexes = new ArrayList<>();
        try (Journal j = Journal.recover(dir, 0, new Journal.Options().channels(full),
            (index, type, time, payload, segment, offset) -> indexes.add(index), note -> { }))
        {
            assertThat(j.nextIndex()).isEqualTo(6);
        }
        assertThat(indexes).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(JournalMark.read(dir, note -> { }).nextIndex()).isEqualTo(6);
    }

    @Test
    void shouldLowerBothCopiesOfTheMarkNewestFirst() throws Exception
    {
        Files.createDirectories(dir);
        try (JournalMark mark = JournalMark.create(dir, FileChannel::open, false, 0, 1, 500, 10))
        {
            mark.update(1, 700, 12);
            assertThat(JournalMark.read(dir, note -> { })).extracting(JournalMark.Position::size).isEqualTo(700L);
            mark.lower(1, 500, 10);
        }
        final byte[] bytes = Files.readAllBytes(JournalMark.path(dir));
        for (final int at : new int[] {0, JournalMark.SECOND_COPY})
        {
            assertThat(ByteBuffer.wrap(bytes).getLong(at + 24)).as("size in the copy at %d", at).isEqualTo(500);
        }
        assertThat(JournalMark.read(dir, note -> { })).extracting(JournalMark.Position::nextIndex).isEqualTo(10L);
    }
}
