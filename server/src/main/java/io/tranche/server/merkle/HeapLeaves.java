package io.tranche.server.merkle;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A {@link LeafStore} in the heap: for tests, tools and small trees; every method is synchronized. */
public final class HeapLeaves implements LeafStore
{
    private final List<byte[]> leaves = new ArrayList<>();

    @Override
    public synchronized void write(final long index, final byte[] leaf)
    {
        if (index > leaves.size())
        {
            throw new IllegalStateException("leaf " + index + " written after " + leaves.size());
        }
        while (leaves.size() > index)
        {
            leaves.remove(leaves.size() - 1);
        }
        leaves.add(leaf.clone());
    }

    @Override
    public synchronized byte[] read(final long index) throws IOException
    {
        if (index < 0 || index >= leaves.size())
        {
            throw new IOException("leaf " + index + " was never written");
        }
        return leaves.get((int)index).clone();
    }

    @Override
    public synchronized void truncate(final long count) throws IOException
    {
        if (count > leaves.size())
        {
            throw new IOException("the store holds " + leaves.size() + " leaves, fewer than " + count);
        }
        while (leaves.size() > count)
        {
            leaves.remove(leaves.size() - 1);
        }
    }

    @Override
    public synchronized long extent()
    {
        return leaves.size();
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
