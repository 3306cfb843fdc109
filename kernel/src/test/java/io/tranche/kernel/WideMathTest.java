package io.tranche.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class WideMathTest
{
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private static BigInteger unsigned(final long x)
    {
        final BigInteger b = BigInteger.valueOf(x);
        return x < 0 ? b.add(TWO_64) : b;
    }

    private static BigInteger wide(final long high, final long low)
    {
        return unsigned(high).shiftLeft(64).add(unsigned(low));
    }

    private static BigInteger wide(final long[] x, final int off)
    {
        BigInteger b = BigInteger.ZERO;
        for (int k = 0; k < 4; k++)
        {
            b = b.shiftLeft(64).add(unsigned(x[off + k]));
        }
        return b;
    }

    /** Random 64-bit values biased to the edges: tiny, near powers of two, all bits. */
    private static long value(final SplittableRandom random)
    {
        switch (random.nextInt(6))
        {
            case 0:
                return random.nextLong(16);
            case 1:
                return -1L - random.nextLong(16);
            case 2:
                return (1L << random.nextInt(64)) + random.nextLong(-3, 4);
            case 3:
                return random.nextLong() >>> random.nextInt(64);
            default:
                return random.nextLong();
        }
    }

    @Test
    void shouldMultiplyHighUnsignedLikeBigInteger()
    {
        final SplittableRandom random = new SplittableRandom(1);
        for (int k = 0; k < 200_000; k++)
        {
            final long a = value(random);
            final long b = value(random);
            final BigInteger p = unsigned(a).multiply(unsigned(b));
            assertThat(Int128.multiplyHighUnsigned(a, b)).as("%s * %s", a, b).isEqualTo(p.shiftRight(64).longValue());
        }
    }

    @Test
    void shouldCompareProductsLikeBigInteger()
    {
        final SplittableRandom random = new SplittableRandom(2);
        for (int k = 0; k < 200_000; k++)
        {
            final long a = value(random);
            final long b = value(random);
            final long c = random.nextInt(4) == 0 ? a : value(random);
            final long d = random.nextInt(4) == 0 ? b : value(random);
            final int expected = unsigned(a).multiply(unsigned(b)).compareTo(unsigned(c).multiply(unsigned(d)));
            assertThat(Integer.signum(Int128.compareProductsUnsigned(a, b, c, d))).isEqualTo(expected);
            assertThat(Integer.signum(Int128.compareProductsUnsigned(a, b, b, a))).isZero();
        }
    }

    @Test
    void shouldDivide128By64LikeBigInteger()
    {
        final SplittableRandom random = new SplittableRandom(3);
        int checked = 0;
        while (checked < 300_000)
        {
            final long divisor = value(random);
            if (divisor == 0)
            {
                continue;
            }
            long high = value(random);
            if (Long.compareUnsigned(high, divisor) >= 0)
            {
                high = Long.remainderUnsigned(high, divisor);
            }
            final long low = value(random);
            final BigInteger[] qr = wide(high, low).divideAndRemainder(unsigned(divisor));
            final long q = Int128.quotientUnsigned(high, low, divisor);
            assertThat(unsigned(q)).as("(%s, %s) / %s", high, low, divisor).isEqualTo(qr[0]);
            assertThat(unsigned(low - q * divisor)).isEqualTo(qr[1]);
            checked++;
        }
    }

    @Test
    void shouldDivideAtTheEdges()
    {
        final long[] divisors =
            {1, 2, 3, Long.MAX_VALUE, Long.MIN_VALUE, -1L, 1L << 32, (1L << 32) + 1, (1L << 32) - 1};
        for (final long divisor : divisors)
        {
            final long[] highs = {0, 1, Long.MAX_VALUE, -2L, (1L << 32) - 1, 1L << 32};
            for (final long h : highs)
            {
                final long high = Long.compareUnsigned(h, divisor) < 0 ? h : Long.remainderUnsigned(h, divisor);
                for (final long low : new long[]{0, 1, -1L, Long.MAX_VALUE, Long.MIN_VALUE})
                {
                    final BigInteger[] qr = wide(high, low).divideAndRemainder(unsigned(divisor));
                    final long q = Int128.quotientUnsigned(high, low, divisor);
                    assertThat(unsigned(q)).isEqualTo(qr[0]);
                    assertThat(unsigned(low - q * divisor)).isEqualTo(qr[1]);
                }
            }
        }
    }

    @Test
    void shouldMultiply128x128LikeBigInteger()
    {
        final SplittableRandom random = new SplittableRandom(4);
        final long[] out = new long[8];
        for (int k = 0; k < 200_000; k++)
        {
            final long aHigh = value(random);
            final long aLow = value(random);
            final long bHigh = value(random);
            final long bLow = value(random);
            WideMath.multiply128(aHigh, aLow, bHigh, bLow, out, 4);
            assertThat(wide(out, 4)).isEqualTo(wide(aHigh, aLow).multiply(wide(bHigh, bLow)));
        }
    }

    @Test
    void shouldCompareFourFactorProductsLikeBigInteger()
    {
        final SplittableRandom random = new SplittableRandom(5);
        final long[] scratch = new long[8];
        for (int k = 0; k < 100_000; k++)
        {
            final long[] f = new long[8];
            for (int j = 0; j < 8; j++)
            {
                f[j] = random.nextInt(3) == 0 && j >= 4 ? f[j - 4] : value(random);
            }
            final BigInteger left =
                unsigned(f[0]).multiply(unsigned(f[1])).multiply(unsigned(f[2])).multiply(unsigned(f[3]));
            final BigInteger right =
                unsigned(f[4]).multiply(unsigned(f[5])).multiply(unsigned(f[6])).multiply(unsigned(f[7]));
            assertThat(Integer.signum(WideMath.compareProducts4(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7],
                scratch)))
                .isEqualTo(left.compareTo(right));
        }
    }

    @Test
    void shouldComparePairProductsLikeBigIntegerOnBothPaths()
    {
        final SplittableRandom random = new SplittableRandom(6);
        final long[] scratch = new long[8];
        for (int k = 0; k < 200_000; k++)
        {
            final long[] f = new long[8];
            final int bits = 1 + random.nextInt(63);
            for (int j = 0; j < 8; j++)
            {
                f[j] = random.nextInt(3) == 0 && j >= 4 ? f[j - 4] : random.nextLong() >>> (64 - bits);
            }
            final BigInteger left = BigInteger.valueOf(f[0]).multiply(BigInteger.valueOf(f[1]))
                .multiply(BigInteger.valueOf(f[2])).multiply(BigInteger.valueOf(f[3]));
            final BigInteger right = BigInteger.valueOf(f[4]).multiply(BigInteger.valueOf(f[5]))
                .multiply(BigInteger.valueOf(f[6])).multiply(BigInteger.valueOf(f[7]));
            assertThat(Integer.signum(WideMath.compareProductPairs(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7],
                scratch)))
                .as("bits %d", bits).isEqualTo(left.compareTo(right));
        }
    }
}
