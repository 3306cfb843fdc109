package io.tranche.kernel;

/**
 * Allocation-free 128-bit integer helpers for exact arithmetic on values up to 2^64.
 * <p>
 * A 128-bit value is a pair of longs {@code (hi, lo)}: {@code hi} holds bits 64..127, {@code lo} bits
 * 0..63. Read as unsigned, the value is {@code hi·2^64 + (lo as unsigned)}; read as signed (two's
 * complement), {@code hi} carries the sign. Java 17 offers only {@link Math#multiplyHigh} (signed), so the
 * unsigned high word is derived from it; Java 18's {@code Math.unsignedMultiplyHigh} computes the same.
 * <p>
 * Division returns the quotient and leaves the remainder in {@link #remainder} of a reusable instance, so
 * that a hot loop can divide without allocating: keep one {@code Int128} per thread.
 *
 * <pre>{@code
 * Int128 div = new Int128();
 * long hi = Int128.multiplyHighUnsigned(a, b);   // a·b = (hi, a*b)
 * long q = div.divideUnsigned(hi, a * b, d);      // ⌊a·b / d⌋, requires hi < d (unsigned)
 * long r = div.remainder;                          // a·b mod d
 * }</pre>
 */
public final class Int128
{
    private static final long MASK32 = 0xFFFF_FFFFL;

    /** The remainder left by the last {@link #divideUnsigned} on this instance. */
    public long remainder;

    /** The divisor {@link #divideByInvariant} last prepared for (0: none), its shift, normalised form and inverse. */
    private long invariantDivisor;
    private int invariantShift;
    private long invariantNormal;
    private long invariantInverse;

    /**
     * High 64 bits of the signed 128-bit product {@code a·b}; the low 64 bits are {@code a * b}.
     *
     * @param a a signed factor.
     * @param b a signed factor.
     * @return bits 64..127 of the product.
     */
    public static long multiplyHigh(final long a, final long b)
    {
        return Math.multiplyHigh(a, b);
    }

    /**
     * ⌊x / d⌋ exactly, by a multiply with {@code reciprocal = Long.divideUnsigned(-1L, d)} (⌊2^64 / d⌋ or one
     * less) instead of a hardware division: the estimate is low by at most one (libdivide), so
     * {@code 0 ≤ x − q·d < 2d} and {@code x − q·d − d} fits a signed long. The correction is branch free because
     * it is needed about half the time. The one copy of the per-claim division of {@link LevelSolver},
     * {@link CommonCase} and {@link DivisorMethod}; small enough (under 35 bytecodes) that C2 always inlines it,
     * so the hot loops make no call.
     *
     * @param x          an unsigned dividend.
     * @param d          the divisor, {@code 1 ≤ d < 2^63}.
     * @param reciprocal {@code Long.divideUnsigned(-1L, d)}.
     * @return the quotient; the remainder is {@code x − q·d}.
     */
    static long quotientByReciprocal(final long x, final long d, final long reciprocal)
    {
        final long q = multiplyHighUnsigned(x, reciprocal);
        return q - ~((x - q * d - d) >> 63);
    }

    /**
     * High 64 bits of the unsigned 128-bit product {@code a·b}, both read as unsigned; the low 64 bits
     * are {@code a * b}.
     *
     * @param a an unsigned factor.
     * @param b an unsigned factor.
     * @return bits 64..127 of the unsigned product.
     */
    public static long multiplyHighUnsigned(final long a, final long b)
    {
        // The signed product differs from the unsigned one by b·2^64 when a < 0 and a·2^64 when b < 0.
        return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }

    /**
     * Compares two signed 128-bit values.
     *
     * @return negative, zero or positive as {@code (aHi, aLo)} is below, equal to or above {@code (bHi, bLo)}.
     */
    public static int compareSigned(final long aHi, final long aLo, final long bHi, final long bLo)
    {
        return aHi != bHi ? Long.compare(aHi, bHi) : Long.compareUnsigned(aLo, bLo);
    }

    /**
     * Compares two unsigned 128-bit values.
     *
     * @return negative, zero or positive as {@code (aHi, aLo)} is below, equal to or above {@code (bHi, bLo)}.
     */
    public static int compareUnsigned(final long aHi, final long aLo, final long bHi, final long bLo)
    {
        return aHi != bHi ? Long.compareUnsigned(aHi, bHi) : Long.compareUnsigned(aLo, bLo);
    }

    /**
     * Compares the exact signed products {@code a·b} and {@code c·d}; e.g. fractions {@code a/d} and
     * {@code c/b} with positive denominators compare as {@code a·b} and {@code c·d}.
     *
     * @return negative, zero or positive as {@code a·b} is below, equal to or above {@code c·d}.
     */
    public static int compareProductsSigned(final long a, final long b, final long c, final long d)
    {
        return compareSigned(Math.multiplyHigh(a, b), a * b, Math.multiplyHigh(c, d), c * d);
    }

    /**
     * Compares the exact unsigned products {@code a·b} and {@code c·d}, all four read as unsigned; the signed
     * high words serve when all four are below 2^63 (the divisor methods' weights and lot counts), which saves
     * the unsigned correction of each.
     *
     * @return negative, zero or positive as {@code a·b} is below, equal to or above {@code c·d}.
     */
    public static int compareProductsNonNegative(final long a, final long b, final long c, final long d)
    {
        return (a | b | c | d) >= 0 ? compareProductsSigned(a, b, c, d) : compareProductsUnsigned(a, b, c, d);
    }

    /**
     * Compares the exact unsigned products {@code a·b} and {@code c·d}, all four read as unsigned.
     *
     * @return negative, zero or positive as {@code a·b} is below, equal to or above {@code c·d}.
     */
    public static int compareProductsUnsigned(final long a, final long b, final long c, final long d)
    {
        return compareUnsigned(multiplyHighUnsigned(a, b), a * b, multiplyHighUnsigned(c, d), c * d);
    }

