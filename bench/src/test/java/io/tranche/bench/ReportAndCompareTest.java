package io.tranche.bench;

import io.tranche.bench.server.EndToEndRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A run on a loaded machine says so; a comparison starts with a summary of the ratios and the unmatched rows. */
class ReportAndCompareTest
{
    @Test
    void shouldRecordTheLoadAverageAndWarnWhenItIsAboveTheCores(@TempDir final Path tmp) throws Exception
    {
        assertThat(Machine.loadAverage()).matches("\\d+\\.\\d+( \\d+\\.\\d+ \\d+\\.\\d+)?");
        final Path dir = folder(tmp.resolve("loaded"));
        Files.writeString(dir.resolve(Machine.FILE),
            "{\"logicalCores\": 2, \"loadAverageStart\": \"1.50 1.20 1.00\", \"profile\": \"full\"}");
        Machine.recordEndLoad(dir);
        assertThat(Machine.load(dir)).containsKey(Machine.LOAD_END).containsEntry("logicalCores", "2");

        Files.writeString(dir.resolve(Machine.FILE), "{\"logicalCores\": 2, " +
            "\"loadAverageStart\": \"1.50 1.20 1.00\", \"loadAverageEnd\": \"17.30 12.00 6.00\", " +
            "\"profile\": \"full\"}");
        assertThat(Files.readString(Report.build(dir))).contains("> **Warning:** the machine was loaded: 1-minute " +
            "load average 1.50 at the start and 17.30 at the end, above its 2 logical cores.")
            .contains("| loadAverageEnd | `17.30 12.00 6.00` |");

        Files.writeString(dir.resolve(Machine.FILE), "{\"logicalCores\": 2, " +
            "\"loadAverageStart\": \"0.50 0.20 0.10\", \"loadAverageEnd\": \"1.90 1.00 0.50\", \"profile\": \"full\"}");
        assertThat(Files.readString(Report.build(dir))).doesNotContain("Warning");
    }

    @Test
    void shouldShowCpuPerCallFromTheTrialsThatRecordedIt(@TempDir final Path tmp) throws Exception
    {
        final Path dir = new ResultFolder()
            .thrpt(Benchmarks.E2E_ALLOCATE, 9.0, "claims", "64")
            .thrpt(Benchmarks.E2E_ECHO, 10.0, "claims", "64")
            .write(tmp.resolve("run"));
        // A run from before CPU was recorded: bytes only, and no CPU table.
        Files.writeString(dir.resolve(EndToEndRecord.FILE),
            "{\"benchmark\":\"allocate\",\"mode\":\"thrpt\",\"claims\":64,\"calls\":10,\"serverBytes\":1000}\n" +
            "{\"benchmark\":\"echo\",\"mode\":\"thrpt\",\"claims\":64,\"calls\":10,\"serverBytes\":500}\n",
            StandardCharsets.UTF_8);
        assertThat(Files.readString(Report.build(dir))).contains("| 64 |").doesNotContain("CPU per call");

        // Allocate: 3,000 calls over two trials, 90 + 60 ms on the server threads (50 µs a call), 300 + 150 ms in the
        // JVM (150 µs); echo 1,000 calls, 40 ms and 120 ms. An older line of the same benchmark counts for bytes only.
        Files.writeString(dir.resolve(EndToEndRecord.FILE),
            EndToEndRecord.line("allocate", "thrpt", 64, 2_000, 1_000, 90_000_000, 300_000_000) +
            EndToEndRecord.line("allocate", "sample", 64, 1_000, 1_000, 60_000_000, 150_000_000) +
            "{\"benchmark\":\"allocate\",\"mode\":\"thrpt\",\"claims\":64,\"calls\":7,\"serverBytes\":7}\n" +
            EndToEndRecord.line("echo", "thrpt", 64, 1_000, 500, 40_000_000, 120_000_000), StandardCharsets.UTF_8);
        assertThat(Files.readString(Report.build(dir)))
            .contains("| claims | server Allocate | server echo | server difference | JVM Allocate | JVM echo | "
                + "JVM difference |")
            .contains("| 64 | 50.0 | 40.0 | 10.0 | 150.0 | 120.0 | 30.0 |");
    }

    @Test
    void shouldSummariseRatiosAndRowsOnlyInOneRunBeforeTheTable(@TempDir final Path tmp) throws Exception
    {
        final Path a = new ResultFolder()
            .avgt(Benchmarks.FLOOR, 100, 1, 0, "claims", "3", "supply", "400000")
            .avgt(Benchmarks.FLOOR, 200, 1, 0, "claims", "64", "supply", "400000")
            .avgt(Benchmarks.FLOOR, 400, 1, 0, "claims", "4096", "supply", "400000")
            .avgt(Benchmarks.FLOOR, 800, 1, 0, "claims", "1048576", "supply", "400000")
            .write(tmp.resolve("a"));
        final Path b = new ResultFolder()
            .avgt(Benchmarks.FLOOR, 50, 1, 0, "claims", "3", "supply", "400000")
            .avgt(Benchmarks.FLOOR, 200, 1, 0, "claims", "64", "supply", "400000")
            .avgt(Benchmarks.FLOOR, 800, 1, 0, "claims", "4096", "supply", "400000")
            .avgt(Benchmarks.FLOOR, 10, 1, 0, "claims", "3", "supply", "1000000000000")
            .write(tmp.resolve("b"));
        final String md = Compare.compare(a, b, false);
        assertThat(md.indexOf("## Summary")).isPositive().isLessThan(md.indexOf("| benchmark |"));
        assertThat(md).contains("- Rows: 3 in both, 1 only in A, 1 only in B (listed below with – for the missing " +
            "side; --common leaves them out).\n")
            .contains("- B/A of 3 times (below 1: B is faster): median 1.00, quartiles 0.75 and 1.50, range 0.50 to " +
                "2.00; 1 below 1, 2 at or above.\n");
        assertThat(md.lines().filter(l -> l.startsWith("| StreamingFloor") || l.contains("claims="))).hasSize(5);

        final String common = Compare.compare(a, b, true);
        assertThat(common).contains("(left out below: --common)");
        final List<String> rows = common.lines().filter(l -> l.contains("claims=")).toList();
        assertThat(rows).hasSize(3).noneMatch(l -> l.contains("| – |"));
    }

    private static Path folder(final Path dir) throws Exception
    {
        return new ResultFolder()
            .avgt(Benchmarks.KERNEL, 10, 1, 0, "method", "EQUAL", "claims", "3", "supply", "400000", "shape", "tail")
            .avgt(Benchmarks.FLOOR, 2, 0.1, 0, "claims", "3", "supply", "400000")
            .write(dir);
    }
}
