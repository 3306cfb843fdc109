package io.tranche.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** Usage mistakes end in one line on standard error and exit 2, never a stack trace or an empty "successful" run. */
class BenchCommandLineTest
{
    @Test
    void shouldSayInOneLineThatAReportFolderIsMissing(@TempDir final Path tmp)
    {
        final Outcome o = run("report", tmp.resolve("nowhere").toString());
        assertThat(o.exit).isEqualTo(2);
        assertThat(o.err.strip()).isEqualTo("tranche bench: no such result folder: " + tmp.resolve("nowhere"));
        assertThat(o.err.lines()).hasSize(1);
    }

    @Test
    void shouldSayInOneLineThatACompareFolderIsMissingOrHoldsNoResults(@TempDir final Path tmp) throws Exception
    {
        final Path empty = Files.createDirectories(tmp.resolve("empty"));
        final Outcome missing = run("compare", empty.toString(), tmp.resolve("nowhere").toString());
        assertThat(missing.exit).isEqualTo(2);
        assertThat(missing.err.lines()).hasSize(1);
        final Outcome noResults = run("compare", empty.toString(), empty.toString());
        assertThat(noResults.exit).isEqualTo(2);
        assertThat(noResults.err.strip())
            .isEqualTo("tranche bench: " + empty + " is not a result folder (no jmh.json in it)");
    }

    @Test
    void shouldRefuseAnIncludeThatMatchesNothing(@TempDir final Path tmp)
    {
        final Outcome o =
            run("--smoke", "--forks", "0", "--include", "NoSuchBenchmark", "--out", tmp.resolve("x").toString());
        assertThat(o.exit).isEqualTo(2);
        assertThat(o.err.strip()).isEqualTo("tranche bench: no benchmark matches --include [NoSuchBenchmark]");
        assertThat(o.out).doesNotContain("run of 0 benchmarks");
        assertThat(tmp.resolve("x")).doesNotExist();
    }

    @Test
    void shouldEstimateTheTimeLeftFromTheMeanSoFar()
    {
        assertThat(ProgressFormat.timeLeft(30, 3, 9)).isEqualTo(", about 60 s left");
        assertThat(ProgressFormat.timeLeft(600, 10, 40)).isEqualTo(", about 30 min left");
        assertThat(ProgressFormat.timeLeft(30, 9, 9)).isEmpty();
        assertThat(ProgressFormat.timeLeft(30, 3, 0)).isEmpty();
    }

    @Test
    void shouldMeasureTheSmallTargetRowsAgainOnlyInAFullRunThatHasThem()
    {
        final BenchMain full = new BenchMain();
        assertThat(full.repeatOverrides("full", Map.of())).containsExactly(entry("claims", "3,64"),
            entry("shape", "tail"));
        assertThat(full.repeatOverrides("full", Map.of("claims", "64,4096", "method", "DEAN")))
            .containsEntry("claims", "64").containsEntry("shape", "tail").containsEntry("method", "DEAN");
        assertThat(full.repeatOverrides("full", Map.of("claims", "4096"))).isNull();
        assertThat(full.repeatOverrides("full", Map.of("shape", "tiered"))).isNull();
        assertThat(full.repeatOverrides("quick", Map.of())).isNull();
        assertThat(full.repeatOverrides("smoke", Map.of())).isNull();
        final BenchMain oneFork = new BenchMain();
        oneFork.forks = 1;
        assertThat(oneFork.repeatOverrides("full", Map.of())).isNull();

        // Only the kernel and the floor, and only as the run's own --include and --exclude select them.
        assertThat(BenchMain.repeatIncludes(List.of(BenchMain.ALL), List.of(BenchMain.E2E), BenchMain.REPEATED))
            .containsExactlyInAnyOrder("^\\Qio.tranche.bench.kernel.KernelBenchmark.allocate\\E$",
                "^\\Qio.tranche.bench.kernel.StreamingFloorBenchmark.stream\\E$");
        assertThat(BenchMain.repeatIncludes(List.of("DivisorBaseline"), List.of(), BenchMain.REPEATED)).isEmpty();
        assertThat(BenchMain.repeatIncludes(List.of(BenchMain.ALL), List.of("StreamingFloor"), BenchMain.REPEATED))
            .containsExactly("^\\Qio.tranche.bench.kernel.KernelBenchmark.allocate\\E$");
    }

