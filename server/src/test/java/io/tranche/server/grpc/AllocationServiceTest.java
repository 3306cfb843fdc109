package io.tranche.server.grpc;

import static io.tranche.server.grpc.QueueServiceTest.catchError;
import static io.tranche.server.TestServer.violations;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tranche.proto.v1.AllocateRequest;
import io.tranche.proto.v1.AllocateResponse;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.server.TestServer;
import io.tranche.server.allocation.AllocationProtoAdapter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AllocationServiceTest
{
    @TempDir
    Path dir;

    private TestServer server;

    @BeforeEach
    void start() throws Exception
    {
        server = TestServer.start(TestServer.config(dir).maxClaims(8));
    }

    @AfterEach
    void stop()
    {
        server.close();
    }

    private static AllocateRequest seed() throws Exception
    {
        Path p = Path.of("examples/seed.json");
        if (!Files.exists(p))
        {
            p = Path.of("../examples/seed.json");
        }
        final AllocateRequest.Builder b = AllocateRequest.newBuilder();
        JsonFormat.parser().merge(Files.readString(p), b);
        return b.build();
    }

    @Test
    void shouldRejectMinusTwoToTheSixtyThreeWithItsTrueValue()
    {
        // -2^63 is the kernel's "absent": sent as a value it must be rejected, and reported as what was sent.
        final StatusRuntimeException ex = catchError(() -> server.allocation().allocate(AllocateRequest.newBuilder()
            .setSupply(10)
            .addClaims(Claim.newBuilder().setId("a").setDemand(5).setCap(Long.MIN_VALUE).setWeight(Long.MIN_VALUE))
            .build()));
        assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(violations(ex)).contains("claims[0].cap", "claims[0].weight");
        assertThat(ex.getStatus().getDescription()).contains("claims[0].cap must be >= 0, was -9223372036854775808")
            .contains("claims[0].weight must be >= 0, was -9223372036854775808")
            .doesNotContain("-9223372036854775807");
    }

    @Test
    void shouldAnswerExactlyAsTheInProcessEngine() throws Exception
    {
        final AllocateRequest request = seed();
        final AllocateResponse response = server.allocation().allocate(request);
        assertThat(response).isEqualTo(new AllocationProtoAdapter(100).allocate(request).response());
        assertThat(response.getAwardsList()).extracting(Award::getId)
            .containsExactlyElementsOf(request.getClaimsList().stream().map(Claim::getId).toList());
        assertThat(response.getAllocated() + response.getUnallocated()).isEqualTo(request.getSupply());
        assertThat(response.getAwardsList().stream().mapToLong(Award::getUnits).sum())
            .isEqualTo(response.getAllocated());
    }

    @Test
    void shouldRejectInvalidInputWithFieldViolations()
    {
        final StatusRuntimeException ex = catchError(() -> server.allocation().allocate(AllocateRequest.newBuilder()
            .setSupply(-1)
            .setPolicy(Policy.newBuilder().setMethod(Method.PROPORTIONAL).setLot(-2))
            .addClaims(Claim.newBuilder().setId("a").setDemand(5))
            .addClaims(Claim.newBuilder().setId("a").setDemand(-5))
            .build()));
        assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(violations(ex)).contains("supply", "policy.lot", "claims[1].id", "claims[1].demand");
    }

    @Test
    void shouldRefuseMessagesAboveTheInboundLimit(@TempDir final Path other) throws Exception
    {
        // Netty refuses the message before the service; TransportErrors counts it (and logs at most a line a minute).
        final long before = io.tranche.server.grpc.TransportErrors.messages();
        try (TestServer small = TestServer.start(TestServer.config(other).maxInboundMessageSize(512)))
        {
            final AllocateRequest.Builder b = AllocateRequest.newBuilder().setSupply(10)
                .setPolicy(Policy.newBuilder().setMethod(Method.FIFO));
            for (int i = 0; i < 100; i++)
            {
                b.addClaims(Claim.newBuilder().setId("claim-number-" + i).setDemand(1));
            }
            final StatusRuntimeException ex = catchError(() -> small.allocation().allocate(b.build()));
            assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(ex.getStatus().getDescription()).contains("exceeds maximum size 512");
            final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (io.tranche.server.grpc.TransportErrors.messages() == before && System.nanoTime() < until)
            {
                Thread.sleep(10);
            }
            assertThat(io.tranche.server.grpc.TransportErrors.messages()).isGreaterThan(before);
        }
    }

    @Test
    void shouldRefuseMoreClaimsThanTheLimit()
    {
        final AllocateRequest.Builder b = AllocateRequest.newBuilder().setSupply(10)
            .setPolicy(Policy.newBuilder().setMethod(Method.FIFO));
        for (int i = 0; i < 9; i++)
        {
            b.addClaims(Claim.newBuilder().setId("c" + i).setDemand(1));
        }
        assertThat(catchError(() -> server.allocation().allocate(b.build())).getStatus().getCode())
            .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }
}
