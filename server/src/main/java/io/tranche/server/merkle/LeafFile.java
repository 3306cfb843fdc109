package io.tranche.server.merkle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The leaves' bytes in two files: {@code NAME} holds a 16-byte header ({@code TRLF}, version 1, reserved) then one
 * record per leaf, {@code length:int crc32c:int bytes} (the CRC-32C over the bytes); {@code NAME.idx} holds a
 * 16-byte header ({@code TRLI}, version 1, reserved) then each record's offset as 8 bytes, so that leaf i is found
 * with two reads and the heap holds nothing per leaf. Like the {@link TreeFile}, the files are derived from the
 * log, written without a sync per leaf, synced before each snapshot and cut back or rewritten by recovery.
 */
public final class LeafFile implements LeafStore
{
    private static final int HEADER = 16;
    private static final int RECORD_HEADER = 8;
    private static final int DATA_MAGIC = 0x54524C46; // "TRLF"
    private static final int INDEX_MAGIC = 0x54524C49; // "TRLI"
    private static final int VERSION = 1;

    private final Path path;
    private final Path indexPath;
    private final FileChannel data;
    private final FileChannel index;
    private final CRC32C crc = new CRC32C();
    private ByteBuffer writeBuffer = ByteBuffer.allocate(512);
    private final ByteBuffer offsetBuffer = ByteBuffer.allocate(Long.BYTES);
    private long end;
    // Leaves in the files: the next append is leaf `count`, its record at `end`.
    private long count;

    private LeafFile(final Path path, final Path indexPath, final FileChannel data, final FileChannel index)
        throws IOException
    {
        this.path = path;
        this.indexPath = indexPath;
        this.data = data;
        this.index = index;
        count = (index.size() - HEADER) / Long.BYTES;
        end = count == 0 ? HEADER : recordEnd(count - 1);
    }

    /**
     * Opens the two files, creating them with their headers when missing or empty.
     *
     * @param path the leaves' file ({@code .idx} is added for the index).
     * @return the store.
     * @throws IOException when they cannot be opened or hold something else.
     */
    public static LeafFile open(final Path path) throws IOException
    {
        final Path indexPath = path.resolveSibling(path.getFileName() + ".idx");
        FileChannel data = null;
        FileChannel index = null;
        try
        {
            data = openWithHeader(path, DATA_MAGIC);
            index = openWithHeader(indexPath, INDEX_MAGIC);
            final LeafFile file = new LeafFile(path, indexPath, data, index);
            return file;
        }
        catch (final IOException | RuntimeException ex)
        {
            if (data != null)
            {
                data.close();
            }
            if (index != null)
            {
                index.close();
            }
            throw ex;
        }
    }

