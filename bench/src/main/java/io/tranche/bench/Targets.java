package io.tranche.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import static io.tranche.bench.Benchmarks.ALLOCATE;
import static io.tranche.bench.Benchmarks.AVGT;
import static io.tranche.bench.Benchmarks.E2E_ALLOCATE;
import static io.tranche.bench.Benchmarks.E2E_ECHO;
import static io.tranche.bench.Benchmarks.ECHO;
import static io.tranche.bench.Benchmarks.KERNEL;
import static io.tranche.bench.Benchmarks.MILLION;
import static io.tranche.bench.Benchmarks.PQ;
import static io.tranche.bench.Benchmarks.QUEUE_SUPPLY;
import static io.tranche.bench.Benchmarks.TAIL;
import static io.tranche.bench.Benchmarks.THRPT;
import static io.tranche.bench.Benchmarks.WATER;

/**
 * The performance targets as data (issue 12, "Targets"), and their verdicts on one run: the table of
 * the report, each row met or missed with its margin, and the list of misses for the closing note.
 */
final class Targets
{
    /** What a goal measures, and which way its limit points. */
    enum Kind
    {
        /** The worst kernel row's bytes per call net of JMH's background, below the limit. */
        KERNEL_BYTES_NET("kernel B/op < %s (net of background)", Bound.BELOW),
        /** Kernel time ÷ streaming-floor time, same claims and supply, shape {@code tail}. */
        FLOOR("within %s× the floor", Bound.AT_MOST),
        /** Binary-search water-filling in {@code double} ÷ EQUAL's time. */
        WATER("EQUAL ≥ %s× faster than water-filling", Bound.AT_LEAST),
        /** The per-unit priority queue's time ÷ the divisor method's, S = 400,000. */
        QUEUE("divisor ≥ %s× the per-unit PQ", Bound.AT_LEAST),
        /** End-to-end Allocate throughput ÷ echo throughput. */
        E2E_THROUGHPUT("Allocate ≥ %s× echo throughput", Bound.AT_LEAST),
        /** Server bytes per Allocate call ÷ per echo call ({@code e2e-server.jsonl}). */
        E2E_SERVER_BYTES("server B/call ≤ %s× echo's", Bound.AT_MOST);

        final String label;
        final Bound bound;

        Kind(final String label, final Bound bound)
        {
            this.label = label;
            this.bound = bound;
        }
    }

    /** The direction of a limit. */
    enum Bound
    {
        BELOW("< "),
        AT_MOST("≤ "),
        AT_LEAST("≥ ");

        final String sign;

        Bound(final String sign)
        {
            this.sign = sign;
        }

        boolean met(final double measured, final double limit)
        {
            return switch (this)
            {
                case BELOW -> measured < limit;
                case AT_MOST -> measured <= limit;
                case AT_LEAST -> measured >= limit;
            };
        }
    }

    /**
     * One goal: a kind, the case it is stated at (null where the kind does not use it) and its limit.
     *
     * @param kind   what is measured.
     * @param method kernel method, or null.
     * @param claims claim count, or null.
     * @param supply supply, or null.
     * @param limit  the limit, a ratio or (for {@link Kind#KERNEL_BYTES_NET}) bytes.
     */
    record Goal(Kind kind, String method, String claims, String supply, double limit)
    {
        String label()
        {
            return String.format(Locale.ROOT, kind.label, Format.limit(limit));
        }

        String goalText()
        {
            return kind.bound.sign + Format.limit(limit) +
                (kind == Kind.KERNEL_BYTES_NET ? " B/op" : "×");
        }
    }

    /**
     * One row of the verdict table.
     *
     * @param goal     the goal.
     * @param caseText the case, e.g. "EQUAL n=1048576 S=400000".
     * @param measured the measured figure as shown.
     * @param met      whether the goal is met.
     * @param margin   for a miss: how far off, e.g. "31% over"; empty when met.
     */
    record Verdict(Goal goal, String caseText, String measured, boolean met, String margin)
    {
    }

    /** The supplies of issue 12's kernel targets. */
    static final List<String> SUPPLIES = List.of("400000", "1000000000000");
    /** The methods held to 3× the floor at 1M claims; every other method gets {@link #FLOOR_1M_OTHERS}. */
    static final List<String> FLOOR_1M_FAST = List.of("PROPORTIONAL", "EQUAL", "FIFO");
    static final double FLOOR_1M_FAST_LIMIT = 3;
    static final double FLOOR_1M_OTHERS = 6;
    static final double FLOOR_64 = 5;
    static final double FLOOR_3 = 8;
    static final double WATER_1M = 1.5;
    static final double QUEUE_64 = 10_000;
    static final double QUEUE_4096 = 1_000;
    static final double E2E_SMALL = 0.85;
    static final double E2E_4096 = 0.7;
    static final double SERVER_BYTES = 1.3;

    /** Issue 12's goals, in the report's order. */
    static final List<Goal> ISSUE_12 = issue12();

