package io.tranche.server.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the fault-injection suite knows of the files in a data directory. The journal record layout is known in
 * one place only, {@link #records}: update it there when the format changes.
 */
public final class LedgerFiles
{
    private static final Pattern OFFSET = Pattern.compile("offset (\\d+)");
    /** Advice that would lose acknowledged records: a refusal must never give it. */
    private static final String[] UNSAFE_ADVICE =
        {"move the file aside", "move it aside", "accept losing", "delete the file",
        "delete it", "remove the file", "remove it"};

    private LedgerFiles()
    {
    }

    /** One journal record: where it starts, its total size on disk, and where its length field sits. */
    public record RecordSpan(int offset, int size, int lengthFieldOffset)
    {
        public int end()
        {
            return offset + size;
        }
    }

    /**
     * The records of one segment in journal format 2: a 16-byte segment header ({@code "TRJ2"}, version, first
     * index), then records {@code int length, int headerCrc, int bodyCrc, long index, byte type, long time} (29
     * bytes) and {@code length} payload bytes, big-endian. Parsing stops at the first record that does not fit;
     * callers use this on files the server wrote and closed cleanly.
     */
    public static List<RecordSpan> records(final byte[] segment)
    {
        final List<RecordSpan> spans = new ArrayList<>();
        final ByteBuffer buf = ByteBuffer.wrap(segment);
        int offset = 16;
        while (offset + 29 <= segment.length)
        {
            final int length = buf.getInt(offset);
            if (length < 0 || (long)offset + 29 + length > segment.length)
            {
                break;
            }
            spans.add(new RecordSpan(offset, 29 + length, offset));
            offset += 29 + length;
        }
        assertThat(offset).as("the parsed records cover the whole segment (has the journal format changed? update " +
            "LedgerFiles.records)").isEqualTo(segment.length);
        return spans;
    }

    /** @return the bytes a CreateClaim takes in the journal: the 29-byte record header, then the request. */
    public static int createRecordSize(final io.tranche.proto.v1.CreateClaimRequest request)
    {
        return 29 + request.getSerializedSize();
    }

    /** @return the journal segments, oldest first. */
    public static List<Path> segments(final Path data) throws IOException
    {
        return list(data, "journal-\\d+\\.log");
    }

    /** @return the snapshot files, oldest first. */
    public static List<Path> snapshots(final Path data) throws IOException
    {
        return list(data, "snapshot-\\d+\\.snap");
    }

    /** @return leftover temporary snapshot files. */
    public static List<Path> snapshotTemporaries(final Path data) throws IOException
    {
        return list(data, ".*\\.snap\\.tmp");
    }

    /** @return the segment new records go to: the one with the highest first index. */
    public static Path activeSegment(final Path data) throws IOException
    {
        final List<Path> segments = segments(data);
        assertThat(segments).as("journal segments in " + data).isNotEmpty();
        return segments.get(segments.size() - 1);
    }

    private static List<Path> list(final Path data, final String regex) throws IOException
    {
        final List<Path> result = new ArrayList<>();
        try (Stream<Path> files = Files.list(data))
        {
            files.filter(p -> p.getFileName().toString().matches(regex)).sorted().forEach(result::add);
        }
        return result;
    }

    /** Copies the regular files of a data directory (not LOCK) into a fresh one. */
    public static void copy(final Path from, final Path to) throws IOException
    {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from))
        {
            for (final Path p : (Iterable<Path>)files::iterator)
            {
                if (Files.isRegularFile(p) && !p.getFileName().toString().equals("LOCK"))
                {
                    Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /**
     * @return null when {@code message} is a refusal the contract accepts for {@code file}: it names the file,
     *         gives {@code offset N} within the file, and advises no step that loses acknowledged records;
     *         otherwise what is wrong with it.
     */
    public static String refusalProblem(final String message, final Path file, final long fileSize)
    {
        if (message == null)
        {
            return "no message";
        }
        final List<String> problems = new ArrayList<>();
        if (!message.contains(file.toString()))
        {
            problems.add("does not name " + file);
        }
        final Matcher m = OFFSET.matcher(message);
        if (!m.find())
        {
            problems.add("gives no 'offset N'");
        }
        else if (Long.parseLong(m.group(1)) > fileSize)
        {
            problems.add("offset " + m.group(1) + " is past the end of the " + fileSize + "-byte file");
        }
        final String lower = message.toLowerCase(Locale.ROOT);
        for (final String advice : UNSAFE_ADVICE)
        {
            if (lower.contains(advice))
            {
                problems.add("advises '" + advice + "', which loses acknowledged records");
            }
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    /** Flips one bit of one byte of {@code file} in place. */
    public static void flipBit(final Path file, final int offset, final int bit) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        bytes[offset] ^= (byte)(1 << bit);
        Files.write(file, bytes);
    }
}
