package io.tranche.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * How a row measured in several JVMs is scored: the median of its forks' means once there are three or more, in
 * one JMH entry or spread over entries of the same benchmark, mode and parameters; JMH's own mean below that.
 */
class ResultsTest
{
    private static final String[] ROW = {"method", "DEAN", "claims", "64", "supply", "400000", "shape", "tail"};

    @Test
    void shouldScoreTheMedianForkOfARowMeasuredAgainInAnotherPass(@TempDir final Path tmp) throws Exception
    {
        // First pass: one slow JVM (600 ns). Second pass: two JVMs near 400 ns. JMH's mean of all iterations
        // would be 466.7 ns; the median JVM reads 410 ns.
        final Path dir = new ResultFolder()
            .avgtForks(Benchmarks.KERNEL, new double[][] {{590, 600, 610}}, 0.5, ROW)
            .avgtForks(Benchmarks.KERNEL, new double[][] {{400, 400, 400}, {405, 410, 415}}, 2, ROW)
            .write(tmp.resolve("run"));
        final Results results = Results.load(dir.resolve(Results.FILE));

        assertThat(results.rows).hasSize(1);
        final Results.Row row = results.rows.get(0);
        assertThat(row.median()).isTrue();
        assertThat(row.forks).isEqualTo(3);
        assertThat(row.nanos()).isCloseTo(410, within(1e-9));
        assertThat(row.low).isCloseTo(400, within(1e-9));
        assertThat(row.high).isCloseTo(600, within(1e-9));
        assertThat(row.errorNanos()).isNaN();
        // Bytes per op: the mean over the three forks, each entry weighted by its forks.
        assertThat(row.bytesPerOp).isCloseTo((0.5 + 2 * 2) / 3, within(1e-9));
        assertThat(Format.timeWithError(row)).isEqualTo("410 ns (3 JVMs 400 ns–600 ns)");
    }

    @Test
    void shouldSayWhichRowsTheReportGivesAsMediansOfSeveralJvms(@TempDir final Path tmp) throws Exception
    {
        final String[] queueRow = {"method", "DEAN", "claims", "4096", "supply", "400000", "shape", "tail"};
        final Path small = new ResultFolder()
            .avgtForks(Benchmarks.KERNEL, new double[][] {{400}, {410}, {600}}, 0, ROW)
            .avgt(Benchmarks.FLOOR, 50, 2, 0, "claims", "64", "supply", "400000")
            .write(tmp.resolve("small"));
        Files.writeString(small.resolve(Machine.FILE), "{\"logicalCores\": 2, \"profile\": \"full\"}");
        assertThat(Files.readString(Report.build(small))).contains("the rows the targets read at 3 and 64 claims, " +
            "measured again in more JVMs").doesNotContain("4,096 claims (S = 400,000)");

        final Path queue = new ResultFolder()
            .avgtForks(Benchmarks.KERNEL, new double[][] {{400}, {410}, {600}}, 0, ROW)
            .avgtForks(Benchmarks.KERNEL, new double[][] {{30_000}, {40_000}, {50_000}}, 0, queueRow)
            .avgt(Benchmarks.FLOOR, 50, 2, 0, "claims", "64", "supply", "400000")
            .write(tmp.resolve("queue"));
        Files.writeString(queue.resolve(Machine.FILE), "{\"logicalCores\": 2, \"profile\": \"full\"}");
        assertThat(Files.readString(Report.build(queue))).contains("the rows the targets read at 3 and 64 claims, " +
            "and the divisor methods' and the per-unit queue's at 4,096 claims (S = 400,000), measured again in more " +
            "JVMs");
    }

    @Test
    void shouldTakeTheMiddleTwoOfAnEvenNumberOfForks(@TempDir final Path tmp) throws Exception
    {
        final Path dir = new ResultFolder()
            .avgtForks(Benchmarks.KERNEL, new double[][] {{100}, {300}, {200}, {1000}}, Double.NaN, ROW)
            .write(tmp.resolve("run"));
        final Results.Row row = Results.load(dir.resolve(Results.FILE)).rows.get(0);

        assertThat(row.nanos()).isCloseTo(250, within(1e-9));
        assertThat(row.forks).isEqualTo(4);
        assertThat(row.bytesPerOp).isNaN();
    }

    @Test
    void shouldKeepJmhsMeanAndErrorBelowThreeForks(@TempDir final Path tmp) throws Exception
    {
        final Path dir = new ResultFolder()
            .avgtForks(Benchmarks.KERNEL, new double[][] {{100, 100}, {400, 400}}, 1, ROW)
            .avgt(Benchmarks.FLOOR, 50, 2, 0, "claims", "64", "supply", "400000")
            .write(tmp.resolve("run"));
        final Results results = Results.load(dir.resolve(Results.FILE));

        final Results.Row kernel = results.find(Benchmarks.KERNEL, Benchmarks.AVGT, ROW);
        assertThat(kernel.median()).isFalse();
        assertThat(kernel.nanos()).isCloseTo(250, within(1e-9));
        assertThat(kernel.errorNanos()).isEqualTo(1);
        final Results.Row floor = results.find(Benchmarks.FLOOR, Benchmarks.AVGT, "claims", "64");
        assertThat(floor.median()).isFalse();
        assertThat(Format.timeWithError(floor)).isEqualTo("50 ns ± 2.00 ns");
    }

    @Test
    void shouldPoolTheSamplesOfASampleTimeRowMeasuredInSeveralPasses(@TempDir final Path tmp) throws Exception
    {
        // 100 samples in all: 50 at 100 us, 45 at 200 us (second pass), 5 at 1,000 us (third pass).
        final Path dir = new ResultFolder()
            .sample(Benchmarks.E2E_ALLOCATE, new double[][] {{100, 50}}, 100, "claims", "64")
            .sample(Benchmarks.E2E_ALLOCATE, new double[][] {{200, 45}}, 200, "claims", "64")
            .sample(Benchmarks.E2E_ALLOCATE, new double[][] {{1000, 5}}, 1000, "claims", "64")
            .write(tmp.resolve("run"));
        final Results results = Results.load(dir.resolve(Results.FILE));

        assertThat(results.rows).hasSize(1);
        final Results.Row row = results.rows.get(0);
        assertThat(row.score).isCloseTo((50 * 100 + 45 * 200 + 5 * 1000) / 100.0, within(1e-9));
        // Nearest rank: the 50th sample is the last at 100 us, the 99th is at 1,000 us.
        assertThat(row.percentiles).containsEntry("50.0", 100_000.0).containsEntry("99.0", 1_000_000.0);
        assertThat(row.errorNanos()).isNaN();
    }
}
