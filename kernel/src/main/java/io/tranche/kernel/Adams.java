package io.tranche.kernel;

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
    int compareFinite(final long wi, final long ni, final long wj, final long nj)
    {
        // w_i / n_i vs w_j / n_j, n ≥ 1
        return Int128.compareProductsUnsigned(wi, nj, wj, ni);
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
}
