package io.tranche.server.allocation;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Eight bytes of a {@code byte[]} at a time, little-endian (the order of a varint's groups), and protobuf varints of
 * up to eight bytes decoded and encoded without a loop or a branch per byte: the wire path reads and writes the many
 * short fields of a large request this way. Callers keep every access eight bytes inside the array.
 */
final class Words
{
    /** The most bytes a varint handled here has: 8 groups of 7 bits. */
    static final int MAX_VARINT_BYTES = Long.BYTES;
    /** Values below this encode in at most {@link #MAX_VARINT_BYTES}. */
    static final long MAX_VARINT_VALUE = 1L << 7 * MAX_VARINT_BYTES;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;
    /** A varint's length by its value's number of leading zeros (0 to 64), as protobuf computes it. */
    private static final byte[] SIZE_BY_LEADING_ZEROS = new byte[Long.SIZE + 1];
    /** The continuation bits of a varint of 1 to {@link #MAX_VARINT_BYTES} bytes: the high bit of all but the last. */
    private static final long[] CONTINUATION = new long[MAX_VARINT_BYTES + 1];

    static
    {
        // Two loads instead of a multiply and four shifts per value: the response writes two values per award.
        for (int zeros = 0; zeros <= Long.SIZE; zeros++)
        {
            SIZE_BY_LEADING_ZEROS[zeros] = (byte)(640 - zeros * 9 >>> 6);
        }
        for (int bytes = 1; bytes <= MAX_VARINT_BYTES; bytes++)
        {
            CONTINUATION[bytes] = HIGH_BITS & low(bytes - 1);
        }
    }

    private Words()
    {
    }

    /** @param b bytes. @param at first of eight. @return them as a little-endian long. */
    static long get(final byte[] b, final int at)
    {
        return (long)LONGS.get(b, at);
    }

    /** @param b bytes. @param at first of eight. @param word written little-endian. */
    static void put(final byte[] b, final int at, final long word)
    {
        LONGS.set(b, at, word);
    }

    /** @param bytes 0 to 8. @return a mask of the low {@code bytes} bytes of a long. */
    static long low(final int bytes)
    {
        return bytes >= Long.BYTES ? -1L : (1L << (bytes << 3)) - 1;
    }

    /** @param word bytes. @return true when one of them has its high bit set (not ASCII). */
    static boolean anyHigh(final long word)
    {
        return (word & HIGH_BITS) != 0;
    }

    /**
     * @param word eight bytes from where a varint starts.
     * @return the varint's length in bytes (1 to 8), or 0 when it does not end within these eight bytes.
     */
    static int varintLength(final long word)
    {
        final long stops = ~word & HIGH_BITS;
        return stops == 0 ? 0 : Long.numberOfTrailingZeros(stops) + 1 >>> 3;
    }

    /**
     * @param word   eight bytes from where a varint starts.
     * @param length its length, from {@link #varintLength(long)} (1 to 8).
     * @return its value: the 7-bit groups joined, low group first.
     */
    static long varintValue(final long word, final int length)
    {
        if (length <= 3)
        {
            // Most values: three groups at most, one shift each.
            final long x = word & (1L << (length << 3)) - 1;
            return x & 0x7F | x >>> 1 & 0x3F80 | x >>> 2 & 0x1FC000;
        }
        long x = word & low(length) & 0x7F7F7F7F7F7F7F7FL;
        x = x & 0x007F007F007F007FL | (x & 0x7F007F007F007F00L) >>> 1;
        x = x & 0x00003FFF00003FFFL | (x & 0x3FFF00003FFF0000L) >>> 2;
        return x & 0x000000000FFFFFFFL | (x & 0x0FFFFFFF00000000L) >>> 4;
    }

    /** @param value any (negative: ten bytes). @return its varint's length in bytes, as protobuf computes it. */
    static int varintSize(final long value)
    {
        return SIZE_BY_LEADING_ZEROS[Long.numberOfLeadingZeros(value)];
    }

    /**
     * @param value  0 to {@link #MAX_VARINT_VALUE} exclusive.
     * @param length {@link #varintSize(long)} of it.
     * @return its varint's bytes as a little-endian word (the bytes above {@code length} are 0).
     */
    static long varint(final long value, final int length)
    {
        if (value < 1 << 21)
        {
            // Most values: three groups at most, one shift each.
            final long groups = value & 0x7F | (value & 0x3F80) << 1 | (value & 0x1FC000) << 2;
            return groups | CONTINUATION[length];
        }
        long x = value & 0x000000000FFFFFFFL | (value & 0x00FFFFFFF0000000L) << 4;
        x = x & 0x00003FFF00003FFFL | (x & 0x0FFFC0000FFFC000L) << 2;
        x = x & 0x007F007F007F007FL | (x & 0x3F803F803F803F80L) << 1;
        return x | CONTINUATION[length];
    }
}
