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
        FLOOR(SeriesLines.DOT_DOT);

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
            .append("Time per call against claim count, log axes, error bars: JMH's 99.9% confidence half-width ")
            .append("(a bar whose lower end is at or below zero, or below the chart, stops at its bottom); ")
            .append("solid: the kernel, ")
            .append("dashed: baselines, dotted: the streaming floor.\n\n");
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
                BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
            }
            b.append("![").append(method).append("](").append(DIR).append('/').append(file).append(")\n\n");
        }
        return b.toString();
    }

    /**
     * @param run    the result folder.
     * @param method a kernel method.
     * @return the method's chart; no series when the run has no row for it.
     */
    static XYChart chart(final Run run, final String method)
    {
        final List<String> claims = run.claimCounts();
        final XYChart chart = new XYChart(WIDTH, HEIGHT);
        chart.setTitle(method + ": time per call");
        chart.setXAxisTitle("claims");
        chart.setYAxisTitle("time per call (ns)");
        style(chart.getStyler(), claims);
        final List<String> supplies = run.supplies();
        // Colours and markers by role, the same in every chart: kernel 0-3, baselines 4-7, floors 8-9.
        for (int si = 0; si < supplies.size(); si++)
        {
            final String supply = supplies.get(si);
            final int k = 2 * (si % 2);
            add(chart, run, claims, "kernel S=" + Format.supply(supply), Style.KERNEL, k, KERNEL,
                "method", method, "supply", supply, "shape", TAIL);
            add(chart, run, claims, "kernel tiered S=" + Format.supply(supply), Style.KERNEL, k + 1, KERNEL,
                "method", method, "supply", supply, "shape", TIERED);
        }
        for (int si = 0; si < supplies.size(); si++)
        {
            final String supply = supplies.get(si);
            final String s = Format.supply(supply);
            final int b = 4 + si % 2;
            if ("PROPORTIONAL".equals(method))
            {
                add(chart, run, claims, "LR BigDecimal S=" + s, Style.BASELINE, b, LR_BIG, "supply", supply);
                add(chart, run, claims, "LR double S=" + s, Style.BASELINE, b + 2, LR_DOUBLE, "supply", supply);
            }
            else if ("EQUAL".equals(method))
            {
                add(chart, run, claims, "water-filling S=" + s, Style.BASELINE, b, WATER, "supply", supply);
            }
            else if (Benchmarks.isDivisor(method))
            {
                add(chart, run, claims, "PQ per unit S=" + s, Style.BASELINE, b, PQ,
                    "method", method, "supply", supply);
            }
        }
        if (!chart.getSeriesMap().isEmpty())
        {
            for (int si = 0; si < supplies.size(); si++)
            {
                add(chart, run, claims, "streaming floor S=" + Format.supply(supplies.get(si)), Style.FLOOR,
                    8 + si % 2, FLOOR, "supply", supplies.get(si));
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
        styler.setYAxisDecimalPattern("#,##0.#");
    }

    /** Adds the rows of one benchmark over the claim counts, if the run has any, and their error bars. */
    private static void add(final XYChart chart, final Run run, final List<String> claims, final String name,
        final Style style, final int slot, final String benchmark, final String... params)
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
                ys.add(row.nanos());
                errors.add(row.errorNanos());
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
            // which JMH's half-width often reaches with one fork: each bar is a short series of its own,
            // its lower end cut at the bottom of the chart (NaN here, set once the axis is known).
            final XYSeries bar = chart.addSeries(name + ERROR_BAR + i, new double[] {xs.get(i), xs.get(i)},
                new double[] {y > e ? y - e : Double.NaN, y + e});
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
