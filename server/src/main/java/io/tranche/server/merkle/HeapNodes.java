package io.tranche.server.merkle;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A {@link NodeStore} in the heap: for tests, tools and small trees; every method is synchronized. */
public final class HeapNodes implements NodeStore
{
    private final List<List<byte[]>> levels = new ArrayList<>();

    @Override
    public synchronized void write(final int level, final long index, final byte[] hash)
    {
        while (levels.size() <= level)
        {
            levels.add(new ArrayList<>());
        }
        final List<byte[]> nodes = levels.get(level);
        if (index > nodes.size())
        {
            throw new IllegalStateException("node (" + level + ", " + index + ") written out of order after " +
                nodes.size());
        }
        if (index < nodes.size())
        {
            nodes.set((int)index, hash.clone());
        }
        else
        {
            nodes.add(hash.clone());
        }
    }

    @Override
    public synchronized byte[] read(final int level, final long index) throws IOException
    {
        if (level >= levels.size() || index >= levels.get(level).size())
        {
            throw new IOException("node (" + level + ", " + index + ") was never written");
        }
        return levels.get(level).get((int)index).clone();
    }

    @Override
    public synchronized void truncate(final long leaves)
    {
        for (int level = 0; level < levels.size(); level++)
        {
            final List<byte[]> nodes = levels.get(level);
            final long keep = leaves >> level;
            while (nodes.size() > keep)
            {
                nodes.remove(nodes.size() - 1);
            }
        }
    }

    @Override
    public synchronized long extent()
    {
        return levels.isEmpty() ? 0 : levels.get(0).size();
    }

    @Override
    public void sync()
    {
    }

    @Override
    public void close()
    {
    }
}
