package io.tranche.server.allocation;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.tranche.proto.v1.AllocateRequest;
import io.tranche.proto.v1.AllocationServiceGrpc;
import io.tranche.server.RawBytes;
import io.tranche.server.TestServer;
import io.tranche.server.status.Errors;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real server's {@code Allocate} (the wire path) against the generated-classes path computed in this JVM
 * ({@code AllocateRequest.parseFrom} then {@link AllocationProtoAdapter}), on 3,000 seeded requests sent as raw bytes:
 * the same response bytes for valid ones, the same status with the same {@code BadRequest} for invalid ones,
 * RESOURCE_EXHAUSTED with the same message over the limit, and INVALID_ARGUMENT for malformed bytes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AllocateWireEquivalenceTest
{
    private static final int MAX_CLAIMS = 30;
    private static final MethodDescriptor<byte[], byte[]> RAW = AllocationServiceGrpc.getAllocateMethod()
        .toBuilder(RawBytes.MARSHALLER, RawBytes.MARSHALLER).build();

    @TempDir
    Path dir;

    @Test
    void shouldAnswerEverySeededRequestAsTheGeneratedClassesDo() throws Exception
    {
        final AllocationProtoAdapter adapter = new AllocationProtoAdapter(MAX_CLAIMS);
        final int[] seen = new int[4];
        try (TestServer server = TestServer.start(TestServer.config(dir).maxClaims(MAX_CLAIMS)))
        {
            for (long seed = 1; seed <= 3_000; seed++)
            {
                final byte[] bytes = WireRequests.request(seed, 40);
                final String at = "seed " + seed;
                byte[] answer = null;
                StatusRuntimeException error = null;
                try
                {
                    answer = ClientCalls.blockingUnaryCall(
                        server.channel, RAW, io.grpc.CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
                        bytes);
                }
                catch (final StatusRuntimeException ex)
                {
                    error = ex;
                }
                final AllocateRequest request;
                try
                {
                    request = AllocateRequest.parseFrom(bytes);
                }
                catch (final InvalidProtocolBufferException malformed)
                {
                    assertThat(error).as(at).isNotNull();
                    assertThat(error.getStatus().getCode()).as(at).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    seen[3]++;
                    continue;
                }
                final AllocationOutcome outcome = adapter.allocate(request);
                switch (outcome.kind())
                {
                    case ALLOCATED:
                        assertThat(error).as(at).isNull();
                        assertThat(answer).as(at).isEqualTo(outcome.response().toByteArray());
                        seen[0]++;
                        break;
                    case INVALID:
                        assertThat(error).as(at).isNotNull();
                        assertThat(StatusProto.fromThrowable(error)).as(at)
                            .isEqualTo(Errors.bounded(Errors.invalidArgument(Errors.badRequest(outcome.violations(),
                                ""))));
                        seen[1]++;
                        break;
                    default:
                        assertThat(error).as(at).isNotNull();
                        assertThat(error.getStatus().getCode()).as(at).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                        assertThat(error.getStatus().getDescription()).as(at).isEqualTo(outcome.message());
                        seen[2]++;
                }
            }
        }
        assertThat(seen[0]).isGreaterThan(1_000);
        assertThat(seen[1]).isGreaterThan(300);
        assertThat(seen[2]).isGreaterThan(30);
        assertThat(seen[3]).isGreaterThan(300);
    }
}
