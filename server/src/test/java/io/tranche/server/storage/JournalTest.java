package io.tranche.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal's failure model, with an injected full disk and every single-bit flip. */
@Tag("slow")
class JournalTest
{
    @TempDir
    Path dir;

    private static byte[] payload(final int i)
    {
        return ("record " + i + " " + "x".repeat(i % 37)).getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> readAll(final Path dir, final Journal.Options options) throws IOException
    {
        final List<String> records = new ArrayList<>();
        try (Journal j = Journal.recover(dir, 0, options, (index, type, time, p, seg, off) ->
            records.add(index + ":" + new String(p, StandardCharsets.UTF_8)), note -> { }))
        {
            assertThat(j.nextIndex()).isEqualTo(records.size() + 1L);
        }
        return records;
    }

    private static String expected(final int i)
    {
        return i + ":" + new String(payload(i), StandardCharsets.UTF_8);
    }

    @Test
    void shouldNeverWriteAByteTwiceAfterAFailedWriteAndKeepEveryAcknowledgedRecord() throws IOException
    {
        final FaultyChannels disk = new FaultyChannels();
        final Journal.Options options = new Journal.Options().fsync(false).channels(disk);
        final List<String> acknowledged = new ArrayList<>();
        int i = 1;
        try (Journal j = Journal.recover(dir, 0, options, (a, b, c, d, e, f) -> { }, note -> { }))
        {
            for (; i <= 20; i++)
            {
                j.append((byte)1, i, payload(i));
                j.sync();
                acknowledged.add(expected(i));
            }
            final long writtenBefore = disk.written.get();
            disk.budget.set(37); // the disk fills in the middle of the next batch
            final int batchStart = i;
            for (; i < batchStart + 5; i++)
            {
                j.append((byte)1, i, payload(i));
            }
            assertThatThrownBy(j::sync).hasMessageContaining("No space left");
            assertThat(j.failed()).isNotNull();
            assertThatThrownBy(() -> j.append((byte)1, 0, payload(0))).hasMessageContaining("stopped");
            assertThat(disk.written.get() - writtenBefore).as("the partial write is all that was written")
                .isEqualTo(37);
            // Space is freed: cut back, then go on.
            disk.budget.set(Long.MAX_VALUE);
            j.discardUnsynced();
            assertThat(j.nextIndex()).isEqualTo(21);
            for (i = 21; i <= 30; i++)
            {
                j.append((byte)1, i, payload(i));
            }
            j.sync();
            for (i = 21; i <= 30; i++)
            {
                acknowledged.add(expected(i));
            }
        }
        assertThat(readAll(dir, new Journal.Options())).containsExactlyElementsOf(acknowledged);
    }

    @Test
    void shouldNotWriteTheFailedBufferAgainOnClose() throws IOException
    {
        final FaultyChannels disk = new FaultyChannels();
        final Journal.Options options = new Journal.Options().fsync(false).channels(disk);
        try (Journal j = Journal.recover(dir, 0, options, (a, b, c, d, e, f) -> { }, note -> { }))
        {
            j.append((byte)1, 1, payload(1));
            j.sync();
            disk.budget.set(10);
            j.append((byte)1, 2, payload(2));
            assertThatThrownBy(j::sync).isInstanceOf(IOException.class);
            disk.budget.set(Long.MAX_VALUE); // space comes back before the close
        }
        assertThat(readAll(dir, new Journal.Options())).containsExactly(expected(1));
    }

    @Test
    void shouldCutBackAcrossARolledSegmentWhenTheSyncFails() throws IOException
    {
        final FaultyChannels disk = new FaultyChannels();
        final Journal.Options options = new Journal.Options().fsync(true).maxSegmentBytes(200).channels(disk);
        final List<String> acknowledged = new ArrayList<>();
        try (Journal j = Journal.recover(dir, 0, options, (a, b, c, d, e, f) -> { }, note -> { }))
        {
            for (int i = 1; i <= 12; i++)
            {
                j.append((byte)1, i, payload(i));
                j.sync();
                acknowledged.add(expected(i));
            }
            final long segments = segments();
            disk.failForce = true;
            for (int i = 13; i <= 20; i++)
            {
                try
                {
                    j.append((byte)1, i, payload(i));
                }
                catch (final IOException ex)
                {
                    break;
                }
            }
            assertThatThrownBy(j::sync).isInstanceOf(IOException.class);
            disk.failForce = false;
            j.discardUnsynced();
            assertThat(segments()).isEqualTo(segments);
        }
        assertThat(readAll(dir, new Journal.Options())).containsExactlyElementsOf(acknowledged);
        assertThat(segments()).isGreaterThan(2);
    }

    private long segments() throws IOException
    {
        try (Stream<Path> s = Files.list(dir))
        {
            return s.filter(p -> p.getFileName().toString().startsWith("journal-")).count();
        }
    }

    @Test
    void shouldRefuseADuplicateIndexFromASecondWriter() throws IOException
    {
        final Path x = dir.resolve("x");
        final Path y = dir.resolve("y");
        Files.createDirectories(x);
        try (Journal j = Journal.recover(x, 0, new Journal.Options(), (a, b, c, d, e, f) -> { }, note -> { }))
        {
            j.append((byte)1, 1, payload(1));
            j.sync();
        }
        Files.createDirectories(y);
        final Path segment = Journal.segmentPath(x, 1);
        Files.copy(segment, Journal.segmentPath(y, 1));
        final long common = Files.size(segment);
        for (final Path d : new Path[] {x, y})
        {
            try (Journal j = Journal.recover(d, 0, new Journal.Options(), (a, b, c, e, f, g) -> { }, note -> { }))
            {
                j.append((byte)1, 2, payload(d == x ? 2 : 3));
                j.sync();
            }
        }
        final byte[] other = Files.readAllBytes(Journal.segmentPath(y, 1));
        Files.write(segment, java.util.Arrays.copyOfRange(other, (int)common, other.length), StandardOpenOption.APPEND);
        assertThatThrownBy(() -> readAll(x, new Journal.Options()))
            .hasMessageContaining("offset " + (common + Journal.HEADER + payload(2).length))
            .hasMessageContaining("duplicate or out-of-order");
    }

    @Test
    void shouldRefuseOrRecoverEverythingForEveryFlippedBit() throws IOException
    {
        try (Journal j = Journal.recover(dir, 0, new Journal.Options().fsync(false), (a, b, c, d, e, f) -> { },
            note -> { }))
        {
            for (int i = 1; i <= 12; i++)
            {
                j.append((byte)1, i, payload(i));
            }
            j.sync();
        }
        final Path segment = Journal.segmentPath(dir, 1);
        final byte[] original = Files.readAllBytes(segment);
        final List<String> all = readAll(dir, new Journal.Options());
        final TreeMap<String, Integer> outcomes = new TreeMap<>();
        final List<String> silentLosses = new ArrayList<>();
        for (int offset = 0; offset < original.length; offset++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                final byte[] flipped = original.clone();
                flipped[offset] ^= (byte)(1 << bit);
                Files.write(segment, flipped);
                String outcome;
                try
                {
                    final List<String> recovered = readAll(dir, new Journal.Options().fsync(false));
                    outcome = recovered.equals(all) ? "recovered all" : "SILENT LOSS";
                    if (!recovered.equals(all))
                    {
                        silentLosses.add(offset + "/" + bit);
                    }
                }
                catch (final IOException ex)
                {
                    assertThat(ex.getMessage()).contains(segment.toString()).contains("offset ")
                        .doesNotContain("move the file aside");
                    outcome = "refused with file and offset";
                }
                outcomes.merge(outcome, 1, Integer::sum);
            }
        }
        Files.write(segment, original);
        System.out.println("JournalTest bit flips over " + original.length + " bytes x 8 bits: " + outcomes);
        assertThat(silentLosses).as("flips that lost acknowledged records without a word").isEmpty();
    }

