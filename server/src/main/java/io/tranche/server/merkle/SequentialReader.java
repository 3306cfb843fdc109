package io.tranche.server.merkle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Reads a region of a file front to back in large blocks, for a pass over every record (a snapshot copying a
 * member's files): one read per block instead of two or three positional reads per record. Not thread-safe.
 */
public final class SequentialReader
{
    private final FileChannel channel;
    private final Path path;
    private final long limit;
    private byte[] block;
    // The file offset of block[0], the next unread byte in block, and the bytes of block read from the file.
    private long blockStart;
    private int next;
    private int filled;

    /**
     * @param channel   the file.
     * @param path      its path, for messages.
     * @param from      the first offset to read.
     * @param limit     the offset the region ends at (exclusive).
     * @param blockSize bytes per read; a larger record grows the block.
     */
    public SequentialReader(final FileChannel channel, final Path path, final long from, final long limit,
        final int blockSize)
    {
        this.channel = channel;
        this.path = path;
        this.limit = limit;
        // No larger than the region: a small file costs a small block.
        this.block = new byte[(int)Math.max(16, Math.min(blockSize, limit - from))];
        this.blockStart = from;
    }

    /**
     * Moves past the next {@code count} bytes.
     *
     * @param count how many, at most the bytes left in the region.
     * @return where they start in {@link #array()}, valid until the next call to this method.
     * @throws IOException when the file ends first.
     */
    public int take(final int count) throws IOException
    {
        if (filled - next < count)
        {
            refill(count);
        }
        final int at = next;
        next += count;
        return at;
    }

    /** @return the block the offsets {@link #take} returns index into. */
    public byte[] array()
    {
        return block;
    }

    /** @return the file offset of the next byte {@link #take} hands out. */
    public long position()
    {
        return blockStart + next;
    }

    /**
     * @param at an offset into {@link #array()}.
     * @return the big-endian int there.
     */
    public int intAt(final int at)
    {
        return (block[at] & 0xFF) << 24 | (block[at + 1] & 0xFF) << 16 | (block[at + 2] & 0xFF) << 8 |
            block[at + 3] & 0xFF;
    }

    /**
     * @param at an offset into {@link #array()}.
     * @return the big-endian long there.
     */
    public long longAt(final int at)
    {
        return (long)intAt(at) << 32 | intAt(at + 4) & 0xFFFF_FFFFL;
    }

    private void refill(final int count) throws IOException
    {
        if (count > limit - position())
        {
            throw new IOException(path + " ends at offset " + limit + " before the record at offset " + position() +
                " it should hold");
        }
        final int unread = filled - next;
        if (block.length < count)
        {
            final byte[] larger = new byte[Math.max(count, 2 * block.length)];
            System.arraycopy(block, next, larger, 0, unread);
            block = larger;
        }
        else
        {
            System.arraycopy(block, next, block, 0, unread);
        }
        blockStart += next;
        next = 0;
        filled = unread;
        while (filled < count)
        {
            final long at = blockStart + filled;
            final int want = (int)Math.min(block.length - filled, limit - at);
            final int read = channel.read(ByteBuffer.wrap(block, filled, want), at);
            if (read < 0)
            {
                throw new IOException(path + " ends at offset " + at + " before the record it should hold");
            }
            filled += read;
        }
    }
}
