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
import io.tranche.server.allocation.ByteSource;
import io.tranche.server.allocation.WireAllocation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code tranche.v1.AllocationService}, registered by hand (a {@link ServerServiceDefinition} whose marshallers pass
 * the bytes through) so that a valid request is read straight into this thread's {@link WireAllocation} and answered
 * from its reused response buffer, with no message objects per claim. An invalid request is answered from the same
 * decoding (its violations), one with {@code explain} with a generated response; the wire format is {@code tranche.v1}.
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
            else if (result == WireAllocation.INVALID)
            {
                close(call, Errors.toException(Errors.invalidArgument(Errors.badRequest(wire.violations(), ""))));
            }
            else
            {
                respond(call, RESPONSE_MARSHALLER.stream(wire.explained()));
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
        final ResponseStream response = new ResponseStream();

        Workspace(final int maxClaims)
        {
            this.wire = new WireAllocation(maxClaims);
        }
    }

    /** The reused response bytes as the stream gRPC drains during {@code sendMessage}. */
    static final class ResponseStream extends ByteSource implements KnownLength, Drainable
    {
        @Override
        public ResponseStream reset(final byte[] bytes, final int limit)
        {
            super.reset(bytes, limit);
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
