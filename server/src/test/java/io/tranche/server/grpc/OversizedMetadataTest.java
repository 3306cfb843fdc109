package io.tranche.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.GetClaimRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.proto.v1.WatchTranchesRequest;
import io.tranche.server.RawHttp2Client;
import io.tranche.server.TestServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, item 11: a call with more metadata than {@code --max-inbound-metadata-size} got HTTP 431 (UNKNOWN to the
 * client) at 9,000 bytes, and at 20,000 bytes the server closed the whole connection, ending a watch on it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OversizedMetadataTest
{
    private static final Metadata.Key<String> PAD = Metadata.Key.of("x-pad", Metadata.ASCII_STRING_MARSHALLER);

    @TempDir
    Path dir;

    @Test
    void shouldAnswerResourceExhaustedAndKeepTheWatchOnTheSameConnection() throws Exception
    {
        try (TestServer server = TestServer.start(dir))
        {
            final LinkedBlockingQueue<Object> watched = new LinkedBlockingQueue<>();
            final CompletableFuture<Status> watchEnded = new CompletableFuture<>();
            server.queueAsync().watchTranches(WatchTranchesRequest.getDefaultInstance(), new StreamObserver<>()
            {
                @Override
                public void onNext(final Tranche value)
                {
                    watched.add(value);
                }

                @Override
                public void onError(final Throwable t)
                {
                    watchEnded.complete(Status.fromThrowable(t));
                }

                @Override
                public void onCompleted()
                {
                    watchEnded.complete(Status.OK);
                }
            });
            release(server, "before");
            assertThat(watched.poll(10, TimeUnit.SECONDS)).isNotNull();

            for (final int bytes : new int[] {9_000, 20_000, 40_000})
            {
                final Metadata headers = new Metadata();
                headers.put(PAD, "p".repeat(bytes));
                final StatusRuntimeException ex =
                    catchThrowableOfType(StatusRuntimeException.class, () -> server.queue()
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .getClaim(GetClaimRequest.newBuilder().setId("a").build()));
                assertThat(ex).as(bytes + " bytes of metadata: the call succeeded").isNotNull();
                assertThat(ex.getStatus().getCode()).as(bytes + " bytes: " + ex.getStatus())
                    .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                assertThat(ex.getStatus().getDescription()).contains("--max-inbound-metadata-size");
            }

            // The watch on the same connection is still open and still receives.
            assertThat(watchEnded).isNotDone();
            release(server, "after");
            assertThat(watched.poll(10, TimeUnit.SECONDS)).isNotNull();
            assertThat(watchEnded).isNotDone();
            // And a call with ordinary metadata works.
            server.queue().createClaim(CreateClaimRequest.newBuilder().setClaim(TestServer.claim("a", 1)).build());
        }
    }

    @Test
    void shouldAnswerAGrpcStatusToAClientThatIgnoresTheAdvertisedLimit() throws Exception
    {
        try (TestServer server = TestServer.start(dir);
            RawHttp2Client raw = new RawHttp2Client("127.0.0.1", server.server.port()))
        {
            final RawHttp2Client.Stream watch = raw.call("tranche.v1.QueueService/WatchTranches", Map.of(),
                WatchTranchesRequest.getDefaultInstance().toByteArray());
            release(server, "before");
            awaitDataFrames(watch, 1);

            for (final int bytes : new int[] {9_000, 20_000, 40_000})
            {
                final RawHttp2Client.Stream call = raw.call("tranche.v1.QueueService/GetClaim",
                    Map.of("x-pad", "p".repeat(bytes)), GetClaimRequest.newBuilder().setId("a").build().toByteArray());
                assertThat(call.awaitClosed(10_000)).as(bytes + " bytes: no answer").isTrue();
                assertThat(raw.awaitConnectionClosed(0)).as(bytes + " bytes closed the connection").isFalse();
                assertThat(call.httpStatus()).as(bytes + " bytes: " + call).isEqualTo("200");
                assertThat(call.grpcStatus()).as(bytes + " bytes: " + call)
                    .isEqualTo(String.valueOf(Status.Code.RESOURCE_EXHAUSTED.value()));
                assertThat(call.grpcMessage()).contains("max-inbound-metadata-size");
            }

            // The watch on the same connection is still open and still receives.
            assertThat(watch.awaitClosed(0)).isFalse();
            release(server, "after");
            awaitDataFrames(watch, 2);
            assertThat(watch.awaitClosed(0)).isFalse();
        }
    }

    @Test
    void shouldRefuseAboveTheTransportCeilingAsDocumented() throws Exception
    {
        // Documented in the README: the transport decodes header lists up to max(64 KiB, 4 x the flag); a bigger
        // one gets HTTP 431 on its stream; a header block of more than 1.25 times that many bytes as sent (HPACK
        // encoded), and Netty ends the connection with GOAWAY.
        try (TestServer server = TestServer.start(dir))
        {
            try (RawHttp2Client raw = new RawHttp2Client("127.0.0.1", server.server.port()))
            {
                final RawHttp2Client.Stream call = raw.call("tranche.v1.QueueService/GetClaim",
                    Map.of("x-pad", "~".repeat(70_000)), GetClaimRequest.newBuilder().setId("a").build().toByteArray());
                assertThat(call.awaitClosed(10_000)).isTrue();
                assertThat(call.httpStatus()).as(call.toString()).isEqualTo("431");
                assertThat(raw.awaitConnectionClosed(200)).isFalse();
            }
            try (RawHttp2Client raw = new RawHttp2Client("127.0.0.1", server.server.port()))
            {
                // '~' has a 13-bit Huffman code, so HPACK sends it as is: 90,000 encoded bytes.
                boolean writeFailed = false;
                try
                {
                    raw.call("tranche.v1.QueueService/GetClaim", Map.of("x-pad", "~".repeat(90_000)),
                        GetClaimRequest.newBuilder().setId("a").build().toByteArray());
                }
                catch (final java.net.SocketException ex)
                {
                    // On a fast machine the server's GOAWAY and close can beat our last frames: the write then fails
                    // (broken pipe, reset), and the reset may discard the GOAWAY before we read it.
                    writeFailed = true;
                }
                assertThat(raw.awaitConnectionClosed(10_000)).isTrue();
                if (!writeFailed)
                {
                    assertThat(raw.goAwayCode()).as("a GOAWAY frame").isNotNegative();
                }
            }
            // The server itself is unharmed.
            server.queue().createClaim(CreateClaimRequest.newBuilder().setClaim(TestServer.claim("a", 1)).build());
        }
    }

    private static void awaitDataFrames(final RawHttp2Client.Stream stream,
        final int frames) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (stream.dataFrames < frames && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
        assertThat(stream.dataFrames).as("watch frames: " + stream).isGreaterThanOrEqualTo(frames);
    }

    private static void release(final TestServer server, final String requestId)
    {
        server.queue().releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId(requestId).setSupply(1)
            .setPolicy(Policy.newBuilder().setMethod(Method.FIFO)).build());
    }
}