    @Test
    void shouldMeasureTheQueueTargetRowsAt4096ClaimsAgainOnlyInAFullRunThatHasThem()
    {
        final BenchMain full = new BenchMain();
        assertThat(full.queueRepeatOverrides("full", Map.of())).containsExactly(entry("claims", "4096"),
            entry("shape", "tail"), entry("supply", "400000"),
            entry("method", "DHONDT,SAINTE_LAGUE,ADAMS,DEAN,HUNTINGTON_HILL"));
        assertThat(full.queueRepeatOverrides("full", Map.of("claims", "64,4096", "method", "DEAN,EQUAL")))
            .containsEntry("claims", "4096").containsEntry("method", "DEAN");
        assertThat(full.queueRepeatOverrides("full", Map.of("claims", "64"))).isNull();
        assertThat(full.queueRepeatOverrides("full", Map.of("shape", "tiered"))).isNull();
        assertThat(full.queueRepeatOverrides("full", Map.of("supply", "1000000000000"))).isNull();
        assertThat(full.queueRepeatOverrides("full", Map.of("method", "EQUAL"))).isNull();
        assertThat(full.queueRepeatOverrides("quick", Map.of())).isNull();
        final BenchMain oneFork = new BenchMain();
        oneFork.forks = 1;
        assertThat(oneFork.queueRepeatOverrides("full", Map.of())).isNull();

        // The divisor methods' kernel rows and the queue's, as the run's own --include and --exclude select them.
        assertThat(BenchMain.repeatIncludes(List.of(BenchMain.ALL), List.of(BenchMain.E2E), BenchMain.QUEUE_REPEATED))
            .containsExactlyInAnyOrder("^\\Qio.tranche.bench.kernel.KernelBenchmark.allocate\\E$",
                "^\\Qio.tranche.bench.kernel.DivisorBaselineBenchmark.priorityQueue\\E$");
        assertThat(BenchMain.repeatIncludes(List.of("StreamingFloor"), List.of(), BenchMain.QUEUE_REPEATED)).isEmpty();
    }

    @Test
    void shouldPairAllocateAndEchoInRoundsEachGoingFirstInHalfOfThem()
    {
        final List<String> all = List.of(BenchMain.ALL);
        final List<String> e2eOnly = List.of("^(?!.*" + BenchMain.E2E + ")");
        final BenchMain main = new BenchMain();

        final List<BenchMain.Pass> full = main.endToEndPasses("full", all, e2eOnly, Map.of());
        assertThat(BenchMain.E2E_FORKS % 2).isZero();
        assertThat(full).hasSize(BenchMain.E2E_FORKS * 3 * 2);
        // Each pass: one benchmark, throughput and sample time, at one claim count; both at a claim count in turn,
        // allocate first in the even rounds and echo first in the odd ones.
        assertThat(full).allSatisfy(p -> assertThat(p.count()).isEqualTo(2));
        final String allocate = "^\\Qio.tranche.bench.server.EndToEndBenchmark.allocate\\E$";
        final String echo = "^\\Qio.tranche.bench.server.EndToEndBenchmark.echo\\E$";
        assertThat(full.subList(0, 12)).extracting(p -> p.overrides().get("claims") + " " + p.include().get(0))
            .containsExactly("3 " + allocate, "3 " + echo, "64 " + allocate, "64 " + echo,
                "4096 " + allocate, "4096 " + echo,
                "3 " + echo, "3 " + allocate, "64 " + echo, "64 " + allocate, "4096 " + echo, "4096 " + allocate);
        assertThat(full.subList(12, full.size())).extracting(p -> p.overrides().get("claims") + " " +
            p.include().get(0)).containsExactlyElementsOf(full.subList(0, 12).stream()
                .map(p -> p.overrides().get("claims") + " " + p.include().get(0)).toList());
        assertThat(main.endToEndPasses("full", all, e2eOnly, Map.of("claims", "64")))
            .hasSize(BenchMain.E2E_FORKS * 2);
        // Only the benchmarks the run selects.
        assertThat(main.endToEndPasses("full", List.of("EndToEndBenchmark.echo"), e2eOnly, Map.of()))
            .hasSize(BenchMain.E2E_FORKS * 3).allSatisfy(p -> assertThat(p.include()).containsExactly(echo));

        final List<BenchMain.Pass> quick = main.endToEndPasses("quick", all, e2eOnly, Map.of());
        assertThat(quick).hasSize(1);
        assertThat(quick.get(0).count()).isEqualTo(12);
    }

    private record Outcome(int exit, String out, String err)
    {
    }

    private static Outcome run(final String... args)
    {
        final PrintStream savedOut = System.out;
        final PrintStream savedErr = System.err;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try
        {
            final int exit = new CommandLine(new BenchMain()).execute(args);
            return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }
}
