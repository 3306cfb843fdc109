package io.tranche.bench;

import io.tranche.bench.server.EndToEndRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12's targets judged on a small synthetic {@code jmh.json} whose ratios are known by construction:
 * met rows say "met", missed rows carry their margin, goals without rows are counted, not judged.
 */
class TargetsTest
{
    private static final String MILLION = "1048576";
    private static final String S = "400000";

    @Test
    void shouldMeetAGoalWithinItsLimitAndGiveTheMarginOfAMiss(@TempDir final Path tmp) throws Exception
    {
        final Path dir = new ResultFolder()
            .avgt(Benchmarks.FLOOR, 1_000_000, 10_000, 0, "claims", MILLION, "supply", S)
            // 2.0× the floor against a limit of 3×: met.
            .avgt(Benchmarks.KERNEL, 2_000_000, 50_000, 0.5, "method", "PROPORTIONAL", "claims", MILLION,
                "supply", S, "shape", "tail")
            // 4.5× against 3×: 50% over.
            .avgt(Benchmarks.KERNEL, 4_500_000, 50_000, 0.5, "method", "EQUAL", "claims", MILLION,
                "supply", S, "shape", "tail")
            // 0.75× the water-filling's time is 1.33× faster, short of 1.5× by 11%.
            .avgt(Benchmarks.WATER, 6_000_000, 0, Double.NaN, "claims", MILLION, "supply", S)
            .write(tmp.resolve("run"));
        final Targets targets = Targets.evaluate(Run.load(dir), Targets.ISSUE_12);

        assertThat(targets.checked()).isEqualTo(4);
        assertThat(targets.met()).isEqualTo(2);
        final String section = targets.section(Run.load(dir));
        assertThat(section)
            .contains("**2 of 4 checks met.**")
            .contains("| kernel B/op < 1 (net of background) | all 2 kernel rows; worst PROPORTIONAL n=1048576 "
                + "S=400000 tail | 0.500 B/op | < 1 B/op | met |")
            .contains("| within 3× the floor | PROPORTIONAL n=1048576 S=400000 | 2.00× floor | ≤ 3× | met |")
            .contains("| within 3× the floor | EQUAL n=1048576 S=400000 | 4.50× floor | ≤ 3× | "
                + "**missed** (50% over) |")
            .contains("| EQUAL ≥ 1.5× faster than water-filling | EQUAL n=1048576 S=400000 | 1.33× faster | "
                + "≥ 1.5× | **missed** (11% short) |")
            .contains(Targets.ISSUE_12.size() - 4 + " of " + Targets.ISSUE_12.size() + " goals not checked");
        assertThat(targets.misses()).containsExactly(
            "within 3× the floor, EQUAL n=1048576 S=400000: 4.50× floor, 50% over",
            "EQUAL ≥ 1.5× faster than water-filling, EQUAL n=1048576 S=400000: 1.33× faster, 11% short");
    }

    @Test
    void shouldJudgeEndToEndThroughputAndServerBytesAgainstEcho(@TempDir final Path tmp) throws Exception
    {
        final Path dir = new ResultFolder()
            .thrpt(Benchmarks.E2E_ALLOCATE, 9.0, "claims", "64")
            .thrpt(Benchmarks.E2E_ECHO, 10.0, "claims", "64")
            .thrpt(Benchmarks.E2E_ALLOCATE, 1.0, "claims", "4096")
            .thrpt(Benchmarks.E2E_ECHO, 2.0, "claims", "4096")
            .write(tmp.resolve("run"));
        // Two modes per benchmark, summed: Allocate 4,096 claims 3,000 B/call against echo's 1,000: 3× the limit
        // of 1.3× is 2.3× (shown as a ratio); 64 claims 1,200 against 1,000: met.
        Files.writeString(dir.resolve(EndToEndRecord.FILE),
            EndToEndRecord.line("allocate", "thrpt", 64, 10, 12_000, 0, 0) +
            EndToEndRecord.line("echo", "thrpt", 64, 10, 10_000, 0, 0) +
            EndToEndRecord.line("allocate", "thrpt", 4096, 10, 20_000, 0, 0) +
            EndToEndRecord.line("allocate", "sample", 4096, 10, 40_000, 0, 0) +
            EndToEndRecord.line("echo", "thrpt", 4096, 20, 20_000, 0, 0), StandardCharsets.UTF_8);
        final Targets targets = Targets.evaluate(Run.load(dir), Targets.ISSUE_12);

        assertThat(targets.section(Run.load(dir)))
            .contains("| Allocate ≥ 0.85× echo throughput | 64 claims | 0.90× | ≥ 0.85× | met |")
            .contains("| Allocate ≥ 0.7× echo throughput | 4096 claims | 0.50× | ≥ 0.7× | "
                + "**missed** (29% short) |")
            .contains("| server B/call ≤ 1.3× echo's | 64 claims | 1.20× (1,200 vs 1,000 B) | ≤ 1.3× | met |")
            .contains("| server B/call ≤ 1.3× echo's | 4096 claims | 3.00× (3,000 vs 1,000 B) | ≤ 1.3× | "
                + "**missed** (2.31× the limit) |");
        assertThat(targets.checked()).isEqualTo(4);
        assertThat(targets.met()).isEqualTo(2);
    }

    @Test
    void shouldStateIssue12sGoals()
    {
        // 1 B/op goal; 10 methods × 3 claim counts × 2 supplies against the floor; EQUAL against water-filling at
        // both supplies; 5 divisor methods × 2 claim counts against the queue; 3 + 2 end-to-end goals.
        assertThat(Targets.ISSUE_12).hasSize(1 + 60 + 2 + 10 + 5);
        assertThat(Targets.ISSUE_12).noneMatch(g -> g.kind() == Targets.Kind.QUEUE && MILLION.equals(g.claims()));
        assertThat(Targets.ISSUE_12).filteredOn(g -> g.kind() == Targets.Kind.FLOOR && MILLION.equals(g.claims()))
            .allMatch(g -> g.limit() == (g.method().matches("PROPORTIONAL|EQUAL|FIFO") ? 3 : 6));
    }
}
