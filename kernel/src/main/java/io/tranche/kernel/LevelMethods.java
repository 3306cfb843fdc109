package io.tranche.kernel;

/**
 * Factory for the level methods (PROPORTIONAL, EQUAL, EQUAL_LOSSES, TALMUD) and FIFO.
 */
final class LevelMethods
{
    private LevelMethods()
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
