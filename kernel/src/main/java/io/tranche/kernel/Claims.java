package io.tranche.kernel;

import java.util.Arrays;

/**
 * The claims of one problem in queue order, as a reusable struct of arrays: claim {@code i} is
 * index {@code i} of every column, and {@link #count()} marks the live prefix.
 * <p>
 * Fill it with {@link #clear()} and {@link #add}, pass it to {@link Allocator#validate} and
 * {@link Allocator#allocate}, then read {@link #award(int)}. Absent optional values (demand, weight,
 * cap) are {@link #ABSENT}. Capacity grows on demand (a cold path); reuse one instance per thread
 * so that steady-state calls allocate nothing.
 */
public final class Claims
{
    /** Sentinel for an absent demand, weight or cap. */
    public static final long ABSENT = Long.MIN_VALUE;

    /** The largest accepted supply, demand, weight, cap, floor or lot: 2^62. */
    public static final long MAX_VALUE = 1L << 62;

    private String[] id;
    private long[] demand;
    private long[] weight;
    private int[] tier;
    private long[] cap;
    private long[] floor;
    private long[] award;
    private int count;

    /**
     * @param initialCapacity number of claims held before the arrays grow.
     */
    public Claims(final int initialCapacity)
    {
        final int capacity = Math.max(1, initialCapacity);
        id = new String[capacity];
        demand = new long[capacity];
        weight = new long[capacity];
        tier = new int[capacity];
        cap = new long[capacity];
        floor = new long[capacity];
        award = new long[capacity];
    }

    /** Removes every claim; keeps the arrays. */
    public void clear()
    {
        Arrays.fill(id, 0, count, null);
        count = 0;
    }

    /**
     * Appends a claim at the back of the queue.
     *
     * @param id     unique, non-empty identifier.
     * @param demand demand in units, or {@link #ABSENT} for unbounded.
     * @param weight weight, or {@link #ABSENT} for the method's default.
     * @param tier   priority tier, 0 first.
     * @param cap    cap in units, or {@link #ABSENT} for none.
     * @param floor  floor in units.
     * @return the index (queue position) of the claim.
     */
    public int add(
        final String id, final long demand, final long weight, final int tier, final long cap, final long floor)
    {
        final int i = count;
        if (i == this.id.length)
        {
            grow(i + 1);
        }
        this.id[i] = id;
        this.demand[i] = demand;
        this.weight[i] = weight;
        this.tier[i] = tier;
        this.cap[i] = cap;
        this.floor[i] = floor;
        this.award[i] = 0;
        count = i + 1;
        return i;
    }

    /**
     * Ensures room for {@code capacity} claims without further growth.
     *
     * @param capacity number of claims.
     */
    public void ensureCapacity(final int capacity)
    {
        if (capacity > id.length)
        {
            grow(capacity);
        }
    }

    private void grow(final int minCapacity)
    {
        final int capacity = Math.max(minCapacity, id.length + (id.length >> 1) + 1);
        id = Arrays.copyOf(id, capacity);
        demand = Arrays.copyOf(demand, capacity);
        weight = Arrays.copyOf(weight, capacity);
        tier = Arrays.copyOf(tier, capacity);
        cap = Arrays.copyOf(cap, capacity);
        floor = Arrays.copyOf(floor, capacity);
        award = Arrays.copyOf(award, capacity);
    }

    /** @return number of claims. */
    public int count()
    {
        return count;
    }

    /** @param i index. @return the claim's id. */
    public String id(final int i)
    {
        return id[i];
    }

    /** @param i index. @return demand in units or {@link #ABSENT}. */
    public long demand(final int i)
    {
        return demand[i];
    }

    /** @param i index. @return weight or {@link #ABSENT}. */
    public long weight(final int i)
    {
        return weight[i];
    }

    /** @param i index. @return tier. */
    public int tier(final int i)
    {
        return tier[i];
    }

    /** @param i index. @return cap in units or {@link #ABSENT}. */
    public long cap(final int i)
    {
        return cap[i];
    }

    /** @param i index. @return floor in units. */
    public long floor(final int i)
    {
        return floor[i];
    }

    /** @param i index. @return units awarded by the last {@link Allocator#allocate} call. */
    public long award(final int i)
    {
        return award[i];
    }

    long[] demandArray()
    {
        return demand;
    }

    long[] weightArray()
    {
        return weight;
    }

    int[] tierArray()
    {
        return tier;
    }

    long[] capArray()
    {
        return cap;
    }

    long[] floorArray()
    {
        return floor;
    }

    long[] awardArray()
    {
        return award;
    }

    String[] idArray()
    {
        return id;
    }
}
