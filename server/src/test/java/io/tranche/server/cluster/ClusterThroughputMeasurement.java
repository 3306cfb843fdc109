package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throughput of {@code ReleaseTranche} and {@code CreateClaim} on the single-node server and on a
 * 3-node cluster, in the same run, each a child JVM (full JIT, -Xmx256m) on loopback: N client threads
 * (blocking stubs; on the cluster spread over the three nodes) send for a fixed time, then the number
 * acknowledged per second is printed. Releases run over a queue of 100 claims of large demand (each
 * tranche has 100 awards); creates add new claims. Tagged {@code measurement}: never in verify.
 * <p>
 * {@code -Dtranche.throughput.threads} (default 8), {@code -Dtranche.throughput.seconds} (default 10).
 */
@Tag("measurement")
class ClusterThroughputMeasurement
{
    private static final int THREADS = Integer.getInteger("tranche.throughput.threads", 8);
    private static final int SECONDS = Integer.getInteger("tranche.throughput.seconds", 10);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void shouldPrintReleaseAndCreateThroughputOfTheSingleNodeServerAndTheCluster() throws Exception
    {
        final String single;
        final Process server = ClusterProcesses.serve(List.of("--listen", "127.0.0.1:0", "--data-dir",
            dir.resolve("single").toString()), dir.resolve("single.log"), false);
        try
        {
            final String line = ClusterProcesses.firstLine(server).get(120, TimeUnit.SECONDS);
            assertThat(line).startsWith("tranche: listening on ");
            final ManagedChannel channel = NettyChannelBuilder.forTarget(line.substring("tranche: listening on "
                .length())).usePlaintext().build();
            single = measure("single", List.of(channel));
            System.out.println("throughput single-node: " + single);
            channel.shutdownNow();
        }
        finally
        {
            server.destroyForcibly();
            server.waitFor(30, TimeUnit.SECONDS);
        }
        final String cluster;
        try (ClusterProcesses nodes = new ClusterProcesses(dir.resolve("cluster"), 90, false))
        {
            nodes.startAll();
            final List<ManagedChannel> channels = new ArrayList<>();
            for (int i = 0; i < ClusterProcesses.NODES; i++)
            {
                channels.add(nodes.channel(i));
            }
            cluster = measure("cluster", channels);
        }
        System.out.println("throughput 3-node cluster: " + cluster);
        System.out.println("throughput: threads=" + THREADS + " seconds=" + SECONDS + " load=" +
            ClusterKillRoundsTest.loadAverage());
    }

    private static String measure(final String label, final List<ManagedChannel> channels) throws Exception
    {
        for (int i = 0; i < 100; i++)
        {
            QueueServiceGrpc.newBlockingStub(channels.get(0)).withDeadlineAfter(30, TimeUnit.SECONDS)
                .createClaim(CreateClaimRequest.newBuilder().setClaim(Claim.newBuilder().setId("base-" + i)
                    .setDemand(1_000_000_000_000L).setWeight(1 + i % 7)).build());
        }
        final double release = run(channels, (stub, id) -> stub.releaseTranche(ReleaseTrancheRequest.newBuilder()
            .setRequestId(label + "-r-" + id).setSupply(1000).setPolicy(Policy.newBuilder()
                .setMethod(Method.PROPORTIONAL)).build()));
        final double create = run(channels, (stub, id) -> stub.createClaim(CreateClaimRequest.newBuilder()
            .setClaim(Claim.newBuilder().setId(label + "-c-" + id).setDemand(100)).build()));
        return String.format("ReleaseTranche %.0f ops/s, CreateClaim %.0f ops/s", release, create);
    }

    interface Call
    {
        void call(QueueServiceGrpc.QueueServiceBlockingStub stub, String id);
    }

    // THREADS threads call for 2 s of warm-up and SECONDS more; returns the calls answered in those SECONDS per second.
    private static double run(final List<ManagedChannel> channels, final Call call) throws InterruptedException
    {
        final AtomicLong ids = new AtomicLong();
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        final long end = warmEnd + TimeUnit.SECONDS.toNanos(SECONDS);
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++)
        {
            final ManagedChannel channel = channels.get(t % channels.size());
            final Thread thread = new Thread(() ->
            {
                final QueueServiceGrpc.QueueServiceBlockingStub stub = QueueServiceGrpc.newBlockingStub(channel);
                while (System.nanoTime() < end)
                {
                    try
                    {
                        call.call(stub.withDeadlineAfter(30, TimeUnit.SECONDS), Long.toString(ids.incrementAndGet()));
                        final long done = System.nanoTime();
                        if (done >= warmEnd && done < end)
                        {
                            acknowledged.incrementAndGet();
                        }
                    }
                    catch (final StatusRuntimeException ex)
                    {
                        failed.incrementAndGet();
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        assertThat(failed.get()).as("failed calls").isZero();
        return acknowledged.get() / (double)SECONDS;
    }
}
