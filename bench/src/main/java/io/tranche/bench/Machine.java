package io.tranche.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The machine's fingerprint written next to every result: processor, cores, architecture, memory,
 * OS, JVM and the flags the benchmark JVMs run with. Read from /proc on Linux, sysctl on macOS;
 * a field that cannot be read says "unknown" rather than guessing.
 */
final class Machine
{
    /** The file in the result folder. */
    static final String FILE = "machine.json";

    private Machine()
    {
    }

    static Map<String, Object> fingerprint(final List<String> forkJvmArgs, final String profile, final String command)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        final String os = System.getProperty("os.name", "unknown");
        m.put("processor", processor(os));
        m.put("architecture", architecture());
        m.put("logicalCores", Runtime.getRuntime().availableProcessors());
        m.put("physicalCores", physicalCores(os));
        m.put("memoryBytes", memoryBytes());
        m.put("os", osDescription(os));
        m.put("osVersion", System.getProperty("os.version", "unknown"));
        m.put("jvmVendor", System.getProperty("java.vm.vendor", "unknown"));
        m.put("jvmName", System.getProperty("java.vm.name", "unknown"));
        m.put("jvmVersion", System.getProperty("java.runtime.version", System.getProperty("java.version", "unknown")));
        m.put("javaHome", System.getProperty("java.home", "unknown"));
        m.put("launcherJvmFlags", ManagementFactory.getRuntimeMXBean().getInputArguments());
        m.put("forkJvmFlags", forkJvmArgs);
        m.put("profile", profile);
        m.put("command", command);
        m.put("gitCommit", run("git", "rev-parse", "HEAD"));
        m.put("date", java.time.Instant.now().toString());
        m.put(LOAD_START, loadAverage());
        return m;
    }

    /** Key of the load average when the run started: 1, 5 and 15 minutes, as /proc/loadavg gives them. */
    static final String LOAD_START = "loadAverageStart";
    /** Key of the load average when the last benchmark had run. */
    static final String LOAD_END = "loadAverageEnd";

    /**
     * @return the load average over 1, 5 and 15 minutes ("1.02 0.87 0.55") from /proc/loadavg, or the 1-minute
     * figure the JVM knows elsewhere (macOS), or "unknown".
     */
    static String loadAverage()
    {
        final String proc = read("/proc/loadavg");
        if (proc != null)
        {
            final String[] f = proc.trim().split("\\s+");
            if (f.length >= 3)
            {
                return f[0] + " " + f[1] + " " + f[2];
            }
        }
        final double one = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return one < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", one);
    }

    /**
     * Adds {@link #LOAD_END} to a folder's machine.json.
     *
     * @param dir the result folder.
     * @throws IOException when machine.json cannot be read or written.
     */
    static void recordEndLoad(final Path dir) throws IOException
    {
        final Path file = dir.resolve(FILE);
        final JsonObject o = Files.exists(file) ?
            JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject() : new JsonObject();
        o.addProperty(LOAD_END, loadAverage());
        Files.writeString(file, new com.google.gson.GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create()
            .toJson(o), StandardCharsets.UTF_8);
    }

    /**
     * @param loadAverage a {@link #LOAD_START} or {@link #LOAD_END} value.
     * @return its 1-minute figure, or NaN when it has none.
     */
    static double oneMinute(final String loadAverage)
    {
        if (loadAverage == null)
        {
            return Double.NaN;
        }
        try
        {
            return Double.parseDouble(loadAverage.trim().split("\\s+")[0]);
        }
        catch (final NumberFormatException ex)
        {
            return Double.NaN;
        }
    }

    /**
     * @param dir a result folder.
     * @return its {@code machine.json} as text values (lists as their JSON text), empty when the file is absent.
     * @throws IOException when the file exists but cannot be read.
     */
    static Map<String, String> load(final Path dir) throws IOException
    {
        final Map<String, String> out = new TreeMap<>();
        final Path file = dir.resolve(FILE);
        if (!Files.exists(file))
        {
            return out;
        }
        final JsonObject o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        for (final Map.Entry<String, JsonElement> e : o.entrySet())
        {
            final JsonElement v = e.getValue();
            out.put(e.getKey(), v.isJsonPrimitive() ? v.getAsString() : v.toString());
        }
        return out;
    }

    static String architecture()
    {
        final String arch = System.getProperty("os.arch", "unknown");
        return switch (arch)
        {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch;
        };
    }

    private static String processor(final String os)
    {
        if (os.startsWith("Mac"))
        {
            return orUnknown(run("sysctl", "-n", "machdep.cpu.brand_string"));
        }
        final String cpuinfo = read("/proc/cpuinfo");
        final String model = field(cpuinfo, "model name");
        if (model != null)
        {
            return model;
        }
        // aarch64 Linux has no "model name" in /proc/cpuinfo; lscpu decodes the implementer and part.
        final String lscpu = run("lscpu");
        if (lscpu != null)
        {
            final String vendor = field(lscpu, "Vendor ID");
            final String name = field(lscpu, "Model name");
            if (name != null)
            {
                return vendor == null ? name : vendor + " " + name;
            }
        }
        final String implementer = field(cpuinfo, "CPU implementer");
        final String part = field(cpuinfo, "CPU part");
        return implementer == null ? "unknown" : "implementer " + implementer + " part " + part;
    }

    private static Object physicalCores(final String os)
    {
        if (os.startsWith("Mac"))
        {
            return orUnknown(run("sysctl", "-n", "hw.physicalcpu"));
        }
        final String lscpu = run("lscpu");
        if (lscpu != null)
        {
            final String perSocket = field(lscpu, "Core(s) per socket");
            final String sockets = field(lscpu, "Socket(s)");
            if (perSocket != null && sockets != null)
            {
                try
                {
                    return Integer.parseInt(perSocket.trim()) * Integer.parseInt(sockets.trim());
                }
                catch (final NumberFormatException ignore)
                {
                    return perSocket + " per socket × " + sockets;
                }
            }
        }
        return "unknown";
    }

    private static long memoryBytes()
    {
        final java.lang.management.OperatingSystemMXBean bean = ManagementFactory.getOperatingSystemMXBean();
        if (bean instanceof com.sun.management.OperatingSystemMXBean)
        {
            return ((com.sun.management.OperatingSystemMXBean)bean).getTotalMemorySize();
        }
        return -1;
    }

    private static String osDescription(final String os)
    {
        if (os.startsWith("Mac"))
        {
            final String version = run("sw_vers", "-productVersion");
            return "macOS " + (version == null ? System.getProperty("os.version") : version);
        }
        final String release = read("/etc/os-release");
        final String pretty = field(release, "PRETTY_NAME");
        final String kernel = os + " " + System.getProperty("os.version", "");
        return pretty == null ? kernel : pretty.replace("\"", "").replace("=", "").trim() + " (" + kernel + ")";
    }

    /** The value after "key" and a ':' or '=' on the first line that starts with key, or null. */
    static String field(final String text, final String key)
    {
        if (text == null)
        {
            return null;
        }
        for (final String line : text.split("\n"))
        {
            if (line.startsWith(key))
            {
                final String rest = line.substring(key.length()).trim();
                if (rest.startsWith(":") || rest.startsWith("="))
                {
                    final String value = rest.substring(1).trim();
                    return value.isEmpty() ? null : value;
                }
            }
        }
        return null;
    }

    private static String read(final String file)
    {
        try
        {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }

    private static String run(final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0)
            {
                return null;
            }
            final String text = new String(output, StandardCharsets.UTF_8).trim();
            return text.isEmpty() ? null : text;
        }
        catch (final IOException ex)
        {
            return null;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String orUnknown(final String value)
    {
        return value == null ? "unknown" : value.toLowerCase(Locale.ROOT).equals("null") ? "unknown" : value;
    }
}
