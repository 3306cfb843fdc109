package io.tranche.kernel;

/**
 * Factory for the divisor methods (DHONDT, SAINTE_LAGUE, ADAMS, DEAN, HUNTINGTON_HILL).
 */
final class DivisorMethods
{
    private DivisorMethods()
    {
    }

    static Rule create(final Method method, final int capacity)
    {
        return new Rule()
        {
            @Override
            public void split(final Workspace ws, final int from, final int to, final long target)
            {
                throw new UnsupportedOperationException("not implemented yet: " + method);
            }

            @Override
            public void ensureCapacity(final int capacity)
            {
            }
        };
    }
}
