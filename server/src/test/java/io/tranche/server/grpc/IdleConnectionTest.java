package io.tranche.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ConnectivityState;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.proto.v1.WatchTranchesRequest;
import io.tranche.server.RobustnessSupport;
import io.tranche.server.ServerConfig;
import io.tranche.server.TestServer;
import io.tranche.server.cli.CliRun;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, item 5, "Idle connections held forever": 200 connections that sent only the preface were all still open
 * after 135 s, because {@code --max-connection-idle} defaulted to never. It defaults to 5 minutes now; a connection
 * with a call in progress, such as an open {@code WatchTranches} stream, is not idle (gRPC's max-connection-idle
 * counts only connections without streams). Checked here with a short setting on a real server.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class IdleConnectionTest
{
    private static final Duration IDLE = Duration.ofMillis(500);

    @TempDir
    Path dir;

    @Test
    void shouldCloseIdleConnectionsAfterFiveMinutesByDefault()
    {
        assertThat(ServerConfig.MAX_CONNECTION_IDLE_DEFAULT).isEqualTo(Duration.ofMinutes(5));
        assertThat(new ServerConfig().conclude().maxConnectionIdle()).isEqualTo(Duration.ofMinutes(5));
        assertThat(CliRun.run("serve", "--help").out()).contains("(default: 5m)");
    }

    @Test
    void shouldCloseAConnectionThatSentOnlyThePreface() throws Exception
    {
        try (TestServer server = TestServer.start(TestServer.config(dir).maxConnectionIdle(IDLE));
            Socket socket = new Socket("127.0.0.1", server.server.port()))
        {
            socket.setSoTimeout(20_000);
            final OutputStream out = socket.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // an empty SETTINGS frame
            out.flush();
            final long start = System.nanoTime();
            final InputStream in = socket.getInputStream();
            final byte[] buffer = new byte[4096];
            while (in.read(buffer) >= 0)
            {
                // SETTINGS, its ACK, then GOAWAY once idle; then the server closes
            }
            final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(millis).as("closed after %d ms", millis).isGreaterThanOrEqualTo(IDLE.toMillis() - 100);
        }
    }

    @Test
    void shouldKeepAConnectionWithAnOpenWatchStreamAndCloseItOnceTheStreamEnds() throws Exception
    {
        try (TestServer server = TestServer.start(TestServer.config(dir).maxConnectionIdle(IDLE)))
        {
            final ManagedChannel watching = RobustnessSupport.channel("127.0.0.1:" + server.server.port());
            final LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
            final Context.CancellableContext watch = Context.current().withCancellation();
            try
            {
                watch.run(() -> QueueServiceGrpc.newStub(watching).watchTranches(
                    WatchTranchesRequest.getDefaultInstance(), new StreamObserver<>()
                    {
                        @Override
                        public void onNext(final Tranche tranche)
                        {
                            received.add(tranche);
                        }

                        @Override
                        public void onError(final Throwable t)
                        {
                            received.add(t);
                        }

                        @Override
                        public void onCompleted()
                        {
                            received.add("completed");
                        }
                    }));
                awaitState(watching, ConnectivityState.READY, 10);
                Thread.sleep(IDLE.toMillis() * 6);
                assertThat(watching.getState(false)).as("after six idle periods with the watch open")
                    .isEqualTo(ConnectivityState.READY);
                server.queue().createClaim(CreateClaimRequest.newBuilder().setClaim(TestServer.claim("a", 10)).build());
                server.queue().releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("r1").setSupply(4)
                    .setPolicy(Policy.newBuilder().setMethod(Method.FIFO)).build());
                assertThat(received.poll(10, TimeUnit.SECONDS)).as("the watch still streams")
                    .isInstanceOfSatisfying(Tranche.class, t -> assertThat(t.getRequestId()).isEqualTo("r1"));
                watch.cancel(null);
                awaitState(watching, ConnectivityState.IDLE, 10);
            }
            finally
            {
                watch.cancel(null);
                RobustnessSupport.close(watching);
            }
        }
    }

    private static void awaitState(final ManagedChannel channel, final ConnectivityState state, final int seconds)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (channel.getState(false) != state && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertThat(channel.getState(false)).isEqualTo(state);
    }
}
