package io.tranche.kernel;

/**
 * D'Hondt / Jefferson: t(n) = n + 1. Lots with t(n) ≤ x number ⌊x⌋.
 */
final class DHondt extends DivisorMethod
{
    DHondt(final int capacity)
    {
        super(false, capacity);
    }

    @Override
    long lotsUpTo(final long q, final long r, final long d)
    {
        return q;
    }

    @Override
    int compareFinite(final long wi, final long ni, final long wj, final long nj)
    {
        // w_i / (n_i + 1) vs w_j / (n_j + 1)
        return WideMath.compareProducts(wi, nj + 1, wj, ni + 1);
    }

    @Override
    int roundingBias()
    {
        return -1;
    }
}
