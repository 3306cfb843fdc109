package io.tranche.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tranche.server.allocation.AllocationMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The kernel's {@link io.tranche.kernel.Method} is the one registry of rules (issue 18, item 6): the proto enum
 * matches it value for value, every list of methods derives from it, and a rule's name appears in no other main
 * file than its class, the registry, the proto and (optionally) a textbook baseline.
 */
class MethodRegistryTest
{
    private static final io.tranche.kernel.Method[] KERNEL = io.tranche.kernel.Method.values();

    @Test
    void everyProtoMethodMapsToARegistryEntryAndBack()
    {
        final List<String> proto = new ArrayList<>();
        for (final io.tranche.proto.v1.Method m : io.tranche.proto.v1.Method.values())
        {
            if (m == io.tranche.proto.v1.Method.UNRECOGNIZED || m == io.tranche.proto.v1.Method.METHOD_UNSPECIFIED)
            {
                assertThat(AllocationMapper.method(m)).isNull();
                continue;
            }
            proto.add(m.name());
            final io.tranche.kernel.Method kernel = AllocationMapper.method(m);
            assertThat(kernel).as("proto %s", m).isNotNull();
            // The wire number is the registry position + 1, so the registry order is the proto order.
            assertThat(m.getNumber()).as("proto %s", m).isEqualTo(kernel.ordinal() + 1);
            assertThat(AllocationMapper.method(m.getNumber())).isSameAs(kernel);
        }
        final List<String> kernel = new ArrayList<>();
        for (final io.tranche.kernel.Method m : KERNEL)
        {
            kernel.add(m.name());
        }
        assertThat(proto).containsExactlyElementsOf(kernel);
    }

    @Test
    void theCommandLineListsDeriveFromTheRegistry()
    {
        final List<String> cli = new ArrayList<>();
        for (final io.tranche.proto.v1.Method m : Methods.values())
        {
            cli.add(m.name());
        }
        final List<String> kernel = new ArrayList<>();
        for (final io.tranche.kernel.Method m : KERNEL)
        {
            kernel.add(m.name());
        }
        assertThat(cli).containsExactlyElementsOf(kernel);
        assertThat(Methods.names()).isEqualTo(String.join(", ", kernel));
        final CliRun help = CliRun.run("release", "--help");
        assertThat(help.out().replaceAll("\\s+", " "))
            .contains("Rationing rule inside a tier: " + String.join(", ", kernel) + " (case-insensitive).");
    }

    @Test
    void aNewRuleTouchesItsClassTheRegistryAndTheProtoOnly() throws IOException
    {
        // HUNTINGTON_HILL stands for any rule: the files of main code that name it.
        final Pattern name = Pattern.compile("HUNTINGTON_HILL|HuntingtonHill");
        final Set<String> files = new TreeSet<>();
        for (final String root : new String[] {"kernel", "server", "bench", "proto"})
        {
            try (Stream<Path> paths = Files.walk(Path.of("..", root, "src", "main")))
            {
                for (final Path p : (Iterable<Path>)paths.filter(Files::isRegularFile)::iterator)
                {
                    if (name.matcher(Files.readString(p, StandardCharsets.UTF_8)).find())
                    {
                        files.add(p.getFileName().toString());
                    }
                }
            }
        }
        // DivisorBaselineBenchmark is a textbook implementation for comparison, written per rule by choice.
        assertThat(files).containsExactlyInAnyOrder(
            "HuntingtonHill.java", "Method.java", "allocation.proto", "DivisorBaselineBenchmark.java");
        assertThat(files).hasSizeLessThanOrEqualTo(4);
    }
}
