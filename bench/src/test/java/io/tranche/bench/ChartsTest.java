package io.tranche.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The charts render headless into real PNG files, with error bars that reach below zero (one fork's JMH error
 * often does), the floor at every supply, and an x-axis that ends at the claim counts measured.
 */
class ChartsTest
{
    private static final byte[] PNG_SIGNATURE = {(byte)0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @Test
    void shouldWriteAValidPngPerMethodMeasured(@TempDir final Path tmp) throws Exception
    {
        final Run run = Run.load(folder(tmp));
        final String section = Charts.write(run);

        final Path png = tmp.resolve("run").resolve(Charts.DIR).resolve("EQUAL.png");
        assertThat(section).contains("![EQUAL](charts/EQUAL.png)").doesNotContain("PROPORTIONAL");
        assertThat(png).isRegularFile();
        assertThat(Files.size(png)).isPositive();
        final byte[] bytes = Files.readAllBytes(png);
        final byte[] head = new byte[PNG_SIGNATURE.length];
        System.arraycopy(bytes, 0, head, 0, head.length);
        assertThat(head).isEqualTo(PNG_SIGNATURE);
        final BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(Charts.WIDTH);
        assertThat(image.getHeight()).isEqualTo(Charts.HEIGHT);
        try (Stream<Path> files = Files.list(png.getParent()))
        {
            assertThat(files).hasSize(1);
        }
    }

    @Test
    void shouldDrawTheFloorForBothSuppliesWithErrorBarsOnAnAxisEndingAtTheData(@TempDir final Path tmp)
        throws Exception
    {
        final XYChart chart = Charts.chart(Run.load(folder(tmp)), "EQUAL");

        final List<String> legend = new ArrayList<>();
        int bars = 0;
        for (final XYSeries series : chart.getSeriesMap().values())
        {
            if (series.isShowInLegend())
            {
                legend.add(series.getName());
            }
            else
            {
                bars++;
                // every bar stands on one claim count and has a positive lower end, even the one whose error
                // (30 ns) exceeds its score (10 ns)
                assertThat(series.getXData()[0]).isEqualTo(series.getXData()[1]);
                assertThat(series.getYData()[0]).isPositive().isLessThan(series.getYData()[1]);
            }
        }
        assertThat(legend).containsExactly("kernel S=400k", "kernel S=10^12", "water-filling, double S=400k",
            "streaming floor S=400k", "streaming floor S=10^12");
        // every point has an error bar but the water-filling's, whose error JMH could not compute
        assertThat(bars).isEqualTo(8);
        assertThat(chart.getStyler().getXAxisMin()).isEqualTo(3.0);
        assertThat(chart.getStyler().getXAxisMax()).isEqualTo(4096.0);
        assertThat(chart.getStyler().isXAxisLogarithmic()).isTrue();
        assertThat(chart.getStyler().isYAxisLogarithmic()).isTrue();
    }

    @Test
    void shouldLabelTimesInAUnitAndPutTheMachineCommitAndDateOnEachChart(@TempDir final Path tmp) throws Exception
    {
        final Path dir = folder(tmp);
        Files.writeString(dir.resolve(Machine.FILE), "{\"processor\": \"AMD EPYC\", \"architecture\": \"x86_64\", " +
            "\"logicalCores\": 2, \"gitCommit\": \"c58b04428e5b2fe68e6cb554d8dfde13d9b1c0ef\", " +
            "\"date\": \"2026-11-30T08:04:27Z\"}");
        final XYChart chart = Charts.chart(Run.load(dir), "EQUAL");
        // rows from 2 ns to 9,000 ns: the axis is in ns (their geometric middle, 134 ns, is below 1,000)
        assertThat(chart.getYAxisTitle()).isEqualTo("time per call (ns)");
        assertThat(chart.getXAxisTitle()).contains("AMD EPYC, x86_64, 2 cores; commit c58b044; 2026-11-30");

        final Path slow = new ResultFolder()
            .avgt(Benchmarks.KERNEL, 50, 1, 0, "method", "DHONDT", "claims", "3", "supply", "400000", "shape", "tail")
            .avgt(Benchmarks.KERNEL, 63_000_000, 9_000_000, 0, "method", "DHONDT", "claims", "1048576",
                "supply", "400000", "shape", "tail")
            .avgt(Benchmarks.PQ, 4_700_000, 1, 0, "method", "DHONDT", "claims", "3", "supply", "400000")
            .write(tmp.resolve("slow"));
        final XYChart divisor = Charts.chart(Run.load(slow), "DHONDT");
        // 50 ns to 63 ms: the middle is 56 µs, so µs (0.05 to 63,000) rather than ms (0.00005 to 63)
        assertThat(divisor.getYAxisTitle()).isEqualTo("time per call (µs)");
        assertThat(divisor.getSeriesMap().get("kernel S=400k").getYData()).containsExactly(0.05, 63_000.0);
        assertThat(divisor.getSeriesMap().keySet()).contains("priority queue, one unit a pop S=400k")
            .noneMatch(name -> name.contains("PQ per unit"));
    }

    @Test
    void shouldDrawTheTwoFloorsWithDifferentLinesAndKeepErrorBarsAboveHalfTheScore(@TempDir final Path tmp)
        throws Exception
    {
        final XYChart chart = Charts.chart(Run.load(folder(tmp)), "EQUAL");
        final XYSeries low = chart.getSeriesMap().get("streaming floor S=400k");
        final XYSeries high = chart.getSeriesMap().get("streaming floor S=10^12");
        assertThat(low.getLineStyle()).isNotEqualTo(high.getLineStyle());
        assertThat(low.getLineColor()).isNotEqualTo(high.getLineColor());
        // the kernel at 3 claims: 10 ns with an error of 30 ns; the bar goes from 10 / (1 + 3) to 10 + 30
        final XYSeries bar = chart.getSeriesMap().values().stream()
            .filter(series -> !series.isShowInLegend() && series.getYData()[1] == 40.0).findFirst().orElseThrow();
        assertThat(bar.getYData()[0]).isEqualTo(2.5);
    }

    @Test
    void shouldWriteTheReportWithoutChartsWhenTheJreCannotDrawText(@TempDir final Path tmp) throws Exception
    {
        final Path dir = folder(tmp);
        final Charts.Encoder encoder = Charts.encoder;
        Charts.encoder = (chart, out) ->
        {
            throw new UnsatisfiedLinkError("/usr/lib/jvm/java-17-openjdk-arm64/lib/libfontmanager.so: " +
                "libharfbuzz.so.0: cannot open shared object file: No such file or directory");
        };
        try
        {
            final Path report = Report.build(dir);
            assertThat(Files.readString(report)).contains("## Charts\n\nNot drawn: this JRE cannot draw text " +
                "(UnsatisfiedLinkError: ").contains("libharfbuzz.so.0").contains("## Targets");
            try (Stream<Path> files = Files.list(dir.resolve(Charts.DIR)))
            {
                assertThat(files).isEmpty();
            }
        }
        finally
        {
            Charts.encoder = encoder;
        }
    }

    /** EQUAL at 3 and 4,096 claims, both supplies, with the floor and one baseline. */
    private static Path folder(final Path tmp) throws Exception
    {
        final ResultFolder f = new ResultFolder();
        for (final String s : new String[] {"400000", "1000000000000"})
        {
            f.avgt(Benchmarks.KERNEL, 10, 30, 0, "method", "EQUAL", "claims", "3", "supply", s, "shape", "tail")
                .avgt(Benchmarks.KERNEL, 9_000, 500, 0, "method", "EQUAL", "claims", "4096", "supply", s,
                    "shape", "tail")
                .avgt(Benchmarks.FLOOR, 2, 0.1, 0, "claims", "3", "supply", s)
                .avgt(Benchmarks.FLOOR, 1_500, 40, 0, "claims", "4096", "supply", s);
        }
        f.avgt(Benchmarks.WATER, 20, Double.NaN, Double.NaN, "claims", "3", "supply", "400000");
        return f.write(tmp.resolve("run"));
    }
}
