package io.tranche.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.server.TestServer;
import io.tranche.server.cli.CliRun;
import io.tranche.server.ledger.LedgerFiles;
import io.tranche.server.ledger.OfflineVerifier;
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
 * A data directory written by the last landed build (the committed fixture {@code fixtures/datadir-2fe7ca3}, made by
 * its {@code write-fixture.sh}: tokens with names, a snapshot in the current format with records after it, the
 * ledger's tree and a checkpoint that build signed) opens with this one: the command line prints the same tranches,
 * claims and history, byte for byte, the offline verifier agrees, and the checkpoint the old build signed is
 * consistent with the tree this one serves, before and after new writes and a restart.
 */
@Tag("slow")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LastReleaseDataDirectoryTest
{
    private static final String ADMIN = "admin-token";

    @TempDir
    Path dir;

    @Test
    void shouldServeTheLastReleasesDirectoryAsThatReleaseDidAndExtendItsSignedHistory() throws Exception
    {
        final Path fixture = fixture();
        final Path data = dir.resolve("data");
        LedgerFiles.copy(fixture.resolve("datadir"), data);
        for (final String secret : new String[] {"ledger-signing.key", "page-token.key"})
        {
            Files.setPosixFilePermissions(data.resolve(secret), PosixFilePermissions.fromString("rw-------"));
        }
        final Path checkpoint = dir.resolve("checkpoint");
        Files.copy(fixture.resolve("checkpoint"), checkpoint);
        final String logKey = Files.readString(fixture.resolve("verifier-key.txt")).trim();
        assertThat(OfflineVerifier.verify(data, 100_000).problem).as("verify --data-dir").isNull();

        try (TestServer server = TestServer.start(TestServer.config(data).tokensFile(fixture.resolve("tokens"))))
        {
            final String address = "127.0.0.1:" + server.server.port();
            assertThat(cli("tranches", "--server", address, "--token", ADMIN, "--json"))
                .isEqualTo(expected(fixture, "expected-tranches.json"));
            assertThat(cli("claim", "list", "--server", address, "--token", ADMIN, "--json"))
                .isEqualTo(expected(fixture, "expected-claims.json"));
            assertThat(cli("history", "--claim", "alpha-1", "--server", address, "--token", ADMIN, "--json"))
                .isEqualTo(expected(fixture, "expected-history-alpha-1.json"));
            assertThat(cli("verify", "--server", address, "--token", ADMIN, "--checkpoint", checkpoint.toString(),
                "--log-key", logKey)).contains("size 10,");

            server.queue().withCallCredentials(TestServer.bearer(ADMIN)).releaseTranche(ReleaseTrancheRequest
                .newBuilder().setRequestId("r4").setSupply(25).setPolicy(Policy.newBuilder().setMethod(Method.FIFO))
                .build());
        }
        try (TestServer server = TestServer.start(TestServer.config(data).tokensFile(fixture.resolve("tokens"))))
        {
            final String address = "127.0.0.1:" + server.server.port();
            assertThat(cli("verify", "--server", address, "--token", ADMIN, "--checkpoint", checkpoint.toString(),
                "--log-key", logKey)).contains("size 11,").contains("verified 4 tranche(s)");
        }
        assertThat(OfflineVerifier.verify(data, 100_000).problem).as("verify --data-dir after the writes").isNull();
    }

    private static String cli(final String... args)
    {
        final CliRun run = CliRun.run(args);
        assertThat(run.status()).as(run.toString()).isZero();
        return run.out();
    }

    private static String expected(final Path fixture, final String name) throws Exception
    {
        return Files.readString(fixture.resolve(name), StandardCharsets.UTF_8);
    }

    private static Path fixture() throws Exception
    {
        return Path.of(LastReleaseDataDirectoryTest.class.getClassLoader()
            .getResource("fixtures/datadir-2fe7ca3/tokens").toURI()).getParent();
    }
}
