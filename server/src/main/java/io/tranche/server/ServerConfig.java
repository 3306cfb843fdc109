package io.tranche.server;

import io.tranche.server.cluster.ClusterNode;
import io.tranche.server.cluster.Member;
import io.tranche.server.cluster.ClusterSecret;
import io.tranche.server.cluster.QueueClusteredService;
import io.tranche.server.state.QueueStateMachine;
import io.tranche.server.storage.Journal;
import io.tranche.server.storage.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Every setting of the server, in the manner of Aeron's {@code Configuration}/{@code Context}: for each setting a
 * system property name ({@code *_PROP_NAME}), a built-in default ({@code *_DEFAULT}) and a static accessor
 * ({@code defaultX()}) that reads the property and falls back to the built-in default. A new {@code ServerConfig}
 * starts from those accessors; {@code tranche serve} shows them as its flags' defaults, so each default has one
 * source, here. Setters return {@code this}; {@link #conclude()} validates once.
 * <p>
 * Three claim-count limits exist, on purpose different:
 * <ul>
 *   <li>{@link #MAX_CLAIMS_DEFAULT} (100,000) bounds one {@code Allocate} request on the shared server, so that one
 *       caller cannot take a server's memory and CPU ({@code RESOURCE_EXHAUSTED} above it);</li>
 *   <li>{@code AllocationProtoAdapter.DEFAULT_MAX_CLAIMS} (2^20) is the local {@code tranche allocate}'s default:
 *       the caller's own process and problem, so a larger bound, still a bound on a typing mistake;</li>
 *   <li>{@link QueueStateMachine#QUEUE_CAPACITY} (2^26) is the most claims the queue's allocator can split, a
 *       ceiling on {@code --max-queue} (checked here) rather than a default: the queue may hold more than the
 *       current {@code --max-queue} after a restart with a lower one, and a release must still split it.</li>
 * </ul>
 * {@code fsync} has no property on purpose: switching it off loses acknowledged mutations on a machine crash, so
 * only code (benchmarks) can do it.
 */
public final class ServerConfig
{
    /** System property of {@code --listen}. */
    public static final String LISTEN_PROP_NAME = "tranche.server.listen";
    /** Default listen address; the clients' default {@code --server} too. */
    public static final String LISTEN_DEFAULT = "127.0.0.1:50051";

    /** System property of {@code --data-dir}. */
    public static final String DATA_DIR_PROP_NAME = "tranche.server.dataDir";
    /** Default data directory, relative to the working directory. */
    public static final String DATA_DIR_DEFAULT = "tranche-data";

    /** System property of {@code --max-claims}. */
    public static final String MAX_CLAIMS_PROP_NAME = "tranche.server.maxClaims";
    /** Default limit on claims in one Allocate request. */
    public static final int MAX_CLAIMS_DEFAULT = 100_000;

    /** System property of {@code --max-queue}. */
    public static final String MAX_QUEUE_PROP_NAME = "tranche.server.maxQueue";
    /** Default limit on claims in the queue. */
    public static final int MAX_QUEUE_DEFAULT = 100_000;

    /** System property of {@code --max-inbound-message-size}. */
    public static final String MAX_INBOUND_MESSAGE_SIZE_PROP_NAME = "tranche.server.maxInboundMessageSize";
    /** Default limit on an inbound message, bytes. */
    public static final int MAX_INBOUND_MESSAGE_SIZE_DEFAULT = 16 << 20;

    /** System property of {@code --max-inbound-metadata-size}. */
    public static final String MAX_INBOUND_METADATA_SIZE_PROP_NAME = "tranche.server.maxInboundMetadataSize";
    /** Default limit on inbound metadata, bytes. */
    public static final int MAX_INBOUND_METADATA_SIZE_DEFAULT = 8 << 10;

    /** System property of {@code --permit-keepalive-time}. */
    public static final String PERMIT_KEEPALIVE_TIME_PROP_NAME = "tranche.server.permitKeepAliveTime";
    /** Default shortest keepalive interval a client may use. */
    public static final Duration PERMIT_KEEPALIVE_TIME_DEFAULT = Duration.ofSeconds(10);

    /** System property of {@code --max-connection-idle}. */
    public static final String MAX_CONNECTION_IDLE_PROP_NAME = "tranche.server.maxConnectionIdle";
    /**
     * Default: a connection without a call in progress for 5 minutes is closed (gracefully, with GOAWAY; clients
     * reconnect on their next call). Open streams such as {@code WatchTranches} are calls in progress.
     */
    public static final Duration MAX_CONNECTION_IDLE_DEFAULT = Duration.ofMinutes(5);

    /** System property of {@code --max-connection-age}. */
    public static final String MAX_CONNECTION_AGE_PROP_NAME = "tranche.server.maxConnectionAge";
    /** Default: connections are never recycled. */
    public static final Duration MAX_CONNECTION_AGE_DEFAULT = Duration.ZERO;

    /** System property of {@code --grace-period}. */
    public static final String GRACE_PERIOD_PROP_NAME = "tranche.server.gracePeriod";
    /** Default grace period of a graceful stop. */
    public static final Duration GRACE_PERIOD_DEFAULT = Duration.ofSeconds(10);

    /** System property of {@code --snapshot-every}. */
    public static final String SNAPSHOT_EVERY_PROP_NAME = "tranche.server.snapshotEvery";
    /** Default number of journal records between snapshots (the writer's, which the cluster's takes too). */
    public static final int SNAPSHOT_EVERY_DEFAULT = Writer.Settings.SNAPSHOT_EVERY_DEFAULT;

    /** System property of {@code --log-origin}. */
    public static final String LOG_ORIGIN_PROP_NAME = "tranche.server.logOrigin";
    /**
     * Default origin of the ledger's checkpoints: none given, so the signing key created at the first start takes
     * {@code tranche/} and the first 8 hex digits of SHA-256 of its public key, and keeps it.
     */
    public static final String LOG_ORIGIN_DEFAULT = null;

    /** System property of the writer's command queue capacity (no flag). */
    public static final String WRITER_QUEUE_CAPACITY_PROP_NAME = "tranche.server.writerQueueCapacity";
    /** Default capacity of the writer's command queue; a full queue is RESOURCE_EXHAUSTED. */
    public static final int WRITER_QUEUE_CAPACITY_DEFAULT = 8192;

    /** System property of the journal's largest record (no flag); a larger change is refused. */
    public static final String JOURNAL_MAX_RECORD_BYTES_PROP_NAME = Journal.MAX_RECORD_PROP_NAME;
    /** Default largest journal record: 256 MiB. */
    public static final int JOURNAL_MAX_RECORD_BYTES_DEFAULT = Journal.MAX_RECORD_DEFAULT;

    /** System property of the bytes of older journal segments checked before the server starts (no flag). */
    public static final String JOURNAL_VERIFY_ON_START_BYTES_PROP_NAME = Journal.VERIFY_ON_START_PROP_NAME;
    /** Default: the newest 256 MiB of older segments; the rest is checked in the background. */
    public static final long JOURNAL_VERIFY_ON_START_BYTES_DEFAULT = Journal.VERIFY_ON_START_DEFAULT;

    /** System property of the handlers' executor ({@code false} is {@code --no-direct-executor}). */
    public static final String DIRECT_EXECUTOR_PROP_NAME = "tranche.server.directExecutor";
    /** Default: handlers run on the transport threads (they never block). */
    public static final boolean DIRECT_EXECUTOR_DEFAULT = true;

    /** System property of how long a cluster member waits for a working cluster at start (no flag). */
    public static final String CLUSTER_START_TIMEOUT_PROP_NAME = "tranche.server.clusterStartTimeout";
    /** Default wait for a working cluster at start. */
    public static final Duration CLUSTER_START_TIMEOUT_DEFAULT = Duration.ofMinutes(2);

    private String listenHost;
    private int listenPort;
    private Path dataDir = Path.of(defaultDataDir());
    private String logOrigin = defaultLogOrigin();
    private Path tokensFile;
    private Path tlsCert;
    private Path tlsKey;
    private Path clientCa;
    private Path principalsFile;
    private boolean insecure;
    private String metricsHost;
    private int metricsPort = -1;
    private int maxClaims = defaultMaxClaims();
    private int maxQueue = defaultMaxQueue();
    private int maxInboundMessageSize = defaultMaxInboundMessageSize();
    private int maxInboundMetadataSize = defaultMaxInboundMetadataSize();
    private Duration permitKeepAliveTime = defaultPermitKeepAliveTime();
    private Duration maxConnectionIdle = defaultMaxConnectionIdle();
    private Duration maxConnectionAge = defaultMaxConnectionAge();
    private Duration gracePeriod = defaultGracePeriod();
    private int snapshotEvery = defaultSnapshotEvery();
    private int writerQueueCapacity = defaultWriterQueueCapacity();
    private int journalMaxRecordBytes = defaultJournalMaxRecordBytes();
    private long journalVerifyOnStartBytes = defaultJournalVerifyOnStartBytes();
    private boolean directExecutor = defaultDirectExecutor();
    private boolean fsync = true;
    private boolean concluded;
    private Writer.Settings writer;
    private ClusterNode.Context member;
    private List<Member> clusterMembers;
    private int nodeId = -1;
    private Path clusterSecretFile;
    private ClusterSecret clusterSecret;
    private int checkpointEvery = QueueClusteredService.CHECKPOINT_EVERY_DEFAULT;
    private Duration heartbeatTimeout;
    private Duration electionTimeout;
    private Duration clusterStartTimeout = defaultClusterStartTimeout();

    /**
     * A configuration with every default: the system properties where set, the built-in defaults otherwise.
     *
     * @throws IllegalArgumentException naming the system property whose value does not parse.
     */
    public ServerConfig()
    {
        final String listen = defaultListen();
        final InetSocketAddress parsed = parseHostPort(listen, "-D" + LISTEN_PROP_NAME);
        listenHost = parsed.getHostString();
        listenPort = parsed.getPort();
    }

    /** @return {@value #LISTEN_PROP_NAME}, or {@link #LISTEN_DEFAULT}. */
    public static String defaultListen()
    {
        return System.getProperty(LISTEN_PROP_NAME, LISTEN_DEFAULT);
    }

    /** @return {@value #DATA_DIR_PROP_NAME}, or {@link #DATA_DIR_DEFAULT}. */
    public static String defaultDataDir()
    {
        return System.getProperty(DATA_DIR_PROP_NAME, DATA_DIR_DEFAULT);
    }

    /** @return {@value #MAX_CLAIMS_PROP_NAME}, or {@link #MAX_CLAIMS_DEFAULT}. */
    public static int defaultMaxClaims()
    {
        return intProperty(MAX_CLAIMS_PROP_NAME, MAX_CLAIMS_DEFAULT);
    }

    /** @return {@value #MAX_QUEUE_PROP_NAME}, or {@link #MAX_QUEUE_DEFAULT}. */
    public static int defaultMaxQueue()
    {
        return intProperty(MAX_QUEUE_PROP_NAME, MAX_QUEUE_DEFAULT);
    }

    /** @return {@value #MAX_INBOUND_MESSAGE_SIZE_PROP_NAME}, or {@link #MAX_INBOUND_MESSAGE_SIZE_DEFAULT}. */
    public static int defaultMaxInboundMessageSize()
    {
        return intProperty(MAX_INBOUND_MESSAGE_SIZE_PROP_NAME, MAX_INBOUND_MESSAGE_SIZE_DEFAULT);
    }

    /** @return {@value #MAX_INBOUND_METADATA_SIZE_PROP_NAME}, or {@link #MAX_INBOUND_METADATA_SIZE_DEFAULT}. */
    public static int defaultMaxInboundMetadataSize()
    {
        return intProperty(MAX_INBOUND_METADATA_SIZE_PROP_NAME, MAX_INBOUND_METADATA_SIZE_DEFAULT);
    }

    /** @return {@value #PERMIT_KEEPALIVE_TIME_PROP_NAME}, or {@link #PERMIT_KEEPALIVE_TIME_DEFAULT}. */
    public static Duration defaultPermitKeepAliveTime()
    {
        return durationProperty(PERMIT_KEEPALIVE_TIME_PROP_NAME, PERMIT_KEEPALIVE_TIME_DEFAULT);
    }

    /** @return {@value #MAX_CONNECTION_IDLE_PROP_NAME}, or {@link #MAX_CONNECTION_IDLE_DEFAULT}. */
    public static Duration defaultMaxConnectionIdle()
    {
        return durationProperty(MAX_CONNECTION_IDLE_PROP_NAME, MAX_CONNECTION_IDLE_DEFAULT);
    }

    /** @return {@value #MAX_CONNECTION_AGE_PROP_NAME}, or {@link #MAX_CONNECTION_AGE_DEFAULT}. */
    public static Duration defaultMaxConnectionAge()
    {
        return durationProperty(MAX_CONNECTION_AGE_PROP_NAME, MAX_CONNECTION_AGE_DEFAULT);
    }

    /** @return {@value #GRACE_PERIOD_PROP_NAME}, or {@link #GRACE_PERIOD_DEFAULT}. */
    public static Duration defaultGracePeriod()
    {
        return durationProperty(GRACE_PERIOD_PROP_NAME, GRACE_PERIOD_DEFAULT);
    }

    /** @return {@value #LOG_ORIGIN_PROP_NAME}, or {@link #LOG_ORIGIN_DEFAULT} (null: the signing key's own). */
    public static String defaultLogOrigin()
    {
        return System.getProperty(LOG_ORIGIN_PROP_NAME, LOG_ORIGIN_DEFAULT);
    }

    /** @return {@value #SNAPSHOT_EVERY_PROP_NAME}, or {@link #SNAPSHOT_EVERY_DEFAULT}. */
    public static int defaultSnapshotEvery()
    {
        return intProperty(SNAPSHOT_EVERY_PROP_NAME, SNAPSHOT_EVERY_DEFAULT);
    }

    /** @return {@value #WRITER_QUEUE_CAPACITY_PROP_NAME}, or {@link #WRITER_QUEUE_CAPACITY_DEFAULT}. */
    public static int defaultWriterQueueCapacity()
    {
        return intProperty(WRITER_QUEUE_CAPACITY_PROP_NAME, WRITER_QUEUE_CAPACITY_DEFAULT);
    }

    /** @return {@value #JOURNAL_MAX_RECORD_BYTES_PROP_NAME}, or {@link #JOURNAL_MAX_RECORD_BYTES_DEFAULT}. */
    public static int defaultJournalMaxRecordBytes()
    {
        return intProperty(JOURNAL_MAX_RECORD_BYTES_PROP_NAME, JOURNAL_MAX_RECORD_BYTES_DEFAULT);
    }

    /**
     * @return {@value #JOURNAL_VERIFY_ON_START_BYTES_PROP_NAME}, or {@link #JOURNAL_VERIFY_ON_START_BYTES_DEFAULT}.
     */
    public static long defaultJournalVerifyOnStartBytes()
    {
        return longProperty(JOURNAL_VERIFY_ON_START_BYTES_PROP_NAME, JOURNAL_VERIFY_ON_START_BYTES_DEFAULT);
    }

    /** @return {@value #DIRECT_EXECUTOR_PROP_NAME}, or {@link #DIRECT_EXECUTOR_DEFAULT}. */
    public static boolean defaultDirectExecutor()
    {
        final String value = System.getProperty(DIRECT_EXECUTOR_PROP_NAME);
        if (value == null)
        {
            return DIRECT_EXECUTOR_DEFAULT;
        }
        if (!"true".equals(value) && !"false".equals(value))
        {
            throw new IllegalArgumentException("-D" + DIRECT_EXECUTOR_PROP_NAME + " must be true or false, was \"" +
                value + "\"");
        }
        return Boolean.parseBoolean(value);
    }

    /** @return {@value #CLUSTER_START_TIMEOUT_PROP_NAME}, or {@link #CLUSTER_START_TIMEOUT_DEFAULT}. */
    public static Duration defaultClusterStartTimeout()
    {
        return durationProperty(CLUSTER_START_TIMEOUT_PROP_NAME, CLUSTER_START_TIMEOUT_DEFAULT);
    }

    /**
     * @param name         the system property.
     * @param defaultValue when it is not set.
     * @return its value.
     * @throws IllegalArgumentException naming the property when it is set to something other than an integer.
     */
    public static int intProperty(final String name, final int defaultValue)
    {
        final String value = System.getProperty(name);
        if (value == null)
        {
            return defaultValue;
        }
        try
        {
            return Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("-D" + name + " must be an integer, was \"" + value + "\"", ex);
        }
    }

    /**
     * @param name         the system property.
     * @param defaultValue when it is not set.
     * @return its value.
     * @throws IllegalArgumentException naming the property when it is set to something other than an integer.
     */
    public static long longProperty(final String name, final long defaultValue)
    {
        final String value = System.getProperty(name);
        if (value == null)
        {
            return defaultValue;
        }
        try
        {
            return Long.parseLong(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("-D" + name + " must be an integer, was \"" + value + "\"", ex);
        }
    }

    /**
     * @param name         the system property.
     * @param defaultValue when it is not set.
     * @return its value, in the duration grammar of the flags ({@link DurationText}); {@code 0} is allowed.
     * @throws IllegalArgumentException naming the property when it is set to something other than a duration.
     */
    public static Duration durationProperty(final String name, final Duration defaultValue)
    {
        final String value = System.getProperty(name);
        if (value == null)
        {
            return defaultValue;
        }
        try
        {
            return DurationText.parse(value, true);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("-D" + name + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @param hostPort {@code HOST:PORT}, {@code [v6]:PORT}; port 0 picks an ephemeral port.
     * @return this.
     */
    public ServerConfig listen(final String hostPort)
    {
        final InetSocketAddress parsed = parseHostPort(hostPort, "--listen");
        listenHost = parsed.getHostString();
        listenPort = parsed.getPort();
        return this;
    }

    /**
     * @param host host or address to bind.
     * @param port port, 0 = ephemeral.
     * @return this.
     */
    public ServerConfig listen(final String host, final int port)
    {
        listenHost = host;
        listenPort = port;
        return this;
    }

    /** @param dir the data directory (created if missing). @return this. */
    public ServerConfig dataDir(final Path dir)
    {
        dataDir = dir;
        return this;
    }

    /**
     * @param file tokens file ({@code TOKEN ROLE [name=NAME] [claims=ID,PREFIX*,...]} per line), or null for none.
     * @return this.
     */
    public ServerConfig tokensFile(final Path file)
    {
        tokensFile = file;
        return this;
    }

    /** @param cert PEM certificate chain. @param key PEM PKCS#8 private key. @return this. */
    public ServerConfig tls(final Path cert, final Path key)
    {
        tlsCert = cert;
        tlsKey = key;
        return this;
    }

    /**
     * Client certificates as credentials: a certificate signed by the CA is mapped to a principal by the principals
     * file (a SAN URI or the CN, then {@code ROLE [name=NAME] [claims=...]}). Needs TLS.
     *
     * @param ca         PEM CA certificate(s) that sign client certificates, or null for none.
     * @param principals the principals file, or null.
     * @return this.
     */
    public ServerConfig clientCertificates(final Path ca, final Path principals)
    {
        clientCa = ca;
        principalsFile = principals;
        return this;
    }

    /**
     * @param value allow a non-loopback listen address without tokens, tokens without TLS on a non-loopback
     *              address, and a non-loopback metrics address.
     * @return this.
     */
    public ServerConfig insecure(final boolean value)
    {
        insecure = value;
        return this;
    }

    /** @param hostPort {@code HOST:PORT} of the Prometheus endpoint, or null for none. @return this. */
    public ServerConfig metrics(final String hostPort)
    {
        if (hostPort == null)
        {
            metricsHost = null;
            metricsPort = -1;
        }
        else
        {
            final InetSocketAddress parsed = parseHostPort(hostPort, "--metrics");
            metricsHost = parsed.getHostString();
            metricsPort = parsed.getPort();
        }
        return this;
    }

    /** @param value max claims in one Allocate request. @return this. */
    public ServerConfig maxClaims(final int value)
    {
        maxClaims = value;
        return this;
    }

    /** @param value max claims in the queue. @return this. */
    public ServerConfig maxQueue(final int value)
    {
        maxQueue = value;
        return this;
    }

    /** @param value max inbound message size, bytes. @return this. */
    public ServerConfig maxInboundMessageSize(final int value)
    {
        maxInboundMessageSize = value;
        return this;
    }

    /** @param value max inbound metadata size, bytes. @return this. */
    public ServerConfig maxInboundMetadataSize(final int value)
    {
        maxInboundMetadataSize = value;
        return this;
    }

    /** @param value shortest keepalive interval permitted to clients. @return this. */
    public ServerConfig permitKeepAliveTime(final Duration value)
    {
        permitKeepAliveTime = value;
        return this;
    }

    /** @param value close connections idle this long; zero = never. @return this. */
    public ServerConfig maxConnectionIdle(final Duration value)
    {
        maxConnectionIdle = value;
        return this;
    }

    /** @param value close connections this old (gracefully); zero = never. @return this. */
    public ServerConfig maxConnectionAge(final Duration value)
    {
        maxConnectionAge = value;
        return this;
    }

    /** @param value how long a graceful stop waits for in-flight calls. @return this. */
    public ServerConfig gracePeriod(final Duration value)
    {
        gracePeriod = value;
        return this;
    }

    /** @param value journal records between snapshots. @return this. */
    public ServerConfig snapshotEvery(final int value)
    {
        snapshotEvery = value;
        return this;
    }

    /**
     * @param value the origin of the ledger's checkpoints (the signing key's name), or null to keep the key's.
     * @return this.
     */
    public ServerConfig logOrigin(final String value)
    {
        if (value != null)
        {
            logOrigin = value;
        }
        return this;
    }

    /** @param value the journal's largest record, in bytes. @return this. */
    public ServerConfig journalMaxRecordBytes(final int value)
    {
        journalMaxRecordBytes = value;
        return this;
    }

    /** @param value bytes of older journal segments checked before the server starts. @return this. */
    public ServerConfig journalVerifyOnStartBytes(final long value)
    {
        journalVerifyOnStartBytes = value;
        return this;
    }

    /** @param value capacity of the writer's command queue. @return this. */
    public ServerConfig writerQueueCapacity(final int value)
    {
        writerQueueCapacity = value;
        return this;
    }

    /** @param value run handlers on the transport threads (they never block). @return this. */
    public ServerConfig directExecutor(final boolean value)
    {
        directExecutor = value;
        return this;
    }

    /**
     * @param value false skips fsync: only for benchmarks that measure everything but the disk;
     *              acknowledged mutations may then be lost on a machine crash.
     * @return this.
     */
    public ServerConfig fsync(final boolean value)
    {
        fsync = value;
        return this;
    }

    /**
     * @param members {@code 0=HOST:PORT,1=HOST:PORT,...}, or null for the single-node server.
     * @param id      this node's id among them.
     * @return this.
     * @throws IllegalArgumentException naming {@code --cluster-members} when it does not parse.
     */
    public ServerConfig cluster(final String members, final int id)
    {
        clusterMembers = members == null ? null : Member.parseList(members);
        nodeId = id;
        return this;
    }

    /**
     * @param file the cluster's shared secret ({@code --cluster-secret}), or null for none; read by
     *             {@link #conclude()}.
     * @return this.
     */
    public ServerConfig clusterSecret(final Path file)
    {
        clusterSecretFile = file;
        return this;
    }

    /**
     * @param heartbeat a follower starts an election after this long without the leader; null for the default.
     * @param election  how long an election round waits; null for the default.
     * @return this.
     */
    public ServerConfig clusterTimeouts(final Duration heartbeat, final Duration election)
    {
        heartbeatTimeout = heartbeat;
        electionTimeout = election;
        return this;
    }

    /** @param value client commands between the cluster's state-hash checkpoints. @return this. */
    public ServerConfig checkpointEvery(final int value)
    {
        checkpointEvery = value;
        return this;
    }

    /** @return the cluster's secret (read by {@link #conclude()}), or null without one. */
    public ClusterSecret clusterSecret()
    {
        return clusterSecret;
    }

    /** @return the member's settings: its secret, the checkpoint interval and the election timeouts. */
    public ClusterNode.Settings clusterSettings()
    {
        return new ClusterNode.Settings(clusterSecret, checkpointEvery,
            heartbeatTimeout == null ? 0 : heartbeatTimeout.toNanos(),
            electionTimeout == null ? 0 : electionTimeout.toNanos());
    }

    /** @param value how long a cluster node waits for a working cluster before it gives up. @return this. */
    public ServerConfig clusterStartTimeout(final Duration value)
    {
        clusterStartTimeout = value;
        return this;
    }

    /** @return the cluster's members, or null for the single-node server. */
    public List<Member> clusterMembers()
    {
        return clusterMembers;
    }

    /** @return this node's id in the cluster, -1 without one. */
    public int nodeId()
    {
        return nodeId;
    }

    /** @return how long a cluster node waits for a working cluster at start. */
    public Duration clusterStartTimeout()
    {
        return clusterStartTimeout;
    }

    /**
     * Validates the options and reads the files they name (the cluster's secret), once: as Aeron's contexts, a
     * configuration is concluded by whoever starts with it first, and a later call returns at once. Set every option
     * before.
     *
     * @return this.
     * @throws IllegalArgumentException naming the bad option.
     */
    public ServerConfig conclude()
    {
        if (concluded)
        {
            return this;
        }
        if (listenPort < 0 || listenPort > 65535)
        {
            throw new IllegalArgumentException("--listen port must be 0..65535, was " + listenPort);
        }
        if ((tlsCert == null) != (tlsKey == null))
        {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        if (logOrigin != null && (logOrigin.isEmpty() || logOrigin.contains("+") ||
            logOrigin.chars().anyMatch(Character::isWhitespace) || logOrigin.chars().anyMatch(c -> c < 0x20)))
        {
            throw new IllegalArgumentException("--log-origin must be non-empty, without spaces or '+' (a schema-less " +
                "URL such as example.com/tranche), was \"" + logOrigin + "\"");
        }
        positive(maxClaims, "--max-claims");
        positive(maxQueue, "--max-queue");
        if (maxQueue > QueueStateMachine.QUEUE_CAPACITY)
        {
            throw new IllegalArgumentException("--max-queue must be at most " + QueueStateMachine.QUEUE_CAPACITY +
                " (the most claims one release can split), was " + maxQueue);
        }
        positive(maxInboundMessageSize, "--max-inbound-message-size");
        positive(maxInboundMetadataSize, "--max-inbound-metadata-size");
        positive(snapshotEvery, "--snapshot-every");
        positive(writerQueueCapacity, "-D" + WRITER_QUEUE_CAPACITY_PROP_NAME);
        positive(journalMaxRecordBytes, "-D" + JOURNAL_MAX_RECORD_BYTES_PROP_NAME);
        if (journalVerifyOnStartBytes < 0)
        {
            throw new IllegalArgumentException("-D" + JOURNAL_VERIFY_ON_START_BYTES_PROP_NAME + " must be at least " +
                "0, was " + journalVerifyOnStartBytes);
        }
        if (clusterMembers != null && (nodeId < 0 || nodeId >= clusterMembers.size()))
        {
            throw new IllegalArgumentException("--node-id must be 0.." + (clusterMembers.size() - 1) +
                " with --cluster-members, was " + nodeId);
        }
        if (clusterMembers == null && nodeId != -1)
        {
            throw new IllegalArgumentException("--node-id needs --cluster-members");
        }
        concludeClusterTrust();
        if (permitKeepAliveTime.isNegative() || maxConnectionIdle.isNegative() || maxConnectionAge.isNegative() ||
            gracePeriod.isNegative())
        {
            throw new IllegalArgumentException("durations must not be negative");
        }
        // Resolved here, so that a host that does not resolve is a bad flag (exit 2), not a failed bind.
        concludeClientCertificates();
        final boolean listenLoopback = isLoopback(listenHost, "--listen");
        if (tokensFile == null && clientCa == null && !insecure && !listenLoopback)
        {
            throw new IllegalArgumentException("refusing to listen on " + listenHost + " without --tokens: " +
                "anyone who can reach it could mutate the queue; give --tokens FILE (or --client-ca with " +
                "--principals), or --insecure to accept that");
        }
        if (tokensFile != null && tlsCert == null && !insecure && !listenLoopback)
        {
            throw new IllegalArgumentException("refusing --tokens without TLS on " + listenHost + ": the bearer " +
                "tokens would cross the network in clear text, readable by anyone on the path; give --tls-cert " +
                "and --tls-key, or --insecure to accept that");
        }
        if (metricsHost != null && !isLoopback(metricsHost, "--metrics") && !insecure)
        {
            throw new IllegalArgumentException("refusing to serve metrics on " + metricsHost + ": /metrics has no " +
                "authentication and shows anyone who can reach it the queue length, outstanding demand and call " +
                "counts; give a loopback address such as 127.0.0.1:" + Math.max(metricsPort, 0) +
                ", or --insecure to accept that");
        }
        if (clusterMembers == null)
        {
            writer = new Writer.Settings()
                .dataDir(dataDir)
                .fsync(fsync)
                .snapshotEvery(snapshotEvery)
                .maxQueue(maxQueue)
                .queueCapacity(writerQueueCapacity);
            writer.journal().maxRecordBytes(journalMaxRecordBytes).verifyOnStartBytes(journalVerifyOnStartBytes);
        }
        else
        {
            member = new ClusterNode.Context(clusterMembers, nodeId, dataDir, maxQueue,
                new ClusterNode.Snapshots(snapshotEvery, Writer.Settings.SNAPSHOT_BYTES_DEFAULT), clusterSettings());
        }
        concluded = true;
        return this;
    }

    /**
     * @return the single node's writer settings, built once by {@link #conclude()}: handed as is to
     *         {@code Writer.open}, which may add its listeners.
     * @throws IllegalStateException before {@link #conclude()} or with {@code --cluster-members}.
     */
    public Writer.Settings writer()
    {
        if (writer == null)
        {
            throw new IllegalStateException(concluded ? "a cluster member has no writer: it has member()" :
                "conclude() the configuration first");
        }
        return writer;
    }

    /**
     * @return what this cluster member starts with, built once by {@link #conclude()}: handed as is to
     *         {@link ClusterNode#launch(ClusterNode.Context)}.
     * @throws IllegalStateException before {@link #conclude()} or without {@code --cluster-members}.
     */
    public ClusterNode.Context member()
    {
        if (member == null)
        {
            throw new IllegalStateException(concluded ? "a single node is not a cluster member: it has writer()" :
                "conclude() the configuration first");
        }
        return member;
    }

    private void concludeClientCertificates()
    {
        if (clientCa != null && principalsFile == null)
        {
            throw new IllegalArgumentException("--client-ca needs --principals FILE: it says which role each " +
                "certificate subject has");
        }
        if (principalsFile != null && clientCa == null)
        {
            throw new IllegalArgumentException("--principals needs --client-ca FILE: the CA that signs the " +
                "certificates it names");
        }
        if (clientCa != null && tlsCert == null)
        {
            throw new IllegalArgumentException("--client-ca needs TLS: give --tls-cert and --tls-key");
        }
    }

    // The cluster's UDP ports take commands from whoever reaches them unless the secret authenticates them.
    private void concludeClusterTrust()
    {
        if (clusterMembers == null)
        {
            if (clusterSecretFile != null)
            {
                throw new IllegalArgumentException("--cluster-secret needs --cluster-members");
            }
            return;
        }
        positive(checkpointEvery, "--checkpoint-every");
        clusterSettings();
        clusterSecret = clusterSecretFile == null ? null : ClusterSecret.load(clusterSecretFile);
        if (clusterSecret != null || insecure)
        {
            return;
        }
        for (final Member member : clusterMembers)
        {
            if (!isLoopback(member.host(), "--cluster-members"))
            {
                throw new IllegalArgumentException("refusing --cluster-members on " + member.host() + " without " +
                    "--cluster-secret: anyone who can send a UDP packet to a member could write to the queue; give " +
                    "--cluster-secret FILE (the same file on every member), or --insecure to accept that");
            }
        }
        if (tokensFile != null || clientCa != null)
        {
            final String flag = tokensFile != null ? "--tokens" : "--client-ca";
            throw new IllegalArgumentException("refusing " + flag + " with --cluster-members and no " +
                "--cluster-secret: " +
                "the cluster's ingress port would take unauthenticated writes beside the protected API; give " +
                "--cluster-secret FILE (the same file on every member), or --insecure to accept that");
        }
    }

    private static void positive(final int value, final String name)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
    }

    private static boolean isLoopback(final String host, final String option)
    {
        try
        {
            return InetAddress.getByName(host).isLoopbackAddress();
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException(option + " host \"" + host + "\" cannot be resolved; give an IP " +
                "address (127.0.0.1, 0.0.0.0, [::1]) or a name this machine resolves");
        }
    }

    static InetSocketAddress parseHostPort(final String hostPort, final String option)
    {
        final int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1)
        {
            throw new IllegalArgumentException(option + " must be HOST:PORT, was " + hostPort);
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        final int port;
        try
        {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + " port must be a number, was " + hostPort, ex);
        }
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException(option + " port must be 0..65535, was " + port);
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** @return host to bind. */
    public String listenHost()
    {
        return listenHost;
    }

    /** @return port to bind, 0 = ephemeral. */
    public int listenPort()
    {
        return listenPort;
    }

    /** @return the data directory. */
    public Path dataDir()
    {
        return dataDir;
    }

    /** @return the CA file for client certificates, or null. */
    public Path clientCa()
    {
        return clientCa;
    }

    /** @return the principals file (certificate subjects), or null. */
    public Path principalsFile()
    {
        return principalsFile;
    }

    /** @return the tokens file or null. */
    public Path tokensFile()
    {
        return tokensFile;
    }

    /** @return the TLS certificate chain or null. */
    public Path tlsCert()
    {
        return tlsCert;
    }

    /** @return the TLS private key or null. */
    public Path tlsKey()
    {
        return tlsKey;
    }

    /** @return whether the exposures {@link #insecure(boolean)} lists are allowed. */
    public boolean insecure()
    {
        return insecure;
    }

    /** @return metrics host, or null when metrics are off. */
    public String metricsHost()
    {
        return metricsHost;
    }

    /** @return metrics port (0 = ephemeral), -1 when off. */
    public int metricsPort()
    {
        return metricsPort;
    }

    /** @return max claims in one Allocate request. */
    public int maxClaims()
    {
        return maxClaims;
    }

    /** @return max claims in the queue. */
    public int maxQueue()
    {
        return maxQueue;
    }

    /** @return max inbound message size. */
    public int maxInboundMessageSize()
    {
        return maxInboundMessageSize;
    }

    /** @return max inbound metadata size. */
    public int maxInboundMetadataSize()
    {
        return maxInboundMetadataSize;
    }

    /** @return permitted keepalive time. */
    public Duration permitKeepAliveTime()
    {
        return permitKeepAliveTime;
    }

    /** @return max connection idle, zero = never. */
    public Duration maxConnectionIdle()
    {
        return maxConnectionIdle;
    }

    /** @return max connection age, zero = never. */
    public Duration maxConnectionAge()
    {
        return maxConnectionAge;
    }

    /** @return grace period of a graceful stop. */
    public Duration gracePeriod()
    {
        return gracePeriod;
    }

    /** @return the checkpoints' origin, or null for the signing key's own. */
    public String logOrigin()
    {
        return logOrigin;
    }

    /** @return journal records between snapshots. */
    public int snapshotEvery()
    {
        return snapshotEvery;
    }

    /** @return capacity of the writer's command queue. */
    public int writerQueueCapacity()
    {
        return writerQueueCapacity;
    }

    /** @return the journal's largest record, in bytes. */
    public int journalMaxRecordBytes()
    {
        return journalMaxRecordBytes;
    }

    /** @return bytes of older journal segments checked before the server starts. */
    public long journalVerifyOnStartBytes()
    {
        return journalVerifyOnStartBytes;
    }

    /** @return whether handlers run on the transport threads. */
    public boolean directExecutor()
    {
        return directExecutor;
    }

    /** @return whether the journal is fsync'ed before acknowledging. */
    public boolean fsync()
    {
        return fsync;
    }
}
