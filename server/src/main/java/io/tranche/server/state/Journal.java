package io.tranche.server.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The command journal: append-only segment files {@code journal-<first index>.log} in the data
 * directory. A record is {@code int length, int crc32c, long index, byte type, long timeNanos,
 * payload}; the checksum covers everything after itself, {@code length} counts from the index on.
 * Records are written by the single writer and made durable by {@link #sync()} (one fsync per
 * batch: group commit).
 */
public final class Journal implements AutoCloseable
{
    /** Bytes before the index: length and checksum. */
    static final int PREFIX = 8;
    /** Bytes of index, type and time. */
    static final int FIXED = 8 + 1 + 8;
    /** Largest accepted record body. */
    static final int MAX_BODY = 256 << 20;

    private final Path dir;
    private final boolean fsync;
    private FileChannel channel;
    private Path segment;
    private long nextIndex;
    private boolean dirty;
    private ByteBuffer buffer = ByteBuffer.allocate(64 << 10).order(ByteOrder.BIG_ENDIAN);
    private final CRC32C crc = new CRC32C();

    /** Receives the records found by {@link #replay}. */
    public interface RecordHandler
    {
        /**
         * @param index     record index (1, 2, ...).
         * @param type      command type.
         * @param timeNanos command time.
         * @param payload   serialized request.
         * @throws IOException to stop recovery.
         */
        void onRecord(long index, byte type, long timeNanos, byte[] payload) throws IOException;
    }

    private Journal(final Path dir, final boolean fsync)
    {
        this.dir = dir;
        this.fsync = fsync;
    }

