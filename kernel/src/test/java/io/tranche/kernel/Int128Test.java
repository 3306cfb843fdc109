package io.tranche.kernel;

import java.math.BigInteger;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class Int128Test
{
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
    private static final long[] EDGES = {
        0, 1, 2, 3, 7, (1L << 31) - 1, 1L << 31, (1L << 32) - 1, 1L << 32, (1L << 32) + 1,
        (1L << 61) + 12345, (1L << 62) - 1, 1L << 62, (1L << 62) + 1, Long.MAX_VALUE - 1, Long.MAX_VALUE,
        Long.MIN_VALUE, Long.MIN_VALUE + 1, -3, -2, -1, 0xFFFF_FFFF_0000_0000L, 0x8000_0000_FFFF_FFFFL,
    };

    private static BigInteger unsigned(final long x)
    {
        final BigInteger b = BigInteger.valueOf(x);
        return x < 0 ? b.add(TWO_64) : b;
    }

    private static BigInteger unsigned(final long hi, final long lo)
    {
        return unsigned(hi).shiftLeft(64).add(unsigned(lo));
    }

    private static BigInteger signed(final long hi, final long lo)
    {
        return BigInteger.valueOf(hi).shiftLeft(64).add(unsigned(lo));
    }

    private static long[] values(final long seed, final int n)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] v = new long[EDGES.length + n];
        System.arraycopy(EDGES, 0, v, 0, EDGES.length);
        for (int i = EDGES.length; i < v.length; i++)
        {
            final int bits = random.nextInt(65);
            v[i] = bits == 64 ? random.nextLong() : random.nextLong() >>> (64 - bits);
            if (bits == 0)
            {
                v[i] = 0;
            }
        }
        return v;
    }

    @Test
    void shouldMultiplyExactlySignedAndUnsigned()
    {
        final long[] v = values(1, 200);
        for (final long a : v)
        {
            for (final long b : v)
            {
                assertThat(unsigned(Int128.multiplyHighUnsigned(a, b), a * b))
                    .as("%s * %s unsigned", Long.toUnsignedString(a), Long.toUnsignedString(b))
                    .isEqualTo(unsigned(a).multiply(unsigned(b)));
                assertThat(signed(Int128.multiplyHigh(a, b), a * b))
                    .isEqualTo(BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)));
            }
        }
    }

    @Test
    void shouldCompareProductsExactly()
    {
        final SplittableRandom random = new SplittableRandom(2);
        final long[] v = values(3, 60);
        for (int t = 0; t < 200_000; t++)
        {
            final long a = v[random.nextInt(v.length)];
            final long b = v[random.nextInt(v.length)];
            final long c = random.nextInt(4) == 0 ? a : v[random.nextInt(v.length)];
            final long d = random.nextInt(4) == 0 ? b : v[random.nextInt(v.length)];
            final int expectedUnsigned = unsigned(a).multiply(unsigned(b)).compareTo(unsigned(c).multiply(unsigned(d)));
            assertThat(Integer.signum(Int128.compareProductsUnsigned(a, b, c, d))).isEqualTo(expectedUnsigned);
            // the same unsigned order, by signed high words where all four are below 2^63
            assertThat(Integer.signum(Int128.compareProductsNonNegative(a, b, c, d))).isEqualTo(expectedUnsigned);
            final long a63 = a & Long.MAX_VALUE;
            final long d63 = d & Long.MAX_VALUE;
            assertThat(Integer.signum(Int128.compareProductsNonNegative(a63, b & Long.MAX_VALUE, c & Long.MAX_VALUE,
                d63))).isEqualTo(unsigned(a63).multiply(unsigned(b & Long.MAX_VALUE))
                .compareTo(unsigned(c & Long.MAX_VALUE).multiply(unsigned(d63))));
            final int expectedSigned = BigInteger.valueOf(a).multiply(BigInteger.valueOf(b))
                .compareTo(BigInteger.valueOf(c).multiply(BigInteger.valueOf(d)));
            assertThat(Integer.signum(Int128.compareProductsSigned(a, b, c, d))).isEqualTo(expectedSigned);
        }
    }

    @Test
    void shouldCompareEqualProductsOfDifferentFactorsAsEqual()
    {
        assertThat(Int128.compareProductsSigned(1L << 62, 6, 3L << 61, 4)).isZero();
        assertThat(Int128.compareProductsUnsigned(-1L, -1L, -1L, -1L)).isZero();
        assertThat(Int128.compareProductsUnsigned(-1L, 2, 1, -2L)).isPositive();
        assertThat(Int128.compareProductsSigned(-1L, 2, 1, -2L)).isZero();
    }

    @Test
    void shouldDivide128By64WithRemainder()
    {
        final Int128 div = new Int128();
        final SplittableRandom random = new SplittableRandom(4);
        final long[] v = values(5, 300);
        int checked = 0;
        for (int t = 0; t < 300_000; t++)
        {
            final long d = v[random.nextInt(v.length)];
            if (d == 0)
            {
                continue;
            }
            final long lo = random.nextInt(3) == 0 ? v[random.nextInt(v.length)] : random.nextLong();
            long hi = v[random.nextInt(v.length)];
            if (Long.compareUnsigned(hi, d) >= 0)
            {
                hi = Long.remainderUnsigned(hi, d);
            }
            final BigInteger[] qr = unsigned(hi, lo).divideAndRemainder(unsigned(d));
            final long q = div.divideUnsigned(hi, lo, d);
            assertThat(unsigned(q)).as("(%s,%s)/%s", hi, lo, d).isEqualTo(qr[0]);
            assertThat(unsigned(div.remainder)).isEqualTo(qr[1]);
            checked++;
        }
        assertThat(checked).isGreaterThan(250_000);
    }

    /**
     * The invariant-divisor division gives {@link Int128#divideUnsigned}'s quotient and remainder, and the exact
     * ones: runs of dividends per divisor (as a hot loop divides), divisors switching often, and the edges (the
     * largest high word below the divisor, powers of two, divisors of one to 2^64 − 1).
     */
    @Test
    void shouldDivideByAnInvariantDivisorAsTheGeneralDivision()
    {
        final Int128 invariant = new Int128();
        final Int128 general = new Int128();
        final SplittableRandom random = new SplittableRandom(6);
        final long[] v = values(7, 300);
        int checked = 0;
        for (int t = 0; t < 20_000; t++)
        {
            final long d = t < v.length ? v[t] : random.nextInt(8) == 0 ? v[random.nextInt(v.length)] :
                random.nextLong() >>> random.nextInt(64);
            if (d == 0)
            {
                continue;
            }
            final int run = 1 + random.nextInt(20);
            for (int j = 0; j < run + EDGES.length; j++)
            {
                final long lo = j < EDGES.length ? EDGES[j] : random.nextInt(3) == 0 ? v[random.nextInt(v.length)] :
                    random.nextLong();
                final long hiRaw = j < EDGES.length ? d - 1 - j : random.nextInt(4) == 0 ? d - 1 :
                    v[random.nextInt(v.length)];
                final long hi = Long.compareUnsigned(hiRaw, d) >= 0 ? Long.remainderUnsigned(hiRaw, d) : hiRaw;
                final long q = invariant.divideByInvariant(hi, lo, d);
                final long expected = general.divideUnsigned(hi, lo, d);
                assertThat(q).as("(%s,%s)/%s", hi, lo, d).isEqualTo(expected);
                assertThat(invariant.remainder).as("(%s,%s) mod %s", hi, lo, d).isEqualTo(general.remainder);
                if (random.nextInt(16) == 0)
                {
                    final BigInteger[] qr = unsigned(hi, lo).divideAndRemainder(unsigned(d));
                    assertThat(unsigned(q)).isEqualTo(qr[0]);
                    assertThat(unsigned(invariant.remainder)).isEqualTo(qr[1]);
                }
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(300_000);
    }

    @Test
    void shouldDivideAtTheEdgesOfTheQuotientRange()
    {
        final Int128 div = new Int128();
        for (final long d : EDGES)
        {
            if (d == 0)
            {
                continue;
            }
            // The largest dividend whose quotient fits: (d-1)·2^64 + 2^64-1 → quotient 2^64-1 when d=1... any d.
            final long hi = d - 1;
            final long lo = -1L;
            final BigInteger[] qr = unsigned(hi, lo).divideAndRemainder(unsigned(d));
            assertThat(unsigned(div.divideUnsigned(hi, lo, d))).isEqualTo(qr[0]);
            assertThat(unsigned(div.remainder)).isEqualTo(qr[1]);
        }
        // (2^62)·(2^62) / (2^62 − 1) = 2^62 + 1 rem 1
        assertThat(div.multiplyDivideUnsigned(1L << 62, 1L << 62, (1L << 62) - 1)).isEqualTo((1L << 62) + 1);
        assertThat(div.remainder).isEqualTo(1);
    }
}
