package io.tranche.server.cli;

import io.tranche.server.DurationText;
import io.tranche.server.ServerConfig;
import io.tranche.server.TrancheServer;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code tranche serve}: runs the gRPC server until SIGTERM/SIGINT, then drains gracefully and
 * exits 0. Prints exactly one line to standard output when ready: {@code tranche: listening on HOST:PORT}.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    defaultValueProvider = ServeCommand.Defaults.class,
    description = {
        "Serves AllocationService and QueueService over gRPC (with health and reflection), keeping the queue " +
            "and the ledger of tranches durable in --data-dir (created if missing). Prints 'tranche: listening on " +
            "HOST:PORT' when ready.",
        "Exit status: 0 after a graceful stop, 1 if it cannot start, 2 for a bad option."
    })
public final class ServeCommand implements Callable<Integer>
{
    @Option(names = "--listen", paramLabel = "HOST:PORT",
        description = "Address to listen on; port 0 = ephemeral (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "Journal and snapshots (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--tokens", paramLabel = "FILE", description = {
        "Bearer tokens, one 'TOKEN ROLE [name=NAME] [claims=ID,PREFIX*,...]' per line; roles admin, auditor, " +
            "reader, claimant (a claimant needs claims=)."})
    Path tokens;

    @Option(names = "--client-ca", paramLabel = "PEM",
        description = "Take TLS client certificates signed by this CA as credentials too (needs --principals).")
    Path clientCa;

