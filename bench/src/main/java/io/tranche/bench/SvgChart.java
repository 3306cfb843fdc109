package io.tranche.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small hand-written SVG line chart with logarithmic axes: time per call against claim count.
 * No dependency, readable in any browser and on GitHub.
 */
final class SvgChart
{
    private static final String[] COLOURS =
        {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#17becf", "#bcbd22"};
    private static final int WIDTH = 760;
    private static final int HEIGHT = 460;
    private static final int LEFT = 80;
    private static final int RIGHT = 250;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<String> names = new ArrayList<>();
    private final List<double[]> xs = new ArrayList<>();
    private final List<double[]> ys = new ArrayList<>();
    private final List<Boolean> dashed = new ArrayList<>();

    SvgChart(final String title, final String xLabel, final String yLabel)
    {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** Adds a series; points with a non-positive or NaN y are left out. */
    SvgChart series(final String name, final double[] x, final double[] y, final boolean dash)
    {
        int n = 0;
        for (int i = 0; i < x.length; i++)
        {
            if (y[i] > 0 && x[i] > 0)
            {
                n++;
            }
        }
        if (n == 0)
        {
            return this;
        }
        final double[] px = new double[n];
        final double[] py = new double[n];
        int k = 0;
        for (int i = 0; i < x.length; i++)
        {
            if (y[i] > 0 && x[i] > 0)
            {
                px[k] = x[i];
                py[k] = y[i];
                k++;
            }
        }
        names.add(name);
        xs.add(px);
        ys.add(py);
        dashed.add(dash);
        return this;
    }

    boolean isEmpty()
    {
        return names.isEmpty();
    }

    String render()
    {
        double xMin = Double.MAX_VALUE;
        double xMax = 0;
        double yMin = Double.MAX_VALUE;
        double yMax = 0;
        for (int s = 0; s < names.size(); s++)
        {
            for (final double x : xs.get(s))
            {
                xMin = Math.min(xMin, x);
                xMax = Math.max(xMax, x);
            }
            for (final double y : ys.get(s))
            {
                yMin = Math.min(yMin, y);
                yMax = Math.max(yMax, y);
            }
        }
        if (names.isEmpty())
        {
            xMin = 1;
            xMax = 10;
            yMin = 1;
            yMax = 10;
        }
        final double lx0 = Math.floor(Math.log10(xMin));
        final double lx1 = Math.max(lx0 + 1, Math.ceil(Math.log10(xMax)));
        final double ly0 = Math.floor(Math.log10(yMin));
        final double ly1 = Math.max(ly0 + 1, Math.ceil(Math.log10(yMax)));
        final int plotW = WIDTH - LEFT - RIGHT;
        final int plotH = HEIGHT - TOP - BOTTOM;

        final StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" " +
            "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
            LEFT, escape(title)));
        for (double d = lx0; d <= lx1 + 1e-9; d++)
        {
            final double px = LEFT + (d - lx0) / (lx1 - lx0) * plotW;
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n", px, TOP, px, TOP + plotH));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                px, TOP + plotH + 18, escape(decade(d, false))));
        }
        for (double d = ly0; d <= ly1 + 1e-9; d++)
        {
            final double py = TOP + plotH - (d - ly0) / (ly1 - ly0) * plotH;
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", LEFT, py, LEFT + plotW, py));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                LEFT - 6, py + 4, escape(decade(d, true))));
        }
        svg.append(String.format(Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n", LEFT, TOP, plotW, plotH));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
            LEFT + plotW / 2, HEIGHT - 18, escape(xLabel)));
        svg.append(String.format(Locale.ROOT,
            "<text x=\"16\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">%s</text>%n",
            TOP + plotH / 2, TOP + plotH / 2, escape(yLabel)));

        for (int s = 0; s < names.size(); s++)
        {
            final String colour = COLOURS[s % COLOURS.length];
            final double[] x = xs.get(s);
            final double[] y = ys.get(s);
            final StringBuilder points = new StringBuilder();
            for (int i = 0; i < x.length; i++)
            {
                final double px = LEFT + (Math.log10(x[i]) - lx0) / (lx1 - lx0) * plotW;
                final double py = TOP + plotH - (Math.log10(y[i]) - ly0) / (ly1 - ly0) * plotH;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", px, py, colour));
            }
            svg.append(String.format(Locale.ROOT,
                "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                points.toString().trim(), colour, dashed.get(s) ? " stroke-dasharray=\"6 4\"" : ""));
            final int ly = TOP + 10 + s * 20;
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                LEFT + plotW + 12, ly, LEFT + plotW + 36, ly, colour, dashed.get(s) ? " stroke-dasharray=\"6 4\"" : ""));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n",
                LEFT + plotW + 42, ly + 4, escape(names.get(s))));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static String decade(final double exponent, final boolean time)
    {
        final double value = Math.pow(10, exponent);
        if (time)
        {
            return Report.time(value);
        }
        if (value >= 1e6)
        {
            return String.format(Locale.ROOT, "%.0fM", value / 1e6);
        }
        if (value >= 1e3)
        {
            return String.format(Locale.ROOT, "%.0fk", value / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", value);
    }

    private static String escape(final String s)
    {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