    @Test
    void shouldDropOnlyATornTailAndKeepEveryEarlierRecord() throws IOException
    {
        final Path mark = JournalMark.path(dir);
        final byte[] markBeforeLast;
        try (Journal j = Journal.recover(dir, 0, new Journal.Options().fsync(false), (a, b, c, d, e, f) -> { },
            note -> { }))
        {
            for (int i = 1; i <= 4; i++)
            {
                j.append((byte)1, i, payload(i));
            }
            j.sync();
            markBeforeLast = Files.readAllBytes(mark);
            j.append((byte)1, 5, payload(5));
            j.sync();
        }
        final Path segment = Journal.segmentPath(dir, 1);
        final byte[] original = Files.readAllBytes(segment);
        final int lastStart = original.length - Journal.HEADER - payload(5).length;
        for (int cut = lastStart + 1; cut < original.length; cut++)
        {
            // As if the crash came before record 5's sync: the mark still ends at record 4.
            Files.write(mark, markBeforeLast);
            Files.write(segment, java.util.Arrays.copyOf(original, cut));
            assertThat(readAll(dir, new Journal.Options().fsync(false))).as("cut at %d", cut)
                .containsExactly(expected(1), expected(2), expected(3), expected(4));
            assertThat(Files.size(segment)).isEqualTo(lastStart);
        }
    }

    @Test
    void shouldCheckOlderSegmentsAtStartWithinABudgetAndTheRestInTheBackground() throws IOException
    {
        final Journal.Options options = new Journal.Options().fsync(false).maxSegmentBytes(300);
        try (Journal j = Journal.recover(dir, 0, options, (a, b, c, d, e, f) -> { }, note -> { }))
        {
            for (int i = 1; i <= 30; i++)
            {
                j.append((byte)1, i, payload(i));
                j.sync();
            }
            j.roll();
        }
        final Path oldest = Journal.segmentPath(dir, 1);
        final byte[] bytes = Files.readAllBytes(oldest);
        bytes[Journal.SEGMENT_HEADER + Journal.HEADER + 2] ^= 4;
        Files.write(oldest, bytes);
        // As after a snapshot of all 30 records: recovery replays nothing, but checks the older segments.
        assertThatThrownBy(() -> Journal.recover(dir, 30, options, (a, b, c, d, e, f) -> { }, note -> { }).close())
            .hasMessageContaining(oldest.toString()).hasMessageContaining("offset 16");
        try (Journal j = Journal.recover(dir, 30, options.verifyOnStartBytes(0), (a, b, c, d, e, f) -> { },
            note -> { }))
        {
            assertThat(j.unverifiedSegments()).isGreaterThan(1);
            assertThat(j.verifyInBackground()).contains(oldest.toString()).contains("offset 16");
        }
    }
}
