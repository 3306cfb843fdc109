package io.tranche.kernel;

import java.math.BigInteger;

/**
 * Adams (smallest divisors): t(n) = n, so a claim's first lot has infinite priority. Lots with
 * t(n) ≤ x number ⌊x⌋ + 1.
 */
final class Adams extends DivisorMethod
{
    Adams()
    {
        super(true);
    }

    @Override
    long lotsUpTo(final long q, final long r, final long d)
    {
        return q + 1;
    }

    @Override
    long lotsUpToEstimate(final long q, final long low, final long w)
    {
        return q + 1;
    }

    @Override
    int compareFinite(final long wi, final long ni, final long wj, final long nj)
    {
        // w_i / n_i vs w_j / n_j, n ≥ 1
        return Int128.compareProductsNonNegative(wi, nj, wj, ni);
    }

    @Override
    int roundingBias()
    {
        return 1;
    }

    @Override
    boolean lotLevel(final long w, final long k)
    {
        // t(k) = k, finite for k ≥ 1
        lotLevelNumerator = k;
        lotLevelDenominator = w;
        return true;
    }

    @Override
    Explainer.Fraction priority(final long weight, final long n)
    {
        // t(n) = n.
        return n == 0 ? Explainer.Fraction.INFINITY :
            Explainer.Fraction.of(BigInteger.valueOf(weight), BigInteger.valueOf(n));
    }
}
