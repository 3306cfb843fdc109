package io.tranche.server.cluster;

import io.tranche.proto.v1.Tranche;
import io.tranche.server.merkle.LeafFile;
import io.tranche.server.merkle.MerkleLog;
import io.tranche.server.merkle.SequentialReader;
import io.tranche.server.merkle.TreeFile;
import io.tranche.server.state.Ledger;
import io.tranche.server.state.RecordPlace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * One member's tranches on its own disk, so that its heap holds 8 bytes per tranche (the record's offset)
 * instead of the tranche: an append-only file of {@code length:int crc32c:int number:long tranche} records,
 * the CRC-32C covering the number and the tranche's bytes.
 * <p>
 * The replicated log defines the tranches. A member's own snapshot refers to the file instead of copying it: the
 * files are synced ({@link #sync()}) and the snapshot records their tranche count, length, leaf indexes and tree
 * root; a member that starts from it takes the files as they were then ({@link #adopt}), every record checked, and
 * the log after the snapshot appends the rest again. Without such a snapshot (none yet, or one that copied the
 * history) the member empties the files ({@link #reset()}) and rewrites them from the seed or that snapshot and the
 * log. Between snapshots the file is not synced: what a crash loses, the log's replay appends again. A record that
 * fails its checksum while the member runs (a flipped bit on the disk) is refused with a
 * {@link Ledger.LedgerException} naming the file and offset. Appends come from the service thread only; reads from
 * any thread.
 * <p>
 * The ledger's Merkle tree is kept beside it in {@value #TREE_FILE} ({@link TreeFile}) and its leaves in
 * {@value #LEAF_FILE} ({@link LeafFile}), synced, adopted and rewritten with it.
 */
public final class ClusterLedger implements Ledger, AutoCloseable
{
    /** The file's name in a member's data directory. */
    public static final String FILE = "ledger.dat";
    /** The tree's file in a member's data directory. */
    public static final String TREE_FILE = "ledger.tree";
    /** The tree's leaves in a member's data directory (and {@code ledger.leaves.idx}). */
    public static final String LEAF_FILE = "ledger.leaves";

    private static final int HEADER = 4 + 4 + 8;
    private static final String REMEDY = "read it from another member, and rebuild this member from its peers " +
        "(docs/cluster.md)";

    private final Path path;
    private final FileChannel channel;
    private final CRC32C crc = new CRC32C();
    private long[] offsets = new long[1024];
    private long[] leafIndexes = new long[1024];
    private final TreeFile treeFile;
    private final LeafFile leafFile;
    private final MerkleLog tree;
    private volatile long count;
    private long end;
    private ByteBuffer writeBuffer = ByteBuffer.allocate(4096);

    /**
     * Opens (creating or emptying) the file.
     *
     * @param path the file.
     * @throws UncheckedIOException when it cannot be opened.
     */
    public ClusterLedger(final Path path)
    {
        this(path, false);
    }

    /**
     * Opens the file, creating it, emptied or kept as it is.
     *
     * @param path the file.
     * @param keep true to keep what the files hold: the caller then either {@link #reset()}s them or
     *             {@link #adopt}s what a snapshot recorded of them before it appends.
     * @throws UncheckedIOException when it cannot be opened.
     */
    public ClusterLedger(final Path path, final boolean keep)
    {
        this.path = path;
        try
        {
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
            treeFile = TreeFile.open(path.resolveSibling(TREE_FILE));
            leafFile = LeafFile.open(path.resolveSibling(LEAF_FILE));
            tree = new MerkleLog(treeFile, leafFile);
            if (!keep)
            {
                reset();
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open the member's ledger file " + path + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Empties the file: the service appends the tranches of the snapshot and the log again.
     *
     * @throws IOException when the file cannot be truncated.
     */
    public synchronized void reset() throws IOException
    {
        channel.truncate(0);
        end = 0;
        count = 0;
        tree.truncate(0);
    }

    /**
     * Takes the files' first tranches and leaves as this ledger, as a snapshot that refers to them recorded them:
     * every tranche's record checked against its CRC-32C and number, the file's length to their end, every leaf
     * checked and the tree's root recomputed from them. What the files hold past them is cut: the log replays it.
     *
     * @param tranches     the tranches the snapshot recorded.
     * @param bytes        the file's length at the snapshot: their records end there.
     * @param leaves       each tranche's leaf in the tree, tranche 1's first ({@code tranches} of them).
     * @param treeSize     the tree's size at the snapshot.
     * @param root         its root then.
     * @throws IOException naming the file and what does not match; the ledger is then empty.
     */
    public synchronized void adopt(
        final long tranches, final long bytes, final long[] leaves, final long treeSize, final byte[] root)
        throws IOException
    {
        count = 0;
        end = 0;
        if (channel.size() < bytes)
        {
            throw new IOException(path + " holds " + channel.size() + " bytes, fewer than the " + bytes + " of the " +
                tranches + " tranches its snapshot recorded");
        }
        final long[] starts = new long[(int)Math.max(1024, tranches)];
        final SequentialReader reader = new SequentialReader(channel, path, 0, bytes, 1 << 20);
        final CRC32C check = new CRC32C();
        for (long number = 1; number <= tranches; number++)
        {
            final long offset = reader.position();
            if (bytes - offset < HEADER)
            {
                throw new IOException(path + " ends its snapshot's records at tranche " + number + " of " + tranches +
                    " (offset " + offset + ")");
            }
            try
            {
                readRecord(reader, check, number, offset, 0, bytes - offset - HEADER);
            }
            catch (final BadRecord ex)
            {
                throw new IOException("tranche " + number + " in " + path + " (offset " + offset + ") " +
                    (ex.ofLength ? "has a " : "") + ex.getMessage());
            }
            starts[(int)(number - 1)] = offset;
        }
        if (reader.position() != bytes)
        {
            throw new IOException(path + ": its snapshot's " + tranches + " tranches end at offset " +
                reader.position() + ", not " + bytes);
        }
        final String files = treeFile.path() + " and " + leafFile.path();
        try
        {
            tree.reset(treeSize);
            if (!Arrays.equals(tree.root(), root) || !Arrays.equals(tree.recomputeRoot(), root))
            {
                throw new IOException("their root at size " + treeSize + " is not the one the snapshot recorded");
            }
        }
        catch (final IOException ex)
        {
            throw new IOException("the tree in " + files + ": " + ex.getMessage(), ex);
        }
        channel.truncate(bytes);
        tree.truncate(treeSize);
        tree.markDurable();
        offsets = starts;
        leafIndexes = Arrays.copyOf(leaves, starts.length);
        end = bytes;
        count = tranches;
    }

    /**
     * Makes what was appended durable: a snapshot that refers to the files is taken after it.
     *
     * @throws IOException when the files cannot be synced.
     */
    public void sync() throws IOException
    {
        channel.force(false);
        tree.sync();
    }

    /** @return the file's length: where the next tranche's record starts. Called by the thread that appends. */
    public synchronized long end()
    {
        return end;
    }

    /**
     * @param number a tranche's number.
     * @return the leaf index of each tranche 1 to number, in a new array.
     */
    public synchronized long[] leafIndexes(final long number)
    {
        return Arrays.copyOf(leafIndexes, (int)number);
    }

    @Override
    public long count()
    {
        return count;
    }

    @Override
    public long durableCount()
    {
        return count;
    }

    @Override
    public Tranche get(final long number)
    {
        try
        {
            return Tranche.parseFrom(bytes(number));
        }
        catch (final com.google.protobuf.InvalidProtocolBufferException ex)
        {
            throw new LedgerException("tranche " + number + " in the member's ledger file " + path + " does not " +
                "parse: " + ex.getMessage() + "; " + REMEDY, ex);
        }
    }

    /**
     * @param number a tranche's number, 1..{@link #count()}.
     * @return its bytes as appended ({@link Tranche#toByteArray()}), checked against the record's CRC-32C, unparsed
     *         (a snapshot copies them as they are).
     * @throws LedgerException when the record fails its checksum.
     */
    public byte[] bytes(final long number)
    {
        final long offset;
        final long limit;
        synchronized (this)
        {
            if (number < 1 || number > count)
            {
                throw new IndexOutOfBoundsException("tranche number=" + number + " not in 1.." + count);
            }
            offset = offsets[(int)(number - 1)];
            limit = number == count ? end : offsets[(int)number];
        }
        try
        {
            final ByteBuffer header = ByteBuffer.allocate(HEADER);
            readFully(header, offset);
            final int length = header.getInt(0);
            if (length != limit - offset - HEADER)
            {
                throw new IOException("bad record length=" + length);
            }
            final ByteBuffer body = ByteBuffer.allocate(8 + length);
            body.putLong(header.getLong(8));
            readFully(body, offset + HEADER);
            final CRC32C check = new CRC32C();
            check.update(body.array(), 0, body.capacity());
            if ((int)check.getValue() != header.getInt(4) || header.getLong(8) != number)
            {
                throw new IOException("fails its checksum");
            }
            return Arrays.copyOfRange(body.array(), 8, body.capacity());
        }
        catch (final IOException ex)
        {
            throw new LedgerException("tranche " + number + " in the member's ledger file " + path + " (offset " +
                offset + ") " + ex.getMessage() + "; " + REMEDY, ex);
        }
    }

    /** Receives tranches in number order. */
    @FunctionalInterface
    public interface TrancheSink
    {
        /**
         * @param leafIndex the tranche's leaf in the ledger's tree.
         * @param bytes     holds the tranche as appended; not to be kept after the call.
         * @param offset    where it starts.
         * @param length    its length.
         * @throws IOException when the sink cannot take it.
         */
        void tranche(long leafIndex, byte[] bytes, int offset, int length) throws IOException;
    }

    /**
     * Hands every tranche to the sink in number order, each checked as {@link #bytes} checks it, reading the file
     * front to back in 1 MiB blocks (a snapshot's pass over the history: one read per block, not two per tranche).
     * Called by the thread that appends.
     *
     * @param sink receives them.
     * @throws LedgerException when a record fails its checksum.
     * @throws IOException     when the sink fails.
     */
    public void forEachTranche(final TrancheSink sink) throws IOException
    {
        final long last;
        final long stop;
        final long[] starts;
        final long[] leaves;
        synchronized (this)
        {
            last = count;
            stop = end;
            starts = offsets;
            leaves = leafIndexes;
        }
        final SequentialReader reader = new SequentialReader(channel, path, 0, stop, 1 << 20);
        final CRC32C check = new CRC32C();
        for (long number = 1; number <= last; number++)
        {
            final long offset = starts[(int)(number - 1)];
            final long limit = number == last ? stop : starts[(int)number];
            final long length = limit - offset - HEADER;
            final int at;
            try
            {
                at = readRecord(reader, check, number, offset, length, length);
            }
            catch (final IOException ex)
            {
                throw new LedgerException("tranche " + number + " in the member's ledger file " + path + " (offset " +
                    offset + ") " + ex.getMessage() + "; " + REMEDY, ex);
            }
            sink.tranche(leaves[(int)(number - 1)], reader.array(), at, (int)length);
        }
    }

    /**
     * Reads the record at the reader's position as tranche {@code number}'s and checks it as every pass over the
     * file does: it starts at {@code offset}, its header's length is from {@code least} to {@code most}, and the
     * header's CRC-32C and number match its bytes and {@code number}.
     *
     * @param reader the file, at the record.
     * @param check  computes the CRC-32C (reset here).
     * @param number the tranche's number.
     * @param offset where its record starts.
     * @param least  the least length its header may give.
     * @param most   the most.
     * @return where the tranche's bytes start in {@link SequentialReader#array()}, valid until the reader's next take.
     * @throws BadRecord   when the record does not start at the offset, its length is out of bounds, or it fails
     *                     its checksum.
     * @throws IOException when the file ends first.
     */
    private static int readRecord(final SequentialReader reader, final CRC32C check, final long number,
        final long offset, final long least, final long most) throws IOException
    {
        final int header = reader.take(HEADER);
        final int length = reader.intAt(header);
        final int expected = reader.intAt(header + 4);
        final long recorded = reader.longAt(header + 8);
        if (reader.position() != offset + HEADER || length < least || length > most)
        {
            throw new BadRecord("bad record length=" + length, true);
        }
        check.reset();
        check.update(reader.array(), header + 8, 8);
        final int at = reader.take(length);
        check.update(reader.array(), at, length);
        if ((int)check.getValue() != expected || recorded != number)
        {
            throw new BadRecord("fails its checksum", false);
        }
        return at;
    }

    /** A record that {@code readRecord} refuses: what is wrong with it, for a message that names its place. */
    private static final class BadRecord extends IOException
    {
        private static final long serialVersionUID = 1L;

        /** True when its length is bad, false when it fails its checksum. */
        private final boolean ofLength;

        private BadRecord(final String message, final boolean ofLength)
        {
            super(message);
            this.ofLength = ofLength;
        }
    }

    private void readFully(final ByteBuffer buffer, final long position) throws IOException
    {
        long at = position;
        while (buffer.hasRemaining())
        {
            final int read = channel.read(buffer, at);
            if (read < 0)
            {
                throw new IOException("ends early");
            }
            at += read;
        }
    }

    @Override
    public long leafIndex(final long number)
    {
        synchronized (this)
        {
            if (number < 1 || number > count)
            {
                throw new IndexOutOfBoundsException("tranche number=" + number + " not in 1.." + count);
            }
            return leafIndexes[(int)(number - 1)];
        }
    }

    @Override
    public MerkleLog tree()
    {
        return tree;
    }

    @Override
    public long appendLeaf(final byte[] leaf, final byte[] leafHash)
    {
        try
        {
            final long index = tree.append(leaf, leafHash);
            // A member's applied state is what its reads show: the leaf is readable at once.
            tree.markDurable();
            return index;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the member's tree file " + treeFile.path() + ": " +
                ex.getMessage(), ex);
        }
    }

    @Override
    public void append(final Tranche tranche, final long leafIndex, final RecordPlace place)
    {
        final byte[] bytes = tranche.toByteArray();
        synchronized (this)
        {
            final long number = count + 1;
            if (writeBuffer.capacity() < HEADER + bytes.length)
            {
                writeBuffer = ByteBuffer.allocate(Math.max(HEADER + bytes.length, 2 * writeBuffer.capacity()));
            }
            final ByteBuffer record = writeBuffer.clear();
            record.putInt(bytes.length).putInt(0).putLong(number).put(bytes);
            crc.reset();
            crc.update(record.array(), 8, 8 + bytes.length);
            record.putInt(4, (int)crc.getValue());
            record.flip();
            try
            {
                long at = end;
                while (record.hasRemaining())
                {
                    at += channel.write(record, at);
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot write the member's ledger file " + path + ": " +
                    ex.getMessage(), ex);
            }
            if (count == offsets.length)
            {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
                leafIndexes = Arrays.copyOf(leafIndexes, leafIndexes.length * 2);
            }
            offsets[(int)count] = end;
            leafIndexes[(int)count] = leafIndex;
            end += HEADER + bytes.length;
            count = number;
        }
    }

    /** @return the file. */
    public Path path()
    {
        return path;
    }

    @Override
    public void close()
    {
        try
        {
            channel.close();
            treeFile.close();
            leafFile.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
