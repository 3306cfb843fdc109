package io.tranche.server.cluster;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.server.TrancheServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Three real {@link TrancheServer} cluster members in this JVM (each with its Netty server on an ephemeral
 * loopback port, its Aeron member on loopback UDP ports and its own data directory), started together since
 * each waits for a leader.
 */
final class ClusterServers implements AutoCloseable
{
    final List<TrancheServer> servers;
    final List<ManagedChannel> channels = new ArrayList<>();

    private ClusterServers(final List<TrancheServer> servers)
    {
        this.servers = servers;
        for (final TrancheServer server : servers)
        {
            channels.add(NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build());
        }
    }

    /**
     * @param dir      parent of {@code node-0..2}.
     * @param basePort first cluster port (each member takes 10).
     * @return the running members.
     */
    static ClusterServers start(final Path dir, final int basePort) throws Exception
    {
        return start(dir, basePort, config -> config);
    }

    /**
     * @param dir       parent of {@code node-0..2}.
     * @param basePort  first cluster port (each member takes 10).
     * @param customize applied to each member's configuration (a secret, a checkpoint interval).
     * @return the running members.
     */
    static ClusterServers start(
        final Path dir, final int basePort, final java.util.function.UnaryOperator<io.tranche.server.ServerConfig>
        customize) throws Exception
    {
        final ExecutorService starts = Executors.newFixedThreadPool(3);
        final List<Future<TrancheServer>> futures = new ArrayList<>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                final io.tranche.server.ServerConfig config = customize.apply(config(dir, basePort, i));
                futures.add(starts.submit(() -> TrancheServer.start(config)));
            }
            final List<TrancheServer> servers = new ArrayList<>();
            Exception failure = null;
            for (final Future<TrancheServer> f : futures)
            {
                try
                {
                    servers.add(f.get(180, TimeUnit.SECONDS));
                }
                catch (final Exception ex)
                {
                    failure = ex;
                }
            }
            if (failure != null)
            {
                for (final TrancheServer s : servers)
                {
                    s.close();
                }
                throw failure;
            }
            return new ClusterServers(servers);
        }
        finally
        {
            starts.shutdownNow();
        }
    }

    /**
     * @param dir      parent of {@code node-0..2}.
     * @param basePort first cluster port.
     * @param node     the member.
     * @return a configuration for that member as {@link #start} makes it.
     */
    static io.tranche.server.ServerConfig config(final Path dir, final int basePort, final int node)
    {
        return new io.tranche.server.ServerConfig()
            .listen("127.0.0.1", 0)
            .metrics("127.0.0.1:0")
            .dataDir(dir.resolve("node-" + node))
            .gracePeriod(Duration.ofSeconds(2))
            .clusterStartTimeout(Duration.ofSeconds(120))
            // Three members and their fronts in one JVM on a loaded machine: Aeron's own 10 s leader heartbeat
            // timeout, so that a slow scheduler starts no election mid-test (the kill tests use the default).
            .clusterTimeouts(Duration.ofSeconds(10), null)
            .cluster(ClusterProcesses.loopbackMembers(basePort), node);
    }

    QueueServiceGrpc.QueueServiceBlockingStub queue(final int node)
    {
        return QueueServiceGrpc.newBlockingStub(channels.get(node)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /** @return the member that is leader now, or -1 when none says so. */
    int leader()
    {
        for (int i = 0; i < servers.size(); i++)
        {
            if (service(i).role() == io.aeron.cluster.service.Cluster.Role.LEADER)
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * Unpacks a committed fixture of members' directories.
     *
     * @param dir      where to.
     * @param resource the {@code .tar.gz} on the test class path.
     */
    static void extract(final Path dir, final String resource) throws Exception
    {
        final Path archive = dir.resolve("fixture.tar.gz");
        try (java.io.InputStream in = ClusterServers.class.getResourceAsStream(resource))
        {
            org.assertj.core.api.Assertions.assertThat(in).as(resource).isNotNull();
            java.nio.file.Files.copy(in, archive);
        }
        final Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", dir.toString())
            .inheritIO().start();
        org.assertj.core.api.Assertions.assertThat(tar.waitFor(60, TimeUnit.SECONDS) && tar.exitValue() == 0)
            .as("tar -xzf").isTrue();
    }

    QueueClusteredService service(final int node)
    {
        return servers.get(node).clusterNode().service();
    }

    @Override
    public void close()
    {
        for (final ManagedChannel channel : channels)
        {
            channel.shutdownNow();
        }
        for (int i = servers.size() - 1; i >= 0; i--)
        {
            if (servers.get(i) != null)
            {
                servers.get(i).close();
            }
        }
    }

    /** The exit status and output of one {@code tranche} command run in this JVM. */


}
