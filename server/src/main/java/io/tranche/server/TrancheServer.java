package io.tranche.server;

import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.tranche.server.grpc.AllocationServiceImpl;
import io.tranche.server.grpc.AuthInterceptor;
import io.tranche.server.grpc.MalformedRequests;
import io.tranche.server.grpc.MetadataLimit;
import io.tranche.server.grpc.PageTokens;
import io.tranche.server.grpc.QueueServiceImpl;
import io.tranche.server.grpc.Tokens;
import io.tranche.server.metrics.Metrics;
import io.tranche.server.metrics.MetricsHttpServer;
import io.tranche.server.metrics.ClusterGauges;
import io.tranche.server.metrics.StateGauges;
import io.tranche.server.cluster.AppliedPositionHeader;
import io.tranche.server.cluster.ClusterCommandLog;
import io.tranche.server.cluster.ClusterNode;
import io.tranche.server.cluster.ClusterStatusService;
import io.tranche.server.state.CommandLog;
import io.tranche.server.state.DataDirLock;
import io.tranche.server.state.Writer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The tranche gRPC server: {@code AllocationService}, {@code QueueService}, health and reflection,
 * over one durable single-writer state machine in a data directory.
 * <p>
 * Start with {@link #start(Config)}; {@link #close()} drains gracefully (health NOT_SERVING, stop
 * accepting, finish in-flight calls within the grace period, flush the journal).
 */
public final class TrancheServer implements AutoCloseable
{
    private final Config config;
    private final Server server;
    private final HealthStatusManager health;
    private final CommandLog writer;
    private final Cluster cluster;
    private final QueueServiceImpl queueService;
    private final Metrics metrics;
    private final MetricsHttpServer metricsHttp;
    private final InetSocketAddress address;
    private boolean closed;

    private TrancheServer(
        final Config config,
        final Server server,
        final HealthStatusManager health,
        final CommandLog writer,
        final Cluster cluster,
        final QueueServiceImpl queueService,
        final Metrics metrics,
        final MetricsHttpServer metricsHttp)
    {
        this.config = config;
        this.server = server;
        this.health = health;
        this.writer = writer;
        this.cluster = cluster;
        this.queueService = queueService;
        this.metrics = metrics;
        this.metricsHttp = metricsHttp;
        this.address = (InetSocketAddress)server.getListenSockets().get(0);
    }

