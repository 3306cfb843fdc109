package io.tranche.server.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.GetTrancheRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.server.TestServer;
import io.tranche.server.TrancheServer;
import io.tranche.server.storage.BitFlipSweepTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, item 5: memory and restart time against the length of the history. A fresh JVM runs the server
 * in-process (fsync on, a real disk under {@code target/}), queues {@code tranche.measure.claims} claims whose
 * demand keeps them queued and releases {@code tranche.measure.releases} small tranches over them, then stops
 * gracefully; a second fresh JVM restarts on the same directory. Each reports its heap in use after a full GC
 * ({@link java.lang.management.MemoryMXBean}); the second also the time {@code TrancheServer.start} took. The
 * heap after the restart must stay under 512 MiB: bounded by the live queue, not by the history.
 * <p>
 * A measurement, not a unit test: excluded from {@code mvn verify}, run with
 * {@code mvn -B -pl server -am test -Dgroups=measurement -Dtest=LedgerHistoryMeasurement
 * -Dsurefire.failIfNoSpecifiedTests=false} (defaults: 10,000 claims, 10,000 releases; child heap
 * {@code -Dtranche.measure.xmx=4g}).
 */
@Tag("measurement")
class LedgerHistoryMeasurement
{
    private static final int CLAIMS = Integer.getInteger("tranche.measure.claims", 10_000);
    private static final int RELEASES = Integer.getInteger("tranche.measure.releases", 10_000);
    private static final String XMX = System.getProperty("tranche.measure.xmx", "4g");
    private static final long HEAP_LIMIT = 512L << 20;

    @Test
    void shouldKeepTheHeapBoundedByTheQueueNotTheHistory() throws Exception
    {
        final Path data =
            Path.of("target", "measurement", "ledger-history-" + System.currentTimeMillis()).toAbsolutePath();
        Files.createDirectories(data);
        try
        {
            final Map<String, String> write = runChild("write", data);
            final long journalBytes = bytesOnDisk(data);
            final Map<String, String> restart = runChild("restart", data);
            final long heapAfterRestart = Long.parseLong(restart.get("heap_used_after_gc"));
            System.out.println(String.format("LedgerHistoryMeasurement: %,d claims, %,d releases (fsync on, %s): " +
                    "writing took %s ms, heap after GC %.1f MiB; data directory %,d bytes; restart %s ms, heap after " +
                    "GC " +
                    "%.1f MiB; %s tranches after restart", CLAIMS, RELEASES, data, write.get("write_ms"),
                Long.parseLong(write.get("heap_used_after_gc")) / 1048576.0, journalBytes, restart.get("start_ms"),
                heapAfterRestart / 1048576.0, restart.get("tranches")));
            assertThat(Long.parseLong(restart.get("tranches"))).as("tranches after the restart").isEqualTo(RELEASES);
            assertThat(heapAfterRestart).as("heap in use after GC once restarted (bytes)").isLessThan(HEAP_LIMIT);
        }
        finally
        {
            BitFlipSweepTest.deleteTree(data);
        }
    }

    private static long bytesOnDisk(final Path data) throws IOException
    {
        long total = 0;
        try (Stream<Path> files = Files.list(data))
        {
            for (final Path p : (Iterable<Path>)files::iterator)
            {
                total += Files.size(p);
            }
        }
        return total;
    }

    private static Map<String, String> runChild(final String phase, final Path data) throws Exception
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process process = new ProcessBuilder(java, "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-Xmx" + XMX, "-cp", System.getProperty("java.class.path"), Driver.class.getName(), phase, data.toString(),
            Integer.toString(CLAIMS), Integer.toString(RELEASES))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
        final Map<String, String> figures = new HashMap<>();
        try (BufferedReader in =
            new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                if (line.startsWith("measure: "))
                {
                    final String[] kv = line.substring("measure: ".length()).split("=", 2);
                    figures.put(kv[0], kv[1]);
                }
            }
        }
        assertThat(process.waitFor(6, TimeUnit.HOURS)).isTrue();
        assertThat(process.exitValue()).as("exit status of the " + phase + " JVM (-Xmx" + XMX + ")").isZero();
        return figures;
    }

    /** The child JVM: one phase, figures on stdout as {@code measure: key=value}. */
    static final class Driver
    {
        private Driver()
        {
        }

        public static void main(final String[] args) throws Exception
        {
            final Path data = Path.of(args[1]);
            final int claims = Integer.parseInt(args[2]);
            final int releases = Integer.parseInt(args[3]);
            final long start = System.nanoTime();
            final TrancheServer server = TrancheServer.start(TestServer.config(data).fsync(true).snapshotEvery(10_000)
                .maxQueue(Math.max(claims, 1)));
            final long started = System.nanoTime();
            final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                .maxInboundMessageSize(256 << 20).build();
            try
            {
                if (args[0].equals("write"))
                {
                    createAll(channel, claims);
                    final QueueServiceGrpc.QueueServiceBlockingStub queue = QueueServiceGrpc.newBlockingStub(channel);
                    for (int r = 0; r < releases; r++)
                    {
                        queue.withDeadlineAfter(5, TimeUnit.MINUTES).releaseTranche(ReleaseTrancheRequest.newBuilder()
                            .setRequestId("r-" + r).setSupply(7)
                                .setPolicy(Policy.newBuilder().setMethod(Method.PROPORTIONAL)).build());
                    }
                    System.out.println("measure: write_ms=" +
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                }
                else
                {
                    System.out.println("measure: start_ms=" + TimeUnit.NANOSECONDS.toMillis(started - start));
                    System.out.println("measure: tranches=" + trancheCount(channel, releases));
                }
                System.gc();
                System.gc();
                System.out.println("measure: heap_used_after_gc=" +
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            }
            finally
            {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                server.close();
            }
        }

        /** @return {@code expected} when tranche {@code expected} exists and the next does not, else -1. */
        private static long trancheCount(final ManagedChannel channel, final long expected)
        {
            final QueueServiceGrpc.QueueServiceBlockingStub queue = QueueServiceGrpc.newBlockingStub(channel);
            try
            {
                if (expected > 0)
                {
                    queue.getTranche(GetTrancheRequest.newBuilder().setNumber(expected).build());
                }
            }
            catch (final StatusRuntimeException ex)
            {
                return -1;
            }
            try
            {
                queue.getTranche(GetTrancheRequest.newBuilder().setNumber(expected + 1).build());
                return -1;
            }
            catch (final StatusRuntimeException ex)
            {
                return ex.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND ? expected : -1;
            }
        }

        /** Creates pipelined, 256 in flight: group commit makes this quick even with fsync on. */
        private static void createAll(final ManagedChannel channel, final int claims) throws InterruptedException
        {
            final QueueServiceGrpc.QueueServiceStub async = QueueServiceGrpc.newStub(channel);
            final Semaphore inFlight = new Semaphore(256);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int i = 0; i < claims && failure.get() == null; i++)
            {
                inFlight.acquire();
                async.createClaim(CreateClaimRequest.newBuilder()
                    .setClaim(TestServer.claim("claim-" + i, 1_000_000_000L)).build(),
                    new StreamObserver<>()
                    {
                        @Override
                        public void onNext(final Claim value)
                        {
                        }

                        @Override
                        public void onError(final Throwable t)
                        {
                            failure.compareAndSet(null, t);
                            inFlight.release();
                        }

                        @Override
                        public void onCompleted()
                        {
                            inFlight.release();
                        }
                    });
            }
            inFlight.acquire(256);
            if (failure.get() != null)
            {
                throw new IllegalStateException("a create failed", failure.get());
            }
        }
    }
}
