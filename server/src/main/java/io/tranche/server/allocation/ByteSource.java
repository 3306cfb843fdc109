package io.tranche.server.allocation;

import java.io.InputStream;

/** An input stream over a reused byte array, re-pointed for each call: no allocation per message. */
public class ByteSource extends InputStream
{
    /** The bytes. */
    protected byte[] bytes;
    /** The next byte to read. */
    protected int position;
    /** The end of the bytes. */
    protected int limit;

    /**
     * @param bytes the array (not copied).
     * @param limit how many of its bytes to read.
     * @return this.
     */
    public ByteSource reset(final byte[] bytes, final int limit)
    {
        this.bytes = bytes;
        this.position = 0;
        this.limit = limit;
        return this;
    }

    @Override
    public int read()
    {
        return position < limit ? bytes[position++] & 0xFF : -1;
    }

    @Override
    public int read(final byte[] b, final int off, final int len)
    {
        if (len == 0)
        {
            return 0;
        }
        final int n = Math.min(len, limit - position);
        if (n <= 0)
        {
            return -1;
        }
        System.arraycopy(bytes, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public int available()
    {
        return limit - position;
    }
}
