package io.tranche.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ConnectivityState;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.tranche.proto.v1.AllocateRequest;
import io.tranche.proto.v1.AllocationServiceGrpc;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server takes a {@code ServerBuilder<?>}, as the grpc-java examples' servers do (issue 9), and its builder
 * settings can be given to another server: the end-to-end benchmark's echo twin is built with {@link
 * TrancheServer#nettyBuilder} and {@link TrancheServer#configure}. Real Netty servers on ephemeral loopback ports.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServerBuilderTest
{
    @TempDir
    Path dir;

    @Test
    void shouldServeOnABuilderTheCallerMadeWithTheConfiguredLimits() throws Exception
    {
        final NettyServerBuilder builder = NettyServerBuilder.forAddress(
            new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create());
        final ServerConfig config = TestServer.config(dir).maxInboundMessageSize(2048);
        try (TrancheServer server = TrancheServer.start(builder, config))
        {
            final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port())
                .usePlaintext().build();
            try
            {
                final AllocationServiceGrpc.AllocationServiceBlockingStub stub =
                    AllocationServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
                assertThat(stub.allocate(request(3)).getAllocated()).isEqualTo(90);
                // Over the builder's message limit, which start(builder, config) applied from the config.
                assertThatThrownBy(() -> stub.allocate(request(200)))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, ex ->
                        assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
                assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance())
                    .getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            }
            finally
            {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void shouldGiveAnotherServerTheSameLimitsAndConnectionSettings() throws Exception
    {
        // What the benchmark's echo twin is built with; it used to leave out maxConnectionIdle/Age.
        final ServerConfig config = new ServerConfig().listen("127.0.0.1", 0).dataDir(dir)
            .maxInboundMessageSize(1024)
            .maxConnectionIdle(Duration.ofMillis(300));
        final HealthStatusManager health = new HealthStatusManager();
        final Server twin = TrancheServer.configure(TrancheServer.nettyBuilder(config), config)
            .addService(health.getHealthService())
            .build()
            .start();
        final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", twin.getPort())
            .usePlaintext().build();
        try
        {
            final HealthGrpc.HealthBlockingStub stub = HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(20, TimeUnit.SECONDS);
            assertThat(stub.check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            // maxConnectionIdle: the server ends the idle connection (GOAWAY), the channel goes back to IDLE. Polled
            // until then, whatever the channel passes through (on a loaded machine the 300 ms may already be over
            // when the call returns); without the setting the connection stays READY and this times out.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (channel.getState(false) != ConnectivityState.IDLE && System.nanoTime() < deadline)
            {
                Thread.sleep(20);
            }
            assertThat(channel.getState(false)).isEqualTo(ConnectivityState.IDLE);
            // maxInboundMessageSize: a request over 1024 bytes is refused.
            final HealthCheckRequest big = HealthCheckRequest.newBuilder().setService("x".repeat(2000)).build();
            assertThatThrownBy(() -> stub.check(big))
                .isInstanceOfSatisfying(StatusRuntimeException.class, ex ->
                    assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        }
        finally
        {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            twin.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static AllocateRequest request(final int claims)
    {
        final AllocateRequest.Builder builder = AllocateRequest.newBuilder()
            .setSupply(30L * claims)
            .setPolicy(Policy.newBuilder().setMethod(Method.PROPORTIONAL));
        for (int i = 0; i < claims; i++)
        {
            builder.addClaims(Claim.newBuilder().setId("claim-" + i).setDemand(100));
        }
        return builder.build();
    }
}