    @Option(names = "--principals", paramLabel = "FILE", description = {
        "Certificate subjects, one 'SUBJECT ROLE [name=NAME] [claims=ID,PREFIX*,...]' per line; SUBJECT is a SAN " +
            "URI (a SPIFFE id) or the CN."})
    Path principals;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Certificate chain; serves TLS with --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "PKCS#8 private key for --tls-cert.")
    Path tlsKey;

    @Option(names = "--insecure", description = {
        "Allow a non-loopback --listen without --tokens, --tokens without TLS on a non-loopback --listen,",
        "a non-loopback --metrics, and --cluster-members without --cluster-secret."})
    boolean insecure;

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
        description = "Prometheus endpoint (GET /metrics) on HOST:PORT.")
    String metrics;

    @Option(names = "--max-claims", description = "Max claims in one Allocate request (default: ${DEFAULT-VALUE}).")
    int maxClaims;

    @Option(names = "--max-queue", description = "Max claims in the queue (default: ${DEFAULT-VALUE}).")
    int maxQueue;

    @Option(names = "--max-inbound-message-size", paramLabel = "BYTES", description = "Default: ${DEFAULT-VALUE}.")
    int maxInboundMessageSize;

    @Option(names = "--max-inbound-metadata-size", paramLabel = "BYTES", description = "Default: ${DEFAULT-VALUE}.")
    int maxInboundMetadataSize;

    @Option(names = "--permit-keepalive-time", paramLabel = "DURATION",
        description = "Shortest client keepalive interval allowed, ISO-8601 or e.g. 10s (default: ${DEFAULT-VALUE}).")
    String permitKeepAliveTime;

    @Option(names = "--max-connection-idle", paramLabel = "DURATION",
        description = "Close connections without a call in progress this long; 0 = never (default: ${DEFAULT-VALUE}).")
    String maxConnectionIdle;

    @Option(names = "--max-connection-age", paramLabel = "DURATION",
        description = "Recycle connections; 0 = never (default: ${DEFAULT-VALUE}).")
    String maxConnectionAge;

    @Option(names = "--grace-period", paramLabel = "DURATION",
        description = "Time in-flight calls get on shutdown (default: ${DEFAULT-VALUE}).")
    String gracePeriod;

    @Option(names = "--snapshot-every", paramLabel = "RECORDS",
        description = "Journal records (on a cluster member: commands) between snapshots (default: ${DEFAULT-VALUE}).")
    int snapshotEvery;

    @Option(names = "--log-origin", paramLabel = "ORIGIN",
        description = "The origin line of the ledger's signed checkpoints and the name of its signing key, fixed " +
            "when the key is made at the first start (default: the key's own; a new key takes tranche/ and the " +
            "first 8 hex digits of the SHA-256 of its public key).")
    String logOrigin;

    @Option(names = "--cluster-members", paramLabel = "ID=HOST:PORT,...",
        description = "Run as a member of an Aeron Cluster (each member uses PORT..PORT+5), e.g. " +
            "0=127.0.0.1:20110,1=127.0.0.1:20220,2=127.0.0.1:20330.")
    String clusterMembers;

    @Option(names = "--node-id", description = "This member's id in --cluster-members.")
    int nodeId = -1;

    @Option(names = "--cluster-secret", paramLabel = "FILE", description = {
        "The secret every member shares (the same file on each, at least 32 random bytes, mode 600): ingress " +
            "sessions must answer its challenge and every command carries its MAC.",
        "Required with --cluster-members on a non-loopback address or with --tokens, unless --insecure."})
    Path clusterSecret;

    @Option(names = "--heartbeat-timeout", paramLabel = "DURATION", description = {
        "A follower starts an election after this long without hearing from the leader; the leader beats ten times " +
            "per timeout (default: " + io.tranche.server.cluster.ClusterNode.HEARTBEAT_TIMEOUT_HELP + ")."})
    String heartbeatTimeout;

    @Option(names = "--election-timeout", paramLabel = "DURATION",
        description = "How long one round of an election waits for votes (default: " +
            io.tranche.server.cluster.ClusterNode.ELECTION_TIMEOUT_HELP + ").")
    String electionTimeout;

    @Option(names = "--checkpoint-every", paramLabel = "COMMANDS",
        description = "Commands between the cluster's state-hash checkpoints (default: ${DEFAULT-VALUE}).")
    int checkpointEvery = io.tranche.server.cluster.QueueClusteredService.CHECKPOINT_EVERY_DEFAULT;

    @Option(names = "--no-direct-executor",
        description = "Run handlers on a thread pool instead of the transport threads.")
    boolean noDirectExecutor;

    @Override
    public Integer call()
    {
        oneLineLogs();
        final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        final ServerConfig config;
        try
        {
            config = new ServerConfig()
                .listen(listen)
                .dataDir(dataDir)
                .tokensFile(tokens)
                .tls(tlsCert, tlsKey)
                .clientCertificates(clientCa, principals)
                .insecure(insecure)
                .metrics(metrics)
                .maxClaims(maxClaims)
                .maxQueue(maxQueue)
                .maxInboundMessageSize(maxInboundMessageSize)
                .maxInboundMetadataSize(maxInboundMetadataSize)
                .permitKeepAliveTime(duration(permitKeepAliveTime, "--permit-keepalive-time"))
                .maxConnectionIdle(duration(maxConnectionIdle, "--max-connection-idle"))
                .maxConnectionAge(duration(maxConnectionAge, "--max-connection-age"))
                .gracePeriod(duration(gracePeriod, "--grace-period"))
                .snapshotEvery(snapshotEvery)
                .logOrigin(logOrigin)
                .directExecutor(!noDirectExecutor)
                .cluster(clusterMembers, nodeId)
                .clusterSecret(clusterSecret)
                .checkpointEvery(checkpointEvery)
                .clusterTimeouts(heartbeatTimeout == null ? null : duration(heartbeatTimeout, "--heartbeat-timeout"),
                    electionTimeout == null ? null : duration(electionTimeout, "--election-timeout"))
                .conclude();
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("tranche serve: " + ex.getMessage());
            return 2;
        }
        final TrancheServer server;
        try
        {
            server = TrancheServer.start(config);
        }
        catch (final IOException | RuntimeException ex)
        {
            final String bind = StartFailure.describe(ex, listen, metrics);
            System.err.println("tranche serve: cannot start: " + (bind != null ? bind : describe(ex)));
            return 1;
        }
        // SIGTERM/SIGINT run this hook: drain gracefully, then halt with 0 (a JVM that exits through
        // a signal would otherwise report 143/130, which supervisors read as a failure).
        final CountDownLatch forever = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            System.err.println("tranche: shutting down (grace period " + Durations.format(config.gracePeriod()) + ")");
            server.close();
            System.err.println("tranche: stopped");
            System.err.flush();
            out.flush();
            Runtime.getRuntime().halt(0);
        }, "tranche-shutdown"));
        out.println("tranche: listening on " + server.listenAddress());
        out.flush();
        if (server.metricsPort() >= 0)
        {
            System.err.println("tranche: metrics on http://" + config.metricsHost() + ":" + server.metricsPort() +
                "/metrics");
        }
        try
        {
            forever.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    // grpc-java logs through java.util.logging, whose default format takes two lines a record: one, unless the
    // operator configured logging.
    private static void oneLineLogs()
    {
        if (System.getProperty("java.util.logging.config.file") == null &&
            System.getProperty("java.util.logging.config.class") == null &&
            System.getProperty(LOG_FORMAT_PROP_NAME) == null)
        {
            System.setProperty(LOG_FORMAT_PROP_NAME, "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
        }
    }

    private static final String LOG_FORMAT_PROP_NAME = "java.util.logging.SimpleFormatter.format";

    /**
     * @param failure why the server could not start.
     * @return one line saying what is wrong and what to do: file system exceptions carry only the path in their
     *         message, which says neither.
     */
    static String describe(final Throwable failure)
    {
        if (failure instanceof UncheckedIOException && failure.getCause() != null)
        {
            return describe(failure.getCause());
        }
        if (failure instanceof AccessDeniedException)
        {
            return "permission denied on " + ((FileSystemException)failure).getFile() + ": the user running tranche (" +
                System.getProperty("user.name") + ") may not open it; give that user access (chown, chmod) or " +
                "choose another path";
        }
        if (failure instanceof FileAlreadyExistsException)
        {
            return ((FileSystemException)failure).getFile() + " exists and is not a directory; give a directory, " +
                "or move the file away";
        }
        if (failure instanceof NotDirectoryException)
        {
            return "a part of " + ((FileSystemException)failure).getFile() + " is a file, not a directory; " +
                "give a path made of directories";
        }
        if (failure instanceof NoSuchFileException)
        {
            return "no such file or directory: " + ((FileSystemException)failure).getFile();
        }
        if (failure instanceof FileSystemException)
        {
            final FileSystemException fs = (FileSystemException)failure;
            final String reason = fs.getReason() == null ? "failed" : fs.getReason();
            if (reason.contains("not permitted") || reason.contains("Read-only"))
            {
                return fs.getFile() + ": " + reason + "; the file system or the file's attributes forbid writing " +
                    "there (read-only mount, immutable attribute): make it writable or choose another path";
            }
            return fs.getFile() + ": " + reason;
        }
        final String message = failure.getMessage();
        if (message == null || message.isBlank())
        {
            return failure.getClass().getSimpleName();
        }
        final Throwable cause = failure.getCause();
        // grpc's "Failed to bind to address …" hides the reason (address in use, not an address of this machine).
        return cause != null && cause.getMessage() != null && !message.contains(cause.getMessage()) ?
            message + ": " + cause.getMessage() : message;
    }

    /**
     * @param text   {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1h}, {@code 0} or ISO-8601 ({@code PT10S}).
     * @param option for the message.
     * @return the duration.
     */
    static Duration duration(final String text, final String option)
    {
        try
        {
            return Durations.parse(text, true);
        }
        catch (final TypeConversionException ex)
        {
            throw new IllegalArgumentException(option + " must be a duration like 10s, 500ms, 2m, 0 or PT10S, was " +
                text, ex);
        }
    }

    /**
     * The flags' defaults, read from {@link ServerConfig} (its system properties, else its built-in defaults), so
     * that {@code --help} shows what a server started without the flag would use, in the flags' own grammar.
     */
    static final class Defaults implements IDefaultValueProvider
    {
        @Override
        public String defaultValue(final ArgSpec argSpec)
        {
            if (!argSpec.isOption())
            {
                return null;
            }
            try
            {
                return defaultValue(((OptionSpec)argSpec).longestName());
            }
            catch (final IllegalArgumentException ex)
            {
                // A system property that does not parse: call() reports it in one line (new ServerConfig() names
                // it), where picocli would print a stack of usage.
                return null;
            }
        }

        private static String defaultValue(final String option)
        {
            switch (option)
            {
                case "--listen":
                    return ServerConfig.defaultListen();
                case "--data-dir":
                    return ServerConfig.defaultDataDir();
                case "--max-claims":
                    return Integer.toString(ServerConfig.defaultMaxClaims());
                case "--max-queue":
                    return Integer.toString(ServerConfig.defaultMaxQueue());
                case "--max-inbound-message-size":
                    return Integer.toString(ServerConfig.defaultMaxInboundMessageSize());
                case "--max-inbound-metadata-size":
                    return Integer.toString(ServerConfig.defaultMaxInboundMetadataSize());
                case "--permit-keepalive-time":
                    return DurationText.format(ServerConfig.defaultPermitKeepAliveTime());
                case "--max-connection-idle":
                    return DurationText.format(ServerConfig.defaultMaxConnectionIdle());
                case "--max-connection-age":
                    return DurationText.format(ServerConfig.defaultMaxConnectionAge());
                case "--grace-period":
                    return DurationText.format(ServerConfig.defaultGracePeriod());
                case "--snapshot-every":
                    return Integer.toString(ServerConfig.defaultSnapshotEvery());
                case "--log-origin":
                    return ServerConfig.defaultLogOrigin();
                case "--no-direct-executor":
                    return Boolean.toString(!ServerConfig.defaultDirectExecutor());
                default:
                    return null;
            }
        }
    }
}
