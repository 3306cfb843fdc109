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
    void shouldPlaceTrailingCommasMisspeltMethodsAndNumbersBeyondTheLimit()
    {
        final CliRun comma = AllocateRemoteTest.run("{\"supply\": \"10\", \"policy\": {\"method\": \"EQUAL\"},\n" +
            "  \"claims\": [{\"id\": \"a\"},\n    {\"id\": \"b\"},\n  ]}\n", "allocate");
        assertThat(comma.status()).isEqualTo(2);
        assertThat(comma.err()).isEqualTo("tranche allocate: INVALID_ARGUMENT: malformed request JSON: line 3, " +
            "column 16 (at $.claims): ',' with no element after it: remove the trailing ','\n");

        final CliRun method = AllocateRemoteTest.run(
            "{\"supply\":\"10\",\"policy\":{\"method\":\"PROPORTIONL\"},\"claims\":[{\"id\":\"a\"}]}", "allocate");
        assertThat(method.err()).isEqualTo("tranche allocate: INVALID_ARGUMENT: malformed request JSON: line 1, " +
            "column 35 (at $.policy.method): \"PROPORTIONL\" is not a method; one of: PROPORTIONAL, EQUAL, " +
            "EQUAL_LOSSES, TALMUD, FIFO, DHONDT, SAINTE_LAGUE, ADAMS, DEAN, HUNTINGTON_HILL\n");

        final CliRun big = AllocateRemoteTest.run(
            "{\"supply\":\"99999999999999999999\",\"policy\":{\"method\":\"EQUAL\"},\"claims\":[{\"id\":\"a\"}]}",
            "allocate");
        assertThat(big.err()).isEqualTo("tranche allocate: INVALID_ARGUMENT: malformed request JSON: line 1, " +
            "column 11 (at $.supply): \"99999999999999999999\" is not a whole number up to 2^62 " +
            "(4611686018427387904), the largest amount tranche takes\n");

        final CliRun tier = AllocateRemoteTest.run("{\"supply\":\"10\",\"policy\":{\"method\":\"EQUAL\"}," +
            "\"claims\":[{\"id\":\"a\"},{\"id\":\"b\",\"tier\":99999999999}]}", "allocate", "--jsonl");
        assertThat(tier.out()).contains("line 1, column 82 (at $.claims[1].tier): 99999999999 is not a whole " +
            "number up to 2147483647");

        final CliRun nullClaim = AllocateRemoteTest.run(
            "{\"supply\":\"10\",\"policy\":{\"method\":\"EQUAL\"},\"claims\":[null]}", "allocate");
        assertThat(nullClaim.err()).contains("line 1, column 54 (at $.claims[0]): a list element is null");
    }

    @Test
    void shouldPrintTheMistakeAndWhereHelpIsNotTheWholeUsage()
    {
        final CliRun run = AllocateRemoteTest.run("", "claim", "add", "--id");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("tranche claim add: Missing required parameter for option '--id' (ID)\n" +
            "see './tranche claim add --help'\n");
        final CliRun unknown =
            AllocateRemoteTest.run("", "release", "--supply", "5", "--method", "EQUAL", "--explian");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("tranche release: Unknown option: '--explian'\n")
            .contains("--explain").endsWith("see './tranche release --help'\n").doesNotContain("Usage:");
        assertThat(unknown.err().split("\n").length).isLessThanOrEqualTo(4);
    }

    @Test
    void shouldHintWhenAllocateWaitsForInputFromATerminal()
    {
        final String seed = "{\"supply\":\"10\",\"policy\":{\"method\":\"EQUAL\"},\"claims\":[{\"id\":\"a\"}]}";
        System.setProperty(AllocateCommand.STDIN_TERMINAL_PROP_NAME, "true");
        try
        {
            final CliRun typed = AllocateRemoteTest.run(seed, "allocate");
            assertThat(typed.status()).isZero();
            assertThat(typed.err()).isEqualTo("tranche allocate: reading an AllocateRequest in JSON from standard " +
                "input (end with Ctrl-D); or give a file: ./tranche allocate examples/seed.json\n");
            assertThat(AllocateRemoteTest.run(seed, "allocate", "--jsonl").err())
                .startsWith("tranche allocate: reading one AllocateRequest in JSON per line");
        }
        finally
        {
            System.clearProperty(AllocateCommand.STDIN_TERMINAL_PROP_NAME);
        }
        System.setProperty(AllocateCommand.STDIN_TERMINAL_PROP_NAME, "false");
        try
        {
            assertThat(AllocateRemoteTest.run(seed, "allocate").err()).isEmpty();
        }
        finally
        {
            System.clearProperty(AllocateCommand.STDIN_TERMINAL_PROP_NAME);
        }
    }

    @Test
    void shouldSayTheDeadlineWasTheDefaultAndHowToRaiseIt() throws Exception
    {
        assertThat(ClientDefaults.defaultTimeout()).isEqualTo(Duration.ofSeconds(30));
        final ClientOptions options = new ClientOptions();
        options.server = "127.0.0.1:1";
        final java.io.StringWriter text = new java.io.StringWriter();
        try (QueueClient client = new QueueClient(options, options.timeout(ClientDefaults.defaultTimeout())))
        {
            final int status = client.report(new java.io.PrintWriter(text), "tranche release",
                io.grpc.Status.DEADLINE_EXCEEDED.asRuntimeException());
            assertThat(status).isEqualTo(QueueClient.EXIT_FAILURE);
        }
        assertThat(text.toString()).isEqualTo("tranche release: DEADLINE_EXCEEDED: no answer from 127.0.0.1:1 " +
            "within 30s (the default deadline); a busy server or machine can take longer: raise it with --timeout, " +
            "for example --timeout 2m\n");
        options.timeout = Duration.ofSeconds(5);
        final java.io.StringWriter given = new java.io.StringWriter();
        try (QueueClient client = new QueueClient(options, options.timeout(ClientDefaults.defaultTimeout())))
        {
            client.report(new java.io.PrintWriter(given), "tranche release",
                io.grpc.Status.DEADLINE_EXCEEDED.asRuntimeException());
        }
        assertThat(given.toString()).contains("within 5s (--timeout);");
    }

    @Test
    void shouldTakeTheServerFromTrancheServerInEveryClientCommand() throws Exception
    {
        try (TrancheServer server = TrancheServer.start(new ServerConfig().listen("127.0.0.1", 0)
            .dataDir(dir.resolve("data"))))
        {
            assertThat(ClientDefaults.defaultServer(server.listenAddress())).isEqualTo(server.listenAddress());
            assertThat(ClientDefaults.defaultServer(null)).isEqualTo(ServerConfig.LISTEN_DEFAULT);
            assertThat(ClientDefaults.defaultServer("")).isEqualTo(ServerConfig.LISTEN_DEFAULT);
            // A child JVM, for the environment variable: the command line as the launcher runs it.
            final ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), Main.class.getName(), "claim", "list")
                .redirectErrorStream(true);
            pb.environment().put(ClientDefaults.SERVER_ENV_NAME, server.listenAddress());
            final Process process = pb.start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor()).as(output).isZero();
            assertThat(output).startsWith("position  id  tier  demand");
        }
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
    void shouldNameTheClientCertificateFlagsThatAreMissingOrWrong() throws Exception
    {
        final Path cert = Path.of(CommandLineMessagesTest.class.getClassLoader().getResource("tls/server.crt").toURI());
        final Path key = Path.of(CommandLineMessagesTest.class.getClassLoader().getResource("tls/server.key").toURI());
        final Path principals = Files.writeString(dir.resolve("principals"), "spiffe://x/y claimant claims=y-*\n");
        final String data = dir.resolve("data").toString();
        final String[][] usage = {
            {"--client-ca needs --principals FILE", "--tls-cert", cert.toString(), "--tls-key", key.toString(),
                "--client-ca", cert.toString()},
            {"--principals needs --client-ca FILE", "--tls-cert", cert.toString(), "--tls-key", key.toString(),
                "--principals", principals.toString()},
            {"--client-ca needs TLS: give --tls-cert and --tls-key", "--client-ca", cert.toString(), "--principals",
                principals.toString()},
        };
        for (final String[] c : usage)
        {
            final java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("serve", "--listen",
                "127.0.0.1:0", "--data-dir", data));
            args.addAll(java.util.Arrays.asList(c).subList(1, c.length));
            final CliRun run = AllocateRemoteTest.run("", args.toArray(new String[0]));
            assertThat(run.status()).as(run.err()).isEqualTo(2);
            assertThat(run.err()).contains(c[0]);
        }
        final Path garbage = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
        final CliRun badCa = AllocateRemoteTest.run("", "serve", "--listen", "127.0.0.1:0", "--tls-cert",
            cert.toString(), "--tls-key", key.toString(), "--client-ca", garbage.toString(), "--principals",
            principals.toString(), "--data-dir", data);
        assertThat(badCa.status()).isEqualTo(1);
        assertThat(badCa.err()).startsWith("tranche serve: cannot start: --client-ca " + garbage +
            " is not a PEM CA certificate: ");
        assertThat(badCa.err().strip()).doesNotContain("\n");
        final Path badLine = Files.writeString(dir.resolve("bad-principals"), "spiffe://x/y claimant\n");
        final CliRun badPrincipals = AllocateRemoteTest.run("", "serve", "--listen", "127.0.0.1:0", "--tls-cert",
            cert.toString(), "--tls-key", key.toString(), "--client-ca", cert.toString(), "--principals",
            badLine.toString(), "--data-dir", data);
        assertThat(badPrincipals.status()).isEqualTo(1);
        assertThat(badPrincipals.err()).isEqualTo("tranche serve: cannot start: --principals " + badLine +
            ":1: a claimant needs claims=ID,PREFIX*,... (the claims it may see and change)\n");
        assertThat(dir.resolve("data")).as("refused before the data directory is made").doesNotExist();
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