    private final List<Verdict> verdicts;
    private final int unchecked;

    private Targets(final List<Verdict> verdicts, final int unchecked)
    {
        this.verdicts = verdicts;
        this.unchecked = unchecked;
    }

    private static List<Goal> issue12()
    {
        final List<Goal> goals = new ArrayList<>();
        goals.add(new Goal(Kind.KERNEL_BYTES_NET, null, null, null, 1));
        for (final String supply : SUPPLIES)
        {
            for (final String method : Benchmarks.METHODS)
            {
                final double limit = FLOOR_1M_FAST.contains(method) ? FLOOR_1M_FAST_LIMIT : FLOOR_1M_OTHERS;
                goals.add(new Goal(Kind.FLOOR, method, MILLION, supply, limit));
            }
            for (final String method : Benchmarks.METHODS)
            {
                goals.add(new Goal(Kind.FLOOR, method, "64", supply, FLOOR_64));
            }
            for (final String method : Benchmarks.METHODS)
            {
                goals.add(new Goal(Kind.FLOOR, method, "3", supply, FLOOR_3));
            }
        }
        for (final String supply : SUPPLIES)
        {
            goals.add(new Goal(Kind.WATER, "EQUAL", MILLION, supply, WATER_1M));
        }
        for (final String method : Benchmarks.DIVISORS)
        {
            goals.add(new Goal(Kind.QUEUE, method, "64", QUEUE_SUPPLY, QUEUE_64));
            goals.add(new Goal(Kind.QUEUE, method, "4096", QUEUE_SUPPLY, QUEUE_4096));
        }
        goals.add(new Goal(Kind.E2E_THROUGHPUT, null, "3", null, E2E_SMALL));
        goals.add(new Goal(Kind.E2E_THROUGHPUT, null, "64", null, E2E_SMALL));
        goals.add(new Goal(Kind.E2E_THROUGHPUT, null, "4096", null, E2E_4096));
        goals.add(new Goal(Kind.E2E_SERVER_BYTES, null, "64", null, SERVER_BYTES));
        goals.add(new Goal(Kind.E2E_SERVER_BYTES, null, "4096", null, SERVER_BYTES));
        return Collections.unmodifiableList(goals);
    }

    /**
     * @param run   a result folder.
     * @param goals the goals to check.
     * @return the verdict of every goal the run has the rows for.
     */
    static Targets evaluate(final Run run, final List<Goal> goals)
    {
        final List<Verdict> verdicts = new ArrayList<>();
        int unchecked = 0;
        for (final Goal goal : goals)
        {
            final Verdict v = goal.kind == Kind.KERNEL_BYTES_NET ? kernelBytes(run, goal) : ratio(run, goal);
            if (v == null)
            {
                unchecked++;
            }
            else
            {
                verdicts.add(v);
            }
        }
        return new Targets(Collections.unmodifiableList(verdicts), unchecked);
    }

    List<Verdict> verdicts()
    {
        return verdicts;
    }

    int checked()
    {
        return verdicts.size();
    }

    int met()
    {
        int met = 0;
        for (final Verdict v : verdicts)
        {
            met += v.met ? 1 : 0;
        }
        return met;
    }

    /** @return one line per miss, with the case, the measured figure, the goal and the margin. */
    List<String> misses()
    {
        final List<String> out = new ArrayList<>();
        for (final Verdict v : verdicts)
        {
            if (!v.met)
            {
                out.add(v.goal.label() + ", " + v.caseText + ": " + v.measured + ", " + v.margin);
            }
        }
        return out;
    }

    /** @return the report's targets section, heading included. */
    String section(final Run run)
    {
        final StringBuilder t = new StringBuilder("## Targets\n\n");
        t.append(verdicts.isEmpty() ? "No target could be checked from these results.\n\n" :
            String.format(Locale.ROOT, "**%d of %d checks met.**%n%n", met(), checked()));
        if (!verdicts.isEmpty())
        {
            t.append("| target | case | measured | goal | verdict |\n|---|---|---|---|---|\n");
            for (final Verdict v : verdicts)
            {
                t.append("| ").append(v.goal.label()).append(" | ").append(v.caseText).append(" | ")
                    .append(v.measured).append(" | ").append(v.goal.goalText()).append(" | ")
                    .append(v.met ? "met" : "**missed** (" + v.margin + ")").append(" |\n");
            }
            t.append('\n');
        }
        if (unchecked > 0)
        {
            t.append(unchecked).append(" of ").append(unchecked + checked())
                .append(" goals not checked: this run has no rows for them (a quick or a partial run).\n\n");
        }
        t.append("Not a goal any more: divisor methods ≥ 1,000× the per-unit queue at 1,048,576 claims. At S = ")
            .append("400,000 the queue pops only 400,000 times whatever the claim count, so its time grows with ")
            .append("log n alone, while any allocation must read every claim");
        final Results.Row pq = run.find(PQ, AVGT, "method", "DHONDT", "claims", MILLION, "supply", QUEUE_SUPPLY);
        final Results.Row floor = run.floor(MILLION, QUEUE_SUPPLY);
        if (pq != null && floor != null)
        {
            t.append(": here even the streaming floor is only ").append(Format.ratio(pq.nanos() / floor.nanos()))
                .append(" faster than the queue (DHONDT) at 1M claims");
        }
        t.append(".\n\nWorkspace ≤ 2× the bytes of the `Claims` it serves at 1M claims: a benchmark run does not ")
            .append("record it; the kernel's unit test `WorkspaceMemoryTest` measures `new Allocator(1 << 20)` ")
            .append("against `new Claims(1 << 20)` and fails above 2×.\n\n");
        return t.toString();
    }

