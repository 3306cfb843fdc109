package io.tranche.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The smoke profile, in this JVM (forks 0) and on the smallest parameters: every benchmark method
 * runs, jmh.json holds one row per run with the GC profiler's figures, and the report, the charts,
 * {@code report DIR} and {@code compare A B} are produced. Proves the pipeline works, not speed.
 */
class BenchSmokeTest
{
    private static final Set<String> ALL_BENCHMARKS = Set.of(
        "KernelBenchmark.allocate",
        "StreamingFloorBenchmark.stream",
        "DivisorBaselineBenchmark.priorityQueue",
        "LargestRemainderBaselineBenchmark.bigDecimal",
        "LargestRemainderBaselineBenchmark.doubles",
        "WaterFillingBaselineBenchmark.binarySearch",
        "EndToEndBenchmark.allocate",
        "EndToEndBenchmark.echo");

    @Test
    void shouldRunEveryBenchmarkAndBuildTheReportInSmokeMode(@TempDir final Path tmp) throws Exception
    {
        final Path out = tmp.resolve("smoke");
        // JMH refuses to start while another JMH run on the machine holds /tmp/jmh.lock (a benchmark run by a
        // developer beside the build): this run proves the pipeline, not speed, so it need not wait for the lock.
        System.setProperty("jmh.ignoreLock", "true");
        final int exit = run("--smoke", "--forks", "0", "--time", "20ms", "-p", "claims=3", "-p", "supply=400000",
            "--out", out.toString());
        assertThat(exit).isZero();

        final JsonArray rows = JsonParser.parseString(Files.readString(out.resolve("jmh.json"))).getAsJsonArray();
        final Set<String> seen = new TreeSet<>();
        int kernelRows = 0;
        for (final JsonElement row : rows)
        {
            final String name = row.getAsJsonObject().get("benchmark").getAsString();
            seen.add(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1));
            assertThat(row.getAsJsonObject().getAsJsonObject("secondaryMetrics").has("gc.alloc.rate.norm"))
                .as("GC profiler figures for %s", name).isTrue();
            if (name.endsWith("KernelBenchmark.allocate"))
            {
                kernelRows++;
            }
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(ALL_BENCHMARKS);
        // 10 methods × 2 shapes at claims=3, supply=400000.
        assertThat(kernelRows).isEqualTo(20);

        final String report = Files.readString(out.resolve("report.md"));
        assertThat(report)
            .contains("## Machine", "## Targets", "## Kernel, shape `tail`", "## Kernel, shape `tiered`",
                "## Baselines and the streaming floor", "## End to end", "## Charts", "## Closing note")
            .contains("| PROPORTIONAL | 3 |", "LR BigDecimal", "water-filling", "PQ")
            .contains("kernel B/op < 1");
        for (final String method : new String[] {"PROPORTIONAL", "EQUAL", "DHONDT", "HUNTINGTON_HILL", "FIFO"})
        {
            final Path chart = out.resolve("charts").resolve(method + ".png");
            assertThat(ImageIO.read(chart.toFile())).as("PNG %s", chart).isNotNull();
            assertThat(report).contains("charts/" + method + ".png");
        }
        assertThat(Files.readString(out.resolve("machine.json"))).contains("\"processor\"", "\"architecture\"",
            "\"jvmVersion\"", "\"forkJvmFlags\"", "\"profile\": \"smoke\"");
        assertThat(Files.readAllLines(out.resolve("e2e-server.jsonl"))).hasSize(4)
            .allSatisfy(line -> assertThat(line).contains("\"claims\":3").doesNotContain("\"calls\":0,"));

        // report DIR rebuilds the same report from jmh.json alone
        Files.delete(out.resolve("report.md"));
        assertThat(run("report", out.toString())).isZero();
        assertThat(Files.readString(out.resolve("report.md"))).isEqualTo(report);

        // compare A A: every ratio is 1
        final Path cmp = tmp.resolve("compare.md");
        assertThat(run("compare", out.toString(), out.toString(), "--out", cmp.toString())).isZero();
        final String compare = Files.readString(cmp);
        assertThat(compare)
            .contains("| KernelBenchmark.allocate | avgt | claims=3 method=DHONDT shape=tail supply=400000 |");
        for (final String line : compare.split("\n"))
        {
            if (line.startsWith("| KernelBenchmark") || line.startsWith("| EndToEnd"))
            {
                assertThat(line).contains("| 1.000 |");
            }
        }
    }

    private static int run(final String... args)
    {
        final PrintStream saved = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int exit = -1;
        try
        {
            exit = new CommandLine(new BenchMain()).execute(args);
            return exit;
        }
        finally
        {
            System.setOut(saved);
            if (exit != 0)
            {
                // Only a failing run's progress lines are worth the build log.
                System.out.print(captured.toString(StandardCharsets.UTF_8));
            }
        }
    }
}
