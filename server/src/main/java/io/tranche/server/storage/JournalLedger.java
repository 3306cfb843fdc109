package io.tranche.server.storage;

import io.tranche.proto.v1.Tranche;
import io.tranche.server.merkle.MerkleLog;
import io.tranche.server.state.Command;
import io.tranche.server.state.Ledger;
import io.tranche.server.state.RecordPlace;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ledger kept where it was written: each tranche is a journal record, found through an index of
 * (segment, offset, record index), 24 bytes a tranche, with a small cache of recent tranches. So the
 * heap holds the index, not the awards: memory follows the live queue, not the history.
 * <p>
 * Every journal record is one change and so one leaf of the tree: the tranche of record i is leaf i - 1.
 * <p>
 * One writer thread appends; any thread reads the first {@link #durableCount()} tranches.
 */
public final class JournalLedger implements Ledger
{
    /** Largest number of awards kept in the cache (about 100 bytes each). */
    static final long CACHE_AWARDS = 1L << 18;

    private Journal journal;
    private final MerkleLog tree;
    // (segment, offset, index) per tranche, replaced (never changed in place below count) when it grows.
    private volatile long[] locations = new long[3 * 64];
    private long count;
    private volatile long durable;
    private final LinkedHashMap<Long, Tranche> cache = new LinkedHashMap<>(64, 0.75f, true);
    private long cachedAwards;

    /**
     * @param journal where the tranche records are.
     * @param tree    the tree over every record.
     */
    public JournalLedger(final Journal journal, final MerkleLog tree)
    {
        this.journal = journal;
        this.tree = tree;
    }

    /** @param value the journal, once it is open (a ledger restored before recovery gets it then). */
    public void attach(final Journal value)
    {
        journal = value;
    }

    @Override
    public long count()
    {
        return count;
    }

    @Override
    public long durableCount()
    {
        return durable;
    }

    /** Everything appended so far is durable: readers may see it. */
    public void markDurable()
    {
        // The tree first: a reader that sees a tranche sees its leaf.
        tree.markDurable();
        durable = count;
    }

    @Override
    public void append(final Tranche tranche, final long leafIndex, final RecordPlace place)
    {
        if (place.index() < 1)
        {
            throw new IllegalStateException("tranche " + tranche.getNumber() + " has no journal record: " + place);
        }
        if (leafIndex != place.index() - 1)
        {
            throw new IllegalStateException("tranche " + tranche.getNumber() + " is leaf " + leafIndex +
                " but journal record " + place.index() + ": every record is one leaf");
        }
        if (tranche.getNumber() != count + 1)
        {
            throw new IllegalArgumentException("tranche " + tranche.getNumber() + " after " + count);
        }
        long[] loc = locations;
        final int at = (int)(3 * count);
        if (at + 3 > loc.length)
        {
            loc = Arrays.copyOf(loc, loc.length * 2);
        }
        loc[at] = place.segment();
        loc[at + 1] = place.offset();
        loc[at + 2] = place.index();
        locations = loc;
        count++;
        cache(tranche);
    }

    @Override
    public long leafIndex(final long number)
    {
        if (number < 1 || number > count)
        {
            throw new IllegalArgumentException("tranche " + number + " of " + count);
        }
        return locations[(int)(3 * (number - 1)) + 2] - 1;
    }

    @Override
    public MerkleLog tree()
    {
        return tree;
    }

    @Override
    public Tranche get(final long number)
    {
        if (number < 1 || number > count())
        {
            throw new IllegalArgumentException("tranche " + number + " of " + count());
        }
        synchronized (cache)
        {
            final Tranche cached = cache.get(number);
            if (cached != null)
            {
                return cached;
            }
        }
        final long[] loc = locations;
        final int at = (int)(3 * (number - 1));
        final Tranche tranche;
        try
        {
            final Journal.Stored stored = journal.read(loc[at], loc[at + 1], loc[at + 2]);
            if (!(Command.decode(stored.type(), stored.payload()) instanceof Command.RecordTranche recorded))
            {
                throw new IOException("record " + loc[at + 2] + " is not a tranche (type " + stored.type() + ")");
            }
            tranche = recorded.tranche();
        }
        catch (final IOException ex)
        {
            throw new LedgerException("tranche " + number + " cannot be read back: " + ex.getMessage(), ex);
        }
        if (tranche.getNumber() != number)
        {
            throw new LedgerException("tranche " + number + " is recorded as number " + tranche.getNumber() +
                " in journal segment " + loc[at] + " at offset " + loc[at + 1], null);
        }
        cache(tranche);
        return tranche;
    }

    private void cache(final Tranche tranche)
    {
        synchronized (cache)
        {
            if (cache.put(tranche.getNumber(), tranche) == null)
            {
                cachedAwards += tranche.getAwardsCount() + 1;
            }
            final Iterator<Map.Entry<Long, Tranche>> it = cache.entrySet().iterator();
            while (cachedAwards > CACHE_AWARDS && cache.size() > 1 && it.hasNext())
            {
                cachedAwards -= it.next().getValue().getAwardsCount() + 1;
                it.remove();
            }
        }
    }

    /**
     * @param out receives the index of every tranche appended so far.
     * @throws IOException on write failure.
     */
    public void snapshot(final DataOutput out) throws IOException
    {
        final long[] loc = locations;
        out.writeLong(count);
        for (int i = 0; i < 3 * count; i++)
        {
            out.writeLong(loc[i]);
        }
    }

    /**
     * Restores an empty ledger from {@link #snapshot}; the restored tranches are durable.
     *
     * @param in source.
     * @throws IOException on read failure.
     */
    public void restore(final DataInput in) throws IOException
    {
        final long n = in.readLong();
        if (n < 0 || n > Integer.MAX_VALUE / 3)
        {
            throw new IOException("bad tranche count " + n);
        }
        final long[] loc = new long[(int)Math.max(3 * 64, 3 * n + 3)];
        for (int i = 0; i < 3 * n; i++)
        {
            loc[i] = in.readLong();
        }
        locations = loc;
        count = n;
        durable = n;
    }
}
