package io.tranche.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.tranche.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tranche serve} refuses unsafe exposure with a reason (issue 8, items 12 and 13) and says what is wrong, and
 * what to do, in one line with the documented exit status when it cannot start (issue 8, "Messages"). Runs the real
 * command line in this JVM ({@link Main#execute}) and reads its standard error.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServeCommandTest
{
    @TempDir
    Path dir;

    /** What one run of the command line printed on standard error, and its exit status. */
    private record Run(int status, String err)
    {
    }

    @Test
    void shouldRefuseTokensWithoutTlsOnANonLoopbackAddress() throws Exception
    {
        final Path tokens = tokens();
        final Run run = serve("--listen", "0.0.0.0:0", "--tokens", tokens.toString());
        assertThat(run.status).isEqualTo(2);
        assertOneLine(run);
        assertThat(run.err).contains("--tokens without TLS", "clear text", "--tls-cert", "--insecure");

        // Allowed: with TLS; or asked for with --insecure; or on loopback, where nothing crosses a network.
        new ServerConfig().listen("0.0.0.0:0").dataDir(dir).tokensFile(tokens)
            .tls(resource("tls/server.crt"), resource("tls/server.key")).conclude();
        new ServerConfig().listen("0.0.0.0:0").dataDir(dir).tokensFile(tokens).insecure(true).conclude();
        new ServerConfig().listen("127.0.0.1:0").dataDir(dir).tokensFile(tokens).conclude();
        new ServerConfig().listen("[::1]:0").dataDir(dir).tokensFile(tokens).conclude();
    }

    @Test
    void shouldRefuseANonLoopbackMetricsAddressUnlessInsecure() throws Exception
    {
        final Run run = serve("--metrics", "0.0.0.0:9464");
        assertThat(run.status).isEqualTo(2);
        assertOneLine(run);
        assertThat(run.err).contains("refusing to serve metrics on 0.0.0.0", "no authentication", "127.0.0.1:9464",
            "--insecure");
        assertThatThrownBy(() -> new ServerConfig().listen("127.0.0.1:0").dataDir(dir)
            .tokensFile(tokens()).tls(resource("tls/server.crt"), resource("tls/server.key"))
            .metrics("0.0.0.0:0").conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--insecure");
        new ServerConfig().listen("127.0.0.1:0").dataDir(dir).metrics("0.0.0.0:0").insecure(true).conclude();
        new ServerConfig().listen("127.0.0.1:0").dataDir(dir).metrics("localhost:0").conclude();
    }

    @Test
    void shouldSayInOneLineThatTheListenHostCannotBeResolved() throws Exception
    {
        // .invalid never resolves (RFC 6761). Was: a stack trace and exit 1; with --tokens, a failed bind.
        for (final String[] args : new String[][] {
            {"--listen", "no-such-host.invalid:50051"},
            {"--listen", "no-such-host.invalid:50051", "--tokens", tokens().toString()},
            {"--metrics", "no-such-host.invalid:9464"}})
        {
            final Run run = serve(args);
            assertThat(run.status).as(String.join(" ", args) + ": " + run.err).isEqualTo(2);
            assertOneLine(run);
            assertThat(run.err).contains("host \"no-such-host.invalid\" cannot be resolved", "IP address");
        }
    }

    @Test
    void shouldSayTheDataDirIsAFileAndWhatToDo() throws Exception
    {
        final Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        final Run run = serve("--data-dir", file.toString());
        assertThat(run.status).isEqualTo(1);
        assertOneLine(run);
        assertThat(run.err).contains(file.toString(), "is a file, not a directory", "move the file away");
    }

    @Test
    void shouldSayWhatToDoWhenTheDataDirIsNotWritable() throws Exception
    {
        final Path data = Files.createDirectory(dir.resolve("locked"));
        final boolean root = "root".equals(System.getProperty("user.name"));
        // Root ignores file modes; the immutable attribute stops it too, where chattr is allowed.
        final boolean locked = root ? run("chattr", "+i", data.toString()) : data.toFile().setWritable(false, false);
        assumeThat(locked).as("cannot make a directory unwritable here").isTrue();
        try
        {
            final Run run = serve("--data-dir", data.toString());
            assertThat(run.status).isEqualTo(1);
            assertOneLine(run);
            assertThat(run.err).contains(data.toString());
            assertThat(run.err).containsAnyOf("permission denied", "not permitted");
            assertThat(run.err).containsAnyOf("give that user access", "make it writable");
        }
        finally
        {
            if (root)
            {
                run("chattr", "-i", data.toString());
            }
            else
            {
                data.toFile().setWritable(true, true);
            }
        }
    }

    @Test
    void shouldExplainEveryFileSystemFailureItCanName()
    {
        assertThat(ServeCommand.describe(new AccessDeniedException("/srv/tranche/LOCK")))
            .contains("permission denied on /srv/tranche/LOCK", "give that user access (chown, chmod)");
        assertThat(ServeCommand.describe(new java.nio.file.FileAlreadyExistsException("/srv/tranche")))
            .contains("/srv/tranche exists and is not a directory");
        assertThat(ServeCommand.describe(new java.io.UncheckedIOException(new AccessDeniedException("/x"))))
            .startsWith("permission denied on /x");
        assertThat(ServeCommand.describe(new java.nio.file.FileSystemException("/x", null, "No space left on device")))
            .isEqualTo("/x: No space left on device");
    }

    @Test
    void shouldStateTheExitStatusesInItsHelp()
    {
        final Run run =
            capture(() -> new picocli.CommandLine(new Main()).getSubcommands().get("serve").usage(System.err));
        assertThat(run.err).contains("0 after a graceful stop", "1 if it cannot start", "2 for a bad option");
    }

    private Path tokens() throws Exception
    {
        final Path file = dir.resolve("tokens");
        if (!Files.exists(file))
        {
            Files.writeString(file, "admin-token admin\n");
        }
        return file;
    }

    private Run serve(final String... args)
    {
        final boolean ownDataDir = java.util.Arrays.asList(args).contains("--data-dir");
        final String[] all = new String[args.length + (ownDataDir ? 1 : 3)];
        all[0] = "serve";
        if (!ownDataDir)
        {
            all[1] = "--data-dir";
            all[2] = dir.resolve("data").toString();
        }
        System.arraycopy(args, 0, all, ownDataDir ? 1 : 3, args.length);
        final int[] status = new int[1];
        final Run run = capture(() -> status[0] = Main.execute(all));
        return new Run(status[0], run.err);
    }

    private static Run capture(final Runnable action)
    {
        final PrintStream saved = System.err;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try
        {
            action.run();
        }
        finally
        {
            System.setErr(saved);
        }
        return new Run(0, bytes.toString(StandardCharsets.UTF_8));
    }

    private static void assertOneLine(final Run run)
    {
        assertThat(run.err.strip()).as(run.err).doesNotContain("\n").doesNotContain("Exception")
            .startsWith("tranche serve: ");
    }

    private static boolean run(final String... command)
    {
        try
        {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        }
        catch (final Exception ex)
        {
            return false;
        }
    }

    private static Path resource(final String name) throws URISyntaxException
    {
        return Path.of(ServeCommandTest.class.getClassLoader().getResource(name).toURI());
    }
}
