package io.tranche.kernel;

import java.math.BigInteger;

/**
 * D'Hondt / Jefferson: t(n) = n + 1. Lots with t(n) ≤ x number ⌊x⌋.
 */
final class DHondt extends DivisorMethod
{
    DHondt()
    {
        super(false);
    }

    @Override
    long lotsUpTo(final long q, final long r, final long d)
    {
        return q;
    }

    @Override
    long lotsUpToEstimate(final long q, final long low, final long w)
    {
        return q;
    }

    @Override
    int compareFinite(final long wi, final long ni, final long wj, final long nj)
    {
        // w_i / (n_i + 1) vs w_j / (n_j + 1)
        return Int128.compareProductsNonNegative(wi, nj + 1, wj, ni + 1);
    }

    @Override
    int roundingBias()
    {
        return -1;
    }

    @Override
    boolean lotLevel(final long w, final long k)
    {
        // t(k) = k + 1
        lotLevelNumerator = k + 1;
        lotLevelDenominator = w;
        return true;
    }

    @Override
    Explainer.Fraction priority(final long weight, final long n)
    {
        // t(n) = n + 1.
        return Explainer.Fraction.of(BigInteger.valueOf(weight), BigInteger.valueOf(n).add(BigInteger.ONE));
    }
}
