package io.tranche.kernel;

import java.math.BigInteger;

/**
 * Dean (harmonic mean): t(n) = n(n+1)/(n+½), so a claim's first lot has infinite priority. Since
 * n &lt; t(n) &lt; n + 1 for n ≥ 1, the lots with t(n) ≤ x are those below ⌊x⌋ and, exactly when
 * t(⌊x⌋) ≤ x, one more.
 */
final class Dean extends DivisorMethod
{
    Dean()
    {
        super(true);
    }

    @Override
    long lotsUpTo(final long q, final long r, final long d)
    {
        if (q == 0 || r >= d - r)
        {
            // t(0) = 0; and x ≥ q + ½ > t(q), since t(q) − q = q/(2q + 1) < ½.
            return q + 1;
        }
        // t(q) ≤ q + r/d  ⟺  q(q+1)·d ≤ (q·d + r)(q + ½)  ⟺  q·d ≤ r·(2q + 1); q < 2^62.
        return Int128.compareProductsUnsigned(q, d, r, 2 * q + 1) <= 0 ? q + 1 : q;
    }

    @Override
    long lotsUpToEstimate(final long q, final long low, final long w)
    {
        // Lot q + 1 counts when f ≥ q/(2q + 1) = ½ − 2^63/(2q + 1) / 2^64 (see lotsUpTo), a threshold below ½.
        final long u = low + w;
        if (shortEstimate(q))
        {
            // Certainly when L ≥ 2^63; certainly not when U = L + w < 2^63 and U + G ≤ 2^63 for the pass's gap
            // G ≥ 2^63/(2q + 1) (gapFrom): no products. A fraction within G of ½ is left to lotsUpTo. (A gap read
            // off each claim's bit length cost more per claim than the few it decides.)
            final long up = low >>> 63;
            final long down = belowHalfBy(u, estimateGap);
            return q + up | (up | down) - 1;
        }
        // Certainly when q = 0, L ≥ 2^63 or L·(2q + 1) ≥ q·2^64, certainly not when L + w < 2^63 and
        // (L + w)·(2q + 1) < q·2^64. Those products are read only where their factors are below 2^63, so signed
        // high words serve; they stay below 2q + 1, so their differences with q do not overflow. Without branches
        // (see SainteLague).
        final long m = 2 * q + 1;
        final long up = (q - 1 | low | ~(Math.multiplyHigh(low, m) - q)) >>> 63;
        final long down = (Math.multiplyHigh(u, m) - q & ~u) >>> 63;
        return q + up | (up | down) - 1;
    }

    @Override
    long gapFrom(final long qMin)
    {
        // 2^nlz(2q + 1) ≥ 2^63/(2q + 1) ≥ 2^63/(2q' + 1) for every q' ≥ q: ½ less it lies below q'/(2q' + 1).
        // At q = 64 it is 2^56, one fraction in 256; a tier of counts near 10^5 leaves one in 2^17.
        return 1L << Long.numberOfLeadingZeros(2 * Math.max(qMin, SHORT_THRESHOLD_FROM) + 1);
    }

    @Override
    int compareFinite(final long wi, final long ni, final long wj, final long nj)
    {
        // Most pairs are told apart by Sainte-Laguë's products; else w·(2n+1) / (2n(n+1)) on each side,
        // cross-multiplied: up to 250 bits.
        final int halves = compareByHalves(wi, ni, wj, nj);
        if (halves != UNDECIDED)
        {
            return halves;
        }
        return WideMath.compareProductPairs(wi, 2 * ni + 1, nj, nj + 1, wj, 2 * nj + 1, ni, ni + 1, wide);
    }

    @Override
    Explainer.Fraction priority(final long weight, final long n)
    {
        // t(n) = n(n+1)/(n+½) = 2n(n+1)/(2n+1).
        final BigInteger k = BigInteger.valueOf(n);
        return n == 0 ? Explainer.Fraction.INFINITY :
            Explainer.Fraction.of(
                BigInteger.valueOf(weight).multiply(k.shiftLeft(1).add(BigInteger.ONE)),
                k.multiply(k.add(BigInteger.ONE)).shiftLeft(1));
    }
}