    /**
     * Divides the unsigned 128-bit value {@code (hi, lo)} by the unsigned {@code divisor}; the quotient
     * must fit in 64 bits, that is {@code hi < divisor} (unsigned). Sets {@link #remainder}.
     * <p>
     * Knuth's algorithm D on 32-bit digits as in Hacker's Delight ({@code divlu}, 2nd ed. fig. 9-3):
     * normalise the divisor so its top bit is set, then estimate each 32-bit quotient digit from the top
     * digits and correct it at most twice.
     *
     * @param hi      bits 64..127 of the dividend, unsigned, below {@code divisor}.
     * @param lo      bits 0..63 of the dividend, unsigned.
     * @param divisor unsigned, not 0.
     * @return the quotient, unsigned.
     */
    public long divideUnsigned(final long hi, final long lo, final long divisor)
    {
        final long q = quotientUnsigned(hi, lo, divisor);
        // The remainder is below the divisor, so its low 64 bits are all of it.
        remainder = lo - q * divisor;
        return q;
    }

    /**
     * {@link #divideUnsigned} for a divisor that repeats over many calls (a hot loop's common denominator):
     * Möller and Granlund's division by an invariant integer ("Improved division by invariant integers", IEEE
     * Trans. Computers 2011, algorithm 4), two multiplications and two rare corrections instead of two hardware
     * divisions and Knuth's correction loops. The divisor is normalised (top bit set) and its inverse
     * {@code ⌊(2^128 − 1) / d⌋ − 2^64} computed once, on the first call with a new divisor. Sets
     * {@link #remainder}; same quotient and remainder as {@link #divideUnsigned}, bit for bit.
     *
     * @param hi      bits 64..127 of the dividend, unsigned, below {@code divisor}.
     * @param lo      bits 0..63 of the dividend, unsigned.
     * @param divisor unsigned, not 0.
     * @return the quotient, unsigned.
     */
    public long divideByInvariant(final long hi, final long lo, final long divisor)
    {
        if (divisor != invariantDivisor)
        {
            prepareInvariant(divisor);
        }
        final int s = invariantShift;
        final long d = invariantNormal;
        final long u1 = s == 0 ? hi : (hi << s) | (lo >>> (64 - s));
        final long u0 = lo << s;
        // (q1, q0) = v·u1 + (u1 + 1)·2^64 + u0
        final long p0 = invariantInverse * u1;
        final long q0 = p0 + u0;
        long q1 = multiplyHighUnsigned(invariantInverse, u1) + u1 + 1 + (Long.compareUnsigned(q0, p0) < 0 ? 1 : 0);
        long r = u0 - q1 * d;
        if (Long.compareUnsigned(r, q0) > 0)
        {
            q1--;
            r += d;
        }
        if (Long.compareUnsigned(r, d) >= 0)
        {
            q1++;
            r -= d;
        }
        remainder = r >>> s;
        return q1;
    }

    private void prepareInvariant(final long divisor)
    {
        final int s = Long.numberOfLeadingZeros(divisor);
        final long d = divisor << s;
        invariantShift = s;
        invariantNormal = d;
        // (2^128 − 1 − 2^64·d) / d with the high word ~d below d.
        invariantInverse = quotientUnsigned(~d, -1L, d);
        invariantDivisor = divisor;
    }

    /**
     * The quotient of {@link #divideUnsigned} without the remainder, for callers that hold no instance.
     *
     * @param hi      bits 64..127 of the dividend, unsigned, below {@code divisor}.
     * @param lo      bits 0..63 of the dividend, unsigned.
     * @param divisor unsigned, not 0.
     * @return the quotient, unsigned.
     */
    public static long quotientUnsigned(final long hi, final long lo, final long divisor)
    {
        if (hi == 0)
        {
            if (lo >= 0 && divisor > 0)
            {
                final long q = lo / divisor;
                return q;
            }
            return Long.divideUnsigned(lo, divisor);
        }
        final int s = Long.numberOfLeadingZeros(divisor);
        final long v = divisor << s;
        final long vn1 = v >>> 32;
        final long vn0 = v & MASK32;
        final long un32 = s == 0 ? hi : (hi << s) | (lo >>> (64 - s));
        final long un10 = lo << s;
        final long un1 = un10 >>> 32;
        final long un0 = un10 & MASK32;

        long q1 = Long.divideUnsigned(un32, vn1);
        long rhat = un32 - q1 * vn1;
        while (q1 > MASK32 || Long.compareUnsigned(q1 * vn0, (rhat << 32) | un1) > 0)
        {
            q1--;
            rhat += vn1;
            if (rhat > MASK32)
            {
                break;
            }
        }
        final long un21 = (un32 << 32) + un1 - q1 * v;

        long q0 = Long.divideUnsigned(un21, vn1);
        rhat = un21 - q0 * vn1;
        while (q0 > MASK32 || Long.compareUnsigned(q0 * vn0, (rhat << 32) | un0) > 0)
        {
            q0--;
            rhat += vn1;
            if (rhat > MASK32)
            {
                break;
            }
        }
        return (q1 << 32) | q0;
    }

    /**
     * {@code ⌊a·b / d⌋} for unsigned {@code a, b, d} whose quotient fits in 64 bits; sets {@link #remainder}.
     *
     * @param a       unsigned factor.
     * @param b       unsigned factor.
     * @param divisor unsigned, above the high word of {@code a·b}.
     * @return the quotient, unsigned.
     */
    public long multiplyDivideUnsigned(final long a, final long b, final long divisor)
    {
        return divideUnsigned(multiplyHighUnsigned(a, b), a * b, divisor);
    }
}
