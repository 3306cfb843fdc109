package io.tranche.kernel;

import java.util.Arrays;

/**
 * The claims of one problem in queue order, as a reusable struct of arrays: claim {@code i} is
 * index {@code i} of every column, and {@link #count()} marks the live prefix.
 * <p>
 * Fill it with {@link #clear()} and {@link #add}, pass it to {@link Allocator#validate} and
 * {@link Allocator#allocate}, then read {@link #award(int)}. Claims are known by index only: ids, if any,
 * are the caller's. Absent optional values (demand, weight, cap) read as {@link #ABSENT}; a present
 * {@code Long.MIN_VALUE} (given through {@link #add(long, long, int, long, long, int)}) reads the same but
 * is reported by validation as the negative value it is. Capacity grows on demand (a cold path); reuse one
 * instance per thread so that steady-state calls allocate nothing.
 */
public final class Claims
{
    /** Sentinel for an absent demand, weight or cap. */
    public static final long ABSENT = Long.MIN_VALUE;

    /** The largest accepted supply, demand, weight, cap, floor or lot: 2^62. */
    public static final long MAX_VALUE = 1L << 62;

    /** Bit of {@code present} in {@link #add(long, long, int, long, long, int)}: the demand is given. */
    public static final int DEMAND = 1;
    /** Bit of {@code present}: the weight is given. */
    public static final int WEIGHT = 2;
    /** Bit of {@code present}: the cap is given. */
    public static final int CAP = 4;

    /** Which optional values are given, per claim: bits {@link #DEMAND}, {@link #WEIGHT}, {@link #CAP}. */
    private byte[] present;
    private long[] demand;
    private long[] weight;
    private int[] tier;
    private long[] cap;
    private long[] floor;
    private long[] award;
    private int count;
    /** True once a claim added since {@link #clear()} has a floor, a weight, a cap or another tier than the first. */
    private boolean special;

    /**
     * @param initialCapacity number of claims held before the arrays grow.
     */
    public Claims(final int initialCapacity)
    {
        final int capacity = Math.max(1, initialCapacity);
        present = new byte[capacity];
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
        count = 0;
        special = false;
    }

    /**
     * Appends a claim at the back of the queue.
     *
     * @param demand demand in units, or {@link #ABSENT} for unbounded.
     * @param weight weight, or {@link #ABSENT} for the method's default.
     * @param tier   priority tier, 0 first.
     * @param cap    cap in units, or {@link #ABSENT} for none.
     * @param floor  floor in units.
     * @return the index (queue position) of the claim.
     */
    public int add(final long demand, final long weight, final int tier, final long cap, final long floor)
    {
        return add(demand, weight, tier, cap, floor,
            (demand != ABSENT ? DEMAND : 0) | (weight != ABSENT ? WEIGHT : 0) | (cap != ABSENT ? CAP : 0));
    }

    /**
     * Appends a claim at the back of the queue, saying which optional values are given: for input that may hold
     * any {@code long}, so that a given {@code Long.MIN_VALUE} is not taken for {@link #ABSENT}.
     *
     * @param demand  demand in units; ignored unless {@code present} has {@link #DEMAND}.
     * @param weight  weight; ignored unless {@code present} has {@link #WEIGHT}.
     * @param tier    priority tier, 0 first.
     * @param cap     cap in units; ignored unless {@code present} has {@link #CAP}.
     * @param floor   floor in units.
     * @param present bits {@link #DEMAND}, {@link #WEIGHT}, {@link #CAP} of the values given.
     * @return the index (queue position) of the claim.
     */
    public int add(
        final long demand, final long weight, final int tier, final long cap, final long floor, final int present)
    {
        final int i = count;
        if (i == this.present.length)
        {
            grow(i + 1);
        }
        this.present[i] = (byte)present;
        this.demand[i] = (present & DEMAND) != 0 ? demand : ABSENT;
        this.weight[i] = (present & WEIGHT) != 0 ? weight : ABSENT;
        this.tier[i] = tier;
        this.cap[i] = (present & CAP) != 0 ? cap : ABSENT;
        this.floor[i] = floor;
        this.award[i] = 0;
        special |= floor != 0 | (present & (WEIGHT | CAP)) != 0 | tier != this.tier[0];
        count = i + 1;
        return i;
    }

    /**
     * Appends {@code n} claims with a demand and nothing else, in tier 0: for each {@code k}, what
     * {@code add(demands[from + k], 0, 0, 0, 0, DEMAND)} does, written a column at a time.
     *
     * @param demands the demands in units.
     * @param from    the first one's index in {@code demands}.
     * @param n       how many.
     */
    public void addDemands(final long[] demands, final int from, final int n)
    {
        final int i = count;
        final int to = i + n;
        if (to > present.length)
        {
            grow(to);
        }
        System.arraycopy(demands, from, demand, i, n);
        Arrays.fill(present, i, to, (byte)DEMAND);
        Arrays.fill(weight, i, to, ABSENT);
        Arrays.fill(tier, i, to, 0);
        Arrays.fill(cap, i, to, ABSENT);
        Arrays.fill(floor, i, to, 0L);
        Arrays.fill(award, i, to, 0L);
        special |= n > 0 && tier[0] != 0;
        count = to;
    }

    /**
     * Ensures room for {@code capacity} claims without further growth.
     *
     * @param capacity number of claims.
     */
    public void ensureCapacity(final int capacity)
    {
        if (capacity > present.length)
        {
            grow(capacity);
        }
    }

    private void grow(final int minCapacity)
    {
        final int capacity = Math.max(minCapacity, present.length + (present.length >> 1) + 1);
        present = Arrays.copyOf(present, capacity);
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

    /**
     * @param i   index.
     * @param bit {@link #DEMAND}, {@link #WEIGHT} or {@link #CAP}.
     * @return true when claim i was given that value.
     */
    public boolean has(final int i, final int bit)
    {
        return (present[i] & bit) != 0;
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

    /**
     * @return true when no claim has a floor, a weight or a cap and all are in one tier: the kernel's common
     * case may then read the demands alone (kept by {@link #add}, the only writer of the columns).
     */
    boolean plain()
    {
        return !special;
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
}
