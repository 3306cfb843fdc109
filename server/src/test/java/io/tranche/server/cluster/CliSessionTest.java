package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tranche.server.TestServer;
import io.tranche.server.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line reads its own writes on any member across commands with {@code --session FILE}: a claim added
 * through the leader is found at once through each follower by the next command, every time; the file holds the
 * highest position answered. A single node answers no position and leaves the file alone; a file that holds
 * anything but a position is refused, naming it.
 */
@Tag("slow")
class CliSessionTest
{
    private static final int ROUNDS = Integer.getInteger("tranche.cluster.cliSessionRounds", 100);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void shouldFindEachClaimAddedThroughTheLeaderThroughEveryFollowerInTheSameSession() throws Exception
    {
        final int base = 28600 + (int)(ProcessHandle.current().pid() % 300) * 10;
        final Path session = dir.resolve("session");
        try (ClusterServers cluster = ClusterServers.start(dir, base))
        {
            final int leader = cluster.leader();
            assertThat(leader).isNotNegative();
            long last = 0;
            for (int n = 0; n < ROUNDS; n++)
            {
                run("claim", "add", "--server", address(cluster, leader), "--session", session.toString(),
                    "--id", "cli-" + n, "--demand", Integer.toString(1 + n));
                final long written = Long.parseLong(Files.readString(session).trim());
                assertThat(written).as("the session's position after write " + n).isGreaterThan(last);
                last = written;
                for (int follower = 0; follower < 3; follower++)
                {
                    if (follower != leader)
                    {
                        final CliRun get = run("claim", "get", "cli-" + n, "--server", address(cluster, follower),
                            "--session", session.toString(), "--json");
                        assertThat(get.out()).contains("\"demand\": \"" + (1 + n) + "\"");
                    }
                }
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldLeaveTheFileAloneOnASingleNodeAndRefuseAFileThatHoldsNoPosition() throws Exception
    {
        final Path session = dir.resolve("session");
        try (TestServer server = TestServer.start(dir.resolve("single")))
        {
            final String address = "127.0.0.1:" + server.server.port();
            run("claim", "add", "--server", address, "--session", session.toString(), "--id", "a", "--demand", "5");
            assertThat(session).doesNotExist();
            Files.writeString(session, "twelve\n");
            final CliRun refused = CliRun.run("claim", "get", "a", "--server", address, "--session",
                session.toString());
            assertThat(refused.status()).isEqualTo(2);
            assertThat(refused.err()).contains("--session " + session + " must hold one log position");
        }
    }

    private static String address(final ClusterServers cluster, final int node)
    {
        return "127.0.0.1:" + cluster.servers.get(node).port();
    }

    private static CliRun run(final String... args)
    {
        final CliRun run = CliRun.run(args);
        assertThat(run.status()).as(run.toString()).isZero();
        return run;
    }
}
