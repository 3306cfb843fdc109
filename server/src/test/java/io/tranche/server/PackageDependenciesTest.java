package io.tranche.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The server's packages, read from the main sources' imports: no cycles between them, and the pure state machine
 * depends on no package that does I/O or speaks gRPC.
 */
class PackageDependenciesTest
{
    private static final Path SOURCES = Path.of("src/main/java/io/tranche/server");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.tranche\\.server\\.([a-z]+)\\.",
        Pattern.MULTILINE);

    private static Map<String, Set<String>> dependencies() throws IOException
    {
        final Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES))
        {
            for (final Path file : files.filter(f -> f.toString().endsWith(".java")).toList())
            {
                final Path dir = SOURCES.relativize(file).getParent();
                final String from = dir == null ? "(root)" : dir.toString().replace('/', '.');
                final Set<String> to = uses.computeIfAbsent(from, k -> new TreeSet<>());
                final Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find())
                {
                    if (!m.group(1).equals(from))
                    {
                        to.add(m.group(1));
                    }
                }
            }
        }
        return uses;
    }

    @Test
    void shouldHaveNoCycleBetweenTheServersPackages() throws IOException
    {
        final Map<String, Set<String>> uses = dependencies();
        assertThat(uses).containsKeys("state", "storage", "cluster", "grpc", "auth", "merkle");
        final List<String> cycles = new ArrayList<>();
        for (final String start : uses.keySet())
        {
            final List<String> path = new ArrayList<>();
            path.add(start);
            findCycle(uses, start, start, path, new TreeSet<>(), cycles);
        }
        assertThat(cycles).as("package cycles").isEmpty();
    }

    @Test
    void shouldKeepTheStateMachineFreeOfStorageTheNetworkAndTheCluster() throws IOException
    {
        assertThat(dependencies().get("state")).doesNotContain("storage", "cluster", "grpc", "auth", "cli",
            "metrics");
    }

    private static void findCycle(final Map<String, Set<String>> uses, final String start, final String at,
        final List<String> path, final Set<String> seen, final List<String> cycles)
    {
        for (final String next : uses.getOrDefault(at, Set.of()))
        {
            if (next.equals(start))
            {
                cycles.add(String.join(" -> ", path) + " -> " + start);
            }
            else if (seen.add(next))
            {
                path.add(next);
                findCycle(uses, start, next, path, seen, cycles);
                path.remove(path.size() - 1);
            }
        }
    }
}
