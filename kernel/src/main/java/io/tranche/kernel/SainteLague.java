package io.tranche.kernel;

import java.math.BigInteger;

/**
 * Sainte-Laguë / Webster: t(n) = n + ½. Lots with t(n) ≤ x: ⌊x⌋, plus one when the fraction is ≥ ½.
 */
final class SainteLague extends DivisorMethod
{
    SainteLague()
    {
        super(false);
    }

    @Override
    long lotsUpTo(final long q, final long r, final long d)
    {
        // r/d ≥ ½ written as r ≥ d − r, which cannot overflow.
        return r >= d - r ? q + 1 : q;
    }

    @Override
    long lotsUpToEstimate(final long q, final long low, final long w)
    {
        // f ≥ ½ when L ≥ 2^63; f < ½ when L + w ≤ 2^63, that is L + w − 1 ≥ 0 (no wrap: L < 2^63 there and
        // w ≤ 2^62). Without branches: which half f lies in is data the predictor cannot learn.
        final long up = low >>> 63;
        final long down = ~(low + w - 1) >>> 63;
        return q + up | (up | down) - 1;
    }

    @Override
    int compareFinite(final long wi, final long ni, final long wj, final long nj)
    {
        // w_i / (n_i + ½) vs w_j / (n_j + ½), doubled: w_i·(2n_j + 1) vs w_j·(2n_i + 1); n < 2^62.
        return Int128.compareProductsNonNegative(wi, 2 * nj + 1, wj, 2 * ni + 1);
    }

    @Override
    boolean lotLevel(final long w, final long k)
    {
        // t(k) = (2k + 1) / 2; 2w fits below 2^63 unless w = 2^62
        if (w >= 1L << 62)
        {
            return false;
        }
        lotLevelNumerator = 2 * k + 1;
        lotLevelDenominator = 2 * w;
        return true;
    }

    @Override
    Explainer.Fraction priority(final long weight, final long n)
    {
        // t(n) = n + ½.
        return Explainer.Fraction.of(
            BigInteger.valueOf(weight).shiftLeft(1), BigInteger.valueOf(n).shiftLeft(1).add(BigInteger.ONE));
    }
}
