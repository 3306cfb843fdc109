package io.tranche.server.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.Code;
import io.grpc.BindableService;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.tranche.proto.v1.AllocateRequest;
import io.tranche.proto.v1.AllocateResponse;
import io.tranche.proto.v1.AllocationServiceGrpc;
import io.tranche.server.status.Errors;
import io.tranche.server.allocation.AllocationOutcome;
import io.tranche.server.allocation.AllocationProtoAdapter;
import io.tranche.server.allocation.WireAllocation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code tranche.v1.AllocationService}, registered by hand (a {@link ServerServiceDefinition} whose marshallers pass
 * the bytes through) so that a valid request is read straight into this thread's {@link WireAllocation} and answered
 * from its reused response buffer, with no message objects per claim. Invalid requests and {@code explain} go through
 * the generated classes and {@link AllocationProtoAdapter}; the wire format is {@code tranche.v1} either way.
 * Stateless; the kernel runs on the calling thread's workspace (no shared locks).
 */
public final class AllocationServiceImpl implements BindableService
{
    private static final Logger LOG = Logger.getLogger(AllocationServiceImpl.class.getName());
    private static final MethodDescriptor.Marshaller<AllocateResponse> RESPONSE_MARSHALLER =
        ProtoUtils.marshaller(AllocateResponse.getDefaultInstance());

    private final int maxClaims;
    private final ThreadLocal<Workspace> perThread;

    /** @param maxClaims the largest number of claims in one request. */
    public AllocationServiceImpl(final int maxClaims)
    {
        this.maxClaims = maxClaims;
        this.perThread = ThreadLocal.withInitial(() -> new Workspace(maxClaims));
    }

    @Override
    public ServerServiceDefinition bindService()
    {
        final MethodDescriptor<InputStream, InputStream> generated = passThrough();
        return ServerServiceDefinition.builder(ServiceDescriptor.newBuilder(AllocationServiceGrpc.SERVICE_NAME)
                .setSchemaDescriptor(AllocationServiceGrpc.getServiceDescriptor().getSchemaDescriptor())
                .addMethod(generated)
                .build())
            .addMethod(generated, new Handler())
            .build();
    }

    /**
     * @return {@code Allocate}'s descriptor with marshallers that hand the stream through unread (the handler reads
     *     it before gRPC closes it, and gRPC drains the response stream inside {@code sendMessage}).
     */
    static MethodDescriptor<InputStream, InputStream> passThrough()
    {
        final MethodDescriptor<AllocateRequest, AllocateResponse> generated = AllocationServiceGrpc.getAllocateMethod();
        return generated.toBuilder(PassThrough.INSTANCE, PassThrough.INSTANCE).build();
    }

    private final class Handler implements ServerCallHandler<InputStream, InputStream>
    {
        @Override
        public ServerCall.Listener<InputStream> startCall(
            final ServerCall<InputStream, InputStream> call, final Metadata headers)
        {
            // Two, as grpc-java's unary handler does: a second message is then seen and refused.
            call.request(2);
            return new Listener(call);
        }
    }

    private final class Listener extends ServerCall.Listener<InputStream>
    {
        private final ServerCall<InputStream, InputStream> call;
        private boolean answered;

        Listener(final ServerCall<InputStream, InputStream> call)
        {
            this.call = call;
        }

        @Override
        public void onMessage(final InputStream message)
        {
            if (answered)
            {
                return;
            }
            answered = true;
            if (call.isCancelled())
            {
                return;
            }
            answer(call, message);
        }

        @Override
        public void onHalfClose()
        {
            if (!answered)
            {
                answered = true;
                call.close(Status.INTERNAL.withDescription("Half-closed without a request"), new Metadata());
            }
        }
    }

