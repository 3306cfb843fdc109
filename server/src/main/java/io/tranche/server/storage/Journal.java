package io.tranche.server.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The command journal: append-only segment files {@code journal-<first index>.log} in the data
 * directory, kept for good (they hold the ledger's tranches and the audit trail; a snapshot only
 * shortens recovery). Records are written by the single writer and made durable by {@link #sync()}
 * (one fsync per batch: group commit).
 * <p>
 * A segment starts with a 16-byte header: magic {@code "TRJ2"}, format version 2 and the index of
 * its first record. A record is
 * {@code int length, int headerCrc, int bodyCrc, long index, byte type, long timeNanos, payload}:
 * {@code length} counts the payload, {@code bodyCrc} is CRC32C of the payload and {@code headerCrc}
 * is CRC32C of the other header fields (length, bodyCrc, index, type, time). A flipped length is
 * therefore caught by the header check, never mistaken for a torn tail.
 * <p>
 * Failure model: a write or sync that fails leaves the journal {@link #failed()} and refusing
 * appends until {@link #discardUnsynced()} has cut every segment back to the last synced byte. No
 * byte is ever written twice.
 * <p>
 * Truncation: each sync also records the synced length in {@link JournalMark} ({@code journal.mark}, beside the
 * segments, whose format is unchanged). Recovery drops a torn tail only past that length; a newest segment whose
 * intact records end before it (cut short, zeroed, deleted) lost acknowledged records and refuses the start,
 * naming the file, the offset and the synced length. A directory without the mark (written before it existed) is
 * taken as it is, once, and gets one.
 */
public final class Journal implements AutoCloseable
{
    /** Segment header bytes. */
    static final int SEGMENT_HEADER = 16;
    /** Record header bytes. */
    static final int HEADER = 4 + 4 + 4 + 8 + 1 + 8;
    static final int MAGIC = 0x54524A32; // "TRJ2"
    static final int VERSION = 2;
    private static final int PAGE = 4096;
    private static final int MIN_ZERO_RUN = 16;
    /** System property of the largest record payload in bytes (read by the server's configuration). */
    public static final String MAX_RECORD_PROP_NAME = "tranche.journal.maxRecordBytes";
    /** Default largest record payload: 256 MiB. */
    public static final int MAX_RECORD_DEFAULT = 256 << 20;
    /**
     * System property of the bytes of older segments (before the snapshot) checked before the server starts (read by
     * the server's configuration).
     */
    public static final String VERIFY_ON_START_PROP_NAME = "tranche.journal.verifyOnStartBytes";
    /** Default: the newest 256 MiB of older segments; the rest is checked in the background. */
    public static final long VERIFY_ON_START_DEFAULT = 256L << 20;
    /** Default segment size before a new segment is started. */
    public static final long MAX_SEGMENT_DEFAULT = 16L << 20;

    private final Path dir;
    private final Options options;
    private final CRC32C crc = new CRC32C();
    private final ConcurrentHashMap<Long, FileChannel> readers = new ConcurrentHashMap<>();
    private FileChannel channel;
    private FileLock segmentLock;
    private long segmentFirst;
    private long segmentSize;
    private long nextIndex;
    private long lastSegment;
    private long lastOffset;
    private ByteBuffer buffer = ByteBuffer.allocate(64 << 10).order(ByteOrder.BIG_ENDIAN);
    private long bufferedRecords;
    // Durable position: everything before (syncedSegment, syncedSize) has been forced to disk.
    private long syncedSegment;
    private long syncedSize;
    private long syncedNextIndex;
    private final ArrayList<Long> unsyncedSegments = new ArrayList<>();
    private String failure;
    private long appendedBytes;
    private final List<Path> unverified = new ArrayList<>();
    private JournalMark mark;

    /** Journal settings. */
    public static final class Options
    {
        boolean fsync = true;
        long maxSegmentBytes = MAX_SEGMENT_DEFAULT;
        int maxRecordBytes = MAX_RECORD_DEFAULT;
        long verifyOnStartBytes = VERIFY_ON_START_DEFAULT;
        Channels channels = FileChannel::open;

        /** @param value force to disk on sync. @return this. */
        public Options fsync(final boolean value)
        {
            fsync = value;
            return this;
        }

        /** @param value start a new segment beyond this size. @return this. */
        public Options maxSegmentBytes(final long value)
        {
            maxSegmentBytes = value;
            return this;
        }

        /** @param value largest record payload. @return this. */
        public Options maxRecordBytes(final int value)
        {
            maxRecordBytes = value;
            return this;
        }

        /**
         * @param value bytes of the newest older segments checked at start; the rest are checked in the background.
         * @return this.
         */
        public Options verifyOnStartBytes(final long value)
        {
            verifyOnStartBytes = value;
            return this;
        }

        /** @param value opens files (tests inject faults here). @return this. */
        public Options channels(final Channels value)
        {
            channels = value;
            return this;
        }

        /** @return the largest record payload. */
        public int maxRecordBytes()
        {
            return maxRecordBytes;
        }
    }

    /** Opens the journal's files: {@link FileChannel#open(Path, OpenOption...)} or a test double. */
    @FunctionalInterface
    public interface Channels
    {
        /**
         * @param path    file.
         * @param options open options.
         * @return the channel.
         * @throws IOException on failure.
         */
        FileChannel open(Path path, OpenOption... options) throws IOException;
    }

    /** Receives the records found by {@link #recover} and {@link #replayAll}. */
    public interface RecordHandler
    {
        /**
         * @param index     record index (1, 2, ...).
         * @param type      command type.
         * @param timeNanos command time.
         * @param payload   the record's bytes.
         * @param segment   first index of the segment holding it.
         * @param offset    its offset in that segment.
         * @throws IOException to stop.
         */
        void onRecord(long index, byte type, long timeNanos, byte[] payload, long segment, long offset)
            throws IOException;
    }

    private Journal(final Path dir, final Options options)
    {
        this.dir = dir;
        this.options = options;
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
            files.filter(p -> p.getFileName().toString().matches("journal-\\d{20}\\.log")).sorted()
                .forEach(result::add);
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
     * Replays every record with an index above {@code afterIndex}, reading only the segments that can
     * hold them, drops a torn last record (the one write a crash can leave unfinished, never
     * acknowledged), and opens the journal for appending. Anything else that fails its checks stops
     * recovery with the file and the offset.
     *
     * @param dir        the data directory (locked by the caller).
     * @param afterIndex records up to this index are in the snapshot.
     * @param options    settings.
     * @param handler    receives each record.
     * @param log        receives notes (a dropped torn tail).
     * @return the journal, open for appending.
     * @throws IOException naming the file and offset of a corrupt record, or when a segment is locked.
     */
    public static Journal recover(
        final Path dir, final long afterIndex, final Options options, final RecordHandler handler,
        final Consumer<String> log) throws IOException
    {
        final Journal journal = new Journal(dir, options);
        try
        {
            journal.recoverSegments(afterIndex, handler, log);
        }
        catch (final IOException | RuntimeException ex)
        {
            journal.closeQuietly();
            throw ex;
        }
        return journal;
    }

    private void recoverSegments(final long afterIndex, final RecordHandler handler, final Consumer<String> log)
        throws IOException
    {
        final List<Path> segments = segments(dir);
        final JournalMark.Position marked = JournalMark.read(dir, log);
        checkMarkedSegment(dir, marked, segments);
        int first = 0;
        for (int s = 0; s < segments.size(); s++)
        {
            if (firstIndex(segments.get(s)) <= afterIndex + 1)
            {
                first = s;
            }
        }
        if (!segments.isEmpty() && firstIndex(segments.get(first)) > afterIndex + 1)
        {
            throw new IOException("journal segment " + segments.get(first) + " starts at record " +
                firstIndex(segments.get(first)) + " but the snapshot covers records up to " + afterIndex +
                " only: records " + (afterIndex + 1) + ".." + (firstIndex(segments.get(first)) - 1) +
                " are missing; refusing to start (restore the missing segment from a backup)");
        }
        verifyOlder(segments, first);
        long expected = segments.isEmpty() ? afterIndex + 1 : firstIndex(segments.get(first));
        for (int s = first; s < segments.size(); s++)
        {
            final Path segment = segments.get(s);
            final boolean last = s == segments.size() - 1;
            final long segFirst = firstIndex(segment);
            if (segFirst != expected)
            {
                throw corrupt(segment, 0, "the segment starts at record " + segFirst + " but record " + expected +
                    " comes next (a segment is missing or out of order)");
            }
            final FileChannel ch = last ? lockForWrite(segment) : null;
            channel = ch; // closed (and unlocked) by recover() if anything below fails
            final byte[] bytes = last ? readAll(ch) : Files.readAllBytes(segment);
            if (last)
            {
                checkLength(dir, marked, segment, bytes);
            }
            final Scan scan = scan(segment, bytes, segFirst, last, afterIndex, handler);
            expected = scan.next;
            if (last)
            {
                checkNewestSegment(dir, marked, segment, bytes.length, scan);
                if (scan.end < bytes.length)
                {
                    log.accept("tranche: journal " + segment + ": dropping a torn last record at offset " + scan.end +
                        " (" + scan.torn + ", " + (bytes.length - scan.end) + " bytes): " + (marked == null ?
                        "taken for the write the server was doing when it stopped (no journal mark to check it " +
                        "against: a data directory written before the mark)" :
                        "it lies past the " + marked.size() + " bytes the journal mark says were synced, so it was " +
                        "being written when the server stopped and was never acknowledged"));
                    ch.truncate(scan.end);
                    ch.force(true);
                }
                if (scan.end < SEGMENT_HEADER)
                {
                    writeSegmentHeader(ch, segFirst);
                }
                adopt(ch, segFirst, Math.max(scan.end, SEGMENT_HEADER));
            }
        }
        nextIndex = expected;
        syncedNextIndex = expected;
        if (channel == null)
        {
            openSegment(nextIndex);
        }
        if (marked == null && nextIndex > segmentFirst)
        {
            log.accept("tranche: no journal mark " + JournalMark.path(dir) + " (a data directory written before " +
                "the mark): the newest segment's " + segmentSize + " bytes are taken as they are; the mark is kept " +
                "from now on");
        }
        // Records kept from an unsynced tail become durable before the mark says they are.
        if (options.fsync)
        {
            channel.force(false);
        }
        mark = JournalMark.open(dir, options.channels, options.fsync, marked, segmentFirst, segmentSize, nextIndex);
        syncDirectory();
    }

    // The mark names the newest synced segment: it must exist, and no newer segment may be missing it.
    private static void checkMarkedSegment(final Path dir, final JournalMark.Position marked, final List<Path> segments)
        throws IOException
    {
        if (marked == null)
        {
            return;
        }
        final Path segment = segmentPath(dir, marked.segment());
        final long newest = segments.isEmpty() ? 0 : firstIndex(segments.get(segments.size() - 1));
        if (newest < marked.segment() || !Files.exists(segment))
        {
            throw new IOException("journal file " + segment + " is missing, but the journal was synced to " +
                marked.size() + " bytes of it, up to record " + (marked.nextIndex() - 1) + " (journal mark " +
                JournalMark.path(dir) + "): acknowledged records are missing. " + REFUSAL);
        }
        final long size = Files.size(segment);
        if (newest > marked.segment() && size < marked.size())
        {
            throw new IOException("journal file " + segment + " is cut short at offset " + size + " (its size), " +
                "but it was synced to " + marked.size() + " bytes, up to record " + (marked.nextIndex() - 1) +
                " (journal mark " + JournalMark.path(dir) + "): acknowledged records are missing. " + REFUSAL);
        }
    }

    // A torn write can only be past the synced length: a segment whose records end before it lost acknowledged ones.
    private static void checkNewestSegment(final Path dir, final JournalMark.Position marked, final Path segment,
        final long fileSize, final Scan scan) throws IOException
    {
        if (marked == null || firstIndex(segment) != marked.segment() ||
            scan.end >= marked.size() && scan.next >= marked.nextIndex())
        {
            return;
        }
        throw new IOException("journal file " + segment + " is cut short at offset " + scan.end + ": its intact " +
            "records end there (the file has " + fileSize + " bytes), but it was synced to " + marked.size() +
            " bytes, up to record " + (marked.nextIndex() - 1) + " (journal mark " + JournalMark.path(dir) + ")" +
            (scan.next < marked.nextIndex() ? ": " + records(scan.next, marked.nextIndex() - 1) +
            " acknowledged and missing" : "") + ". The file was truncated or damaged after the sync; a crash " +
            "cannot do this. " + REFUSAL);
    }

    // A file shorter than its synced length is refused before its records are read, with where its intact records end.
    private static void checkLength(final Path dir, final JournalMark.Position marked, final Path segment,
        final byte[] bytes) throws IOException
    {
        if (marked != null && firstIndex(segment) == marked.segment() && bytes.length < marked.size())
        {
            checkNewestSegment(dir, marked, segment, bytes.length, intactPrefix(bytes, marked.segment()));
        }
    }

    // The records from the start of a segment up to the first that fails a check (for a message; never throws).
    private static Scan intactPrefix(final byte[] bytes, final long segFirst)
    {
        final Scan scan = new Scan();
        scan.next = segFirst;
        if (bytes.length < SEGMENT_HEADER)
        {
            return scan;
        }
        final ByteBuffer buf = ByteBuffer.wrap(bytes);
        final CRC32C c = new CRC32C();
        int offset = SEGMENT_HEADER;
        while (offset + HEADER <= bytes.length && check(bytes, offset, c) == null &&
            buf.getLong(offset + 12) == scan.next)
        {
            offset += HEADER + buf.getInt(offset);
            scan.next++;
        }
        scan.end = offset;
        return scan;
    }

    private static String records(final long from, final long to)
    {
        return from == to ? "record " + from + " was" : "records " + from + ".." + to + " were";
    }

    // Segments before the snapshot's are history (the ledger's tranches, the audit trail): the newest of
    // them, up to a byte budget, are checked now, so that a damaged record refuses the start like any
    // other; older ones are left to verifyInBackground(), which keeps restart time bounded.
    private void verifyOlder(final List<Path> segments, final int first) throws IOException
    {
        long budget = options.verifyOnStartBytes;
        for (int s = first - 1; s >= 0; s--)
        {
            final Path segment = segments.get(s);
            final long size = Files.size(segment);
            if (size > budget)
            {
                for (int u = s; u >= 0; u--)
                {
                    unverified.add(segments.get(u));
                }
                return;
            }
            budget -= size;
            verifySegment(segment, firstIndex(segments.get(s + 1)));
        }
    }

    private static void verifySegment(final Path segment, final long nextFirst) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(segment);
        final Scan scan = scan(segment, bytes, firstIndex(segment), false, Long.MAX_VALUE, null);
        if (scan.next != nextFirst)
        {
            throw corrupt(segment, bytes.length, "the segment ends before record " + scan.next +
                " but the next segment starts at record " + nextFirst);
        }
    }

    /**
     * Checks the older segments left unchecked at start (beyond {@value #VERIFY_ON_START_PROP_NAME}).
     *
     * @return null when they are intact, else the first problem with file and offset.
     */
    public String verifyInBackground()
    {
        try
        {
            final List<Path> all = segments(dir);
            for (final Path segment : unverified)
            {
                verifySegment(segment, firstIndex(all.get(all.indexOf(segment) + 1)));
            }
            return null;
        }
        catch (final IOException ex)
        {
            return ex.getMessage();
        }
    }

    /** @return segments not checked at start. */
    public int unverifiedSegments()
    {
        return unverified.size();
    }

    private static final class Scan
    {
        long next;
        int end;
        String torn;
    }

    private static Scan scan(
        final Path segment, final byte[] bytes, final long segFirst, final boolean last, final long afterIndex,
        final RecordHandler handler) throws IOException
    {
        final Scan scan = new Scan();
        scan.next = segFirst;
        if (bytes.length < SEGMENT_HEADER)
        {
            if (last && allZero(bytes, 0))
            {
                scan.end = 0;
                scan.torn = "a segment header that was never written";
                return scan;
            }
            throw corrupt(segment, 0, "the segment header is truncated (" + bytes.length + " bytes)");
        }
        checkSegmentHeader(segment, bytes, segFirst);
        final ByteBuffer buf = ByteBuffer.wrap(bytes);
        final CRC32C crc = new CRC32C();
        int offset = SEGMENT_HEADER;
        while (offset < bytes.length)
        {
            final String torn = tornAt(bytes, offset, crc);
            if (torn != null)
            {
                if (!last)
                {
                    throw corrupt(segment, offset, torn + " in a segment that is not the last one");
                }
                scan.end = offset;
                scan.torn = torn;
                return scan;
            }
            final String problem = check(bytes, offset, crc);
            if (problem != null)
            {
                throw corrupt(segment, offset, problem);
            }
            final int length = buf.getInt(offset);
            final long index = buf.getLong(offset + 12);
            if (index != scan.next)
            {
                throw corrupt(segment, offset, "the record holds index " + index + " but record " + scan.next +
                    " comes next (a duplicate or out-of-order record: two writers, or a spliced file)");
            }
            if (index > afterIndex && handler != null)
            {
                final byte[] payload = new byte[length];
                buf.get(offset + HEADER, payload);
                handler.onRecord(index, buf.get(offset + 20), buf.getLong(offset + 21), payload, segFirst, offset);
            }
            scan.next = index + 1;
            offset += HEADER + length;
        }
        scan.end = bytes.length;
        return scan;
    }

    /**
     * Reads every record from the first segment on, strictly: any problem, a torn tail included, is
     * reported. For offline verification; does not lock or change anything.
     *
     * @param dir     data directory.
     * @param handler receives each record.
     * @return the index after the last record.
     * @throws IOException naming file and offset on the first problem.
     */
    public static long replayAll(final Path dir, final RecordHandler handler) throws IOException
    {
        // The mark first: a running server writes it after the records it covers.
        final JournalMark.Position marked = JournalMark.read(dir, note -> { });
        final List<Path> segments = segments(dir);
        checkMarkedSegment(dir, marked, segments);
        long expected = 1;
        for (final Path segment : segments)
        {
            if (firstIndex(segment) != expected)
            {
                throw corrupt(segment, 0, "the segment starts at record " + firstIndex(segment) + " but record " +
                    expected + " comes next");
            }
            final byte[] bytes = Files.readAllBytes(segment);
            checkLength(dir, marked, segment, bytes);
            final Scan scan = scan(segment, bytes, expected, true, 0, handler);
            checkNewestSegment(dir, marked, segment, bytes.length, scan);
            if (scan.end < bytes.length)
            {
                throw corrupt(segment, scan.end, scan.torn + " (a torn tail: the server has not recovered it yet)");
            }
            expected = scan.next;
        }
        return expected;
    }

    /**
     * Replays, from the open journal's files, every record above {@code afterIndex} (after
     * {@link #discardUnsynced()}, to rebuild the state). Call on the writer thread.
     *
     * @param afterIndex records up to this index are in the snapshot.
     * @param handler    receives each record.
     * @throws IOException naming file and offset on the first problem.
     */
    public void replay(final long afterIndex, final RecordHandler handler) throws IOException
    {
        final List<Path> all = segments(dir);
        for (int s = 0; s < all.size(); s++)
        {
            final Path segment = all.get(s);
            final long first = firstIndex(segment);
            if (first > segmentFirst)
            {
                break;
            }
            final boolean active = first == segmentFirst;
            if (!active && s + 1 < all.size() && firstIndex(all.get(s + 1)) <= afterIndex + 1)
            {
                continue;
            }
            final byte[] bytes;
            if (active)
            {
                final ByteBuffer buf = ByteBuffer.allocate((int)segmentSize);
                readFully(channel, buf, 0, segment);
                bytes = buf.array();
            }
            else
            {
                bytes = Files.readAllBytes(segment);
            }
            final Scan scan = scan(segment, bytes, first, true, afterIndex, handler);
            if (scan.end < bytes.length)
            {
                throw corrupt(segment, scan.end, scan.torn);
            }
        }
    }

    private static void checkSegmentHeader(final Path segment, final byte[] bytes, final long segFirst)
        throws IOException
    {
        final ByteBuffer buf = ByteBuffer.wrap(bytes);
        final int magic = buf.getInt(0);
        if (magic != MAGIC)
        {
            throw new IOException("journal file " + segment + " is not a format-" + VERSION + " tranche journal " +
                "(magic " + Integer.toHexString(magic) + " at offset 0): it was written by an older tranche build or " +
                "is damaged; refusing to start, nothing was changed");
        }
        if (buf.getInt(4) != VERSION || buf.getLong(8) != segFirst)
        {
            throw corrupt(segment, 4, "bad segment header (version " + buf.getInt(4) + ", first record " +
                buf.getLong(8) + ", expected version " + VERSION + " and record " + segFirst + ")");
        }
    }

    // Only the end of the last segment can be torn: a header cut short, a record whose header is
    // intact but whose payload runs past the end of the file, or a tail of zeros (pages never written).
    private static String tornAt(final byte[] bytes, final int offset, final CRC32C crc)
    {
        final int remaining = bytes.length - offset;
        if (allZero(bytes, offset))
        {
            return remaining + " zero bytes";
        }
        if (remaining < HEADER)
        {
            return "a record header cut short (" + remaining + " bytes)";
        }
        if (headerOk(bytes, offset, crc))
        {
            final int length = ByteBuffer.wrap(bytes).getInt(offset);
            if ((long)HEADER + length > remaining)
            {
                return "a record of " + length + " bytes cut short at " + (remaining - HEADER);
            }
            if (bodyTailZero(bytes, offset, length, crc))
            {
                return "a record whose last bytes were never written";
            }
        }
        return null;
    }

    private static boolean bodyTailZero(final byte[] bytes, final int offset, final int length, final CRC32C crc)
    {
        // The record ends the file, its payload fails its checksum and ends in a run of at least
        // MIN_ZERO_RUN zeros starting on a page boundary: pages never written. A flipped bit cannot make
        // such a run out of a record (our payloads never hold more than one zero byte in a row).
        final int end = offset + HEADER + length;
        if (end != bytes.length || length == 0)
        {
            return false;
        }
        int zeroStart = end;
        while (zeroStart > offset && bytes[zeroStart - 1] == 0)
        {
            zeroStart--;
        }
        final int page = (zeroStart + PAGE - 1) / PAGE * PAGE;
        if (page > end - MIN_ZERO_RUN)
        {
            return false;
        }
        crc.reset();
        crc.update(bytes, offset + HEADER, length);
        return (int)crc.getValue() != ByteBuffer.wrap(bytes).getInt(offset + 8);
    }

    private static boolean headerOk(final byte[] bytes, final int offset, final CRC32C crc)
    {
        crc.reset();
        crc.update(bytes, offset, 4);
        crc.update(bytes, offset + 8, HEADER - 8);
        return (int)crc.getValue() == ByteBuffer.wrap(bytes).getInt(offset + 4);
    }

    private static String check(final byte[] bytes, final int offset, final CRC32C crc)
    {
        final ByteBuffer buf = ByteBuffer.wrap(bytes);
        if (!headerOk(bytes, offset, crc))
        {
            return "the record header fails its checksum";
        }
        final int length = buf.getInt(offset);
        if (length < 0 || (long)HEADER + length > bytes.length - offset)
        {
            return "the record length " + length + " runs past the end of the file";
        }
        crc.reset();
        crc.update(bytes, offset + HEADER, length);
        if ((int)crc.getValue() != buf.getInt(offset + 8))
        {
            return "the record's payload fails its checksum";
        }
        return null;
    }

    private static boolean allZero(final byte[] bytes, final int from)
    {
        for (int i = from; i < bytes.length; i++)
        {
            if (bytes[i] != 0)
            {
                return false;
            }
        }
        return true;
    }

    static IOException corrupt(final Path segment, final long offset, final String problem)
    {
        return new IOException("journal file " + segment + " is corrupt at offset " + offset + ": " + problem +
            ". Refusing to start; nothing was changed. The records before offset " + offset + " are intact. " +
            "Restore the data directory from a backup or another copy; `tranche verify --data-dir` reports every " +
            "problem it finds");
    }

    private static final String REFUSAL = "Refusing to start; nothing was changed. Restore the data directory " +
        "from a backup or another copy; `tranche verify --data-dir` reports every problem it finds";

    private FileChannel lockForWrite(final Path segment) throws IOException
    {
        final FileChannel ch = options.channels.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try
        {
            lock = ch.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            lock = null;
        }
        if (lock == null)
        {
            ch.close();
            throw new IOException("journal file " + segment + " is locked: the data directory " + dir +
                " is in use by another tranche server");
        }
        segmentLock = lock;
        return ch;
    }

    private static byte[] readAll(final FileChannel ch) throws IOException
    {
        final long size = ch.size();
        if (size > Integer.MAX_VALUE - 8)
        {
            throw new IOException("journal segment too large to recover: " + size + " bytes");
        }
        final ByteBuffer buf = ByteBuffer.allocate((int)size);
        while (buf.hasRemaining())
        {
            if (ch.read(buf, buf.position()) < 0)
            {
                break;
            }
        }
        return buf.array();
    }

    private void adopt(final FileChannel ch, final long first, final long size) throws IOException
    {
        channel = ch;
        segmentFirst = first;
        segmentSize = size;
        channel.position(size);
        syncedSegment = first;
        syncedSize = size;
    }

    private static void writeSegmentHeader(final FileChannel ch, final long first) throws IOException
    {
        final ByteBuffer header = ByteBuffer.allocate(SEGMENT_HEADER);
        header.putInt(MAGIC).putInt(VERSION).putLong(first).flip();
        long position = 0;
        while (header.hasRemaining())
        {
            position += ch.write(header, position);
        }
    }

    private void openSegment(final long first) throws IOException
    {
        final Path path = segmentPath(dir, first);
        final FileChannel ch = options.channels.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        final FileLock lock;
        try
        {
            lock = ch.tryLock();
            if (lock == null)
            {
                throw new IOException("journal file " + path + " is locked by another process");
            }
            writeSegmentHeader(ch, first);
            if (options.fsync)
            {
                ch.force(true);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            ch.close();
            Files.deleteIfExists(path);
            throw ex;
        }
        final FileChannel previous = channel;
        final FileLock previousLock = segmentLock;
        channel = ch;
        segmentLock = lock;
        segmentFirst = first;
        segmentSize = SEGMENT_HEADER;
        channel.position(SEGMENT_HEADER);
        syncDirectory();
        if (previous != null)
        {
            if (previousLock != null && previousLock.isValid())
            {
                previousLock.release();
            }
            previous.close();
        }
    }

    /** @return the largest payload {@link #append} takes. */
    public int maxRecordBytes()
    {
        return options.maxRecordBytes;
    }

    /** @return why the journal stopped, or null. */
    public String failed()
    {
        return failure;
    }

    /**
     * Buffers one record; durable only after {@link #sync()}.
     *
     * @param type      command type.
     * @param timeNanos command time.
     * @param payload   the record's bytes, at most {@link #maxRecordBytes()}.
     * @return the record's index; {@link #lastSegment()} and {@link #lastOffset()} give its place.
     * @throws IOException on write failure: the journal is then {@link #failed()}.
     */
    public long append(final byte type, final long timeNanos, final byte[] payload) throws IOException
    {
        if (failure != null)
        {
            throw new IOException("the journal stopped after a failed write: " + failure);
        }
        if (payload.length > options.maxRecordBytes)
        {
            throw new IllegalArgumentException("record of " + payload.length + " bytes exceeds the limit " +
                options.maxRecordBytes);
        }
        final int size = HEADER + payload.length;
        if (bufferedRecords > 0 && segmentSize + buffer.position() + size > options.maxSegmentBytes)
        {
            flushBuffer();
        }
        if (segmentSize > SEGMENT_HEADER && buffer.position() == 0 && segmentSize + size > options.maxSegmentBytes)
        {
            rollWithinBatch();
        }
        if (buffer.remaining() < size)
        {
            flushBuffer();
            if (buffer.capacity() < size)
            {
                buffer = ByteBuffer.allocate(size).order(ByteOrder.BIG_ENDIAN);
            }
        }
        final long index = nextIndex++;
        final int start = buffer.position();
        crc.reset();
        crc.update(payload, 0, payload.length);
        final int bodyCrc = (int)crc.getValue();
        buffer.putInt(payload.length).putInt(0).putInt(bodyCrc).putLong(index).put(type).putLong(timeNanos);
        crc.reset();
        crc.update(buffer.array(), start, 4);
        crc.update(buffer.array(), start + 8, HEADER - 8);
        buffer.putInt(start + 4, (int)crc.getValue());
        buffer.put(payload);
        lastSegment = segmentFirst;
        lastOffset = segmentSize + start;
        bufferedRecords++;
        appendedBytes += size;
        return index;
    }

    /** @return first index of the segment holding the last appended record. */
    public long lastSegment()
    {
        return lastSegment;
    }

    /** @return offset of the last appended record in its segment. */
    public long lastOffset()
    {
        return lastOffset;
    }

    /** @return bytes appended since this journal was opened. */
    public long appendedBytes()
    {
        return appendedBytes;
    }

    // The segment so far is complete and will be kept: force it before leaving it, so that sync()
    // only has the new segment to force.
    private void rollWithinBatch() throws IOException
    {
        try
        {
            if (options.fsync)
            {
                channel.force(false);
            }
        }
        catch (final IOException ex)
        {
            fail(ex);
            throw ex;
        }
        final long first = nextIndex;
        try
        {
            openSegment(first);
        }
        catch (final IOException ex)
        {
            fail(ex);
            throw ex;
        }
        unsyncedSegments.add(first);
    }

    private void flushBuffer() throws IOException
    {
        if (buffer.position() == 0)
        {
            return;
        }
        buffer.flip();
        try
        {
            while (buffer.hasRemaining())
            {
                segmentSize += channel.write(buffer);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // Never retried from the start: what reached the file is cut off by discardUnsynced().
            fail(ex);
            throw ex;
        }
        finally
        {
            buffer.clear();
            bufferedRecords = 0;
        }
    }

    private void fail(final Exception ex)
    {
        if (failure == null)
        {
            failure = String.valueOf(ex.getMessage() == null ? ex.toString() : ex.getMessage());
        }
    }

    /**
     * Writes the buffered records and forces them to disk.
     *
     * @return true when there was something to sync.
     * @throws IOException on failure: the journal is then {@link #failed()}; call {@link #discardUnsynced()}.
     */
    public boolean sync() throws IOException
    {
        if (failure != null)
        {
            throw new IOException("the journal stopped after a failed write: " + failure);
        }
        if (nextIndex == syncedNextIndex)
        {
            return false;
        }
        flushBuffer();
        try
        {
            if (options.fsync)
            {
                channel.force(false);
            }
            mark.update(segmentFirst, segmentSize, nextIndex);
        }
        catch (final IOException | RuntimeException ex)
        {
            fail(ex);
            throw ex;
        }
        syncedSegment = segmentFirst;
        syncedSize = segmentSize;
        syncedNextIndex = nextIndex;
        unsyncedSegments.clear();
        return true;
    }

    /**
     * After a failure: drops the buffered records, deletes segments started since the last sync and
     * cuts the last synced segment back to its synced size, so that the files hold exactly the
     * acknowledged records. The journal then takes appends again.
     *
     * @throws IOException when the files cannot be cut back (the journal stays failed).
     */
    public void discardUnsynced() throws IOException
    {
        buffer.clear();
        bufferedRecords = 0;
        // The failed sync may have written a mark past what is kept: lower it before cutting the journal back.
        mark.lower(syncedSegment, syncedSize, syncedNextIndex);
        if (segmentFirst != syncedSegment)
        {
            closeChannel();
            for (final Long first : unsyncedSegments)
            {
                closeReader(first);
                Files.deleteIfExists(segmentPath(dir, first));
            }
            final FileChannel ch = lockForWrite(segmentPath(dir, syncedSegment));
            channel = ch;
            segmentFirst = syncedSegment;
        }
        unsyncedSegments.clear();
        channel.truncate(syncedSize);
        if (options.fsync)
        {
            channel.force(true);
        }
        channel.position(syncedSize);
        segmentSize = syncedSize;
        nextIndex = syncedNextIndex;
        syncDirectory();
        failure = null;
    }

    /** @return the index the next record will get. */
    public long nextIndex()
    {
        return nextIndex;
    }

    /**
     * Starts a new segment at the next index (after a snapshot, so that recovery reads only what follows
     * it). Old segments are kept: they hold the ledger.
     *
     * @throws IOException on failure.
     */
    public void roll() throws IOException
    {
        sync();
        if (segmentSize > SEGMENT_HEADER)
        {
            openSegment(nextIndex);
            syncedSegment = segmentFirst;
            syncedSize = segmentSize;
        }
    }

    /**
     * One record as read back.
     *
     * @param type    its type.
     * @param payload its payload.
     */
    public record Stored(byte type, byte[] payload)
    {
    }

    /**
     * Reads one record's type and payload, checking its place, index and checksums. Thread safe.
     *
     * @param segment first index of its segment.
     * @param offset  its offset.
     * @param index   the index it must hold.
     * @return the type and the payload.
     * @throws IOException naming file and offset when the record is not what was expected.
     */
    public Stored read(final long segment, final long offset, final long index) throws IOException
    {
        final Path path = segmentPath(dir, segment);
        FileChannel ch = readers.get(segment);
        if (ch == null)
        {
            ch = FileChannel.open(path, StandardOpenOption.READ);
            final FileChannel raced = readers.putIfAbsent(segment, ch);
            if (raced != null)
            {
                ch.close();
                ch = raced;
            }
        }
        final ByteBuffer header = ByteBuffer.allocate(HEADER);
        readFully(ch, header, offset, path);
        final byte[] h = header.array();
        final CRC32C c = new CRC32C();
        if (!headerOk(h, 0, c) || header.getLong(12) != index)
        {
            throw new IOException("journal file " + path + " is corrupt at offset " + offset + ": record " + index +
                " fails its header check");
        }
        final ByteBuffer body = ByteBuffer.allocate(header.getInt(0));
        readFully(ch, body, offset + HEADER, path);
        c.reset();
        c.update(body.array(), 0, body.capacity());
        if ((int)c.getValue() != header.getInt(8))
        {
            throw new IOException("journal file " + path + " is corrupt at offset " + offset + ": record " + index +
                " fails its payload checksum");
        }
        return new Stored(h[20], body.array());
    }

    private static void readFully(final FileChannel ch, final ByteBuffer buf, final long at, final Path path)
        throws IOException
    {
        long position = at;
        while (buf.hasRemaining())
        {
            final int n = ch.read(buf, position);
            if (n < 0)
            {
                throw new IOException("journal file " + path + " ends before offset " + position);
            }
            position += n;
        }
    }

    private void closeReader(final long segment)
    {
        final FileChannel ch = readers.remove(segment);
        if (ch != null)
        {
            try
            {
                ch.close();
            }
            catch (final IOException ignore)
            {
                // read-only
            }
        }
    }

    void syncDirectory() throws IOException
    {
        if (!options.fsync)
        {
            return;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ))
        {
            d.force(true);
        }
        catch (final IOException ex)
        {
            // Some file systems cannot open a directory for reading; the creation is still ordered.
        }
    }

    private void closeChannel() throws IOException
    {
        if (channel != null)
        {
            try
            {
                if (segmentLock != null && segmentLock.isValid())
                {
                    segmentLock.release();
                }
            }
            finally
            {
                channel.close();
                channel = null;
                segmentLock = null;
            }
        }
    }

    private void closeQuietly()
    {
        try
        {
            closeChannel();
        }
        catch (final IOException ignore)
        {
            // already failing
        }
        if (mark != null)
        {
            try
            {
                mark.close();
            }
            catch (final IOException ignore)
            {
                // the journal was forced; only the mark's last force failed
            }
            mark = null;
        }
        for (final Long segment : readers.keySet())
        {
            closeReader(segment);
        }
    }

    /**
     * Syncs what is buffered (unless the journal failed: then the unsynced tail is cut off) and
     * closes the files.
     *
     * @throws IOException on failure.
     */
    @Override
    public void close() throws IOException
    {
        try
        {
            if (channel != null)
            {
                if (failure == null)
                {
                    sync();
                }
                else
                {
                    discardUnsynced();
                }
            }
        }
        finally
        {
            closeQuietly();
        }
    }
}
