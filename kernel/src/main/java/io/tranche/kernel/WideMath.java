package io.tranche.kernel;

/**
 * Exact unsigned wide arithmetic on {@code long} limbs for the divisor methods: 64×64→128 products,
 * 128/64 division, 128×128→256 products and comparisons. No allocation: 256-bit results are written
 * into a caller-owned {@code long[]} (most significant limb first).
 * <p>
 * All values are unsigned; a 128-bit value is a pair (high, low).
 */
final class WideMath
{
    private static final long MASK32 = 0xFFFF_FFFFL;

    private WideMath()
    {
    }

    /**
     * @param a unsigned factor.
     * @param b unsigned factor.
     * @return the high 64 bits of the unsigned 128-bit product {@code a·b} (Java 17 has only the signed
     * {@code Math.multiplyHigh}; the correction terms turn it into the unsigned one).
     */
    static long unsignedMultiplyHigh(final long a, final long b)
    {
        return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }

    /**
     * Compares two unsigned 128-bit values.
     *
     * @return negative, zero or positive as (aHigh, aLow) is below, equal to or above (bHigh, bLow).
     */
    static int compare128(final long aHigh, final long aLow, final long bHigh, final long bLow)
    {
        if (aHigh != bHigh)
        {
            return Long.compareUnsigned(aHigh, bHigh);
        }
        return Long.compareUnsigned(aLow, bLow);
    }

    /**
     * Compares the unsigned products {@code a·b} and {@code c·d} exactly.
     *
     * @return negative, zero or positive as a·b is below, equal to or above c·d.
     */
    static int compareProducts(final long a, final long b, final long c, final long d)
    {
        return compare128(unsignedMultiplyHigh(a, b), a * b, unsignedMultiplyHigh(c, d), c * d);
    }

    /**
     * Unsigned 128/64 division: ⌊(high·2^64 + low) / divisor⌋. The quotient must fit in 64 bits, i.e.
     * {@code high < divisor} unsigned; the remainder is {@code low − quotient·divisor} (mod 2^64).
     * Knuth's algorithm D on 32-bit digits, as in Hacker's Delight {@code divlu}.
     *
     * @param high    high 64 bits of the dividend.
     * @param low     low 64 bits of the dividend.
     * @param divisor non-zero, unsigned, above {@code high}.
     * @return the unsigned quotient.
     */
    static long divide128(final long high, final long low, final long divisor)
    {
        if (high == 0)
        {
            return Long.divideUnsigned(low, divisor);
        }
        final int s = Long.numberOfLeadingZeros(divisor);
        final long v = divisor << s;
        final long vn1 = v >>> 32;
        final long vn0 = v & MASK32;
        final long un32 = s == 0 ? high : (high << s) | (low >>> (64 - s));
        final long un10 = low << s;
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
        return (q1 << 32) + q0;
    }

    /**
     * Unsigned 128×128→256 product, written to {@code out[off..off+4)}, most significant limb first.
     */
    static void multiply128(final long aHigh, final long aLow, final long bHigh, final long bLow, final long[] out, final int off)
    {
        // Schoolbook on 64-bit limbs: (aH·2^64 + aL)(bH·2^64 + bL).
        final long ll = aLow * bLow;
        final long llHigh = unsignedMultiplyHigh(aLow, bLow);
        final long lh = aLow * bHigh;
        final long lhHigh = unsignedMultiplyHigh(aLow, bHigh);
        final long hl = aHigh * bLow;
        final long hlHigh = unsignedMultiplyHigh(aHigh, bLow);
        final long hh = aHigh * bHigh;
        final long hhHigh = unsignedMultiplyHigh(aHigh, bHigh);

        // limb 1 (bits 64..127) = llHigh + lh + hl, carries into limb 2
        long limb1 = llHigh + lh;
        long carry = Long.compareUnsigned(limb1, lh) < 0 ? 1 : 0;
        final long limb1b = limb1 + hl;
        carry += Long.compareUnsigned(limb1b, hl) < 0 ? 1 : 0;
        limb1 = limb1b;

        // limb 2 (bits 128..191) = lhHigh + hlHigh + hh + carry, carries into limb 3
        long limb2 = lhHigh + hlHigh;
        long carry2 = Long.compareUnsigned(limb2, hlHigh) < 0 ? 1 : 0;
        long t = limb2 + hh;
        carry2 += Long.compareUnsigned(t, hh) < 0 ? 1 : 0;
        limb2 = t;
        t = limb2 + carry;
        carry2 += Long.compareUnsigned(t, limb2) < 0 ? 1 : 0;
        limb2 = t;

        out[off] = hhHigh + carry2;
        out[off + 1] = limb2;
        out[off + 2] = limb1;
        out[off + 3] = ll;
    }

    /**
     * Compares two unsigned 256-bit values stored most significant limb first.
     *
     * @return negative, zero or positive as x is below, equal to or above y.
     */
    static int compare256(final long[] x, final int xo, final long[] y, final int yo)
    {
        for (int k = 0; k < 4; k++)
        {
            if (x[xo + k] != y[yo + k])
            {
                return Long.compareUnsigned(x[xo + k], y[yo + k]);
            }
        }
        return 0;
    }

    /**
     * Compares the unsigned 256-bit products {@code (a·b)·(c·d)} and {@code (e·f)·(g·h)} of 64-bit
     * unsigned factors, using {@code scratch[0..8)}.
     *
     * @return negative, zero or positive as the first product is below, equal to or above the second.
     */
    static int compareProducts4(
        final long a, final long b, final long c, final long d,
        final long e, final long f, final long g, final long h,
        final long[] scratch)
    {
        multiply128(unsignedMultiplyHigh(a, b), a * b, unsignedMultiplyHigh(c, d), c * d, scratch, 0);
        multiply128(unsignedMultiplyHigh(e, f), e * f, unsignedMultiplyHigh(g, h), g * h, scratch, 4);
        return compare256(scratch, 0, scratch, 4);
    }

    /**
     * Compares {@code (a·b)·(c·d)} with {@code (e·f)·(g·h)} for factors below 2^63, in 128 bits when the
     * four pair products fit in 63 bits (the usual case), else in 256 bits.
     *
     * @return negative, zero or positive as the first product is below, equal to or above the second.
     */
    static int compareProductPairs(
        final long a, final long b, final long c, final long d,
        final long e, final long f, final long g, final long h,
        final long[] scratch)
    {
        final long ab = a * b;
        final long cd = c * d;
        final long ef = e * f;
        final long gh = g * h;
        if ((Math.multiplyHigh(a, b) | Math.multiplyHigh(c, d) | Math.multiplyHigh(e, f) | Math.multiplyHigh(g, h)) == 0 &&
            (ab | cd | ef | gh) >= 0)
        {
            return compareProducts(ab, cd, ef, gh);
        }
        return compareProducts4(a, b, c, d, e, f, g, h, scratch);
    }
}
