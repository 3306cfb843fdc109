package io.tranche.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tranche.server.ServerConfig;
import io.tranche.server.TrancheServer;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code tranche allocate --server}: the Allocate RPC of a real server, with the output of local mode. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AllocateRemoteTest
{
    private static final String SEED =
        "{\"supply\":\"400000\",\"policy\":{\"method\":\"PROPORTIONAL\",\"lot\":\"8\"}," +
        "\"claims\":[{\"id\":\"a\",\"demand\":\"300000\"},{\"id\":\"b\",\"demand\":\"200000\"}," +
        "{\"id\":\"c\",\"demand\":\"150000\",\"cap\":\"120000\"},{\"id\":\"d\",\"demand\":\"40000\",\"tier\":1}]}";
    private static final String INVALID = "{\"supply\":\"-5\",\"policy\":{\"method\":\"EQUAL\"}," +
        "\"claims\":[{\"id\":\"x\",\"floor\":\"-1\"},{\"id\":\"x\"}]}";

    @TempDir
    Path dir;

    private TrancheServer start(final ServerConfig config) throws Exception
    {
        return TrancheServer.start(config.listen("127.0.0.1", 0).dataDir(dir.resolve("data"))
            .gracePeriod(Duration.ofSeconds(1)));
    }

    @Test
    void shouldPrintWhatLocalModePrintsAsJsonTableAndJsonl() throws Exception
    {
        try (TrancheServer server = start(new ServerConfig()))
        {
            final String at = server.listenAddress();
            final CliRun localJson = run(SEED, "allocate");
            final CliRun remoteJson = run(SEED, "allocate", "--server", at);
            assertThat(remoteJson.status()).isZero();
            assertThat(remoteJson.err()).isEmpty();
            assertThat(remoteJson.out()).isEqualTo(localJson.out()).contains("\"allocated\": \"400000\"");

            assertThat(run(SEED, "allocate", "--server", at, "--table", "-").out())
                .isEqualTo(run(SEED, "allocate", "--table", "-").out());

            final String lines = SEED + "\n" + INVALID + "\n{not json\n" + SEED + "\n";
            final String[] local = run(lines, "allocate", "--jsonl").out().split("\n");
            final String[] remote = run(lines, "allocate", "--jsonl", "--server", at).out().split("\n");
            assertThat(remote).hasSize(4);
            assertThat(remote[0]).isEqualTo(local[0]);
            assertThat(remote[1]).startsWith("{\"error\":{\"code\":\"INVALID_ARGUMENT\"")
                .contains("{\"field\":\"supply\",\"description\":\"must be >= 0, was -5\"}")
                .contains("\"field\":\"claims[1].id\"");
            assertThat(remote[2]).isEqualTo(local[2]);
            assertThat(remote[3]).isEqualTo(local[3]);
        }
    }

    @Test
    void shouldExitTwoWithTheServersFieldViolationsForAnInvalidRequest() throws Exception
    {
        try (TrancheServer server = start(new ServerConfig()))
        {
            final CliRun run = run(INVALID, "allocate", "--server", server.listenAddress());
            assertThat(run.status()).isEqualTo(2);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).startsWith("tranche allocate: INVALID_ARGUMENT: ")
                .contains("\n  supply: must be >= 0, was -5\n").contains("\n  claims[0].floor: must be >= 0")
                .contains("\n  claims[1].id: duplicates claims[0].id").doesNotContain("Exception");
        }
    }

    @Test
    void shouldSendTheTokenAndExplainAMissingOne() throws Exception
    {
        final Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "reader-secret reader\n");
        try (TrancheServer server = start(new ServerConfig().tokensFile(tokens)))
        {
            final CliRun without = run(SEED, "allocate", "--server", server.listenAddress());
            assertThat(without.status()).isEqualTo(2);
            assertThat(without.err()).startsWith("tranche allocate: UNAUTHENTICATED");
            final CliRun with = run(SEED, "allocate", "--server", server.listenAddress(), "--token", "reader-secret");
            assertThat(with.status()).isZero();
            assertThat(with.out()).isEqualTo(run(SEED, "allocate").out());
        }
    }

    @Test
    void shouldCallATlsServerWithItsCaAndExplainTheTwoUsualMistakes() throws Exception
    {
        final Path cert = resource("tls/server.crt");
        try (TrancheServer server = start(new ServerConfig().tls(cert, resource("tls/server.key"))))
        {
            final String at = "localhost:" + server.port();
            final CliRun trusted = run(SEED, "allocate", "--server", at, "--ca", cert.toString());
            assertThat(trusted.status()).isZero();
            assertThat(trusted.out()).isEqualTo(run(SEED, "allocate").out());

            // plaintext against TLS: say that the server may expect TLS, and how to ask for it
            final CliRun plaintext = run(SEED, "allocate", "--server", at, "--timeout", "5s");
            assertThat(plaintext.status()).isEqualTo(1);
            assertThat(plaintext.err()).startsWith("tranche allocate: UNAVAILABLE: cannot reach " + at)
                .contains("expects TLS").contains("--tls").contains("--ca FILE").doesNotContain("\tat ");

            // TLS without --ca against a self-signed certificate: say it is not trusted, and how to trust it
            final CliRun untrusted = run(SEED, "allocate", "--server", at, "--tls", "--timeout", "5s");
            assertThat(untrusted.status()).isEqualTo(1);
            assertThat(untrusted.err()).startsWith("tranche allocate: UNAVAILABLE: ")
                .contains("certificate is not trusted").contains("--ca FILE")
                .doesNotContain("General OpenSslEngine problem");
        }
    }

    @Test
    void shouldExitOneWhenNothingListensAndRefuseConnectionOptionsWithoutServer() throws Exception
    {
        final int port;
        try (ServerSocket socket = new ServerSocket(0))
        {
            port = socket.getLocalPort();
        }
        final CliRun down = run(SEED, "allocate", "--server", "127.0.0.1:" + port, "--timeout", "5s");
        assertThat(down.status()).isEqualTo(1);
        assertThat(down.err()).startsWith("tranche allocate: UNAVAILABLE: cannot reach 127.0.0.1:" + port +
            " (is './tranche serve' running there?").doesNotContain("TLS");

        final CliRun stray = run(SEED, "allocate", "--tls");
        assertThat(stray.status()).isEqualTo(2);
        assertThat(stray.err()).contains("go with --server");
    }

    private static Path resource(final String name) throws URISyntaxException
    {
        return Path.of(AllocateRemoteTest.class.getClassLoader().getResource(name).toURI());
    }

    static CliRun run(final String stdin, final String... args)
    {
        return CliRun.withInput(stdin, args);
    }
}
