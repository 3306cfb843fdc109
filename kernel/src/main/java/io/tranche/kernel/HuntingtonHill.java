package io.tranche.kernel;

import java.math.BigInteger;

/**
 * Huntington–Hill (equal proportions, US House): t(n) = √(n(n+1)), so a claim's first lot has
 * infinite priority. Since n &lt; t(n) &lt; n + 1 for n ≥ 1, the lots with t(n) ≤ x are those below
 * ⌊x⌋ and, exactly when t(⌊x⌋) ≤ x, one more. Priorities are compared squared.
 */
final class HuntingtonHill extends DivisorMethod
{
    HuntingtonHill()
    {
        super(true);
    }

    @Override
    long lotsUpTo(final long q, final long r, final long d)
    {
        if (q == 0 || r >= d - r)
        {
            // t(0) = 0; and x ≥ q + ½ > √(q(q+1)).
            return q + 1;
        }
        // t(q) ≤ q + r/d  ⟺  q(q+1)·d² ≤ (q·d + r)²  ⟺  q·d·(d − 2r) ≤ r²; up to 188 bits.
        final long qdHigh = Math.multiplyHigh(q, d);
        final long qdLow = q * d;
        if (qdHigh == 0 && qdLow >= 0)
        {
            return Int128.compareProductsUnsigned(qdLow, d - 2 * r, r, r) <= 0 ? q + 1 : q;
        }
        final long[] x = wide;
        WideMath.multiply128(qdHigh, qdLow, 0, d - 2 * r, x, 0);
        x[4] = 0;
        x[5] = 0;
        x[6] = Math.multiplyHigh(r, r);
        x[7] = r * r;
        return WideMath.compare256(x, 0, x, 4) <= 0 ? q + 1 : q;
    }

    @Override
    long lotsUpToEstimate(final long q, final long low, final long w)
    {
        // Lot q + 1 counts when f ≥ √(q(q+1)) − q, which lies in (2q/(4q + 1), ½) = (½ − 2^63/(4q + 1) / 2^64, ½):
        // certainly when q = 0 or f ≥ ½ (L ≥ 2^63). Without branches (see SainteLague) but the one on q's size; a
        // fraction within the narrow band below ½ is left to lotsUpTo.
        // (An exact test of (q + f)² ≥ q(q + 1) here took six products per claim and read slower on every size.)
        final long u = low + w;
        if (shortEstimate(q))
        {
            // Certainly not when U = L + w < 2^63 and U + G ≤ 2^63 for the pass's gap G ≥ 2^63/(4q + 1)
            // (gapFrom): no product. A fraction within G of ½ is left to lotsUpTo.
            final long up = low >>> 63;
            final long down = belowHalfBy(u, estimateGap);
            return q + up | (up | down) - 1;
        }
        final long up = (q - 1 | low) >>> 63;
        final long m = 4 * q + 1;
        // Certainly not when U·(4q + 1) < 2q·2^64. The high word h of that product is read as unsigned (4q + 1 may
        // reach 2^63; U is below 2^63 where it counts), and where h ≥ 2^63 it is above 2q.
        final long h = Math.multiplyHigh(u, m) + (m >> 63 & u);
        final long down = (h - 2 * q & ~h & ~u) >>> 63;
        return q + up | (up | down) - 1;
    }

    @Override
    long gapFrom(final long qMin)
    {
        // 2^nlz(4q + 1) ≥ 2^63/(4q + 1): ½ less it lies below 2q'/(4q' + 1), the threshold's lower end, for every
        // q' ≥ q (4q + 1 < 2^64 for q < 2^62; past 2^63 the gap is 1). At q = 64 it is 2^55, one fraction in 512.
        return 1L << Long.numberOfLeadingZeros(4 * Math.max(qMin, SHORT_THRESHOLD_FROM) + 1);
    }

    @Override
    int compareFinite(final long wi, final long ni, final long wj, final long nj)
    {
        // Most pairs are told apart by Sainte-Laguë's products; else w_i² / (n_i(n_i+1)) vs w_j² / (n_j(n_j+1)),
        // cross-multiplied: up to 250 bits.
        final int halves = compareByHalves(wi, ni, wj, nj);
        if (halves != UNDECIDED)
        {
            return halves;
        }
        return WideMath.compareProductPairs(wi, wi, nj, nj + 1, wj, wj, ni, ni + 1, wide);
    }

    @Override
    Explainer.Fraction priority(final long weight, final long n)
    {
        // t(n)² = n(n+1): the priority squared.
        final BigInteger w = BigInteger.valueOf(weight);
        final BigInteger k = BigInteger.valueOf(n);
        return n == 0 ? Explainer.Fraction.INFINITY :
            Explainer.Fraction.of(w.multiply(w), k.multiply(k.add(BigInteger.ONE)));
    }
}