    /**
     * Recovers the state from the data directory, then binds and starts serving. Health reports
     * SERVING only once this returns.
     *
     * @param config the configuration; {@link Config#conclude()} is called here.
     * @return the running server.
     * @throws IOException when the data directory cannot be recovered or the port cannot be bound.
     */
    public static TrancheServer start(final Config config) throws IOException
    {
        config.conclude();
        final Path dataDir = config.dataDir();
        if (Files.exists(dataDir) && !Files.isDirectory(dataDir))
        {
            throw new IOException("--data-dir " + dataDir + " is a file, not a directory; give a directory (it is " +
                "created if missing), or move the file away");
        }
        final Metrics metrics = new Metrics();
        final Cluster cluster = config.clusterMembers() == null ? null : Cluster.start(config);
        if (cluster != null)
        {
            metrics.bindCluster(clusterGauges(cluster.node));
        }
        final CommandLog writer = cluster != null ? cluster.log : Writer.open(new Writer.Settings()
            .dataDir(config.dataDir())
            .fsync(config.fsync())
            .snapshotEvery(config.snapshotEvery())
            .maxQueue(config.maxQueue())
            .queueCapacity(config.writerQueueCapacity())
            .syncNanos(metrics::recordJournalSync)
            .digester(io.tranche.server.ledger.TrancheDigest::compute));
        QueueServiceImpl queueService = null;
        MetricsHttpServer metricsHttp = null;
        try
        {
            final HealthStatusManager health = new HealthStatusManager();
            health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING);

            final NettyServerBuilder builder = NettyServerBuilder
                .forAddress(new InetSocketAddress(config.listenHost(), config.listenPort()), credentials(config))
                .maxInboundMessageSize(config.maxInboundMessageSize())
                // A ceiling above the limit, so that MetadataLimit answers with a status (see there).
                .maxInboundMetadataSize(MetadataLimit.transportCeiling(config.maxInboundMetadataSize()))
                .permitKeepAliveTime(config.permitKeepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
                .permitKeepAliveWithoutCalls(true);
            if (!config.maxConnectionIdle().isZero())
            {
                builder.maxConnectionIdle(config.maxConnectionIdle().toNanos(), TimeUnit.NANOSECONDS);
            }
            if (!config.maxConnectionAge().isZero())
            {
                builder.maxConnectionAge(config.maxConnectionAge().toNanos(), TimeUnit.NANOSECONDS);
                builder.maxConnectionAgeGrace(config.gracePeriod().toNanos(), TimeUnit.NANOSECONDS);
            }
            if (config.directExecutor())
            {
                // Handlers never block: Allocate is bounded computation, mutations are handed to the writer.
                builder.directExecutor();
            }

            final Tokens tokens = config.tokensFile() == null ? null : Tokens.load(config.tokensFile());
            final AuthInterceptor auth = tokens == null ? null : new AuthInterceptor(tokens);
            final MetadataLimit limit = new MetadataLimit(config.maxInboundMetadataSize());
            final PageTokens pageTokens = PageTokens.open(config.dataDir());

            // grpc-java's own stream tracer measures every call, including those the limit and auth refuse.
            metrics.configureServerBuilder(builder);

            builder.addService(intercept(new AllocationServiceImpl(config.maxClaims()), limit, auth));
            queueService = new QueueServiceImpl(writer, pageTokens);
            addQueueServices(builder, queueService, cluster, writer, limit, auth);
            builder.addService(intercept(health.getHealthService(), limit, null));
            builder.addService(intercept(ProtoReflectionServiceV1.newInstance(), limit, auth));
            builder.addService(intercept(legacyReflection(), limit, auth));

            final Server server = builder.build().start();
            if (config.metricsHost() != null)
            {
                metricsHttp = MetricsHttpServer.start(config.metricsHost(), config.metricsPort(), metrics, gauges(writer));
            }
            health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
            health.setStatus("tranche.v1.AllocationService", io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
            health.setStatus("tranche.v1.QueueService", io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
            writer.addListener(new HealthListener(health));
            if (writer.failure() != null)
            {
                health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING);
                health.setStatus("tranche.v1.QueueService", io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING);
            }
            return new TrancheServer(config, server, health, writer, cluster, queueService, metrics, metricsHttp);
        }
        catch (final IOException | RuntimeException ex)
        {
            if (metricsHttp != null)
            {
                metricsHttp.close();
            }
            if (cluster != null)
            {
                cluster.close();
            }
            else
            {
                writer.close();
            }
            metrics.close();
            throw ex;
        }
    }

    private static StateGauges gauges(final CommandLog log)
    {
        return new StateGauges()
        {
            @Override
            public int queueLength()
            {
                return log.queueLength();
            }

            @Override
            public double outstandingDemand()
            {
                return log.outstandingDemand().doubleValue();
            }

            @Override
            public long trancheCount()
            {
                return log.ledger().durableCount();
            }

            @Override
            public String writerFailure()
            {
                return log.failure();
            }
        };
    }

    // The queue service (on a cluster member with the applied position on its answers) and the cluster service.
    private static void addQueueServices(
        final NettyServerBuilder builder,
        final QueueServiceImpl queueService,
        final Cluster cluster,
        final CommandLog writer,
        final MetadataLimit limit,
        final AuthInterceptor auth)
    {
        builder.addService(cluster == null ? intercept(queueService, limit, auth) : ServerInterceptors.intercept(
            intercept(queueService, limit, auth), new AppliedPositionHeader(cluster.node.service())));
        builder.addService(intercept(new ClusterStatusService(cluster == null ? null : cluster.node, writer), limit,
            auth));
    }

    private static ClusterGauges clusterGauges(final ClusterNode node)
    {
        return new ClusterGauges()
        {
            @Override
            public String role()
            {
                final io.aeron.cluster.service.Cluster.Role role = node.role();
                return role == null ? null : role.name();
            }

            @Override
            public long leadershipTermId()
            {
                return node.leadershipTermId();
            }

            @Override
            public long commitPosition()
            {
                return node.commitPosition();
            }

            @Override
            public long appliedPosition()
            {
                return node.service().processedPosition();
            }
        };
    }

    @SuppressWarnings("deprecation")
    private static BindableService legacyReflection()
    {
        // v1alpha is deprecated upstream but grpcurl, Postman and older tools still ask for it first.
        return io.grpc.protobuf.services.ProtoReflectionService.newInstance();
    }

    private static ServerServiceDefinition intercept(
        final BindableService service, final MetadataLimit limit, final AuthInterceptor auth)
    {
        // The last interceptor given runs first: the metadata limit, then auth, then the guard against
        // malformed bytes. grpc-opentelemetry's stream tracer sees every call, whichever refuses it.
        final ServerServiceDefinition guarded = MalformedRequests.guard(service.bindService());
        return auth == null ?
            ServerInterceptors.intercept(guarded, limit) :
            ServerInterceptors.intercept(guarded, auth, limit);
    }

    private static ServerCredentials credentials(final Config config) throws IOException
    {
        if (config.tlsCert() == null)
        {
            return InsecureServerCredentials.create();
        }
        return TlsServerCredentials.create(config.tlsCert().toFile(), config.tlsKey().toFile());
    }

    /** @return the bound port (the real one when the configured port was 0). */
    public int port()
    {
        return address.getPort();
    }

    /** @return the bound address. */
    public InetSocketAddress address()
    {
        return address;
    }

    /** @return {@code HOST:PORT} of the bound address, as printed by {@code tranche serve}. */
    public String listenAddress()
    {
        final String host = address.getAddress() != null ? address.getAddress().getHostAddress() : config.listenHost();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port();
    }

    /** @return every service the server answers, as registered (after the request guard and interceptors). */
    public java.util.List<ServerServiceDefinition> services()
    {
        return server.getServices();
    }

    /** @return the bound metrics port, or -1 when metrics are off. */
    public int metricsPort()
    {
        return metricsHttp == null ? -1 : metricsHttp.port();
    }

    /** @return the concluded configuration. */
    public Config config()
    {
        return config;
    }

    /** @return the server's metrics. */
    public Metrics metrics()
    {
        return metrics;
    }

    /** Blocks until the server has terminated (after {@link #close()} from another thread). */
    public void awaitTermination() throws InterruptedException
    {
        server.awaitTermination();
    }

    /**
     * Graceful stop: health NOT_SERVING, stop accepting, end watch streams, finish in-flight calls
     * within the grace period (then cancel the rest), flush and close the journal. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        health.enterTerminalState();
        server.shutdown();
        queueService.endWatches();
        try
        {
            if (!server.awaitTermination(config.gracePeriod().toNanos(), TimeUnit.NANOSECONDS))
            {
                server.shutdownNow();
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        finally
        {
            if (metricsHttp != null)
            {
                metricsHttp.close();
            }
            queueService.close();
            if (cluster != null)
            {
                cluster.close();
            }
            else
            {
                writer.close();
            }
            metrics.close();
        }
    }

    /** @return this node's cluster member, or null for the single-node server. */
    public ClusterNode clusterNode()
    {
        return cluster == null ? null : cluster.node;
    }

    // A cluster member in this process: the data directory's lock, the Aeron member and its command log.
    private static final class Cluster implements AutoCloseable
    {
        final DataDirLock lock;
        final ClusterNode node;
        final ClusterCommandLog log;

        private Cluster(final DataDirLock lock, final ClusterNode node, final ClusterCommandLog log)
        {
            this.lock = lock;
            this.node = node;
            this.log = log;
        }

        static Cluster start(final Config config) throws IOException
        {
            java.nio.file.Files.createDirectories(config.dataDir());
            final DataDirLock lock = DataDirLock.acquire(config.dataDir());
            ClusterNode node = null;
            try
            {
                node = ClusterNode.launch(config.clusterMembers(), config.nodeId(), config.dataDir(), config.maxQueue(),
                    io.tranche.server.ledger.TrancheDigest::compute,
                    new ClusterNode.Snapshots(config.snapshotEvery(), ClusterNode.SNAPSHOT_BYTES_DEFAULT));
                final ClusterCommandLog log = new ClusterCommandLog(node, config.writerQueueCapacity());
                // "listening" means part of a working cluster: wait for a leader and this node's catch-up.
                final long deadline = System.nanoTime() + config.clusterStartTimeout().toNanos();
                while ((log.failure() != null || !node.service().started()) && System.nanoTime() < deadline)
                {
                    Thread.sleep(20);
                }
                if (log.failure() != null || !node.service().started())
                {
                    log.close();
                    throw new IOException("no working cluster within " + config.clusterStartTimeout() + ": " +
                        log.failure());
                }
                return new Cluster(lock, node, log);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                if (node != null)
                {
                    node.close();
                }
                lock.close();
                throw new IOException("interrupted while joining the cluster", ex);
            }
            catch (final IOException | RuntimeException ex)
            {
                if (node != null)
                {
                    node.close();
                }
                lock.close();
                throw ex;
            }
        }

        @Override
        public void close()
        {
            log.close();
            node.close();
            try
            {
                lock.close();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }

    // NOT_SERVING while the writer cannot record mutations (a full disk), SERVING again when it resumes.
    private static final class HealthListener implements CommandLog.Listener
    {
        private final HealthStatusManager health;

        HealthListener(final HealthStatusManager health)
        {
            this.health = health;
        }

        @Override
        public void onTranches(final long durableCount)
        {
        }

        @Override
        public void onAvailability(final String failure)
        {
            final io.grpc.health.v1.HealthCheckResponse.ServingStatus status = failure == null ?
                io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING :
                io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING;
            health.setStatus("", status);
            health.setStatus("tranche.v1.QueueService", status);
        }
    }

    /**
     * Every option of {@code tranche serve}, with defaults; validated once in {@link #conclude()}.
     * Setters return {@code this}.
     */
    public static final class Config
    {
        /** Default listen address. */
        public static final String LISTEN_DEFAULT = "127.0.0.1:50051";
        /** Default data directory. */
        public static final String DATA_DIR_DEFAULT = "tranche-data";
        /** Default limit on claims in one Allocate request. */
        public static final int MAX_CLAIMS_DEFAULT = 100_000;
        /** Default limit on claims in the queue. */
        public static final int MAX_QUEUE_DEFAULT = 100_000;
        /** Default limit on an inbound message, bytes. */
        public static final int MAX_INBOUND_MESSAGE_SIZE_DEFAULT = 16 << 20;
        /** Default limit on inbound metadata, bytes. */
        public static final int MAX_INBOUND_METADATA_SIZE_DEFAULT = 8 << 10;
        /** Default shortest keepalive interval a client may use. */
        public static final Duration PERMIT_KEEPALIVE_TIME_DEFAULT = Duration.ofSeconds(10);
        /** Default grace period of a graceful stop. */
        public static final Duration GRACE_PERIOD_DEFAULT = Duration.ofSeconds(10);
        /** Default number of journal records between snapshots. */
        public static final int SNAPSHOT_EVERY_DEFAULT = 10_000;
        /** Default capacity of the writer's command queue; a full queue is RESOURCE_EXHAUSTED. */
        public static final int WRITER_QUEUE_CAPACITY_DEFAULT = 8192;

        private String listenHost = "127.0.0.1";
        private int listenPort = 50051;
        private Path dataDir = Path.of(DATA_DIR_DEFAULT);
        private Path tokensFile;
        private Path tlsCert;
        private Path tlsKey;
        private boolean insecure;
        private String metricsHost;
        private int metricsPort = -1;
        private int maxClaims = MAX_CLAIMS_DEFAULT;
        private int maxQueue = MAX_QUEUE_DEFAULT;
        private int maxInboundMessageSize = MAX_INBOUND_MESSAGE_SIZE_DEFAULT;
        private int maxInboundMetadataSize = MAX_INBOUND_METADATA_SIZE_DEFAULT;
        private Duration permitKeepAliveTime = PERMIT_KEEPALIVE_TIME_DEFAULT;
        private Duration maxConnectionIdle = Duration.ZERO;
        private Duration maxConnectionAge = Duration.ZERO;
        private Duration gracePeriod = GRACE_PERIOD_DEFAULT;
        private int snapshotEvery = SNAPSHOT_EVERY_DEFAULT;
        private int writerQueueCapacity = WRITER_QUEUE_CAPACITY_DEFAULT;
        private boolean directExecutor = true;
        private boolean fsync = true;
        private List<ClusterNode.Member> clusterMembers;
        private int nodeId = -1;
        private Duration clusterStartTimeout = Duration.ofMinutes(2);

        /**
         * @param hostPort {@code HOST:PORT}, {@code [v6]:PORT}; port 0 picks an ephemeral port.
         * @return this.
         */
        public Config listen(final String hostPort)
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
        public Config listen(final String host, final int port)
        {
            listenHost = host;
            listenPort = port;
            return this;
        }

        /** @param dir the data directory (created if missing). @return this. */
        public Config dataDir(final Path dir)
        {
            dataDir = dir;
            return this;
        }

        /** @param file tokens file ({@code token role} per line), or null for no authentication. @return this. */
        public Config tokensFile(final Path file)
        {
            tokensFile = file;
            return this;
        }

        /** @param cert PEM certificate chain. @param key PEM PKCS#8 private key. @return this. */
        public Config tls(final Path cert, final Path key)
        {
            tlsCert = cert;
            tlsKey = key;
            return this;
        }

        /**
         * @param value allow a non-loopback listen address without tokens, tokens without TLS on a non-loopback
         *              address, and a non-loopback metrics address.
         * @return this.
         */
        public Config insecure(final boolean value)
        {
            insecure = value;
            return this;
        }

        /** @param hostPort {@code HOST:PORT} of the Prometheus endpoint, or null for none. @return this. */
        public Config metrics(final String hostPort)
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
        public Config maxClaims(final int value)
        {
            maxClaims = value;
            return this;
        }

        /** @param value max claims in the queue. @return this. */
        public Config maxQueue(final int value)
        {
            maxQueue = value;
            return this;
        }

        /** @param value max inbound message size, bytes. @return this. */
        public Config maxInboundMessageSize(final int value)
        {
            maxInboundMessageSize = value;
            return this;
        }

        /** @param value max inbound metadata size, bytes. @return this. */
        public Config maxInboundMetadataSize(final int value)
        {
            maxInboundMetadataSize = value;
            return this;
        }

        /** @param value shortest keepalive interval permitted to clients. @return this. */
        public Config permitKeepAliveTime(final Duration value)
        {
            permitKeepAliveTime = value;
            return this;
        }

        /** @param value close connections idle this long; zero = never. @return this. */
        public Config maxConnectionIdle(final Duration value)
        {
            maxConnectionIdle = value;
            return this;
        }

        /** @param value close connections this old (gracefully); zero = never. @return this. */
        public Config maxConnectionAge(final Duration value)
        {
            maxConnectionAge = value;
            return this;
        }

        /** @param value how long a graceful stop waits for in-flight calls. @return this. */
        public Config gracePeriod(final Duration value)
        {
            gracePeriod = value;
            return this;
        }

        /** @param value journal records between snapshots. @return this. */
        public Config snapshotEvery(final int value)
        {
            snapshotEvery = value;
            return this;
        }

        /** @param value capacity of the writer's command queue. @return this. */
        public Config writerQueueCapacity(final int value)
        {
            writerQueueCapacity = value;
            return this;
        }

        /** @param value run handlers on the transport threads (they never block). @return this. */
        public Config directExecutor(final boolean value)
        {
            directExecutor = value;
            return this;
        }

        /**
         * @param value false skips fsync: only for benchmarks that measure everything but the disk;
         *              acknowledged mutations may then be lost on a machine crash.
         * @return this.
         */
        public Config fsync(final boolean value)
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
        public Config cluster(final String members, final int id)
        {
            clusterMembers = members == null ? null : ClusterNode.parseMembers(members);
            nodeId = id;
            return this;
        }

        /** @param value how long a cluster node waits for a working cluster before it gives up. @return this. */
        public Config clusterStartTimeout(final Duration value)
        {
            clusterStartTimeout = value;
            return this;
        }

        /** @return the cluster's members, or null for the single-node server. */
        public List<ClusterNode.Member> clusterMembers()
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
         * Validates the options once.
         *
         * @return this.
         * @throws IllegalArgumentException naming the bad option.
         */
        public Config conclude()
        {
            if (listenPort < 0 || listenPort > 65535)
            {
                throw new IllegalArgumentException("--listen port must be 0..65535, was " + listenPort);
            }
            if ((tlsCert == null) != (tlsKey == null))
            {
                throw new IllegalArgumentException("--tls-cert and --tls-key go together");
            }
            positive(maxClaims, "--max-claims");
            positive(maxQueue, "--max-queue");
            positive(maxInboundMessageSize, "--max-inbound-message-size");
            positive(maxInboundMetadataSize, "--max-inbound-metadata-size");
            positive(snapshotEvery, "--snapshot-every");
            positive(writerQueueCapacity, "writerQueueCapacity");
            if (clusterMembers != null && (nodeId < 0 || nodeId >= clusterMembers.size()))
            {
                throw new IllegalArgumentException("--node-id must be 0.." + (clusterMembers.size() - 1) +
                    " with --cluster-members, was " + nodeId);
            }
            if (clusterMembers == null && nodeId != -1)
            {
                throw new IllegalArgumentException("--node-id needs --cluster-members");
            }
            if (permitKeepAliveTime.isNegative() || maxConnectionIdle.isNegative() || maxConnectionAge.isNegative() ||
                gracePeriod.isNegative())
            {
                throw new IllegalArgumentException("durations must not be negative");
            }
            // Resolved here, so that a host that does not resolve is a bad flag (exit 2), not a failed bind.
            final boolean listenLoopback = isLoopback(listenHost, "--listen");
            if (tokensFile == null && !insecure && !listenLoopback)
            {
                throw new IllegalArgumentException("refusing to listen on " + listenHost + " without --tokens: " +
                    "anyone who can reach it could mutate the queue; give --tokens FILE, or --insecure to accept that");
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
            return this;
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
}
