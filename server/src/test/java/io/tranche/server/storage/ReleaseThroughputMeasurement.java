package io.tranche.server.storage;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.server.TestServer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Release throughput of servers started beforehand, side by side: {@code -Dtranche.measure.servers=NAME=HOST:PORT,...}
 * (for example a build without the ledger's tree and one with it, each on a fresh data directory). Each gets 100
 * claims whose demand no release exhausts; then, in alternating rounds ({@code tranche.measure.rounds}, default 5),
 * 8 client threads release tranches of 1,000 units (PROPORTIONAL) for {@code tranche.measure.seconds} (default 10)
 * against one server at a time. Prints each round's releases per second and each server's median.
 * <p>
 * {@code mvn -B -pl server -am test -Dgroups=measurement -Dtest=ReleaseThroughputMeasurement
 * -Dsurefire.failIfNoSpecifiedTests=false -Dtranche.measure.servers=before=127.0.0.1:50071,after=127.0.0.1:50072}
 */
@Tag("measurement")
class ReleaseThroughputMeasurement
{
    private static final int THREADS = 8;

    @Test
    void shouldReleaseAsFastWithTheTree() throws Exception
    {
        final String spec = System.getProperty("tranche.measure.servers");
        if (spec == null)
        {
            System.out.println("ReleaseThroughputMeasurement: give -Dtranche.measure.servers=NAME=HOST:PORT,...");
            return;
        }
        final int rounds = Integer.getInteger("tranche.measure.rounds", 5);
        final long seconds = Long.getLong("tranche.measure.seconds", 10);
        final List<String> names = new ArrayList<>();
        final List<ManagedChannel> channels = new ArrayList<>();
        for (final String entry : spec.split(","))
        {
            final String[] parts = entry.split("=", 2);
            names.add(parts[0]);
            final String[] hostPort = parts[1].split(":");
            channels.add(NettyChannelBuilder.forAddress(hostPort[0], Integer.parseInt(hostPort[1])).usePlaintext()
                .build());
        }
        try
        {
            for (final ManagedChannel channel : channels)
            {
                final QueueServiceGrpc.QueueServiceBlockingStub queue = QueueServiceGrpc.newBlockingStub(channel);
                for (int i = 0; i < 100; i++)
                {
                    queue.createClaim(CreateClaimRequest.newBuilder().setClaim(TestServer.claim("firm-" + i,
                        1L << 50)).build());
                }
                release(channel, "warm-up", 3);
            }
            final double[][] rates = new double[channels.size()][rounds];
            for (int r = 0; r < rounds; r++)
            {
                for (int s = 0; s < channels.size(); s++)
                {
                    rates[s][r] = release(channels.get(s), names.get(s) + "-" + r, seconds);
                    System.out.printf("round %d %s: %.0f releases/s%n", r, names.get(s), rates[s][r]);
                }
            }
            for (int s = 0; s < channels.size(); s++)
            {
                final double[] sorted = rates[s].clone();
                Arrays.sort(sorted);
                System.out.printf("%s: median %.0f releases/s over %d rounds of %d s (%s)%n", names.get(s),
                    sorted[rounds / 2], rounds, seconds, Arrays.toString(rates[s]));
            }
        }
        finally
        {
            for (final ManagedChannel channel : channels)
            {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private static double release(final ManagedChannel channel, final String prefix, final long seconds)
        throws InterruptedException
    {
        final AtomicLong done = new AtomicLong();
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++)
        {
            final int thread = t;
            final Thread worker = new Thread(() ->
            {
                final QueueServiceGrpc.QueueServiceBlockingStub queue = QueueServiceGrpc.newBlockingStub(channel);
                for (long k = 0; System.nanoTime() < end; k++)
                {
                    queue.withDeadlineAfter(30, TimeUnit.SECONDS).releaseTranche(ReleaseTrancheRequest.newBuilder()
                        .setRequestId(prefix + "-" + thread + "-" + k).setSupply(1000)
                        .setPolicy(Policy.newBuilder().setMethod(Method.PROPORTIONAL)).build());
                    done.incrementAndGet();
                }
            });
            worker.start();
            threads.add(worker);
        }
        for (final Thread t : threads)
        {
            t.join();
        }
        return done.get() / (double)seconds;
    }
}
