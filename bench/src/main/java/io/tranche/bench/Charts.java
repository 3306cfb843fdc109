package io.tranche.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tranche.bench.Benchmarks.AVGT;
import static io.tranche.bench.Benchmarks.FLOOR;
import static io.tranche.bench.Benchmarks.KERNEL;
import static io.tranche.bench.Benchmarks.LR_BIG;
import static io.tranche.bench.Benchmarks.LR_DOUBLE;
import static io.tranche.bench.Benchmarks.PQ;
import static io.tranche.bench.Benchmarks.TAIL;
import static io.tranche.bench.Benchmarks.TIERED;
import static io.tranche.bench.Benchmarks.WATER;

/**
 * One PNG chart per method ({@code charts/METHOD.png}): time per call against claim count, both axes
 * logarithmic, the x-axis spanning exactly the claim counts measured. Each series has its own colour and
 * JMH's score error as error bars: the kernel solid (shapes {@code tail} and {@code tiered}, every supply),
 * the method's baselines dashed, the streaming floor dotted for every supply. Drawn by XChart's
 * {@link BitmapEncoder} through java.awt, headless.
 */
final class Charts
{
    static final String DIR = "charts";
    static final String EXTENSION = ".png";
    static final int WIDTH = 960;
    static final int HEIGHT = 560;
    /** Marks the name of an error bar's series, never shown (error bars stay out of the legend). */
    private static final String ERROR_BAR = "\u0000bar";
    private static final BasicStroke BAR_STROKE = new BasicStroke(1.5f);
    private static final int BAR_ALPHA = 140;

