package io.tranche.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.tranche.server.TestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HealthAndReflectionTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReportServingThenNotServingWhenDraining() throws Exception
    {
        try (TestServer server = TestServer.start(dir))
        {
            final HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(server.channel);
            assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            assertThat(health.check(HealthCheckRequest.newBuilder().setService("tranche.v1.QueueService").build())
                .getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

            final CompletableFuture<HealthCheckResponse.ServingStatus> notServing = new CompletableFuture<>();
            HealthGrpc.newStub(server.channel).watch(HealthCheckRequest.getDefaultInstance(), new StreamObserver<>()
            {
                @Override
                public void onNext(final HealthCheckResponse value)
                {
                    if (value.getStatus() == HealthCheckResponse.ServingStatus.NOT_SERVING)
                    {
                        notServing.complete(value.getStatus());
                    }
                }

                @Override
                public void onError(final Throwable t)
                {
                    notServing.completeExceptionally(t);
                }

                @Override
                public void onCompleted()
                {
                }
            });
            // Close on another thread: the health watch is in flight and shutdown waits for it up to the grace period.
            final Thread closer = new Thread(server.server::close);
            closer.start();
            assertThat(notServing.get(10, TimeUnit.SECONDS)).isEqualTo(HealthCheckResponse.ServingStatus.NOT_SERVING);
            closer.join(15_000);
        }
    }

    @Test
    void shouldListServicesThroughReflectionV1AndV1alpha() throws Exception
    {
        try (TestServer server = TestServer.start(dir))
        {
            assertThat(listV1(server)).contains("tranche.v1.AllocationService", "tranche.v1.QueueService",
                "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection");
            assertThat(listV1alpha(server)).contains("tranche.v1.AllocationService", "tranche.v1.QueueService");
        }
    }

    private static List<String> listV1(final TestServer server) throws Exception
    {
        final CompletableFuture<ServerReflectionResponse> response = new CompletableFuture<>();
        final StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(server.channel)
            .serverReflectionInfo(observer(response));
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onCompleted();
        return response.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
            .map(ServiceResponse::getName).collect(Collectors.toList());
    }

    @SuppressWarnings("deprecation")
    private static List<String> listV1alpha(final TestServer server) throws Exception
    {
        final CompletableFuture<io.grpc.reflection.v1alpha.ServerReflectionResponse> response =
            new CompletableFuture<>();
        final StreamObserver<io.grpc.reflection.v1alpha.ServerReflectionRequest> requests =
            io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(server.channel)
            .serverReflectionInfo(observer(response));
        requests.onNext(io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onCompleted();
        return response.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
            .map(io.grpc.reflection.v1alpha.ServiceResponse::getName).collect(Collectors.toList());
    }

    private static <T> StreamObserver<T> observer(final CompletableFuture<T> first)
    {
        return new StreamObserver<>()
        {
            @Override
            public void onNext(final T value)
            {
                first.complete(value);
            }

            @Override
            public void onError(final Throwable t)
            {
                first.completeExceptionally(t);
            }

            @Override
            public void onCompleted()
            {
            }
        };
    }
}
