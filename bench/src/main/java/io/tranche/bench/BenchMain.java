package io.tranche.bench;

import com.google.gson.GsonBuilder;
import io.tranche.bench.server.EndToEndRecord;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * {@code tranche bench}: runs the JMH suites with one progress line per benchmark, then writes
 * {@code jmh.json}, {@code machine.json}, {@code report.md} and {@code charts/} to the output folder.
 * {@code tranche bench report DIR} rebuilds the report, {@code tranche bench compare A B} compares.
 */
@Command(name = "tranche bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Runs the kernel, baseline and end-to-end JMH suites and writes a report.",
        "Profiles: full (default, about 47 min on a quiet 2-core VM), --quick (about 5 min),",
        "--smoke (proves every benchmark runs; 7 min on a heavily loaded 2-core VM)."},
    subcommands = {BenchMain.ReportCommand.class, BenchMain.CompareCommand.class})
public final class BenchMain implements Callable<Integer>
{

    /** Exit code for a usage mistake: a missing folder, a pattern that matches nothing. */
    static final int EXIT_USAGE = 2;

    static final String ALL = "io\\.tranche\\.bench\\..*Benchmark\\..*";
    static final String E2E = "EndToEndBenchmark";
    /**
     * Warm-up iterations of 2 s for the end-to-end pair in a full run: in a fresh JVM both {@code allocate} and
     * {@code echo} keep speeding up for about 10 s (measured: 2,214 → about 4,000 and 4,584 → about 10,000 ops/s at
     * 4,096 claims), so a shorter warm-up compares them while they still rise.
     */
    static final int E2E_WARMUP_ITERATIONS = 6;
    /**
     * JVMs of each end-to-end benchmark in a full run, one per round ({@link #endToEndPasses}), the score the median
     * of their means: one JVM's reading moved by up to a third from run to run (`allocate` at 3 claims:
     * 20,000–25,000 ops/s in one run, 15,600–16,900 in the next, the echo the same in both), and the target divides
     * two such readings. Even, so that each of the pair goes first in half the rounds.
     */
    static final int E2E_FORKS = 4;
    /**
     * Forks more, in a full run, of the kernel and floor rows that the targets read at 3 and 64 claims (shape
     * {@code tail}): with the first pass's fork, three JVMs, the row scoring their median ({@link Results}). At these
     * sizes the same code ran at 393–415 ns in eight fresh JVMs and at 530–733 ns in two (a divisor method at 64
     * claims), so one JVM's reading decided a verdict by luck.
     */
    static final int SMALL_ROW_REPEAT_FORKS = 2;
    /** The claim counts and the shape of the rows measured again. */
    static final List<String> SMALL_CLAIMS = List.of("3", "64");
    static final String SMALL_SHAPE = "tail";
    static final List<String> REPEATED = List.of(".KernelBenchmark.allocate", ".StreamingFloorBenchmark.stream");
    /**
     * The claim count of the queue target measured again in a full run, as the small rows are: the divisor methods'
     * kernel rows (shape {@code tail}, S = {@value Benchmarks#QUEUE_SUPPLY}) and the per-unit queue's. Both run at two
     * speeds in different JVMs as well (measured: one divisor method's kernel row 27–47 µs in six fresh JVMs, the
     * queue 37–52 ms in three), and each was read in one JVM.
     */
    static final String QUEUE_CLAIMS = "4096";
    static final List<String> QUEUE_REPEATED =
        List.of(".KernelBenchmark.allocate", ".DivisorBaselineBenchmark.priorityQueue");

    @Option(names = "--quick",
        description = "Short run: 1 fork, 1×0.5 s warm-up, 2×0.3 s measurement, S=400000, shape=tail.")
    boolean quick;

    @Option(names = "--smoke",
        description = "Proof run: 1 fork, no warm-up, 1×50 ms, claims=3,64; fails on any error.")
    boolean smoke;

