package io.tranche.server.state;

import io.tranche.proto.v1.Tranche;
import java.util.ArrayList;

/** A {@link Ledger} in the heap, every tranche durable at once: for tests and tools. */
public final class InMemoryLedger implements Ledger
{
    private final ArrayList<Tranche> tranches = new ArrayList<>();

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
    public synchronized void append(final Tranche tranche)
    {
        if (tranche.getNumber() != tranches.size() + 1L)
        {
            throw new IllegalArgumentException("tranche " + tranche.getNumber() + " after " + tranches.size());
        }
        tranches.add(tranche);
    }
}