    private void answer(final ServerCall<InputStream, InputStream> call, final InputStream message)
    {
        final Workspace workspace = perThread.get();
        try
        {
            final WireAllocation wire = workspace.wire;
            final int result = wire.allocate(message);
            if (result == WireAllocation.ALLOCATED)
            {
                respond(call, workspace.response.reset(wire.responseBuffer(), wire.responseLength()));
            }
            else if (result == WireAllocation.TOO_MANY_CLAIMS)
            {
                close(call, Errors.toException(Errors.resourceExhausted(
                    AllocationOutcome.tooManyClaimsMessage(wire.claimCount(), maxClaims))));
            }
            else
            {
                final AllocateRequest request =
                    AllocateRequest.parser().parseFrom(wire.requestBuffer(), 0, wire.requestLength());
                generatedPath(call, workspace, request);
            }
        }
        catch (final InvalidProtocolBufferException ex)
        {
            close(call, MalformedRequests.statusOf(call.getMethodDescriptor().getFullMethodName(),
                new IllegalArgumentException(ex.getMessage(), ex)));
        }
        catch (final StatusRuntimeException ex)
        {
            // Reading the (decompressed) request failed in the transport: a gzip bomb above the size limit.
            close(call, MalformedRequests.statusOf(call.getMethodDescriptor().getFullMethodName(), ex));
        }
        catch (final IOException | RuntimeException ex)
        {
            // Our bug, not the caller's: one line in the log, INTERNAL to the caller, a fresh workspace next time.
            perThread.remove();
            LOG.log(Level.SEVERE, "Allocate failed: " + ex, ex);
            close(call, Errors.toException(Errors.status(Code.INTERNAL, "internal error in Allocate: " + ex)));
        }
    }

    private void generatedPath(
        final ServerCall<InputStream, InputStream> call, final Workspace workspace, final AllocateRequest request)
    {
        final AllocationOutcome outcome = workspace.adapter.allocate(request);
        switch (outcome.kind())
        {
            case ALLOCATED:
                respond(call, RESPONSE_MARSHALLER.stream(outcome.response()));
                break;
            case TOO_MANY_CLAIMS:
                close(call, Errors.toException(Errors.resourceExhausted(outcome.message())));
                break;
            default:
                close(call, Errors.toException(Errors.invalidArgument(Errors.badRequest(outcome.violations(), ""))));
        }
    }

    private static void respond(final ServerCall<InputStream, InputStream> call, final InputStream response)
    {
        call.sendHeaders(new Metadata());
        call.sendMessage(response);
        call.close(Status.OK, new Metadata());
    }

    private static void close(final ServerCall<InputStream, InputStream> call, final StatusRuntimeException ex)
    {
        call.close(ex.getStatus(), ex.getTrailers() == null ? new Metadata() : ex.getTrailers());
    }

    /** What one thread reuses across calls. */
    private static final class Workspace
    {
        final WireAllocation wire;
        final AllocationProtoAdapter adapter;
        final ResponseStream response = new ResponseStream();

        Workspace(final int maxClaims)
        {
            this.wire = new WireAllocation(maxClaims);
            this.adapter = new AllocationProtoAdapter(maxClaims);
        }
    }

    /** The reused response bytes as the stream gRPC drains during {@code sendMessage}. */
    static final class ResponseStream extends InputStream implements KnownLength, Drainable
    {
        private byte[] bytes;
        private int position;
        private int limit;

        ResponseStream reset(final byte[] bytes, final int limit)
        {
            this.bytes = bytes;
            this.position = 0;
            this.limit = limit;
            return this;
        }

        @Override
        public int drainTo(final OutputStream target) throws IOException
        {
            final int n = limit - position;
            target.write(bytes, position, n);
            position = limit;
            return n;
        }

        @Override
        public int read()
        {
            return position < limit ? bytes[position++] & 0xFF : -1;
        }

        @Override
        public int read(final byte[] b, final int off, final int len)
        {
            if (len == 0)
            {
                return 0;
            }
            final int n = Math.min(len, limit - position);
            if (n <= 0)
            {
                return -1;
            }
            System.arraycopy(bytes, position, b, off, n);
            position += n;
            return n;
        }

        @Override
        public int available()
        {
            return limit - position;
        }
    }

    /** Hands the stream through: the request is read by the handler, the response is already bytes. */
    private enum PassThrough implements MethodDescriptor.Marshaller<InputStream>
    {
        INSTANCE;

        @Override
        public InputStream stream(final InputStream value)
        {
            return value;
        }

        @Override
        public InputStream parse(final InputStream stream)
        {
            return stream;
        }
    }
}
