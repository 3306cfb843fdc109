package io.tranche.server.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A disk that fills up: every channel it opens shares a budget of bytes; a write that grows a file beyond it
 * writes what fits (a partial write, as a real full disk does) and then fails with ENOSPC's message, while a write
 * within a file's length (an overwrite in place) needs no space. Raise the budget to "free space". Forces can be
 * made to fail too.
 */
final class FaultyChannels implements Journal.Channels
{
    final AtomicLong budget = new AtomicLong(Long.MAX_VALUE);
    volatile boolean failForce;
    final AtomicLong written = new AtomicLong();

    @Override
    public FileChannel open(final Path path, final OpenOption... options) throws IOException
    {
        return new Faulty(FileChannel.open(path, options));
    }

    private final class Faulty extends FileChannel
    {
        private final FileChannel delegate;

        Faulty(final FileChannel delegate)
        {
            this.delegate = delegate;
        }

        private int limited(final ByteBuffer src, final long position) throws IOException
        {
            // Overwriting bytes the file already has needs no space (the journal mark is rewritten in place).
            final long at = position < 0 ? delegate.position() : position;
            if (at + src.remaining() <= delegate.size())
            {
                final int done = position < 0 ? delegate.write(src) : delegate.write(src, position);
                written.addAndGet(done);
                return done;
            }
            final long allowed = budget.get();
            if (allowed <= 0)
            {
                throw new IOException("No space left on device");
            }
            final int n = (int)Math.min(src.remaining(), allowed);
            final ByteBuffer slice = src.duplicate();
            slice.limit(slice.position() + n);
            final int done = position < 0 ? delegate.write(slice) : delegate.write(slice, position);
            src.position(src.position() + done);
            budget.addAndGet(-done);
            written.addAndGet(done);
            return done;
        }

        @Override
        public int write(final ByteBuffer src) throws IOException
        {
            return limited(src, -1);
        }

        @Override
        public int write(final ByteBuffer src, final long position) throws IOException
        {
            return limited(src, position);
        }

        @Override
        public long write(final ByteBuffer[] srcs, final int offset, final int length) throws IOException
        {
            long total = 0;
            for (int i = offset; i < offset + length; i++)
            {
                total += write(srcs[i]);
            }
            return total;
        }

        @Override
        public void force(final boolean metaData) throws IOException
        {
            if (failForce)
            {
                throw new IOException("Input/output error (injected fsync failure)");
            }
            delegate.force(metaData);
        }

        @Override
        public int read(final ByteBuffer dst) throws IOException
        {
            return delegate.read(dst);
        }

        @Override
        public long read(final ByteBuffer[] dsts, final int offset, final int length) throws IOException
        {
            return delegate.read(dsts, offset, length);
        }

        @Override
        public int read(final ByteBuffer dst, final long position) throws IOException
        {
            return delegate.read(dst, position);
        }

        @Override
        public long position() throws IOException
        {
            return delegate.position();
        }

        @Override
        public FileChannel position(final long newPosition) throws IOException
        {
            delegate.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException
        {
            return delegate.size();
        }

        @Override
        public FileChannel truncate(final long size) throws IOException
        {
            delegate.truncate(size);
            return this;
        }

        @Override
        public long transferTo(final long position, final long count, final WritableByteChannel target)
            throws IOException
        {
            return delegate.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(final ReadableByteChannel src, final long position, final long count)
            throws IOException
        {
            throw new IOException("not used");
        }

        @Override
        public MappedByteBuffer map(final MapMode mode, final long position, final long size) throws IOException
        {
            throw new IOException("not used");
        }

        @Override
        public FileLock lock(final long position, final long size, final boolean shared) throws IOException
        {
            return delegate.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(final long position, final long size, final boolean shared) throws IOException
        {
            return delegate.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException
        {
            delegate.close();
        }
    }
}
