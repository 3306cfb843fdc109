package io.tranche.kernel;

/**
 * Exact unsigned 256-bit arithmetic on {@code long} limbs for Dean and Huntington–Hill: 128×128→256
 * products and comparisons (the 128-bit helpers are in {@link Int128}). No allocation: 256-bit results
 * are written into a caller-owned {@code long[]} (most significant limb first).
 * <p>
 * All values are unsigned; a 128-bit value is a pair (high, low).
 */
final class WideMath
{
    private WideMath()
    {
    }

    /**
     * Unsigned 128×128→256 product, written to {@code out[off..off+4)}, most significant limb first.
     */
    static void multiply128(
        final long aHigh, final long aLow, final long bHigh, final long bLow, final long[] out, final int off)
    {
        // Schoolbook on 64-bit limbs: (aH·2^64 + aL)(bH·2^64 + bL).
        final long ll = aLow * bLow;
        final long llHigh = Int128.multiplyHighUnsigned(aLow, bLow);
        final long lh = aLow * bHigh;
        final long lhHigh = Int128.multiplyHighUnsigned(aLow, bHigh);
        final long hl = aHigh * bLow;
        final long hlHigh = Int128.multiplyHighUnsigned(aHigh, bLow);
        final long hh = aHigh * bHigh;
        final long hhHigh = Int128.multiplyHighUnsigned(aHigh, bHigh);

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
        multiply128(Int128.multiplyHighUnsigned(a, b), a * b, Int128.multiplyHighUnsigned(c, d), c * d, scratch, 0);
        multiply128(Int128.multiplyHighUnsigned(e, f), e * f, Int128.multiplyHighUnsigned(g, h), g * h, scratch, 4);
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
        final long highs = Math.multiplyHigh(a, b) | Math.multiplyHigh(c, d) | Math.multiplyHigh(e, f) |
            Math.multiplyHigh(g, h);
        if (highs == 0 &&
            (ab | cd | ef | gh) >= 0)
        {
            return Int128.compareProductsUnsigned(ab, cd, ef, gh);
        }
        return compareProducts4(a, b, c, d, e, f, g, h, scratch);
    }
}
