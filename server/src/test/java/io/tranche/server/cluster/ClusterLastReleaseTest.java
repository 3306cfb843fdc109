package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.server.TestServer;
import io.tranche.server.cli.CliRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three members' data directories written by the last landed build (2fe7ca3: checksummed recordings, signed and
 * attributed commands, snapshots with the ledger's tree, checkpoints of type 0x41; {@code
 * fixtures/cluster-2fe7ca3.tar.gz}, made by {@code fixtures/write-cluster-2fe7ca3.sh}) open with this build: every
 * member's command line prints the tranches, claims and history that build printed, byte for byte, and writes follow,
 * also after a restart of all three.
 */
@Tag("cluster")
class ClusterLastReleaseTest
{
    /** The ports the fixture's members used. */
    private static final int BASE = 41210;
    private static final String ADMIN = "admin-token";

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldServeTheLastReleasesClusterAsThatReleaseDid() throws Exception
    {
        ClusterServers.extract(dir, "/fixtures/cluster-2fe7ca3.tar.gz");
        final Path secret = dir.resolve("secret");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        final Path tokens = dir.resolve("tokens");
        try (ClusterServers cluster = ClusterServers.start(dir, BASE,
            c -> c.clusterSecret(secret).tokensFile(tokens)))
        {
            for (int node = 0; node < 3; node++)
            {
                final String address = "127.0.0.1:" + cluster.servers.get(node).port();
                assertThat(cli("tranches", "--server", address, "--token", ADMIN, "--json")).as("member " + node)
                    .isEqualTo(expected("expected-tranches.json"));
                assertThat(cli("claim", "list", "--server", address, "--token", ADMIN, "--json"))
                    .as("member " + node).isEqualTo(expected("expected-claims.json"));
                assertThat(cli("history", "--claim", "alpha-1", "--server", address, "--token", ADMIN, "--json"))
                    .as("member " + node).isEqualTo(expected("expected-history-alpha-1.json"));
            }
            cluster.queue(2).withCallCredentials(TestServer.bearer(ADMIN)).releaseTranche(ReleaseTrancheRequest
                .newBuilder().setRequestId("r4").setSupply(25).setPolicy(Policy.newBuilder().setMethod(Method.FIFO))
                .build());
        }
        try (ClusterServers cluster = ClusterServers.start(dir, BASE,
            c -> c.clusterSecret(secret).tokensFile(tokens)))
        {
            for (int node = 0; node < 3; node++)
            {
                final String address = "127.0.0.1:" + cluster.servers.get(node).port();
                assertThat(cli("verify", "--server", address, "--token", ADMIN)).as("member " + node)
                    .contains("verified 4 tranche(s)");
            }
        }
    }

    private static String cli(final String... args)
    {
        final CliRun run = CliRun.run(args);
        assertThat(run.status()).as(run.toString()).isZero();
        return run.out();
    }

    private String expected(final String name) throws Exception
    {
        return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
    }

}
