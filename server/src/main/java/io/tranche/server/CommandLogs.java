package io.tranche.server;

import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.tranche.proto.v1.ClusterServiceGrpc;
import io.tranche.proto.v1.ClusterStatus;
import io.tranche.proto.v1.GetClusterStatusRequest;
import io.tranche.server.cluster.AppliedPositionHeader;
import io.tranche.server.cluster.ClusterCommandLog;
import io.tranche.server.cluster.ClusterNode;
import io.tranche.server.cluster.ClusterStatusService;
import io.tranche.server.metrics.ClusterGauges;
import io.tranche.server.metrics.Metrics;
import io.tranche.server.state.CommandLog;
import io.tranche.server.storage.DataDirLock;
import io.tranche.server.storage.Writer;
import io.tranche.server.status.Errors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;

/**
 * What the queue runs on, opened from the configuration: the single node's {@link Writer} over its data directory,
 * or with {@code --cluster-members} a member of the Aeron Cluster, which owns its {@link ClusterNode}, the data
 * directory's lock and its {@link ClusterCommandLog}. The server calls {@link Opened} and {@code close()} only, and
 * never asks which of the two it has.
 */
public final class CommandLogs
{
    private CommandLogs()
    {
    }

    /** An open command log with what it adds to the server. */
    public interface Opened extends AutoCloseable
    {
        /** @return the log the services submit to and read from. */
        CommandLog log();

        /** @return {@code tranche.v1.ClusterService}: the member's status, FAILED_PRECONDITION on a single node. */
        BindableService clusterService();

        /**
         * @param queue the queue service with its interceptors.
         * @return it as served: a member adds the applied position to every answer and waits for a client's.
         */
        ServerServiceDefinition serveQueue(ServerServiceDefinition queue);

        /** @return the cluster member, or null on a single node. */
        ClusterNode node();

        /** Stops the log and releases what it owns (the writer, or the member, its node and the lock). */
        @Override
        void close();
    }

    /**
     * @param config  the concluded configuration.
     * @param metrics where a cluster member's gauges are bound.
     * @return the single node's writer, or a member that is part of a working cluster.
     * @throws IOException when the data directory cannot be recovered or no working cluster forms in time.
     */
    public static Opened open(final ServerConfig config, final Metrics metrics) throws IOException
    {
        if (config.clusterMembers() == null)
        {
            return new SingleNode(Writer.open(config.writer().syncNanos(metrics::recordJournalSync)));
        }
        final Member member = Member.start(config);
        metrics.bindCluster(member.gauges());
        return member;
    }

    private record SingleNode(Writer writer) implements Opened
    {
        @Override
        public CommandLog log()
        {
            return writer;
        }

        @Override
        public BindableService clusterService()
        {
            return new ClusterServiceGrpc.ClusterServiceImplBase()
            {
                @Override
                public void getClusterStatus(
                    final GetClusterStatusRequest request, final StreamObserver<ClusterStatus> reply)
                {
                    reply.onError(Errors.toException(Errors.failedPrecondition("this server is a single node, not " +
                        "a cluster member (it was started without --cluster-members)")));
                }
            };
        }

        @Override
        public ServerServiceDefinition serveQueue(final ServerServiceDefinition queue)
        {
            return queue;
        }

        @Override
        public ClusterNode node()
        {
            return null;
        }

        @Override
        public void close()
        {
            writer.close();
        }
    }

    // A cluster member in this process: the data directory's lock, the Aeron member and its command log.
    private static final class Member implements Opened
    {
        private final DataDirLock lock;
        private final ClusterNode node;
        private final ClusterCommandLog log;

        private Member(final DataDirLock lock, final ClusterNode node, final ClusterCommandLog log)
        {
            this.lock = lock;
            this.node = node;
            this.log = log;
        }

        static Member start(final ServerConfig config) throws IOException
        {
            Files.createDirectories(config.dataDir());
            final DataDirLock lock = DataDirLock.acquire(config.dataDir());
            ClusterNode node = null;
            try
            {
                // This process holds the directory's lock: any mark file there was left by one that ended.
                ClusterNode.clearMarkFiles(config.dataDir());
                node = ClusterNode.launch(config.member());
                final ClusterCommandLog log = new ClusterCommandLog(node, config.writerQueueCapacity());
                awaitWorkingCluster(config, node, log);
                return new Member(lock, node, log);
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
                    node.close(Duration.ofSeconds(10));
                }
                lock.close();
                throw ex;
            }
        }

        // "listening" means part of a working cluster: wait for a leader and this node's catch-up.
        private static void awaitWorkingCluster(final ServerConfig config, final ClusterNode node,
            final ClusterCommandLog log) throws IOException, InterruptedException
        {
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
        }

        @Override
        public CommandLog log()
        {
            return log;
        }

        @Override
        public BindableService clusterService()
        {
            return new ClusterStatusService(node, log);
        }

        @Override
        public ServerServiceDefinition serveQueue(final ServerServiceDefinition queue)
        {
            return ServerInterceptors.intercept(queue, new AppliedPositionHeader(node.service()));
        }

        @Override
        public ClusterNode node()
        {
            return node;
        }

        ClusterGauges gauges()
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

                @Override
                public long snapshotsTaken()
                {
                    return node.service().snapshotsTaken();
                }

                @Override
                public long lastSnapshotNanos()
                {
                    return node.service().lastSnapshotNanos();
                }
            };
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
}