    @Option(names = "--include", paramLabel = "REGEX",
        description = "Benchmarks to run (JMH regex, repeatable). Default: all.")
    List<String> includes = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "REGEX", description = "Benchmarks to leave out (repeatable).")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR",
        description = "Result folder. Default: bench/results/<date>-<profile>-<arch>.")
    Path out;

    @Option(names = {"-p", "--param"}, paramLabel = "NAME=V1,V2",
        description = "Override a @Param (repeatable), e.g. claims=64,4096.")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--forks", paramLabel = "N", description = "Forks per benchmark (0 runs in this JVM: tests only).")
    Integer forks;

    @Option(names = "--warmup", paramLabel = "N", description = "Warm-up iterations.")
    Integer warmup;

    @Option(names = "--iterations", paramLabel = "N", description = "Measurement iterations.")
    Integer iterations;

    @Option(names = "--time", paramLabel = "DURATION", description = "Time per iteration, e.g. 2s or 500ms.")
    String time;

    @Option(names = "--verbose", description = "Show JMH's own output too.")
    boolean verbose;

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    @Override
    public Integer call() throws IOException, RunnerException
    {
        if (quick && smoke)
        {
            throw new CommandLine.ParameterException(new CommandLine(this), "--quick and --smoke exclude each other");
        }
        final String profile = smoke ? "smoke" : quick ? "quick" : "full";
        final Path dir = out != null ? out : defaultOut(profile);

        final int warmupCalls = smoke ? 20 : quick ? 1000 : 3000;
        final List<String> jvmArgs = List.of("--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xms2g",
            "-Xmx2g",
            "-D" + EndToEndRecord.OUT_PROP_NAME + "=" + dir.toAbsolutePath(),
            "-D" + EndToEndRecord.WARMUP_CALLS_PROP_NAME + "=" + warmupCalls);
        final List<String> include = includes.isEmpty() ? List.of(ALL) : includes;
        final Map<String, String> overrides = overrides(profile);
        if (forks != null && forks == 0)
        {
            // In-process run (tests): the benchmarks read the result folder from this JVM.
            System.setProperty(EndToEndRecord.OUT_PROP_NAME, dir.toAbsolutePath().toString());
            System.setProperty(EndToEndRecord.WARMUP_CALLS_PROP_NAME, Integer.toString(warmupCalls));
        }
        // Two passes: the kernel suite, then end to end, which needs more calls to warm up gRPC and Netty.
        final List<String> kernelExcludes = new ArrayList<>(excludes);
        kernelExcludes.add(E2E);
        final List<String> e2eExcludes = new ArrayList<>(excludes);
        e2eExcludes.add("^(?!.*" + E2E + ")");
        // Full run: the small rows and the queue target's rows at 4,096 claims, measured again in more JVMs.
        final List<Pass> passes = new ArrayList<>(List.of(
            new Pass(false, 1, include, kernelExcludes, overrides),
            repeatPass(include, kernelExcludes, overrides, repeatOverrides(profile, overrides), REPEATED),
            repeatPass(include, kernelExcludes, overrides, queueRepeatOverrides(profile, overrides), QUEUE_REPEATED)));
        passes.addAll(endToEndPasses(profile, include, e2eExcludes, overrides));
        int total = 0;
        for (final Pass pass : passes)
        {
            total += pass.count();
        }
        if (total == 0)
        {
            System.err.println("tranche bench: no benchmark matches --include " + include + (excludes.isEmpty() ? "" :
                " --exclude " + excludes));
            return EXIT_USAGE;
        }
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve(EndToEndRecord.FILE));

        final String command = "tranche bench " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        Files.writeString(dir.resolve(Machine.FILE), new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
            .create().toJson(Machine.fingerprint(jvmArgs.subList(0, 4), profile, command)), StandardCharsets.UTF_8);

        final PrintStream stdout = System.out;
        stdout.println("tranche bench: " + profile + " run of " + total + " benchmarks, results in " + dir);
        warnWhenLoaded(stdout);
        final OutputFormat format = new ProgressFormat(stdout, total, verbose);
        final List<RunResult> results = new ArrayList<>();
        int exit = 0;
        try
        {
            for (final Pass pass : passes)
            {
                if (pass.count() > 0)
                {
                    results.addAll(new Runner(options(profile, pass, jvmArgs), format).run());
                }
            }
        }
        catch (final RunnerException ex)
        {
            stdout.println("tranche bench: run failed: " + ex.getMessage());
            if (ex.getCause() != null)
            {
                stdout.println("  cause: " + ex.getCause());
            }
            exit = 1;
        }
        Machine.recordEndLoad(dir);
        try (PrintStream json =
            new PrintStream(Files.newOutputStream(dir.resolve(Results.FILE)), true, StandardCharsets.UTF_8))
        {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, json).writeOut(results);
        }
        if (results.size() < total)
        {
            stdout.println("tranche bench: " + (total - results.size()) + " of " + total +
                " benchmarks produced no result");
            exit = 1;
        }
        if (!results.isEmpty())
        {
            stdout.println("tranche bench: report " + Report.build(dir));
        }
        return exit;
    }

    /** @return the profile's parameter values, then --param's. */
    private Map<String, String> overrides(final String profile)
    {
        final Map<String, String> overrides = new LinkedHashMap<>();
        if ("smoke".equals(profile))
        {
            overrides.put("claims", "3,64");
        }
        else if ("quick".equals(profile))
        {
            overrides.put("supply", "400000");
            overrides.put("shape", "tail");
        }
        overrides.putAll(params);
        return overrides;
    }

    private static void warnWhenLoaded(final PrintStream stdout)
    {
        final double load = Machine.oneMinute(Machine.loadAverage());
        final int cores = Runtime.getRuntime().availableProcessors();
        if (load > cores)
        {
            stdout.println("tranche bench: warning: the 1-minute load average is " + load + ", above the " + cores +
                " logical cores: other work will share the processors and the times will be upper bounds " +
                "(the report says so too)");
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** @return true for a full run without --forks: the one that measures rows again in more JVMs. */
    private boolean repeats(final String profile)
    {
        return "full".equals(profile) && forks == null;
    }

    /**
     * @param repeat   the pass's parameters, null for no such pass ({@link #repeatOverrides},
     *                 {@link #queueRepeatOverrides}).
     * @param suffixes the benchmarks it measures again, as far as the run's includes and excludes select them.
     * @return a pass of {@link #SMALL_ROW_REPEAT_FORKS} more JVMs, empty when {@code repeat} is null.
     */
    private static Pass repeatPass(final List<String> include, final List<String> exclude,
        final Map<String, String> overrides, final Map<String, String> repeat, final List<String> suffixes)
    {
        return repeat == null ? new Pass(false, SMALL_ROW_REPEAT_FORKS, List.of(), exclude, overrides) :
            new Pass(false, SMALL_ROW_REPEAT_FORKS, repeatIncludes(include, exclude, suffixes), exclude, repeat);
    }

    /**
     * The parameters of the full run's pass that measures the small target rows again, or null when there is no such
     * pass: another profile, or --forks given. The claim counts and the shape are those of the run that are small.
     */
    Map<String, String> repeatOverrides(final String profile, final Map<String, String> overrides)
    {
        if (!repeats(profile))
        {
            return null;
        }
        final Map<String, String> repeat = new LinkedHashMap<>(overrides);
        final List<String> claims = overrides.containsKey("claims") ?
            new ArrayList<>(List.of(overrides.get("claims").split(","))) : new ArrayList<>(SMALL_CLAIMS);
        claims.retainAll(SMALL_CLAIMS);
        if (claims.isEmpty() || !allows(overrides, "shape", SMALL_SHAPE))
        {
            return null;
        }
        repeat.put("claims", String.join(",", claims));
        repeat.put("shape", SMALL_SHAPE);
        return repeat;
    }

    /**
     * The parameters of the full run's pass that measures the queue target's rows at {@link #QUEUE_CLAIMS} claims
     * again, or null when there is no such pass: another profile, --forks given, or a run without those rows (its
     * claim counts, shapes, supplies or methods leave them out).
     */
    Map<String, String> queueRepeatOverrides(final String profile, final Map<String, String> overrides)
    {
        if (!repeats(profile) || !allows(overrides, "claims", QUEUE_CLAIMS) ||
            !allows(overrides, "shape", SMALL_SHAPE) || !allows(overrides, "supply", Benchmarks.QUEUE_SUPPLY))
        {
            return null;
        }
        final List<String> methods = new ArrayList<>(Benchmarks.DIVISORS);
        if (overrides.containsKey("method"))
        {
            methods.retainAll(List.of(overrides.get("method").split(",")));
        }
        if (methods.isEmpty())
        {
            return null;
        }
        final Map<String, String> repeat = new LinkedHashMap<>(overrides);
        repeat.put("claims", QUEUE_CLAIMS);
        repeat.put("shape", SMALL_SHAPE);
        repeat.put("supply", Benchmarks.QUEUE_SUPPLY);
        repeat.put("method", String.join(",", methods));
        return repeat;
    }

    /** @return true when the run's {@code --param} for this name, if any, includes the value. */
    private static boolean allows(final Map<String, String> overrides, final String name, final String value)
    {
        return !overrides.containsKey(name) || List.of(overrides.get(name).split(",")).contains(value);
    }

    /**
     * The end-to-end passes. A full run measures {@code allocate} and {@code echo} in {@link #E2E_FORKS} rounds, each
     * round one JVM of each per claim count, one pass per benchmark and claim count: the two readings a ratio divides
     * are taken a minute apart, not minutes (JMH runs a pass's benchmarks in order of mode, then name, then
     * parameters, so one pass of all claim counts measured every {@code allocate} before any {@code echo}), and a
     * drift of the shared host's speed between them does not become the ratio. The pair's order alternates from round
     * to round (allocate first, then echo first), so that neither is always the JVM that starts after the other
     * claim count's. Other runs: one pass.
     */
    List<Pass> endToEndPasses(final String profile, final List<String> include, final List<String> exclude,
        final Map<String, String> overrides)
    {
        if (!repeats(profile))
        {
            return List.of(new Pass(true, 1, include, exclude, overrides));
        }
        final Set<String> claims = new LinkedHashSet<>();
        final Set<String> sides = new TreeSet<>();
        final String override = overrides.get("claims");
        if (override != null)
        {
            claims.addAll(List.of(override.split(",")));
        }
        for (final BenchmarkListEntry entry : selected(include, exclude))
        {
            sides.add(exactInclude(entry));
            if (override == null && entry.getParams().hasValue() && entry.getParams().get().containsKey("claims"))
            {
                claims.addAll(List.of(entry.getParams().get().get("claims")));
            }
        }
        final List<Pass> out = new ArrayList<>();
        for (int round = 0; round < E2E_FORKS; round++)
        {
            final List<String> order = new ArrayList<>(sides);
            if (round % 2 == 1)
            {
                Collections.reverse(order);
            }
            for (final String c : claims)
            {
                final Map<String, String> one = new LinkedHashMap<>(overrides);
                one.put("claims", c);
                for (final String side : order)
                {
                    out.add(new Pass(true, 1, List.of(side), exclude, one));
                }
            }
        }
        return out;
    }

    /** @return a JMH include that selects this benchmark and no other. */
    private static String exactInclude(final BenchmarkListEntry entry)
    {
        return "^" + Pattern.quote(entry.getUsername()) + "$";
    }

    /**
     * @param suffixes the benchmarks to measure again ({@link #REPEATED}, {@link #QUEUE_REPEATED}).
     * @return those of them this run selects, each as an exact JMH include.
     */
    static List<String> repeatIncludes(final List<String> include, final List<String> exclude,
        final List<String> suffixes)
    {
        final List<String> out = new ArrayList<>();
        for (final BenchmarkListEntry entry : selected(include, exclude))
        {
            for (final String suffix : suffixes)
            {
                if (entry.getUsername().endsWith(suffix))
                {
                    out.add(exactInclude(entry));
                }
            }
        }
        return out;
    }

    /**
     * JMH options of one pass. Profiles: full = the pass's forks, 2×1 s warm-up, 3×1 s measurement (end to
     * end: {@link #E2E_WARMUP_ITERATIONS}×2 s warm-up); quick = 1 fork, 1×0.5 s + 2×0.3 s (end to end 2×1 s +
     * 2×0.5 s); smoke = 1 fork, no warm-up, 1×50 ms. --forks, --warmup, --iterations and --time override every pass.
     */
    private Options options(final String profile, final Pass pass, final List<String> jvmArgs)
    {
        final boolean e2e = pass.e2e;
        final ChainedOptionsBuilder options = new OptionsBuilder()
            .addProfiler(GCProfiler.class)
            .jvmArgsAppend(jvmArgs.toArray(new String[0]))
            .shouldFailOnError("smoke".equals(profile))
            .forks(1);
        pass.include.forEach(options::include);
        pass.exclude.forEach(options::exclude);
        switch (profile)
        {
            case "smoke" ->
                options.warmupIterations(0).measurementIterations(1).measurementTime(TimeValue.milliseconds(50));
            case "quick" -> options
                .warmupIterations(e2e ? 2 : 1).warmupTime(e2e ? TimeValue.seconds(1) : TimeValue.milliseconds(500))
                .measurementIterations(2).measurementTime(TimeValue.milliseconds(e2e ? 500 : 300));
            default -> options
                .forks(pass.fullForks)
                .warmupIterations(e2e ? E2E_WARMUP_ITERATIONS : 2).warmupTime(TimeValue.seconds(e2e ? 2 : 1))
                .measurementIterations(3).measurementTime(TimeValue.seconds(1));
        }
        for (final Map.Entry<String, String> e : pass.overrides.entrySet())
        {
            options.param(e.getKey(), e.getValue().split(","));
        }
        if (forks != null)
        {
            options.forks(forks);
        }
        if (warmup != null)
        {
            options.warmupIterations(warmup);
        }
        if (iterations != null)
        {
            options.measurementIterations(iterations);
        }
        if (time != null)
        {
            final TimeValue t = TimeValue.fromString(time);
            options.measurementTime(t).warmupTime(t);
        }
        return options.build();
    }

    /**
     * One JMH run of the whole: the kernel suite, the small rows again, or end to end.
     *
     * @param e2e       end to end (longer warm-up).
     * @param fullForks forks in a full run.
     * @param include   JMH includes; none runs nothing.
     * @param exclude   JMH excludes.
     * @param overrides parameter values.
     * @param count     the benchmark runs it selects (JMH's list read once, at construction).
     */
    record Pass(boolean e2e, int fullForks, List<String> include, List<String> exclude,
        Map<String, String> overrides, int count)
    {
        Pass(final boolean e2e, final int fullForks, final List<String> include, final List<String> exclude,
            final Map<String, String> overrides)
        {
            this(e2e, fullForks, include, exclude, overrides,
                include.isEmpty() ? 0 : BenchMain.count(include, exclude, overrides));
        }
    }

    /** @return the benchmark entries (one per mode) that these includes and excludes select. */
    private static Set<BenchmarkListEntry> selected(final List<String> include, final List<String> exclude)
    {
        final OutputFormat silent = new ProgressFormat(new PrintStream(PrintStream.nullOutputStream()), 0, false);
        return BenchmarkList.defaultList().find(silent, include, exclude);
    }

    /** Number of benchmark runs the options select: entries (one per mode) × parameter combinations. */
    private static int count(final List<String> include, final List<String> exclude,
        final Map<String, String> overrides)
    {
        int total = 0;
        for (final BenchmarkListEntry entry : selected(include, exclude))
        {
            int combos = 1;
            if (entry.getParams().hasValue())
            {
                for (final Map.Entry<String, String[]> p : entry.getParams().get().entrySet())
                {
                    final String override = overrides.get(p.getKey());
                    combos *= override != null ? override.split(",").length : p.getValue().length;
                }
            }
            total += combos;
        }
        return total;
    }

    private static Path defaultOut(final String profile)
    {
        final String home = System.getenv("TRANCHE_HOME");
        final Path base = Path.of(home == null ? "." : home);
        final Path results = Files.isDirectory(base.resolve("bench")) ? base.resolve("bench").resolve("results") :
            base.resolve("tranche-bench-results");
        return results.resolve(LocalDate.now(ZoneOffset.UTC) + "-" + profile + "-" + Machine.architecture());
    }

    /**
     * @param dir a folder named on the command line.
     * @return true when it holds a {@code jmh.json}; otherwise says so in one line on standard error.
     */
    static boolean isResultFolder(final Path dir)
    {
        if (!Files.isDirectory(dir))
        {
            System.err.println("tranche bench: no such result folder: " + dir);
            return false;
        }
        if (!Files.isRegularFile(dir.resolve(Results.FILE)))
        {
            System.err.println("tranche bench: " + dir + " is not a result folder (no jmh.json in it)");
            return false;
        }
        return true;
    }

    /** {@code tranche bench report DIR}. */
    @Command(name = "report", mixinStandardHelpOptions = true,
        description = "Rebuilds DIR/report.md and DIR/charts/ from DIR/jmh.json (and machine.json, notes.md).")
    static final class ReportCommand implements Callable<Integer>
    {
        @Parameters(paramLabel = "DIR", description = "A result folder.")
        Path dir;

        @Override
        public Integer call() throws IOException
        {
            if (!isResultFolder(dir))
            {
                return EXIT_USAGE;
            }
            System.out.println("tranche bench: report " + Report.build(dir));
            return 0;
        }
    }

    /** {@code tranche bench compare A B}. */
    @Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Puts two result folders side by side, ratios B/A, as Markdown on stdout (and --out FILE).")
    static final class CompareCommand implements Callable<Integer>
    {
        @Parameters(index = "0", paramLabel = "A", description = "The reference result folder.")
        Path a;

        @Parameters(index = "1", paramLabel = "B", description = "The result folder compared with A.")
        Path b;

        @Option(names = "--out", paramLabel = "FILE", description = "Also write the comparison to FILE.")
        Path out;

        @Option(names = "--common", description = "List only the rows both folders have (the summary still " +
            "counts the others).")
        boolean common;

        @Override
        public Integer call() throws IOException
        {
            if (!isResultFolder(a) || !isResultFolder(b))
            {
                return EXIT_USAGE;
            }
            final String md = Compare.compare(a, b, common);
            System.out.print(md);
            if (out != null)
            {
                Files.writeString(out, md, StandardCharsets.UTF_8);
            }
            return 0;
        }
    }
}
