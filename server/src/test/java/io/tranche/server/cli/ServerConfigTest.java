package io.tranche.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tranche.server.DurationText;
import io.tranche.server.ServerConfig;
import io.tranche.server.state.QueueStateMachine;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * One source per default (issue 9): {@link ServerConfig}'s {@code *_PROP_NAME}/{@code *_DEFAULT} pairs are what a
 * new configuration starts from and what {@code tranche serve --help} shows; a system property replaces the
 * built-in default in both; a property that does not parse is named in a one-line error. Surefire runs the test
 * classes one after another in one JVM: the properties set here are cleared after each test.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServerConfigTest
{
    @TempDir
    Path dir;

    private final List<String> set = new ArrayList<>();

    @AfterEach
    void clearProperties()
    {
        for (final String name : set)
        {
            System.clearProperty(name);
        }
    }

    @Test
    void shouldShowTheBuiltInDefaultsInServeHelp()
    {
        final String help = help("serve");
        assertThat(help)
            .contains("(default: " + ServerConfig.LISTEN_DEFAULT + ")")
            .contains("(default: " + ServerConfig.DATA_DIR_DEFAULT + ")")
            .contains("Max claims in one Allocate request (default: " + ServerConfig.MAX_CLAIMS_DEFAULT + ")")
            .contains("Max claims in the queue (default: " + ServerConfig.MAX_QUEUE_DEFAULT + ")")
            .contains("Default: " + ServerConfig.MAX_INBOUND_MESSAGE_SIZE_DEFAULT + ".")
            .contains("Default: " + ServerConfig.MAX_INBOUND_METADATA_SIZE_DEFAULT + ".")
            .contains("e.g. 10s (default: " + DurationText.format(ServerConfig.PERMIT_KEEPALIVE_TIME_DEFAULT) + ")")
            .contains("0 = never (default: " + DurationText.format(ServerConfig.MAX_CONNECTION_IDLE_DEFAULT) + ")")
            .contains("on shutdown (default: " + DurationText.format(ServerConfig.GRACE_PERIOD_DEFAULT) + ")")
            .contains("between snapshots (default: " + ServerConfig.SNAPSHOT_EVERY_DEFAULT + ")");
        // Durations in the grammar the flags take, not Duration.toString's PT10S.
        assertThat(help).contains("(default: 10s)").doesNotContain("PT10S");
        assertThat(help("claim", "add"))
            .contains("(default: $TRANCHE_SERVER, else " + ServerConfig.LISTEN_DEFAULT + ")")
            .contains("(default: " + ClientDefaults.TIMEOUT_DEFAULT_TEXT + ";");
    }

    @Test
    void shouldTakeEachDefaultFromItsSystemPropertyWhenSet()
    {
        property(ServerConfig.MAX_CLAIMS_PROP_NAME, "7");
        property(ServerConfig.GRACE_PERIOD_PROP_NAME, "1500ms");
        property(ServerConfig.LISTEN_PROP_NAME, "127.0.0.1:0");
        property(ServerConfig.DIRECT_EXECUTOR_PROP_NAME, "false");
        property(ServerConfig.WRITER_QUEUE_CAPACITY_PROP_NAME, "16");
        property(ServerConfig.JOURNAL_MAX_RECORD_BYTES_PROP_NAME, "65536");
        property(ServerConfig.JOURNAL_VERIFY_ON_START_BYTES_PROP_NAME, "4294967296");
        property(ClientDefaults.TIMEOUT_PROP_NAME, "3s");
        property(ClientDefaults.SERVER_PROP_NAME, "127.0.0.1:7");

        final ServerConfig config = new ServerConfig();
        assertThat(config.maxClaims()).isEqualTo(7);
        assertThat(config.gracePeriod()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.listenPort()).isZero();
        assertThat(config.directExecutor()).isFalse();
        assertThat(config.writerQueueCapacity()).isEqualTo(16);
        assertThat(config.journalMaxRecordBytes()).isEqualTo(65536);
        assertThat(config.journalVerifyOnStartBytes()).isEqualTo(1L << 32);
        assertThat(config.maxQueue()).isEqualTo(ServerConfig.MAX_QUEUE_DEFAULT);
        assertThat(help("serve"))
            .contains("Max claims in one Allocate request (default: 7)")
            .contains("on shutdown (default: 1500ms)")
            .contains("(default: 127.0.0.1:0)");
        assertThat(ClientDefaults.defaultTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(help("claim", "add")).contains("(default: $TRANCHE_SERVER, else 127.0.0.1:7)")
            .contains("(default: 3s;");
    }

    @Test
    void shouldNameTheSystemPropertyWhoseValueDoesNotParse()
    {
        property(ServerConfig.MAX_QUEUE_PROP_NAME, "lots");
        assertThatThrownBy(ServerConfig::new).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("-Dtranche.server.maxQueue must be an integer, was \"lots\"");
        final String err = serveError();
        assertThat(err.strip()).as(err).doesNotContain("\n").doesNotContain("Exception")
            .contains("-Dtranche.server.maxQueue must be an integer, was \"lots\"");

        System.clearProperty(ServerConfig.MAX_QUEUE_PROP_NAME);
        property(ServerConfig.GRACE_PERIOD_PROP_NAME, "soon");
        assertThatThrownBy(ServerConfig::new).isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("-Dtranche.server.gracePeriod: 'soon' is not a duration");
    }

    @Test
    void shouldConcludeOnceAndReadTheSecretFileOnlyThen() throws Exception
    {
        final Path secret = dir.resolve("secret");
        java.nio.file.Files.write(secret, new byte[32]);
        java.nio.file.Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions
            .fromString("rw-------"));
        final ServerConfig config = new ServerConfig().listen("127.0.0.1:0").dataDir(dir)
            .cluster("0=127.0.0.1:20110", 0).clusterSecret(secret).conclude();
        // The server's start concludes too: the file is not read again (it may be gone, as after a secret rotation).
        java.nio.file.Files.delete(secret);
        assertThat(config.conclude()).isSameAs(config);
        assertThat(config.clusterSettings().secret()).isNotNull();
        property(ServerConfig.JOURNAL_MAX_RECORD_BYTES_PROP_NAME, "big");
        assertThatThrownBy(ServerConfig::new).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("-Dtranche.journal.maxRecordBytes must be an integer, was \"big\"");
    }

    @Test
    void shouldHandTheWriterAndTheMemberTheSubContextsItConcluded()
    {
        final ServerConfig single = new ServerConfig().listen("127.0.0.1:0").dataDir(dir).maxQueue(77)
            .snapshotEvery(55).writerQueueCapacity(33).journalMaxRecordBytes(1 << 20).fsync(false);
        assertThatThrownBy(single::writer).isInstanceOf(IllegalStateException.class)
            .hasMessage("conclude() the configuration first");
        single.conclude();
        assertThat(single.writer()).isSameAs(single.writer());
        assertThat(single.writer().dataDir()).isEqualTo(dir);
        assertThat(single.writer().maxQueue()).isEqualTo(77);
        assertThat(single.writer().snapshotEvery()).isEqualTo(55);
        assertThat(single.writer().queueCapacity()).isEqualTo(33);
        assertThat(single.writer().fsync()).isFalse();
        assertThat(single.writer().journal().maxRecordBytes()).isEqualTo(1 << 20);
        assertThatThrownBy(single::member).isInstanceOf(IllegalStateException.class)
            .hasMessage("a single node is not a cluster member: it has writer()");

        final ServerConfig member = new ServerConfig().listen("127.0.0.1:0").dataDir(dir).maxQueue(88)
            .snapshotEvery(66).cluster("0=127.0.0.1:20110,1=127.0.0.1:20120", 1).checkpointEvery(5).conclude();
        assertThat(member.member().nodeId()).isEqualTo(1);
        assertThat(member.member().members()).hasSize(2);
        assertThat(member.member().maxQueue()).isEqualTo(88);
        assertThat(member.member().snapshots().every()).isEqualTo(66);
        assertThat(member.member().settings().checkpointEvery()).isEqualTo(5);
        assertThat(member.member().dataDir()).isEqualTo(dir);
        assertThatThrownBy(member::writer).isInstanceOf(IllegalStateException.class)
            .hasMessage("a cluster member has no writer: it has member()");
    }

    @Test
    void shouldRefuseAQueueLimitAboveWhatOneReleaseCanSplit()
    {
        // Was accepted: a queue that large would have made every release INVALID_ARGUMENT in the allocator.
        final ServerConfig config = new ServerConfig().listen("127.0.0.1:0").dataDir(dir)
            .maxQueue(QueueStateMachine.QUEUE_CAPACITY + 1);
        assertThatThrownBy(config::conclude).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("--max-queue must be at most " + QueueStateMachine.QUEUE_CAPACITY +
                " (the most claims one release can split), was " + (QueueStateMachine.QUEUE_CAPACITY + 1));
        config.maxQueue(QueueStateMachine.QUEUE_CAPACITY).conclude();
    }

    @Test
    void shouldListEverySystemPropertyInTheDocs() throws Exception
    {
        final StringBuilder docs = new StringBuilder(Files.readString(Path.of("..", "README.md"),
            StandardCharsets.UTF_8));
        try (java.util.stream.Stream<Path> pages = Files.list(Path.of("..", "docs")))
        {
            for (final Path page : pages.filter(p -> p.toString().endsWith(".md")).sorted().toList())
            {
                docs.append(Files.readString(page, StandardCharsets.UTF_8));
            }
        }
        final String readme = docs.toString();
        for (final Class<?> type : new Class<?>[] {ServerConfig.class, ClientDefaults.class})
        {
            for (final Field field : type.getFields())
            {
                if (Modifier.isStatic(field.getModifiers()) && field.getName().endsWith("_PROP_NAME"))
                {
                    final String name = (String)field.get(null);
                    assertThat(readme).as("README or docs/ list -D" + name).contains("`" + name + "`");
                }
            }
        }
    }

    private void property(final String name, final String value)
    {
        set.add(name);
        System.setProperty(name, value);
    }

    private static String help(final String... command)
    {
        CommandLine line = new CommandLine(new Main());
        for (final String name : command)
        {
            line = line.getSubcommands().get(name);
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        line.usage(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        // Joined back where picocli wrapped a description.
        return bytes.toString(StandardCharsets.UTF_8).replaceAll("\\n +", " ");
    }

    private String serveError()
    {
        final PrintStream saved = System.err;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try
        {
            assertThat(Main.execute("serve", "--data-dir", dir.resolve("data").toString())).isEqualTo(2);
        }
        finally
        {
            System.setErr(saved);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
