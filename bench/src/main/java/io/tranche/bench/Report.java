package io.tranche.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Builds {@code report.md} and {@code charts/} from a result folder ({@code jmh.json}, and
 * {@code machine.json}, {@code e2e-server.jsonl}, {@code notes.md} when present). Pure function of
 * those files, so {@code tranche bench report DIR} rebuilds the same report anywhere. The parts live
 * elsewhere: {@link Run} reads the folder, {@link Targets} judges it, {@link ReportTables} and
 * {@link Charts} show it; this class puts them in order.
 */
final class Report
{
    static final String FILE = "report.md";
    static final String NOTES = "notes.md";

    private static final String[] MACHINE_KEYS = {"processor", "architecture", "logicalCores", "physicalCores",
        "memoryBytes", "os", "jvmVendor", "jvmName", "jvmVersion", "forkJvmFlags", "command", Machine.LOAD_START,
        Machine.LOAD_END};

    private Report()
    {
    }

    /**
     * Writes DIR/report.md and DIR/charts/*.png.
     *
     * @param dir the result folder holding jmh.json.
     * @return the report's path.
     * @throws IOException when jmh.json cannot be read or the report cannot be written.
     */
    static Path build(final Path dir) throws IOException
    {
        final Run run = Run.load(dir);
        final Targets targets = Targets.evaluate(run, Targets.ISSUE_12);
        final StringBuilder md = new StringBuilder();
        header(run, md);
        md.append(targets.section(run));
        ReportTables.kernel(run, md);
        ReportTables.tiered(run, md);
        ReportTables.baselines(run, md);
        ReportTables.endToEnd(run, md);
        md.append(Charts.write(run));
        howToRead(run, md);
        closingNote(dir, targets, md);
        final Path out = dir.resolve(FILE);
        Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
        return out;
    }

    private static void header(final Run run, final StringBuilder md)
    {
        final String profile = run.machine("profile", "?");
        md.append("# tranche benchmark report\n\n");
        md.append("Profile **").append(profile).append("**, ").append(run.machine("date", "date unknown"))
            .append(", commit `").append(run.machine("gitCommit", "unknown")).append("`.\n\n");
        if (!"full".equals(profile))
        {
            md.append("> Not a full run: fewer, shorter iterations. Read the figures as indications, not as results.");
            if ("smoke".equals(profile))
            {
                md.append(" A smoke run has no warm-up: times include the interpreter and B/op can include the ")
                    .append("benchmark's setup (building the problem), so neither says anything about the kernel.");
            }
            md.append("\n\n");
        }
        final String loaded = loadWarning(run);
        if (loaded != null)
        {
            md.append("> **Warning:** ").append(loaded).append("\n\n");
        }
        md.append("## Machine\n\n| | |\n|---|---|\n");
        for (final String key : MACHINE_KEYS)
        {
            String value = run.machine(key, "unknown");
            if ("memoryBytes".equals(key) && !"unknown".equals(value))
            {
                value = String.format(Locale.ROOT, "%.1f GiB", Double.parseDouble(value) / (1L << 30));
            }
            md.append("| ").append(key).append(" | `").append(value.replace("|", "\\|")).append("` |\n");
        }
        md.append('\n');
    }

    /**
     * @param run a result folder.
     * @return why the figures are suspect when the machine was busier than its cores (a 1-minute load average above
     * the logical core count at the start or the end of the run), else null.
     */
    static String loadWarning(final Run run)
    {
        final double cores;
        try
        {
            cores = Double.parseDouble(run.machine("logicalCores", "NaN"));
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
        final double start = Machine.oneMinute(run.machine(Machine.LOAD_START, null));
        final double end = Machine.oneMinute(run.machine(Machine.LOAD_END, null));
        if (!(start > cores) && !(end > cores))
        {
            return null;
        }
        return String.format(Locale.ROOT, "the machine was loaded: 1-minute load average %s at the start and %s at " +
            "the end, above its %d logical cores. Other work shared the processors, so the times are upper bounds " +
            "and the ratios between rows measured at different moments may be skewed; run again on a quiet machine " +
            "before drawing conclusions.", Double.isNaN(start) ? "unknown" : String.format(Locale.ROOT, "%.2f", start),
            Double.isNaN(end) ? "unknown" : String.format(Locale.ROOT, "%.2f", end), (int)cores);
    }

    private static void howToRead(final Run run, final StringBuilder md)
    {
        md.append("## How to read this\n\n")
            .append("- Times are JMH averages per call (`avgt`), ± the 99.9% confidence half-width when JMH could ")
            .append("compute one.\n")
            .append("- **B/op** is JMH's GC profiler `gc.alloc.rate.norm`: bytes allocated per call in the benchmark ")
            .append("JVM. Values well under 1 are measurement noise (the profiler's own bookkeeping spread over many ")
            .append("calls).\n")
            .append("- **B/op net** subtracts the background: JMH's own threads allocate steadily while a call runs, ")
            .append("which a call of milliseconds collects as kilobytes per op. The streaming floor allocates ")
            .append("nothing, so its B/op per ns is the background rate; the highest floor run is used: ")
            .append(Double.isNaN(run.background) ? "not measured here" : String.format(Locale.ROOT,
                "%.1f KB/s (floor runs ranged %.1f–%.1f KB/s)", run.background * 1e6, run.backgroundLow * 1e6,
                run.background * 1e6))
            .append(". The B/op target is checked on the net figure.\n")
            .append("- **× floor** = kernel time / streaming-floor time for the same claim count and supply. The ")
            .append("floor reads the same claim arrays and writes one award per claim, so no allocation method can ")
            .append("go below 1×.\n")
            .append("- **× faster** = baseline time / kernel time on the same problem (shape `tail`).\n")
            .append("- End to end: `Allocate` and an echo RPC of the same request and response sizes on the same ")
            .append("server, several client threads, loopback; ratio = Allocate throughput / echo throughput.\n\n");
    }

    private static void closingNote(final Path dir, final Targets targets, final StringBuilder md) throws IOException
    {
        md.append("## Closing note\n\n");
        final Path notes = dir.resolve(NOTES);
        if (Files.exists(notes))
        {
            md.append(Files.readString(notes, StandardCharsets.UTF_8).trim()).append("\n\n");
        }
        final List<String> misses = targets.misses();
        if (misses.isEmpty())
        {
            md.append(targets.checked() == 0 ? "No targets checked.\n" : "Every checked target is met.\n");
            return;
        }
        md.append("Missed targets (").append(misses.size()).append("):\n\n");
        for (final String miss : misses)
        {
            md.append("- ").append(miss).append('\n');
        }
        if (!Files.exists(notes))
        {
            md.append("\n(Why: add a `notes.md` to this folder and run `tranche bench report` again.)\n");
        }
    }
}
