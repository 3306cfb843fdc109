package io.tranche.server.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The journal's high-water mark, {@value #FILE_NAME}: how far the journal was synced (the newest synced
 * segment, its synced length and the index after its last synced record). A record is acknowledged only after
 * the sync that covers it, so recovery can tell a crash (bytes past the mark: never acknowledged, dropped) from a
 * segment cut short afterwards (its records end before the mark: acknowledged records are missing, refused).
 * <p>
 * The file is kept outside the segments so that the segment format is unchanged. It holds two copies, each in its
 * own 512-byte sector: {@code int magic "TRJM", int version, long sequence, long segment, long size, long
 * nextIndex, int crc32c} (of the 40 bytes before it). A write goes to the copy with the older sequence, so a write
 * torn by a crash leaves the other copy whole, and a copy never claims more than the journal had synced when it
 * was written.
 * <p>
 * Cost: the mark is written (one 44-byte positional write) after each group commit's fsync of the journal, and
 * forced by a background thread, at most once every {@link #FORCE_INTERVAL_NANOS} (50 ms) with whatever was written
 * last, so an acknowledgement never waits for the mark's own fsync and a loaded writer does not pay one per batch.
 * After a process crash the mark is exact (the page cache keeps the write); after a power loss it may lag by the
 * batches synced in the last interval and force, which weakens the check for those batches only: the mark never
 * claims more than the journal holds.
 */
final class JournalMark implements AutoCloseable
{
    /** The mark's file name in the data directory. */
    static final String FILE_NAME = "journal.mark";
    static final int MAGIC = 0x54524A4D; // "TRJM"
    static final int VERSION = 1;
    static final int COPY_BYTES = 4 + 4 + 8 + 8 + 8 + 8 + 4;
    /** Offset of the second copy: each copy in its own sector. */
    static final int SECOND_COPY = 512;
    /** The background thread forces the mark at most once in this interval. */
    static final long FORCE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /**
     * A synced position.
     *
     * @param sequence  the write that recorded it (higher is newer).
     * @param segment   first index of the newest synced segment.
     * @param size      bytes of that segment known synced.
     * @param nextIndex the index after the last synced record.
     * @param copy      the offset of the copy it was read from.
     */
    record Position(long sequence, long segment, long size, long nextIndex, int copy)
    {
    }

    private final Path path;
    private final FileChannel channel;
    private final boolean fsync;
    private final ByteBuffer copy = ByteBuffer.allocate(COPY_BYTES);
    private final CRC32C crc = new CRC32C();
    private long sequence;
    private int newestCopy;
    // Set by the writer thread, read by the forcing thread.
    private volatile long requested;
    // The newest sequence known forced, by either thread.
    private volatile long forced;
    private volatile long failedSequence;
    private volatile String forceFailure;
    private volatile boolean closed;
    private Thread forcer;

    private JournalMark(final Path path, final FileChannel channel, final boolean fsync, final long sequence)
    {
        this.path = path;
        this.channel = channel;
        this.fsync = fsync;
        this.sequence = sequence;
        this.requested = sequence;
        this.forced = sequence;
    }

    /** @param dir the data directory. @return the mark's path in it. */
    static Path path(final Path dir)
    {
        return dir.resolve(FILE_NAME);
    }

    /**
     * Reads the newest intact copy of the mark.
     *
     * @param dir the data directory.
     * @param log receives a note when one copy is damaged (a write torn by a crash, or damage).
     * @return the position, or null when there is no mark (a directory written before the mark existed).
     * @throws IOException when the file exists but neither copy is intact.
     */
    static Position read(final Path dir, final Consumer<String> log) throws IOException
    {
        final Path path = path(dir);
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(path);
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        final Position first = parse(bytes, 0);
        final Position second = parse(bytes, SECOND_COPY);
        if (first == null && second == null)
        {
            throw new IOException("journal mark " + path + " is damaged at offset 0 and at offset " + SECOND_COPY +
                ": neither copy of the synced length of the journal passes its checksum (" + bytes.length +
                " bytes), so a truncated journal could not be told from a torn write. Refusing to start; nothing " +
                "was changed. Restore the data directory from a backup or another copy; `tranche verify " +
                "--data-dir` reports every problem it finds");
        }
        if (first == null || second == null)
        {
            log.accept("tranche: journal mark " + path + ": the copy at offset " + (first == null ? 0 : SECOND_COPY) +
                " fails its checksum (a write cut short by a crash, or damage); using the other copy");
        }
        if (first == null)
        {
            return second;
        }
        return second == null || first.sequence() > second.sequence() ? first : second;
    }

    private static Position parse(final byte[] bytes, final int at)
    {
        if (bytes.length < at + COPY_BYTES)
        {
            return null;
        }
        final ByteBuffer buf = ByteBuffer.wrap(bytes);
        final CRC32C c = new CRC32C();
        c.update(bytes, at, COPY_BYTES - 4);
        if (buf.getInt(at) != MAGIC || buf.getInt(at + 4) != VERSION ||
            (int)c.getValue() != buf.getInt(at + COPY_BYTES - 4))
        {
            return null;
        }
        final Position p = new Position(buf.getLong(at + 8), buf.getLong(at + 16), buf.getLong(at + 24),
            buf.getLong(at + 32), at);
        return p.segment() < 1 || p.size() < 0 || p.nextIndex() < p.segment() ? null : p;
    }

    /**
     * Opens the mark after recovery and records the recovered position in both copies, forced: in place when the
     * mark exists (an overwrite needs no free space, so a full disk does not stop a start), else {@link #create}.
     *
     * @param dir       the data directory.
     * @param channels  opens the file.
     * @param fsync     force to disk.
     * @param found     the mark read at start, or null.
     * @param segment   first index of the newest segment.
     * @param size      its synced length (never below {@code found}'s: recovery refused that).
     * @param nextIndex the index after its last record.
     * @return the mark, open for {@link #update}.
     * @throws IOException on failure.
     */
    static JournalMark open(final Path dir, final Journal.Channels channels, final boolean fsync, final Position found,
        final long segment, final long size, final long nextIndex) throws IOException
    {
        if (found == null)
        {
            return create(dir, channels, fsync, 0, segment, size, nextIndex);
        }
        final Path path = path(dir);
        final JournalMark mark = new JournalMark(path,
            channels.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE), fsync, found.sequence());
        try
        {
            // The older (or damaged) copy first: a crash in between leaves the newest one as it was.
            mark.write(found.copy() == 0 ? SECOND_COPY : 0, segment, size, nextIndex);
            mark.write(found.copy(), segment, size, nextIndex);
            mark.forceNow();
        }
        catch (final IOException | RuntimeException ex)
        {
            mark.channel.close();
            throw ex;
        }
        return mark;
    }

    /**
     * Writes a new mark file (both copies at the given position) beside the journal, atomically: a temporary file,
     * forced, then renamed over any old one.
     *
     * @param dir       the data directory.
     * @param channels  opens the file.
     * @param fsync     force to disk.
     * @param after     the sequence of the mark found at start (0 without one).
     * @param segment   first index of the newest segment.
     * @param size      its synced length.
     * @param nextIndex the index after its last record.
     * @return the mark, open for {@link #update}.
     * @throws IOException on failure.
     */
    static JournalMark create(final Path dir, final Journal.Channels channels, final boolean fsync, final long after,
        final long segment, final long size, final long nextIndex) throws IOException
    {
        final Path path = path(dir);
        final Path tmp = dir.resolve(FILE_NAME + ".tmp");
        long sequence = after;
        try
        {
            try (FileChannel ch = channels.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))
            {
                final JournalMark fresh = new JournalMark(tmp, ch, fsync, after);
                fresh.write(0, segment, size, nextIndex);
                fresh.write(SECOND_COPY, segment, size, nextIndex);
                if (fsync)
                {
                    ch.force(true);
                }
                sequence = fresh.sequence;
            }
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        finally
        {
            Files.deleteIfExists(tmp);
        }
        final JournalMark mark = new JournalMark(path,
            channels.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE), fsync, sequence);
        mark.newestCopy = SECOND_COPY;
        return mark;
    }

    private void write(final int at, final long segment, final long size, final long nextIndex) throws IOException
    {
        final long seq = ++sequence;
        copy.clear();
        copy.putInt(MAGIC).putInt(VERSION).putLong(seq).putLong(segment).putLong(size).putLong(nextIndex);
        crc.reset();
        crc.update(copy.array(), 0, COPY_BYTES - 4);
        copy.putInt((int)crc.getValue()).flip();
        long position = at;
        while (copy.hasRemaining())
        {
            position += channel.write(copy, position);
        }
        newestCopy = at;
    }

    /**
     * Records a new synced position: called after the journal's fsync, before the batch is acknowledged. Writes the
     * older copy and asks the forcing thread to force it; never waits for that fsync.
     *
     * @param segment   first index of the newest synced segment.
     * @param size      its synced length.
     * @param nextIndex the index after the last synced record.
     * @throws IOException when the write fails, or when forcing an earlier mark failed and no later force
     *                     succeeded (the disk is failing: the batch is then not acknowledged).
     */
    void update(final long segment, final long size, final long nextIndex) throws IOException
    {
        final String failure = forceFailure;
        if (failure != null && failedSequence > forced)
        {
            throw new IOException("forcing the journal mark " + path + " failed: " + failure);
        }
        write(newestCopy == 0 ? SECOND_COPY : 0, segment, size, nextIndex);
        if (fsync)
        {
            requested = sequence;
            if (forcer == null)
            {
                forcer = new Thread(this::forceLoop, "tranche-journal-mark");
                forcer.setDaemon(true);
                forcer.start();
            }
            LockSupport.unpark(forcer);
        }
    }

    /**
     * Lowers the mark to a position below one it may hold (after a failed batch, before the journal is cut back
     * to it): the newest copy first, so that a crash in between leaves no copy above the journal, each forced.
     *
     * @param segment   first index of the newest synced segment.
     * @param size      its synced length.
     * @param nextIndex the index after the last synced record.
     * @throws IOException on failure (the journal must not be cut back then).
     */
    void lower(final long segment, final long size, final long nextIndex) throws IOException
    {
        final int newest = newestCopy;
        write(newest, segment, size, nextIndex);
        forceNow();
        write(newest == 0 ? SECOND_COPY : 0, segment, size, nextIndex);
        forceNow();
    }

    private void forceNow() throws IOException
    {
        final long target = sequence;
        if (fsync)
        {
            channel.force(false);
        }
        forced = Math.max(forced, target);
    }

    private void forceLoop()
    {
        long lastForce = System.nanoTime() - FORCE_INTERVAL_NANOS;
        while (!closed)
        {
            final long target = requested;
            if (target <= forced)
            {
                LockSupport.park(this);
                continue;
            }
            // At most one force an interval: a loaded writer syncs hundreds of batches a second, and a force of the
            // mark for each would compete with the journal's own fsyncs for the disk.
            final long wait = lastForce + FORCE_INTERVAL_NANOS - System.nanoTime();
            if (wait > 0)
            {
                LockSupport.parkNanos(this, wait);
                continue;
            }
            lastForce = System.nanoTime();
            try
            {
                channel.force(false);
                forced = Math.max(forced, target);
            }
            catch (final IOException | RuntimeException ex)
            {
                forceFailure = String.valueOf(ex.getMessage());
                failedSequence = target;
                LockSupport.park(this);
            }
        }
    }

    /** Stops the forcing thread, forces the mark and closes it. */
    @Override
    public void close() throws IOException
    {
        closed = true;
        final Thread thread = forcer;
        if (thread != null)
        {
            LockSupport.unpark(thread);
            try
            {
                thread.join(10_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        try
        {
            if (fsync && channel.isOpen() && sequence > forced)
            {
                channel.force(false);
            }
        }
        finally
        {
            channel.close();
        }
    }
}
