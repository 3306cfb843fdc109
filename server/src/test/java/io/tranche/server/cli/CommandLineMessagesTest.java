package io.tranche.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.tranche.server.ServerConfig;
import io.tranche.server.TrancheServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The messages a newcomer met: each names the place, the cause and the flag that fixes it. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CommandLineMessagesTest
{
    @TempDir
    Path dir;

    @Test
    void shouldGiveLineColumnAndExpectationForMalformedJson()
    {
        final CliRun run = AllocateRemoteTest.run("{\"supply\": \"5\" \"claims\": []}", "allocate");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err())
            .isEqualTo("tranche allocate: INVALID_ARGUMENT: malformed request JSON: line 1, column 17 " +
                "(at $.supply): expected ',' or '}' after a field\n");

        final CliRun early = AllocateRemoteTest.run("{\"supply\": \"5\",\n", "allocate");
        assertThat(early.err()).contains("line 2, column 1").contains("the input ends too early")
            .doesNotContain("EOFException");

        final CliRun empty = AllocateRemoteTest.run("", "allocate");
        assertThat(empty.err()).contains("the input is empty: expected one JSON object");

        final String ok = "{\"supply\":\"10\",\"policy\":{\"method\":\"EQUAL\"},\"claims\":[{\"id\":\"a\"}]}";
        final CliRun jsonl =
            AllocateRemoteTest.run(ok + "\n" + ok + "\n{\"supply\": }\n", "allocate", "--jsonl");
        assertThat(jsonl.out().split("\n")[2]).contains("malformed request JSON: line 3, column 12 (at $.supply): " +
            "expected a value").doesNotContain("MalformedJsonException").doesNotContain("https://");
    }

    @Test
    void shouldSayThePortIsInUseAndSuggestAnEphemeralOne() throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")))
        {
            final String listen = "127.0.0.1:" + taken.getLocalPort();
            final CliRun run = AllocateRemoteTest.run("", "serve", "--listen", listen,
                "--data-dir", dir.resolve("data").toString());
            assertThat(run.status()).isEqualTo(1);
            // The port is checked first (issue 22, 2.9): no recovery line before, no data directory left behind.
            assertThat(run.err()).isEqualTo("tranche serve: cannot start: --listen " + listen + " is already in use " +
                "(another './tranche serve'?); give another port, or --listen 127.0.0.1:0 for any free one\n");
            assertThat(dir.resolve("data")).doesNotExist();

            final CliRun metrics = AllocateRemoteTest.run("", "serve", "--listen", "127.0.0.1:0",
                "--metrics", listen, "--data-dir", dir.resolve("data2").toString());
            assertThat(metrics.status()).isEqualTo(1);
            assertThat(metrics.err()).isEqualTo("tranche serve: cannot start: --metrics " + listen + " is already in " +
                "use (by another server?); give another port, or --metrics 127.0.0.1:0 for any free one\n");
            assertThat(dir.resolve("data2")).doesNotExist();
        }
    }

    @Test
    void shouldSayTheListenAddressIsNotOnThisMachine() throws Exception
    {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): no machine has it. It used to say "already in use".
        assumeThat(java.net.NetworkInterface.getByInetAddress(InetAddress.getByName("192.0.2.1"))).isNull();
        final CliRun run = AllocateRemoteTest.run("", "serve", "--listen", "192.0.2.1:0", "--insecure",
            "--data-dir", dir.resolve("data").toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("tranche serve: cannot start: --listen 192.0.2.1:0: 192.0.2.1 is not an " +
            "address of this machine (Cannot assign requested address); give one of its addresses, 127.0.0.1 for " +
            "this machine alone, or 0.0.0.0 for all of them\n");
        assertThat(dir.resolve("data")).doesNotExist();

        final CliRun metrics = AllocateRemoteTest.run("", "serve", "--listen", "127.0.0.1:0", "--metrics",
            "192.0.2.1:9464", "--insecure", "--data-dir", dir.resolve("data").toString());
        assertThat(metrics.status()).isEqualTo(1);
        assertThat(metrics.err()).startsWith("tranche serve: cannot start: --metrics 192.0.2.1:9464: 192.0.2.1 is " +
            "not an address of this machine").doesNotContain("in use");
    }

    @Test
    void shouldNameTheTlsFlagWhoseFileIsMissingOrUnreadable() throws Exception
    {
        final Path cert = Path.of(CommandLineMessagesTest.class.getClassLoader().getResource("tls/server.crt").toURI());
        final Path key = Path.of(CommandLineMessagesTest.class.getClassLoader().getResource("tls/server.key").toURI());
        final Path missing = dir.resolve("nokey.pem");
        final CliRun noKey = AllocateRemoteTest.run("", "serve", "--listen", "127.0.0.1:0", "--tls-cert",
            cert.toString(), "--tls-key", missing.toString(), "--data-dir", dir.resolve("data").toString());
        assertThat(noKey.status()).isEqualTo(1);
        assertThat(noKey.err()).isEqualTo("tranche serve: cannot start: --tls-key " + missing + ": no such file\n");
        assertThat(dir.resolve("data")).doesNotExist();

        final CliRun noCert = AllocateRemoteTest.run("", "serve", "--listen", "127.0.0.1:0", "--tls-cert",
            missing.toString(), "--tls-key", key.toString(), "--data-dir", dir.resolve("data").toString());
        assertThat(noCert.err()).isEqualTo("tranche serve: cannot start: --tls-cert " + missing + ": no such file\n");

        final Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a key\n");
        final CliRun badKey = AllocateRemoteTest.run("", "serve", "--listen", "127.0.0.1:0", "--tls-cert",
            cert.toString(), "--tls-key", garbage.toString(), "--data-dir", dir.resolve("data").toString());
        assertThat(badKey.status()).isEqualTo(1);
        assertThat(badKey.err()).startsWith("tranche serve: cannot start: --tls-cert " + cert + " and --tls-key " +
            garbage + " are not a PEM certificate chain and its PKCS#8 private key: ").doesNotContain("\n\t");
        assertThat(badKey.err().strip()).doesNotContain("\n");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void shouldPrintDurationsAsTheFlagsTakeThem()
    {
        assertThat(Durations.format(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ofMinutes(2))).isEqualTo("2m");
        assertThat(Durations.format(Duration.ofHours(1))).isEqualTo("1h");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0");
        for (final String text : new String[] {"10s", "1500ms", "2m", "1h"})
        {
            assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
        }
    }

    @Test
    void shouldShowBenchExitStatusTwoAndUnbrokenSentencesInHelp()
    {
        final CliRun top = AllocateRemoteTest.run("", "--help");
        assertThat(top.out()).contains("./tranche bench --help");
        final CliRun serve = AllocateRemoteTest.run("", "serve", "--help");
        assertThat(serve.out())
            .contains("Exit status: 0 after a graceful stop, 1 if it cannot start, 2 for a bad option.\n")
            .contains("Prometheus endpoint (GET /metrics) on HOST:PORT.")
            .doesNotContain("http://HOST:\n").doesNotContain("keeping the queue\n");
        for (final String line : serve.out().split("\n"))
        {
            assertThat(line.length()).as(line).isLessThanOrEqualTo(80);
        }
    }

    @Test
    void shouldPrintTheProjectVersionAndCommit() throws Exception
    {
        final CliRun run = AllocateRemoteTest.run("", "--version");
        assertThat(run.status()).isZero();
        final boolean inGit = Files.exists(Path.of("..", ".git"));
        assertThat(run.out().trim()).matches("tranche \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit " +
            (inGit ? "[0-9a-f]{7,}( with uncommitted changes)?" : ".*") + "\\)");
    }

    @Test
    void shouldAdviseWatchingAgainWithAfterWhenTheServerShutsDown() throws Exception
    {
        final TrancheServer server = TrancheServer.start(new ServerConfig().listen("127.0.0.1", 0)
            .dataDir(dir.resolve("data")).gracePeriod(Duration.ofSeconds(2)));
        final String address = server.listenAddress();
        final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        final PrintStream out = System.out;
        final PrintStream err = System.err;
        final int[] status = {-1};
        Thread watcher = null;
        try
        {
            assertThat(AllocateRemoteTest.run("", "claim", "add", "--server", address, "--id", "a", "--demand", "9")
                .status())
                .isZero();
            assertThat(AllocateRemoteTest.run("", "release", "--server", address, "--supply", "3", "--method", "EQUAL",
                "--request-id", "r1").status()).isZero();
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            watcher = new Thread(() -> status[0] = io.tranche.server.cli.Main.execute(
                "tranches", "--watch", "--json", "--server", address, "--timeout", "60s"));
            watcher.start();
            final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (outBytes.size() == 0 && System.nanoTime() < until)
            {
                Thread.sleep(20);
            }
            server.close();
            watcher.join(30_000);
        }
        finally
        {
            server.close();
            System.setOut(out);
            System.setErr(err);
        }
        assertThat(watcher.isAlive()).isFalse();
        assertThat(status[0]).isEqualTo(1);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).isEqualTo(
            "tranche tranches: UNAVAILABLE: the server is shutting down; to resume, run it again with " +
            "--watch --after 1\n");
    }
}