    /** Ten colours told apart easily (Tableau 10), one per role a series can have in a chart. */
    private static final Color[] COLOURS = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};
    private static final Marker[] MARKERS = {SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.DIAMOND,
        SeriesMarkers.TRIANGLE_UP, SeriesMarkers.TRIANGLE_DOWN, SeriesMarkers.CROSS, SeriesMarkers.OVAL,
        SeriesMarkers.RECTANGLE, SeriesMarkers.PLUS, SeriesMarkers.TRAPEZOID};

    static
    {
        // No display is needed to draw into an image; say so before java.awt looks for one.
        if (System.getProperty("java.awt.headless") == null)
        {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** How a series is drawn. */
    private enum Style
    {
        KERNEL(SeriesLines.SOLID),
        BASELINE(SeriesLines.DASH_DASH),
        FLOOR(SeriesLines.DOT_DOT),
        FLOOR_OTHER(SeriesLines.DASH_DOT);

        final BasicStroke stroke;

        Style(final BasicStroke stroke)
        {
            this.stroke = stroke;
        }
    }

    private Charts()
    {
    }

    /**
     * Writes {@code DIR/charts/METHOD.png} for every method the run measured.
     *
     * @param run the result folder.
     * @return the report's charts section, heading included.
     * @throws IOException when a chart cannot be written.
     */
    static String write(final Run run) throws IOException
    {
        final Path chartDir = run.dir.resolve(DIR);
        Files.createDirectories(chartDir);
        final StringBuilder b = new StringBuilder("## Charts\n\n")
            .append("Time per call against claim count, log axes, in the unit named on each chart's axis. Error ")
            .append("bars: JMH's 99.9% confidence half-width above the score, and the same ratio below it (a log ")
            .append("axis cannot show a lower end at or below zero, which one fork often reaches), so read them as ")
            .append("the spread's order of magnitude; the tables give the exact ± figures. Solid: the kernel, ")
            .append("dashed: baselines, dotted and dash-dotted: the streaming floor at the two supplies.\n\n");
        for (final String method : Benchmarks.METHODS)
        {
            final XYChart chart = chart(run, method);
            if (chart.getSeriesMap().isEmpty())
            {
                continue;
            }
            final String file = method + EXTENSION;
            try (OutputStream out = Files.newOutputStream(chartDir.resolve(file)))
            {
                encoder.encode(chart, out);
            }
            catch (final LinkageError | java.awt.AWTError | InternalError ex)
            {
                // A JRE without its font stack (libfontmanager.so missing libharfbuzz, say) cannot draw text: the
                // tables have every figure, so the report goes on without pictures.
                Files.deleteIfExists(chartDir.resolve(file));
                final String why = ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" :
                    ": " + ex.getMessage().replace('\n', ' '));
                System.err.println("tranche bench: warning: charts skipped, this JRE cannot draw them (" + why +
                    "); the report's tables hold every figure");
                return "## Charts\n\nNot drawn: this JRE cannot draw text (" + why + "). The tables above hold " +
                    "every figure; `./tranche bench report` on a JRE with fonts draws them.\n\n";
            }
            b.append("![").append(method).append("](").append(DIR).append('/').append(file).append(")\n\n");
        }
        return b.toString();
    }

    /** Writes one chart as a PNG. */
    interface Encoder
    {
        /**
         * @param chart the chart.
         * @param out   where the PNG goes.
         * @throws IOException when it cannot be written.
         */
        void encode(XYChart chart, OutputStream out) throws IOException;
    }

    /** XChart's encoder; tests put one in that fails as a JRE without fonts does. */
    static volatile Encoder encoder =
        (chart, out) -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);

    /**
     * @param run    the result folder.
     * @param method a kernel method.
     * @return the method's chart; no series when the run has no row for it.
     */
    static XYChart chart(final Run run, final String method)
    {
        final List<String> claims = run.claimCounts();
        final XYChart chart = new XYChart(WIDTH, HEIGHT);
        final Unit unit = Unit.of(run);
        chart.setTitle(method + ": time per call");
        chart.setXAxisTitle("claims     (" + caption(run) + ")");
        chart.setYAxisTitle("time per call (" + unit.name + ")");
        style(chart.getStyler(), claims);
        final List<String> supplies = run.supplies();
        // Colours and markers by role, the same in every chart: kernel 0-3, baselines 4-7, floors 8-9.
        for (int si = 0; si < supplies.size(); si++)
        {
            final String supply = supplies.get(si);
            final int k = 2 * (si % 2);
            add(chart, run, unit, claims, "kernel S=" + Format.supply(supply), Style.KERNEL, k, KERNEL,
                "method", method, "supply", supply, "shape", TAIL);
            add(chart, run, unit, claims, "kernel tiered S=" + Format.supply(supply), Style.KERNEL, k + 1, KERNEL,
                "method", method, "supply", supply, "shape", TIERED);
        }
        for (int si = 0; si < supplies.size(); si++)
        {
            final String supply = supplies.get(si);
            final String s = Format.supply(supply);
            final int b = 4 + si % 2;
            if ("PROPORTIONAL".equals(method))
            {
                add(chart, run, unit, claims, "largest remainder, BigDecimal S=" + s, Style.BASELINE, b, LR_BIG,
                    "supply", supply);
                add(chart, run, unit, claims, "largest remainder, double S=" + s, Style.BASELINE, b + 2, LR_DOUBLE,
                    "supply", supply);
            }
            else if ("EQUAL".equals(method))
            {
                add(chart, run, unit, claims, "water-filling, double S=" + s, Style.BASELINE, b, WATER, "supply",
                    supply);
            }
            else if (Benchmarks.isDivisor(method))
            {
                add(chart, run, unit, claims, "priority queue, one unit a pop S=" + s, Style.BASELINE, b, PQ,
                    "method", method, "supply", supply);
            }
        }
        if (!chart.getSeriesMap().isEmpty())
        {
            for (int si = 0; si < supplies.size(); si++)
            {
                add(chart, run, unit, claims, "streaming floor S=" + Format.supply(supplies.get(si)),
                    si % 2 == 0 ? Style.FLOOR : Style.FLOOR_OTHER, 8 + si % 2, FLOOR, "supply", supplies.get(si));
            }
        }
        cutErrorBars(chart);
        return chart;
    }

    private static void style(final XYStyler styler, final List<String> claims)
    {
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotGridLinesColor(new Color(0xeeeeee));
        styler.setPlotGridLinesStroke(new BasicStroke(1f));
        styler.setLegendPosition(Styler.LegendPosition.OutsideE);
        styler.setLegendBorderColor(Color.WHITE);
        styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        styler.setXAxisLogarithmic(true);
        styler.setYAxisLogarithmic(true);
        styler.setXAxisLogarithmicDecadeOnly(true);
        styler.setYAxisLogarithmicDecadeOnly(true);
        styler.setAntiAlias(true);
        if (!claims.isEmpty())
        {
            // The axis ends at the data: the smallest and the largest claim count measured.
            styler.setXAxisMin(Double.parseDouble(claims.get(0)));
            styler.setXAxisMax(Double.parseDouble(claims.get(claims.size() - 1)));
        }
        // Decimal patterns, not formatting functions: XChart 3.8.8 draws a linear axis when given a function.
        styler.setXAxisDecimalPattern("#,##0");
        styler.setYAxisDecimalPattern("#,##0.#####");
    }

    /**
     * The unit of the charts' time axis, the same for every chart of a run: the one in which the geometric middle
     * of the run's fastest and slowest rows falls in [1, 1000), so that the labels read 0.01 to 100,000 rather than
     * 1,000,000,000 or 0.00001.
     */
    enum Unit
    {
        NS("ns", 1), US("µs", 1e3), MS("ms", 1e6), S("s", 1e9);

        final String name;
        final double nanos;

        Unit(final String name, final double nanos)
        {
            this.name = name;
            this.nanos = nanos;
        }

        static Unit of(final Run run)
        {
            double fastest = Double.MAX_VALUE;
            double slowest = 0;
            for (final Results.Row row : run.results.rows)
            {
                if (AVGT.equals(row.mode) && row.nanos() > 0)
                {
                    fastest = Math.min(fastest, row.nanos());
                    slowest = Math.max(slowest, row.nanos());
                }
            }
            final double middle = slowest == 0 ? 1 : Math.sqrt(fastest * slowest);
            for (final Unit u : values())
            {
                if (middle / u.nanos < 1e3)
                {
                    return u;
                }
            }
            return S;
        }
    }

    /** The machine, commit and date of a run, for the foot of each image. */
    static String caption(final Run run)
    {
        final String commit = run.machine("gitCommit", "unknown");
        final String date = run.machine("date", "unknown");
        return run.machine("processor", "unknown processor") + ", " + run.machine("architecture", "?") + ", " +
            run.machine("logicalCores", "?") + " cores; commit " +
            (commit.length() > 7 ? commit.substring(0, 7) : commit) + "; " +
            (date.length() >= 10 ? date.substring(0, 10) : date);
    }

    /** Adds the rows of one benchmark over the claim counts, if the run has any, and their error bars. */
    private static void add(final XYChart chart, final Run run, final Unit unit, final List<String> claims,
        final String name, final Style style, final int slot, final String benchmark, final String... params)
    {
        final List<Double> xs = new ArrayList<>();
        final List<Double> ys = new ArrayList<>();
        final List<Double> errors = new ArrayList<>();
        for (final String c : claims)
        {
            final String[] all = new String[params.length + 2];
            System.arraycopy(params, 0, all, 0, params.length);
            all[params.length] = "claims";
            all[params.length + 1] = c;
            final Results.Row row = run.find(benchmark, AVGT, all);
            if (row != null && row.nanos() > 0)
            {
                xs.add(Double.parseDouble(c));
                ys.add(row.nanos() / unit.nanos);
                errors.add(row.errorNanos() / unit.nanos);
            }
        }
        if (xs.isEmpty())
        {
            return;
        }
        final Color colour = COLOURS[slot % COLOURS.length];
        final XYSeries series = chart.addSeries(name, xs, ys);
        series.setLineColor(colour);
        series.setMarkerColor(colour);
        series.setMarker(MARKERS[slot % MARKERS.length]);
        series.setLineStyle(style.stroke);
        for (int i = 0; i < xs.size(); i++)
        {
            final double y = ys.get(i);
            final double e = errors.get(i);
            if (Double.isNaN(e) || e <= 0)
            {
                continue;
            }
            // XChart's own error bars are symmetric and refuse a lower end at or below zero on a log axis,
            // which JMH's half-width often reaches with one fork: each bar is a short series of its own, from
            // y / (1 + e/y) to y + e, the same ratio either side on the log axis, so that no bar reaches down
            // through the picture; cut at the bottom of the chart if it still goes below.
            final XYSeries bar = chart.addSeries(name + ERROR_BAR + i, new double[] {xs.get(i), xs.get(i)},
                new double[] {y * y / (y + e), y + e});
            bar.setShowInLegend(false);
            bar.setMarker(SeriesMarkers.NONE);
            bar.setLineColor(new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), BAR_ALPHA));
            bar.setLineStyle(BAR_STROKE);
        }
    }

    /**
     * Sets the y-axis to start one decade below the smallest score's decade and cuts the error bars whose lower
     * end is below it (or at or below zero) there.
     */
    private static void cutErrorBars(final XYChart chart)
    {
        double smallest = Double.MAX_VALUE;
        for (final XYSeries series : chart.getSeriesMap().values())
        {
            if (!series.getName().contains(ERROR_BAR))
            {
                smallest = Math.min(smallest, series.getYMin());
            }
        }
        if (smallest == Double.MAX_VALUE)
        {
            return;
        }
        final double bottom = Math.pow(10, Math.floor(Math.log10(smallest)) - 1);
        chart.getStyler().setYAxisMin(bottom);
        for (final XYSeries series : chart.getSeriesMap().values())
        {
            if (series.getName().contains(ERROR_BAR))
            {
                final double[] y = series.getYData();
                if (Double.isNaN(y[0]) || y[0] < bottom)
                {
                    chart.updateXYSeries(series.getName(), series.getXData(), new double[] {bottom, y[1]}, null);
                }
            }
        }
    }
}