    /**
     * @param dir data directory.
     * @return the segments, ordered by first index.
     * @throws IOException on listing failure.
     */
    static List<Path> segments(final Path dir) throws IOException
    {
        final List<Path> result = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir))
        {
            files.filter(p -> p.getFileName().toString().matches("journal-\\d{20}\\.log")).sorted().forEach(result::add);
        }
        return result;
    }

    static long firstIndex(final Path segment)
    {
        final String name = segment.getFileName().toString();
        return Long.parseLong(name.substring("journal-".length(), name.length() - ".log".length()));
    }

    static Path segmentPath(final Path dir, final long firstIndex)
    {
        return dir.resolve(String.format("journal-%020d.log", firstIndex));
    }

    /**
     * Replays every record with index greater than {@code afterIndex}, truncating a torn last
     * record, and opens the journal for appending after the last record.
     *
     * @param dir        the data directory.
     * @param afterIndex records up to this index are in the snapshot and skipped.
     * @param fsync      whether {@link #sync()} forces to disk.
     * @param handler    receives each record.
     * @param log        receives notes (a truncated torn record).
     * @return the journal, open for appending.
     * @throws IOException naming the file and offset when a record in the middle is corrupt.
     */
    public static Journal recover(
        final Path dir, final long afterIndex, final boolean fsync, final RecordHandler handler,
        final java.util.function.Consumer<String> log) throws IOException
    {
        final List<Path> segments = segments(dir);
        long last = afterIndex;
        final CRC32C crc = new CRC32C();
        for (int s = 0; s < segments.size(); s++)
        {
            final Path segment = segments.get(s);
            final boolean lastSegment = s == segments.size() - 1;
            final byte[] bytes = Files.readAllBytes(segment);
            final ByteBuffer buf = ByteBuffer.wrap(bytes);
            int offset = 0;
            while (offset < bytes.length)
            {
                final String problem = check(bytes, offset, crc);
                if (problem != null)
                {
                    if (lastSegment && isTornTail(bytes, offset))
                    {
                        log.accept("journal " + segment + ": ignoring a torn last record at offset " + offset +
                            " (" + problem + ", " + (bytes.length - offset) + " bytes), truncating");
                        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE))
                        {
                            ch.truncate(offset);
                            ch.force(true);
                        }
                        break;
                    }
                    throw new IOException("journal file " + segment + " is corrupt at offset " + offset + ": " +
                        problem + "; records follow it, so this is not a torn write from a crash. Refusing to " +
                        "start: restore the data directory from a backup, or move the file aside to accept losing " +
                        "the records from this offset on");
                }
                final int length = buf.getInt(offset);
                final long index = buf.getLong(offset + PREFIX);
                final byte type = buf.get(offset + PREFIX + 8);
                final long time = buf.getLong(offset + PREFIX + 9);
                if (index > last)
                {
                    if (index != last + 1)
                    {
                        throw new IOException("journal file " + segment + " at offset " + offset + " holds record " +
                            index + " but record " + (last + 1) + " is missing; refusing to start");
                    }
                    final byte[] payload = new byte[length - FIXED];
                    buf.get(offset + PREFIX + FIXED, payload);
                    handler.onRecord(index, type, time, payload);
                    last = index;
                }
                offset += PREFIX + length;
            }
        }
        final Journal journal = new Journal(dir, fsync);
        journal.nextIndex = last + 1;
        journal.openSegment(last + 1);
        return journal;
    }

    private static String check(final byte[] bytes, final int offset, final CRC32C crc)
    {
        final int remaining = bytes.length - offset;
        if (remaining < PREFIX + FIXED)
        {
            return "only " + remaining + " bytes left, shorter than a record header";
        }
        final ByteBuffer buf = ByteBuffer.wrap(bytes);
        final int length = buf.getInt(offset);
        if (length < FIXED || length > MAX_BODY)
        {
            return "bad record length " + length;
        }
        if ((long)length + PREFIX > remaining)
        {
            return "record length " + length + " runs past the end of the file";
        }
        crc.reset();
        crc.update(bytes, offset + PREFIX, length);
        final int expected = buf.getInt(offset + 4);
        if ((int)crc.getValue() != expected)
        {
            return "checksum mismatch (stored " + Integer.toHexString(expected) + ", computed " +
                Integer.toHexString((int)crc.getValue()) + ")";
        }
        return null;
    }

    // A crash tears only the end of the file: the bad record reaches (or claims to reach) past the
    // end, or it ends exactly at the end, or the rest of the file is zeros (a preallocated tail).
    private static boolean isTornTail(final byte[] bytes, final int offset)
    {
        final int remaining = bytes.length - offset;
        if (remaining < PREFIX + FIXED)
        {
            return true;
        }
        final int length = ByteBuffer.wrap(bytes).getInt(offset);
        if (length >= FIXED && (long)length + PREFIX >= remaining)
        {
            return true;
        }
        for (int i = offset; i < bytes.length; i++)
        {
            if (bytes[i] != 0)
            {
                return false;
            }
        }
        return true;
    }

    private void openSegment(final long firstIndex) throws IOException
    {
        if (channel != null)
        {
            channel.close();
        }
        segment = segmentPath(dir, firstIndex);
        channel = FileChannel.open(segment, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        channel.position(channel.size());
        syncDirectory();
    }

    /**
     * Buffers one record; durable only after {@link #sync()}.
     *
     * @param type      command type.
     * @param timeNanos command time.
     * @param payload   serialized request.
     * @return the record's index.
     * @throws IOException on write failure.
     */
    public long append(final byte type, final long timeNanos, final byte[] payload) throws IOException
    {
        final int length = FIXED + payload.length;
        if (length > MAX_BODY)
        {
            throw new IOException("record too large: " + length);
        }
        if (buffer.remaining() < PREFIX + length)
        {
            flushBuffer();
            if (buffer.capacity() < PREFIX + length)
            {
                buffer = ByteBuffer.allocate(PREFIX + length);
            }
        }
        final long index = nextIndex++;
        final int start = buffer.position();
        buffer.putInt(length);
        buffer.putInt(0);
        buffer.putLong(index);
        buffer.put(type);
        buffer.putLong(timeNanos);
        buffer.put(payload);
        crc.reset();
        crc.update(buffer.array(), start + PREFIX, length);
        buffer.putInt(start + 4, (int)crc.getValue());
        dirty = true;
        return index;
    }

    private void flushBuffer() throws IOException
    {
        buffer.flip();
        while (buffer.hasRemaining())
        {
            channel.write(buffer);
        }
        buffer.clear();
    }

    /**
     * Writes the buffered records and forces them to disk.
     *
     * @return true when there was something to sync.
     * @throws IOException on failure: the records may not be durable.
     */
    public boolean sync() throws IOException
    {
        if (!dirty)
        {
            return false;
        }
        flushBuffer();
        if (fsync)
        {
            channel.force(false);
        }
        dirty = false;
        return true;
    }

    /** @return the index the next record will get. */
    public long nextIndex()
    {
        return nextIndex;
    }

    /**
     * Starts a new segment after a snapshot covering every record so far, and deletes the older
     * segments (their records are all in the snapshot).
     *
     * @throws IOException on failure.
     */
    public void roll() throws IOException
    {
        sync();
        final Path previous = segment;
        openSegment(nextIndex);
        for (final Path old : segments(dir))
        {
            if (!old.equals(segment) && firstIndex(old) < nextIndex)
            {
                Files.deleteIfExists(old);
            }
        }
        if (previous != null)
        {
            syncDirectory();
        }
    }

    void syncDirectory() throws IOException
    {
        if (!fsync)
        {
            return;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ))
        {
            d.force(true);
        }
        catch (final IOException ex)
        {
            // Some file systems cannot open a directory for reading; the rename/creation is still ordered.
        }
    }

    @Override
    public void close() throws IOException
    {
        if (channel != null)
        {
            try
            {
                sync();
            }
            finally
            {
                channel.close();
                channel = null;
            }
        }
    }
}
