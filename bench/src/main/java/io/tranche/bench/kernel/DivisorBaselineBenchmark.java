package io.tranche.bench.kernel;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * Baseline for the divisor methods: the textbook highest-averages loop. Every claim sits in a
 * {@link PriorityQueue} keyed by its quotient w / divisor(seats); the queue is popped once per unit
 * of supply, the winner gets the unit and goes back with its next quotient (claims at their demand
 * leave the queue). Ties go to the earlier claim. O(S log n) per call, so it runs only at
 * S = 400,000: at S = 10^12 one call would take hours (skipped, and the report says so).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class DivisorBaselineBenchmark
{
    @Param({"DHONDT", "SAINTE_LAGUE", "ADAMS", "DEAN", "HUNTINGTON_HILL"})
    public String method;

    @Param({"3", "64", "4096", "1048576"})
    public int claims;

    /** Only the small supply: the per-unit loop cannot finish S = 10^12. */
    @Param({"400000"})
    public long supply;

    private long[] demand;
    private int kind;

    /** A claim in the queue: its index, seats so far and current quotient. */
    static final class Entry
    {
        final int index;
        long seats;
        double quotient;

        Entry(final int index)
        {
            this.index = index;
        }
    }

    @Setup(Level.Trial)
    public void setUp()
    {
        demand = Problems.demands(claims, supply);
        switch (method)
        {
            case "DHONDT" -> kind = 0;
            case "SAINTE_LAGUE" -> kind = 1;
            case "ADAMS" -> kind = 2;
            case "DEAN" -> kind = 3;
            case "HUNTINGTON_HILL" -> kind = 4;
            default -> throw new IllegalArgumentException("method=" + method);
        }
    }

    /** @return a checksum of the awards. */
    @Benchmark
    public long priorityQueue()
    {
        return allocate(demand, supply, kind, new long[demand.length]);
    }

    /**
     * The textbook loop. Weights are the demands (the divisor methods' default).
     *
     * @param demand demands, also the weights.
     * @param supply units to hand out.
     * @param kind   0 D'Hondt, 1 Sainte-Laguë, 2 Adams, 3 Dean, 4 Huntington–Hill.
     * @param award  receives the awards.
     * @return Σ award · (i + 1), a checksum.
     */
    static long allocate(final long[] demand, final long supply, final int kind, final long[] award)
    {
        final PriorityQueue<Entry> queue = new PriorityQueue<>(demand.length,
            (a, b) -> a.quotient != b.quotient ? Double.compare(b.quotient, a.quotient) :
                Integer.compare(a.index, b.index));
        for (int i = 0; i < demand.length; i++)
        {
            final Entry entry = new Entry(i);
            entry.quotient = quotient(demand[i], 0, kind);
            queue.add(entry);
        }
        for (long unit = 0; unit < supply && !queue.isEmpty(); unit++)
        {
            final Entry top = queue.poll();
            top.seats++;
            award[top.index] = top.seats;
            if (top.seats < demand[top.index])
            {
                top.quotient = quotient(demand[top.index], top.seats, kind);
                queue.add(top);
            }
        }
        long checksum = 0;
        for (int i = 0; i < award.length; i++)
        {
            checksum += award[i] * (i + 1);
        }
        return checksum;
    }

    static double quotient(final long weight, final long seats, final int kind)
    {
        final double w = weight;
        final double n = seats;
        switch (kind)
        {
            case 0:
                return w / (n + 1);
            case 1:
                return w / (n + 0.5);
            case 2:
                return seats == 0 ? Double.POSITIVE_INFINITY : w / n;
            case 3:
                return seats == 0 ? Double.POSITIVE_INFINITY : w / (n * (n + 1) / (n + 0.5));
            default:
                return seats == 0 ? Double.POSITIVE_INFINITY : w / Math.sqrt(n * (n + 1));
        }
    }
}
