package io.tranche.server;

import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.tranche.server.auth.AccessTable;
import io.tranche.server.auth.Credentials;
import io.tranche.server.grpc.AllocationServiceImpl;
import io.tranche.server.grpc.AuthInterceptor;
import io.tranche.server.grpc.MalformedRequests;
import io.tranche.server.grpc.MetadataLimit;
import io.tranche.server.grpc.LedgerServiceImpl;
import io.tranche.server.grpc.PageTokens;
import io.tranche.server.grpc.QueueServiceImpl;
import io.tranche.server.grpc.TransportErrors;
import io.tranche.server.merkle.LedgerKey;
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
import java.io.ByteArrayInputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The tranche gRPC server: {@code AllocationService}, {@code QueueService}, health and reflection,
 * over one durable single-writer state machine in a data directory.
 * <p>
 * Start with {@link #start(ServerConfig)}; {@link #close()} drains gracefully (health NOT_SERVING, stop
 * accepting, finish in-flight calls within the grace period, flush the journal).
 */
public final class TrancheServer implements AutoCloseable
{
    private final ServerConfig config;
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
        final ServerConfig config,
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
        // A transport other than TCP (a test's in-process builder) has no InetSocketAddress: port() is then -1.
        final List<? extends SocketAddress> bound = server.getListenSockets();
        this.address = !bound.isEmpty() && bound.get(0) instanceof InetSocketAddress ?
            (InetSocketAddress)bound.get(0) : null;
    }

    /**
     * Recovers the state from the data directory, then binds {@link ServerConfig#listenHost()}:{@link
     * ServerConfig#listenPort()} with Netty ({@link #nettyBuilder(ServerConfig)}) and starts serving. Health reports
     * SERVING only once this returns.
     *
     * @param config the configuration; {@link ServerConfig#conclude()} is called here.
     * @return the running server.
     * @throws IOException when the data directory cannot be recovered or the port cannot be bound.
     */
    public static TrancheServer start(final ServerConfig config) throws IOException
    {
        config.conclude();
        // Before the data directory is created or recovered: a taken port should not leave one behind.
        checkBindable("--listen", config.listenHost(), config.listenPort());
        if (config.metricsHost() != null)
        {
            checkBindable("--metrics", config.metricsHost(), config.metricsPort());
        }
        return start(nettyBuilder(config), config);
    }

    /**
     * Binds and releases {@code host:port}, so that a port in use or an address this machine does not have fails
     * the start at once. The real bind comes later; a port taken in between still fails it, only after recovery.
     *
     * @param flag the flag that gave the address, for the message.
     * @param host the host.
     * @param port the port (0: any free one, which checks the address only).
     * @throws BindException naming the flag and the address, with the system's reason.
     */
    static void checkBindable(final String flag, final String host, final int port) throws IOException
    {
        try (ServerSocket socket = new ServerSocket())
        {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
        }
        catch (final BindException ex)
        {
            final BindException named = new BindException(flag + " " + (host.indexOf(':') >= 0 ? "[" + host + "]" :
                host) + ":" + port + ": " + ex.getMessage());
            named.initCause(ex);
            throw named;
        }
    }

    /**
     * Recovers the state from the data directory, then serves on the given builder, as the grpc-java examples'
     * servers take a {@code ServerBuilder<?>}: the builder brings the transport (address, credentials and the
     * transport's own settings, see {@link #nettyBuilder(ServerConfig)}); this adds the limits and executor of
     * {@link #configure(ServerBuilder, ServerConfig)}, the services, their interceptors and the call metrics.
     *
     * @param builder the transport's builder, not yet built.
     * @param config  the configuration; {@link ServerConfig#conclude()} is called here.
     * @return the running server.
     * @throws IOException when the data directory cannot be recovered or the server cannot start.
     */
    public static TrancheServer start(final ServerBuilder<?> builder, final ServerConfig config) throws IOException
    {
        config.conclude();
        final Path dataDir = config.dataDir();
        if (Files.exists(dataDir) && !Files.isDirectory(dataDir))
        {
            throw new IOException("--data-dir " + dataDir + " is a file, not a directory; give a directory (it is " +
                "created if missing), or move the file away");
        }
        // The credentials files before the data directory: a mistake in them leaves nothing behind.
        final AuthInterceptor auth = authInterceptor(config);
        TransportErrors.install();
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
            .syncNanos(metrics::recordJournalSync));
        QueueServiceImpl queueService = null;
        MetricsHttpServer metricsHttp = null;
        try
        {
            final HealthStatusManager health = new HealthStatusManager();
            health.setStatus("", ServingStatus.NOT_SERVING);
            configure(builder, config);

            final MetadataLimit limit = new MetadataLimit(config.maxInboundMetadataSize());
            final PageTokens pageTokens = PageTokens.open(config.dataDir());
            final LedgerKey ledgerKey = LedgerKey.loadOrCreate(config.dataDir(), config.logOrigin());

            // grpc-java's own stream tracer measures every call, including those the limit and auth refuse.
            metrics.configureServerBuilder(builder);

            builder.addService(intercept(new AllocationServiceImpl(config.maxClaims()), limit, auth));
            queueService = new QueueServiceImpl(writer, pageTokens);
            addQueueServices(builder, queueService, cluster, writer, limit, auth);
            builder.addService(intercept(new LedgerServiceImpl(writer, ledgerKey), limit, auth));
            // Open to all in the role table: load balancers probe it without credentials.
            builder.addService(intercept(health.getHealthService(), limit, auth));
            builder.addService(intercept(ProtoReflectionServiceV1.newInstance(), limit, auth));
            builder.addService(intercept(legacyReflection(), limit, auth));

            final Server server = builder.build().start();
            if (config.metricsHost() != null)
            {
                metricsHttp = MetricsHttpServer.start(config.metricsHost(), config.metricsPort(), metrics,
                    gauges(writer));
            }
            health.setStatus("", ServingStatus.SERVING);
            health.setStatus("tranche.v1.AllocationService", ServingStatus.SERVING);
            health.setStatus("tranche.v1.QueueService", ServingStatus.SERVING);
            writer.addListener(new HealthListener(health));
            if (writer.failure() != null)
            {
                health.setStatus("", ServingStatus.NOT_SERVING);
                health.setStatus("tranche.v1.QueueService", ServingStatus.NOT_SERVING);
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

    // Null without credentials: every caller is then an admin (the loopback default).
    private static AuthInterceptor authInterceptor(final ServerConfig config) throws IOException
    {
        final Credentials tokens = config.tokensFile() == null ? null : Credentials.loadTokens(config.tokensFile());
        final Credentials certificates = config.principalsFile() == null ? null :
            Credentials.loadPrincipals(config.principalsFile());
        if (tokens == null && certificates == null)
        {
            return null;
        }
        if (tokens != null && certificates != null)
        {
            try
            {
                tokens.checkAgainst(certificates);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IOException(ex.getMessage(), ex);
            }
        }
        return new AuthInterceptor(tokens, certificates, AccessTable.DEFAULT);
    }

    /**
     * A Netty server builder bound to the configured address, with the configured credentials (TLS or plaintext)
     * and the Netty transport's settings: the keepalive a client may use, {@code maxConnectionIdle} and {@code
     * maxConnectionAge} (with the grace period as the age's grace). Add {@link #configure(ServerBuilder,
     * ServerConfig)} for the transport-neutral limits; {@link #start(ServerBuilder, ServerConfig)} does.
     *
     * @param config the configuration.
     * @return the builder.
     * @throws IOException when the TLS files cannot be read.
     */
    public static NettyServerBuilder nettyBuilder(final ServerConfig config) throws IOException
    {
        final ServerCredentials credentials = credentials(config);
        final NettyServerBuilder builder;
        try
        {
            builder = NettyServerBuilder.forAddress(new InetSocketAddress(config.listenHost(), config.listenPort()),
                credentials);
        }
        catch (final IllegalArgumentException ex)
        {
            // The PEM files are parsed here: say which flags gave them.
            throw new IOException("--tls-cert " + config.tlsCert() + " and --tls-key " + config.tlsKey() + " are " +
                "not a PEM certificate chain and its PKCS#8 private key: " + rootMessage(ex), ex);
        }
        builder
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
        return builder;
    }

    /**
     * Applies the settings every transport takes: the inbound message limit, the inbound metadata ceiling and the
     * handlers' executor. No services: {@link #start(ServerBuilder, ServerConfig)} adds them; a benchmark's
     * comparison server takes this to run under the same limits.
     *
     * @param builder the builder.
     * @param config  the configuration.
     * @param <B>     the builder's type.
     * @return the builder.
     */
    public static <B extends ServerBuilder<?>> B configure(final B builder, final ServerConfig config)
    {
        builder.maxInboundMessageSize(config.maxInboundMessageSize());
        // A ceiling above the limit, so that MetadataLimit answers with a status (see there).
        builder.maxInboundMetadataSize(MetadataLimit.transportCeiling(config.maxInboundMetadataSize()));
        if (config.directExecutor())
        {
            // Handlers never block: Allocate is bounded computation, mutations are handed to the writer.
            builder.directExecutor();
        }
        return builder;
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
            public double demandAboveCaps()
            {
                final java.math.BigInteger above = log.demandAboveCaps();
                return above == null ? -1 : above.doubleValue();
            }

            @Override
            public int unservableClaims()
            {
                return log.unservableClaims();
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
        final io.grpc.ServerBuilder<?> builder,
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

            @Override
            public boolean diverged()
            {
                return node.service().diverged() != null;
            }

            @Override
            public long rejectedCommands()
            {
                return node.service().rejectedCommands();
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

    private static ServerCredentials credentials(final ServerConfig config) throws IOException
    {
        if (config.tlsCert() == null)
        {
            return InsecureServerCredentials.create();
        }
        final byte[] cert = readTlsFile("--tls-cert", config.tlsCert());
        final byte[] key = readTlsFile("--tls-key", config.tlsKey());
        final TlsServerCredentials.Builder tls = TlsServerCredentials.newBuilder()
            .keyManager(new ByteArrayInputStream(cert), new ByteArrayInputStream(key));
        if (config.clientCa() != null)
        {
            // OPTIONAL: a client with a bearer token needs no certificate; one without either is refused per call.
            tls.trustManager(new ByteArrayInputStream(clientCa(config.clientCa())))
                .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL);
        }
        return tls.build();
    }

    // Parsed here, so that a bad CA file is named by its own flag rather than as a bad --tls-cert.
    private static byte[] clientCa(final Path file) throws IOException
    {
        final byte[] pem = readTlsFile("--client-ca", file);
        try
        {
            if (java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(
                new ByteArrayInputStream(pem)).isEmpty())
            {
                throw new java.security.cert.CertificateException("no certificate in it");
            }
        }
        catch (final java.security.cert.CertificateException ex)
        {
            throw new IOException("--client-ca " + file + " is not a PEM CA certificate: " + ex.getMessage(), ex);
        }
        return pem;
    }

    // The JDK's message names the file only ("nokey.pem (No such file or directory)"): name the flag too.
    private static byte[] readTlsFile(final String flag, final Path file) throws IOException
    {
        try
        {
            return Files.readAllBytes(file);
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            throw new IOException(flag + " " + file + ": no such file", ex);
        }
        catch (final java.nio.file.AccessDeniedException ex)
        {
            throw new IOException(flag + " " + file + ": permission denied: the user running tranche (" +
                System.getProperty("user.name") + ") may not read it", ex);
        }
        catch (final IOException ex)
        {
            throw new IOException(flag + " " + file + ": cannot be read: " + ex.getMessage(), ex);
        }
    }

    private static String rootMessage(final Throwable failure)
    {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t)
        {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }

    /** @return the bound port (the real one when the configured port was 0), -1 on a transport without one. */
    public int port()
    {
        return address == null ? -1 : address.getPort();
    }

    /** @return the bound address, or null on a transport without one. */
    public InetSocketAddress address()
    {
        return address;
    }

    /** @return {@code HOST:PORT} of the bound address, as printed by {@code tranche serve}. */
    public String listenAddress()
    {
        if (address == null)
        {
            return String.valueOf(server.getListenSockets());
        }
        // A wildcard bind (0.0.0.0 comes back as the IPv6 wildcard on a dual-stack socket) prints the host as given.
        final boolean given = address.getAddress() == null || address.getAddress().isAnyLocalAddress();
        final String host = given ? config.listenHost() : address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port();
    }

    /** @return every service the server answers, as registered (after the request guard and interceptors). */
    public List<ServerServiceDefinition> services()
    {
        return server.getServices();
    }

    /** @return the bound metrics port, or -1 when metrics are off. */
    public int metricsPort()
    {
        return metricsHttp == null ? -1 : metricsHttp.port();
    }

    /** @return the concluded configuration. */
    public ServerConfig config()
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

        static Cluster start(final ServerConfig config) throws IOException
        {
            Files.createDirectories(config.dataDir());
            final DataDirLock lock = DataDirLock.acquire(config.dataDir());
            ClusterNode node = null;
            try
            {
                // This process holds the directory's lock: any mark file there was left by one that ended.
                ClusterNode.clearMarkFiles(config.dataDir());
                node = ClusterNode.launch(config.clusterMembers(), config.nodeId(), config.dataDir(), config.maxQueue(),
                    new ClusterNode.Snapshots(config.snapshotEvery(), ClusterNode.SNAPSHOT_BYTES_DEFAULT),
                    config.clusterSettings());
                final ClusterCommandLog log = new ClusterCommandLog(node, config.writerQueueCapacity());
                // "listening" means part of a working cluster: wait for a leader and this node's catch-up.
                final long deadline = System.nanoTime() + config.clusterStartTimeout().toNanos();
                // A member that finds its state differs from the cluster's starts anyway, to say so (fail-stop).
                while ((log.failure() != null || !node.service().started()) && node.service().diverged() == null &&
                    node.damage() == null && System.nanoTime() < deadline)
                {
                    Thread.sleep(20);
                }
                if (node.damage() != null)
                {
                    // Its own log cannot be replayed: refuse at once, naming the file, rather than retry.
                    log.close();
                    throw new IOException(node.damage());
                }
                if ((log.failure() != null || !node.service().started()) && node.service().diverged() == null)
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
                    // Bounded: a refused start (a damaged recording) must still end with its one line.
                    node.close(java.time.Duration.ofSeconds(10));
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
            final ServingStatus status = failure == null ?
                ServingStatus.SERVING :
                ServingStatus.NOT_SERVING;
            health.setStatus("", status);
            health.setStatus("tranche.v1.QueueService", status);
        }
    }
}