    private static FileChannel openWithHeader(final Path path, final int magic) throws IOException
    {
        final FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        try
        {
            final ByteBuffer header = ByteBuffer.allocate(HEADER);
            if (channel.size() < HEADER)
            {
                header.putInt(magic).putInt(VERSION).putLong(0).flip();
                channel.truncate(0);
                Positional.writeFully(channel, header, 0);
            }
            else
            {
                Positional.readFully(channel, header, 0, path, "record");
                if (header.getInt(0) != magic || header.getInt(4) != VERSION)
                {
                    throw new IOException(path + " is not a leaf file of this version (magic " +
                        Integer.toHexString(header.getInt(0)) + ", version " + header.getInt(4) + ", at offset 0)");
                }
            }
            return channel;
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    @Override
    public void write(final long leafIndex, final byte[] leaf) throws IOException
    {
        if (leafIndex != count)
        {
            // Over a leaf the files hold: what follows it is dropped.
            truncate(leafIndex);
        }
        final int length = RECORD_HEADER + leaf.length;
        if (writeBuffer.capacity() < length)
        {
            writeBuffer = ByteBuffer.allocate(Math.max(length, 2 * writeBuffer.capacity()));
        }
        crc.reset();
        crc.update(leaf, 0, leaf.length);
        final ByteBuffer record = writeBuffer.clear();
        record.putInt(leaf.length).putInt((int)crc.getValue()).put(leaf).flip();
        Positional.writeFully(data, record, end);
        offsetBuffer.clear().putLong(end).flip();
        Positional.writeFully(index, offsetBuffer, HEADER + leafIndex * Long.BYTES);
        end += length;
        count = leafIndex + 1;
    }

    @Override
    public byte[] read(final long leafIndex) throws IOException
    {
        final long offset = offset(leafIndex);
        final ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER);
        Positional.readFully(data, header, offset, path, "record");
        final int length = header.getInt(0);
        if (length < 0 || offset + RECORD_HEADER + length > data.size())
        {
            throw new IOException("leaf " + leafIndex + " in " + path + " (offset " + offset + ") has a bad length " +
                length);
        }
        final ByteBuffer bytes = ByteBuffer.allocate(length);
        Positional.readFully(data, bytes, offset + RECORD_HEADER, path, "record");
        final CRC32C check = new CRC32C();
        check.update(bytes.array(), 0, length);
        if ((int)check.getValue() != header.getInt(4))
        {
            throw new IOException("leaf " + leafIndex + " in " + path + " (offset " + offset + ") fails its checksum");
        }
        return bytes.array();
    }

    /** Reads the records front to back in 1 MiB blocks: one read per block, not three per leaf. */
    @Override
    public void forEach(final long leaves, final LeafSink sink) throws IOException
    {
        if (leaves > count)
        {
            throw new IOException(path + " holds " + count + " leaves, fewer than " + leaves);
        }
        final SequentialReader reader = new SequentialReader(data, path, HEADER, end, 1 << 20);
        final CRC32C check = new CRC32C();
        for (long i = 0; i < leaves; i++)
        {
            final long offset = reader.position();
            final int header = reader.take(RECORD_HEADER);
            final int length = reader.intAt(header);
            final int expected = reader.intAt(header + 4);
            if (length < 0 || offset + RECORD_HEADER + length > end)
            {
                throw new IOException("leaf " + i + " in " + path + " (offset " + offset + ") has a bad length " +
                    length);
            }
            final int at = reader.take(length);
            check.reset();
            check.update(reader.array(), at, length);
            if ((int)check.getValue() != expected)
            {
                throw new IOException("leaf " + i + " in " + path + " (offset " + offset + ") fails its checksum");
            }
            sink.leaf(reader.array(), at, length);
        }
    }

    @Override
    public void truncate(final long leaves) throws IOException
    {
        if (leaves > count)
        {
            throw new IOException(path + " holds " + count + " leaves, fewer than " + leaves);
        }
        end = leaves == 0 ? HEADER : recordEnd(leaves - 1);
        index.truncate(HEADER + leaves * Long.BYTES);
        data.truncate(end);
        count = leaves;
    }

    @Override
    public long extent()
    {
        return count;
    }

    @Override
    public void sync() throws IOException
    {
        data.force(false);
        index.force(false);
    }

    @Override
    public void close() throws IOException
    {
        try
        {
            data.close();
        }
        finally
        {
            index.close();
        }
    }

    /** @return the leaves' file. */
    public Path path()
    {
        return path;
    }

    private long offset(final long leafIndex) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(Long.BYTES);
        Positional.readFully(index, buffer, HEADER + leafIndex * Long.BYTES, indexPath, "record");
        final long offset = buffer.getLong(0);
        if (offset < HEADER || offset >= data.size())
        {
            throw new IOException("leaf " + leafIndex + " in " + indexPath + " (offset " +
                (HEADER + leafIndex * Long.BYTES) + ") points past " + path + ": " + offset);
        }
        return offset;
    }

    private long recordEnd(final long leafIndex) throws IOException
    {
        final long offset = offset(leafIndex);
        final ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER);
        Positional.readFully(data, header, offset, path, "record");
        return offset + RECORD_HEADER + header.getInt(0);
    }
}