    private static Verdict kernelBytes(final Run run, final Goal goal)
    {
        double worst = Double.NaN;
        String worstCase = null;
        int over = 0;
        int rows = 0;
        for (final Results.Row row : run.results.rows)
        {
            if (!row.benchmark.equals(KERNEL) || Double.isNaN(row.bytesPerOp))
            {
                continue;
            }
            rows++;
            final double net = run.net(row);
            over += goal.kind.bound.met(net, goal.limit) ? 0 : 1;
            if (Double.isNaN(worst) || net > worst)
            {
                worst = net;
                worstCase = row.param("method") + " n=" + row.param("claims") + " S=" + row.param("supply") + " " +
                    row.param("shape");
            }
        }
        if (rows == 0)
        {
            return null;
        }
        return new Verdict(goal, "all " + rows + " kernel rows; worst " + worstCase,
            Format.number(worst) + " B/op" +
                (over > 0 ? " (" + over + " rows ≥ " + Format.limit(goal.limit) + ")" : ""),
            over == 0, over + " of " + rows + " rows at or above the limit");
    }

    private static Verdict ratio(final Run run, final Goal goal)
    {
        final double r = measure(run, goal);
        if (Double.isNaN(r))
        {
            return null;
        }
        final boolean met = goal.kind.bound.met(r, goal.limit);
        return new Verdict(goal, caseText(goal), measuredText(run, goal, r), met, met ? "" : margin(goal, r));
    }

    /** @return how far a missed ratio is from its limit: "31% over", "2.8× the limit", "54% short". */
    static String margin(final Goal goal, final double r)
    {
        if (goal.kind.bound == Bound.AT_LEAST)
        {
            return Format.percent(1 - r / goal.limit) + " short";
        }
        return r >= 2 * goal.limit ? Format.ratio(r / goal.limit) + " the limit" :
            Format.percent(r / goal.limit - 1) + " over";
    }

    /** @return the goal's ratio in this run, NaN when a row it needs is absent. */
    static double measure(final Run run, final Goal goal)
    {
        return switch (goal.kind)
        {
            case FLOOR -> over(run.kernel(goal.method, goal.claims, goal.supply, TAIL),
                run.floor(goal.claims, goal.supply));
            case WATER -> over(run.find(WATER, AVGT, "claims", goal.claims, "supply", goal.supply),
                run.kernel(goal.method, goal.claims, goal.supply, TAIL));
            case QUEUE -> over(run.find(PQ, AVGT, "method", goal.method, "claims", goal.claims, "supply", goal.supply),
                run.kernel(goal.method, goal.claims, goal.supply, TAIL));
            case E2E_THROUGHPUT ->
            {
                final Results.Row allocate = run.find(E2E_ALLOCATE, THRPT, "claims", goal.claims);
                final Results.Row echo = run.find(E2E_ECHO, THRPT, "claims", goal.claims);
                yield allocate == null || echo == null ? Double.NaN : allocate.score / echo.score;
            }
            case E2E_SERVER_BYTES -> run.serverBytesPerCall(ALLOCATE, goal.claims) /
                run.serverBytesPerCall(ECHO, goal.claims);
            case KERNEL_BYTES_NET -> Double.NaN;
        };
    }

    private static double over(final Results.Row numerator, final Results.Row denominator)
    {
        return numerator == null || denominator == null ? Double.NaN : numerator.nanos() / denominator.nanos();
    }

    private static String caseText(final Goal goal)
    {
        return switch (goal.kind)
        {
            case E2E_THROUGHPUT, E2E_SERVER_BYTES -> goal.claims + " claims";
            default -> goal.method + " n=" + goal.claims + " S=" + goal.supply;
        };
    }

    private static String measuredText(final Run run, final Goal goal, final double r)
    {
        return switch (goal.kind)
        {
            case FLOOR -> Format.ratio(r) + " floor";
            case WATER, QUEUE -> Format.ratio(r) + " faster";
            case E2E_SERVER_BYTES -> Format.ratio2(r) + " (" +
                Format.number(run.serverBytesPerCall(ALLOCATE, goal.claims)) + " vs " +
                Format.number(run.serverBytesPerCall(ECHO, goal.claims)) + " B)";
            default -> Format.ratio2(r);
        };
    }
}
