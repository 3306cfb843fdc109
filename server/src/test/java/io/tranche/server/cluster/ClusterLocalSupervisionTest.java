package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tranche cluster local} supervises its members: one SIGKILLed is reported with its signal and started
 * again (a new pid listening), and a SIGTERM to the supervisor stops every member.
 */
@Tag("cluster")
class ClusterLocalSupervisionTest
{
    private static final Pattern LISTENING = Pattern.compile("tranche: node (\\d) listening on (\\S+) pid (\\d+)");

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldReportAKilledMemberAndStartItAgain() throws Exception
    {
        // Below the ephemeral range, as ClusterProcesses' ports.
        final int base = 5000 + (int)(ProcessHandle.current().pid() % 100) * 40;
        final Path log = dir.resolve("supervisor.log");
        final Process supervisor = new ProcessBuilder(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"), "io.tranche.server.cli.Main", "cluster", "local",
            "--data-dir", dir.resolve("local").toString(), "--base-port", Integer.toString(base),
            "--listen-port", Integer.toString(base + 35)))
            .redirectError(log.toFile())
            .start();
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(supervisor.getInputStream(),
                StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = out.readLine()) != null)
                {
                    lines.add(line);
                }
            }
            catch (final java.io.IOException ignore)
            {
                // the supervisor ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        final List<Long> pids = new ArrayList<>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                final Matcher m = next(lines, 180);
                pids.add(Long.parseLong(m.group(3)));
            }
            final long killed = pids.get(1);
            ProcessHandle.of(killed).orElseThrow().destroyForcibly();
            final Matcher again = next(lines, 120);
            assertThat(again.group(1)).isEqualTo("1");
            assertThat(Long.parseLong(again.group(3))).isNotEqualTo(killed);
            assertThat(Files.readString(log)).contains("node 1 (pid " + killed + ") was killed by signal 9 (SIGKILL)")
                .contains("starting it again");
            pids.add(Long.parseLong(again.group(3)));
        }
        finally
        {
            supervisor.destroy();
            assertThat(supervisor.waitFor(60, TimeUnit.SECONDS)).as("the supervisor stops on SIGTERM").isTrue();
            assertThat(supervisor.exitValue()).as("a stop asked for is a success").isZero();
        }
        for (final long pid : pids)
        {
            final boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            assertThat(alive).as("member pid " + pid + " stopped with the supervisor").isFalse();
        }
    }

    private static Matcher next(final BlockingQueue<String> lines, final int seconds) throws InterruptedException
    {
        final String line = lines.poll(seconds, TimeUnit.SECONDS);
        assertThat(line).as("a 'listening' line within " + seconds + " s").isNotNull();
        final Matcher m = LISTENING.matcher(line);
        assertThat(m.matches()).as(line).isTrue();
        return m;
    }
}
