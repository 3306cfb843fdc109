package io.tranche.server.merkle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The tree's nodes in one file, in in-order ("flat tree") layout: after a 16-byte header ({@code TRMT}, version 1,
 * reserved), slot {@code index * 2^(level+1) + 2^level - 1} holds node (level, index), 32 bytes each. Leaf i is
 * slot 2i and the nodes above it fill the odd slots between the leaves, so n leaves need 2n - 1 slots (64 bytes a
 * leaf) and a node's place never moves as the tree grows. A slot whose node is not yet complete reads as whatever
 * it holds (zeros, or a node from before a truncation); a {@link MerkleLog} reads only complete nodes.
 * <p>
 * Writes are positional and not synced one by one: the file is derived from the journal (or the cluster's log),
 * {@link #sync()} is called before each snapshot, and recovery checks and rebuilds what a crash lost.
 */
public final class TreeFile implements NodeStore
{
    /** The header's length. */
    public static final int HEADER = 16;

    private static final int MAGIC = 0x54524D54; // "TRMT"
    private static final int VERSION = 1;

    private final Path path;
    private final FileChannel channel;
    private final ByteBuffer writeBuffer = ByteBuffer.allocate(Rfc9162.HASH_BYTES);

    private TreeFile(final Path path, final FileChannel channel)
    {
        this.path = path;
        this.channel = channel;
    }

    /**
     * Opens the file, creating it with its header when missing or empty.
     *
     * @param path the file.
     * @return the store.
     * @throws IOException when it cannot be opened, or holds something else than a tree file.
     */
    public static TreeFile open(final Path path) throws IOException
    {
        final FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        try
        {
            final ByteBuffer header = ByteBuffer.allocate(HEADER);
            if (channel.size() < HEADER)
            {
                header.putInt(MAGIC).putInt(VERSION).putLong(0).flip();
                channel.truncate(0);
                Positional.writeFully(channel, header, 0);
            }
            else
            {
                Positional.readFully(channel, header, 0, path, "node");
                if (header.getInt(0) != MAGIC || header.getInt(4) != VERSION)
                {
                    throw new IOException(path + " is not a tree file of this version (magic " +
                        Integer.toHexString(header.getInt(0)) + ", version " + header.getInt(4) + ", at offset 0)");
                }
            }
            return new TreeFile(path, channel);
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    /**
     * @param level a node's level.
     * @param index its index.
     * @return its slot.
     */
    public static long slot(final int level, final long index)
    {
        return (index << (level + 1)) + (1L << level) - 1;
    }

    /** @param level a node's level. @param index its index. @return its byte offset in the file. */
    public static long offset(final int level, final long index)
    {
        return HEADER + slot(level, index) * Rfc9162.HASH_BYTES;
    }

    @Override
    public void write(final int level, final long index, final byte[] hash) throws IOException
    {
        final ByteBuffer buffer = writeBuffer.clear();
        buffer.put(hash).flip();
        Positional.writeFully(channel, buffer, offset(level, index));
    }

    @Override
    public byte[] read(final int level, final long index) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(Rfc9162.HASH_BYTES);
        Positional.readFully(channel, buffer, offset(level, index), path, "node");
        return buffer.array();
    }

    @Override
    public void truncate(final long leaves) throws IOException
    {
        final long length = HEADER + Math.max(0, 2 * leaves - 1) * Rfc9162.HASH_BYTES;
        if (channel.size() > length)
        {
            channel.truncate(length);
        }
    }

    @Override
    public long extent() throws IOException
    {
        final long slots = (channel.size() - HEADER) / Rfc9162.HASH_BYTES;
        return (slots + 1) / 2;
    }

    @Override
    public void sync() throws IOException
    {
        channel.force(false);
    }

    /** @return the file. */
    public Path path()
    {
        return path;
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }
}
