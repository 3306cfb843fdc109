package io.tranche.server.state;

import io.tranche.proto.v1.Tranche;
import io.tranche.server.merkle.MerkleLog;
import java.util.ArrayList;

/** A {@link Ledger} in the heap, tree included, every tranche and leaf durable at once: for tests and tools. */
public final class InMemoryLedger implements Ledger
{
    private final ArrayList<Tranche> tranches = new ArrayList<>();
    private final ArrayList<Long> leaves = new ArrayList<>();
    private final MerkleLog tree;

    /** An empty ledger with its tree in the heap. */
    public InMemoryLedger()
    {
        this(MerkleLog.inHeap());
    }

    /** @param tree an empty tree (over a store of the caller's choice). */
    public InMemoryLedger(final MerkleLog tree)
    {
        this.tree = tree;
    }

    @Override
    public synchronized long count()
    {
        return tranches.size();
    }

    @Override
    public synchronized long durableCount()
    {
        return tranches.size();
    }

    @Override
    public synchronized Tranche get(final long number)
    {
        return tranches.get((int)(number - 1));
    }

    @Override
    public synchronized void append(final Tranche tranche, final long leafIndex, final RecordPlace place)
    {
        if (tranche.getNumber() != tranches.size() + 1L)
        {
            throw new IllegalArgumentException("tranche " + tranche.getNumber() + " after " + tranches.size());
        }
        tranches.add(tranche);
        leaves.add(leafIndex);
    }

    @Override
    public synchronized long leafIndex(final long number)
    {
        return leaves.get((int)(number - 1));
    }

    @Override
    public MerkleLog tree()
    {
        return tree;
    }

    @Override
    public synchronized long appendLeaf(final byte[] leaf, final byte[] leafHash)
    {
        // Nothing here outlives the process: what is appended is as durable as it gets.
        final long index = Ledger.super.appendLeaf(leaf, leafHash);
        tree.markDurable();
        return index;
    }
}
