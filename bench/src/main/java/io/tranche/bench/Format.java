package io.tranche.bench;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * How the report, the comparison and the progress lines write figures: times with their unit, ratios, byte
 * counts, supplies. Every figure goes through here, so a table and its chart say the same thing.
 */
final class Format
{
    private Format()
    {
    }

    /** @return a time in ns as "812 ns", "12.3 µs", "4.56 ms" or "1.20 s"; "–" for NaN. */
    static String time(final double nanos)
    {
        if (Double.isNaN(nanos))
        {
            return "–";
        }
        if (nanos < 1e3)
        {
            return String.format(Locale.ROOT, nanos < 10 ? "%.2f ns" : "%.0f ns", nanos);
        }
        if (nanos < 1e6)
        {
            return String.format(Locale.ROOT, "%.3g µs", nanos / 1e3);
        }
        if (nanos < 1e9)
        {
            return String.format(Locale.ROOT, "%.3g ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.3g s", nanos / 1e9);
    }

    /** @return a number with about three significant digits, thousands separated. */
    static String number(final double v)
    {
        if (Double.isNaN(v))
        {
            return "NaN";
        }
        final double a = Math.abs(v);
        if (a >= 1000)
        {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10 || a == 0)
        {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    /** @return "12.34×" below 100, "1,234×" from 100; "–" for NaN. */
    static String ratio(final double r)
    {
        if (Double.isNaN(r))
        {
            return "–";
        }
        return (r >= 100 ? String.format(Locale.ROOT, "%,.0f", r) : String.format(Locale.ROOT, "%.2f", r)) + "×";
    }

    /** @return a goal's limit as stated: "10,000", "3", "0.85", "1.5". */
    static String limit(final double v)
    {
        if (v == Math.rint(v) && Math.abs(v) < 1e15)
        {
            return String.format(Locale.ROOT, "%,d", (long)v);
        }
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    /** @return "0.85×": the two-decimal ratio the end-to-end figures use. */
    static String ratio2(final double r)
    {
        return String.format(Locale.ROOT, "%.2f×", r);
    }

    /** @return the supply as the report names it: "400k", "10^12", or the number itself. */
    static String supply(final String supply)
    {
        if (supply == null)
        {
            return "–";
        }
        return switch (supply)
        {
            case "400000" -> "400k";
            case "1000000000000" -> "10^12";
            default -> supply;
        };
    }

    /**
     * @return the row's time, ± JMH's score error when it has one; for a median of forks, their number and the
     *     range of their means, as in "412 ns (3 JVMs 398 ns–540 ns)".
     */
    static String timeWithError(final Results.Row row)
    {
        final double t = row.nanos();
        if (row.median())
        {
            return time(t) + forkRange(row, v -> time(Results.toNanos(v, row.unit)));
        }
        final double e = row.errorNanos();
        return Double.isNaN(e) || e == 0 ? time(t) : time(t) + " ± " + time(e);
    }

    /** @return the row's bytes per operation, "–" when the GC profiler did not run. */
    static String bytes(final Results.Row row)
    {
        return Double.isNaN(row.bytesPerOp) ? "–" : number(row.bytesPerOp);
    }

    /**
     * @return a throughput row's score in calls per second, thousands separated; for a median of forks, their
     *     number and the range of their means, as in "5,346 (3 JVMs 5,101–5,600)".
     */
    static String opsPerSecond(final Results.Row row)
    {
        final String score = perSecond(row.score, row.unit);
        return row.median() ? score + forkRange(row, v -> perSecond(v, row.unit)) : score;
    }

    /** @return " (N JVMs low–high)" for a row scored on the median of its forks, each end as {@code format} gives. */
    private static String forkRange(final Results.Row row, final DoubleFunction<String> format)
    {
        return " (" + row.forks + " JVMs " + format.apply(row.low) + "–" + format.apply(row.high) + ")";
    }

    private static String perSecond(final double value, final String unit)
    {
        double perSecond = value;
        if (unit.endsWith("/ms"))
        {
            perSecond *= 1e3;
        }
        else if (unit.endsWith("/us"))
        {
            perSecond *= 1e6;
        }
        else if (unit.endsWith("/ns"))
        {
            perSecond *= 1e9;
        }
        return String.format(Locale.ROOT, "%,.0f", perSecond);
    }

    /** @return "p50 / p99 / p99.9" of a sample-time row, "–" without one. */
    static String percentiles(final Results.Row row)
    {
        if (row == null || row.percentiles.isEmpty())
        {
            return "–";
        }
        return time(row.percentiles.getOrDefault("50.0", Double.NaN)) + " / " +
            time(row.percentiles.getOrDefault("99.0", Double.NaN)) + " / " +
            time(row.percentiles.getOrDefault("99.9", Double.NaN));
    }

    /** @return a percentage with no decimals, as in "31%". */
    static String percent(final double fraction)
    {
        return String.format(Locale.ROOT, "%.0f%%", fraction * 100);
    }
}
