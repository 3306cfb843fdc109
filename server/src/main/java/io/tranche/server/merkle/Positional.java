package io.tranche.server.merkle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** Whole-buffer positional reads and writes, for the tree's files. */
final class Positional
{
    private Positional()
    {
    }

    /**
     * @param channel  the file.
     * @param buffer   written from its position to its limit.
     * @param position where in the file.
     * @throws IOException on a failed write.
     */
    static void writeFully(final FileChannel channel, final ByteBuffer buffer, final long position)
        throws IOException
    {
        long at = position;
        while (buffer.hasRemaining())
        {
            at += channel.write(buffer, at);
        }
    }

    /**
     * @param channel  the file.
     * @param buffer   filled from its position to its limit.
     * @param position where in the file.
     * @param path     the file's path, for the message.
     * @param what     what the bytes should be ("record", "node"), for the message.
     * @throws IOException on a failed read, or when the file ends first.
     */
    static void readFully(final FileChannel channel, final ByteBuffer buffer, final long position, final Path path,
        final String what) throws IOException
    {
        long at = position;
        while (buffer.hasRemaining())
        {
            final int n = channel.read(buffer, at);
            if (n < 0)
            {
                throw new IOException(path + " ends at offset " + at + " before the " + what + " it should hold");
            }
            at += n;
        }
    }
}
