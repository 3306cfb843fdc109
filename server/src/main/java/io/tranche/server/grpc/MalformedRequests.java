package io.tranche.server.grpc;

import com.google.rpc.Code;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tranche.server.status.Errors;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers a request whose bytes are not a valid message with {@code INVALID_ARGUMENT} (or {@code RESOURCE_EXHAUSTED}
 * when it decompresses to more than the message size limit), without a stack trace in the log.
 * <p>
 * Why a transform of the service definition and not an interceptor: grpc-java parses a request in
 * {@code ServerCallImpl} before any listener sees it, and {@code ServerImpl} closes a call whose parse threw with
 * {@code UNKNOWN} ("Application error processing RPC") whatever the exception says, then rethrows it so that the
 * executor logs it as SEVERE. So the parse must not throw: {@link #guard} gives every method a request marshaller
 * that wraps the method's own one (any {@link MethodDescriptor.Marshaller}, protobuf or hand-written) and turns a
 * parse failure into a value, and a call handler that closes the call with the right status when it receives that
 * value. Interceptors applied after {@link #guard} (metrics, auth) see the call and its status as usual.
 */
public final class MalformedRequests
{
    /** The longest reason taken from a parse exception's message. */
    static final int MAX_REASON_CHARS = 120;

    private MalformedRequests()
    {
    }

    /**
     * @param service a service definition.
     * @return the same service, whose methods answer malformed request bytes with a status instead of UNKNOWN.
     */
    public static ServerServiceDefinition guard(final ServerServiceDefinition service)
    {
        final ServiceDescriptor original = service.getServiceDescriptor();
        final ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
            .setSchemaDescriptor(original.getSchemaDescriptor());
        final List<ServerMethodDefinition<Object, ?>> methods = new ArrayList<>();
        for (final ServerMethodDefinition<?, ?> method : service.getMethods())
        {
            final ServerMethodDefinition<Object, ?> guarded = guard(method);
            descriptor.addMethod(guarded.getMethodDescriptor());
            methods.add(guarded);
        }
        final ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(descriptor.build());
        for (final ServerMethodDefinition<Object, ?> method : methods)
        {
            builder.addMethod(method);
        }
        return builder.build();
    }

    private static <Q, R> ServerMethodDefinition<Object, R> guard(final ServerMethodDefinition<Q, R> method)
    {
        final MethodDescriptor<Q, R> original = method.getMethodDescriptor();
        final MethodDescriptor<Object, R> guarded = original
            .toBuilder(new GuardedMarshaller<>(original), original.getResponseMarshaller())
            .build();
        return ServerMethodDefinition.create(guarded, new GuardedHandler<>(original, method.getServerCallHandler()));
    }

    /**
     * @param fullMethodName the method, for the message.
     * @param failure        what the request marshaller threw.
     * @return the status a client gets for bytes that could not be parsed.
     */
    static StatusRuntimeException statusOf(final String fullMethodName, final RuntimeException failure)
    {
        if (failure instanceof StatusRuntimeException &&
            ((StatusRuntimeException)failure).getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED)
        {
            // grpc's own limit on the decompressed size (a gzip bomb): the same code as for the same bytes sent
            // uncompressed, which the transport refuses before any parse.
            return Errors.toException(Errors.resourceExhausted("the request of " + fullMethodName +
                " decompresses to more than the server's limit (" + reason(failure) +
                "); see --max-inbound-message-size"));
        }
        return Errors.toException(Errors.status(Code.INVALID_ARGUMENT,
            "the request bytes are not a valid message for " + fullMethodName + ": " + reason(failure)));
    }

    /** @return a short reason: the root message up to its first sentence end, bounded. */
    private static String reason(final RuntimeException failure)
    {
        Throwable t = failure;
        // grpc's protobuf marshaller wraps InvalidProtocolBufferException in INTERNAL "Invalid protobuf byte sequence".
        while (t.getCause() != null && t.getCause() != t)
        {
            t = t.getCause();
        }
        String text = t.getMessage();
        if (text == null && t instanceof StatusRuntimeException)
        {
            text = ((StatusRuntimeException)t).getStatus().getDescription();
        }
        if (text == null || text.isBlank())
        {
            return t.getClass().getSimpleName();
        }
        final int stop = text.indexOf(". ");
        if (stop > 0)
        {
            text = text.substring(0, stop);
        }
        return text.length() > MAX_REASON_CHARS ? text.substring(0, MAX_REASON_CHARS) + "\u2026" : text;
    }

    /** What the guarded marshaller returns instead of throwing. */
    static final class Malformed
    {
        final RuntimeException failure;

        Malformed(final RuntimeException failure)
        {
            this.failure = failure;
        }
    }

    private static final class GuardedMarshaller<Q> implements MethodDescriptor.Marshaller<Object>
    {
        private final MethodDescriptor.Marshaller<Q> delegate;

        GuardedMarshaller(final MethodDescriptor<Q, ?> method)
        {
            this.delegate = method.getRequestMarshaller();
        }

        @Override
        @SuppressWarnings("unchecked")
        public InputStream stream(final Object value)
        {
            return delegate.stream((Q)value);
        }

        @Override
        public Object parse(final InputStream stream)
        {
            try
            {
                return delegate.parse(stream);
            }
            catch (final RuntimeException ex)
            {
                return new Malformed(ex);
            }
        }
    }

    private static final class GuardedHandler<Q, R> implements ServerCallHandler<Object, R>
    {
        private final MethodDescriptor<Q, R> method;
        private final ServerCallHandler<Q, R> next;

        GuardedHandler(final MethodDescriptor<Q, R> method, final ServerCallHandler<Q, R> next)
        {
            this.method = method;
            this.next = next;
        }

        @Override
        public ServerCall.Listener<Object> startCall(final ServerCall<Object, R> call, final Metadata headers)
        {
            final ServerCall.Listener<Q> listener = next.startCall(new TypedCall<>(call, method), headers);
            return new GuardedListener<>(call, listener);
        }
    }

    /** The call as the service's own handler expects it: typed requests, the original method descriptor. */
    private static final class TypedCall<Q, R> extends ForwardingServerCall<Q, R>
    {
        private final ServerCall<Object, R> call;
        private final MethodDescriptor<Q, R> method;

        TypedCall(final ServerCall<Object, R> call, final MethodDescriptor<Q, R> method)
        {
            this.call = call;
            this.method = method;
        }

        @Override
        @SuppressWarnings("unchecked")
        protected ServerCall<Q, R> delegate()
        {
            // Only the request type differs, and a ServerCall never hands requests out: it receives them.
            return (ServerCall<Q, R>)(ServerCall<?, R>)call;
        }

        @Override
        public MethodDescriptor<Q, R> getMethodDescriptor()
        {
            return method;
        }
    }

    private static final class GuardedListener<Q> extends ServerCall.Listener<Object>
    {
        private final ServerCall<Object, ?> call;
        private final ServerCall.Listener<Q> delegate;
        private boolean refused;

        GuardedListener(final ServerCall<Object, ?> call, final ServerCall.Listener<Q> delegate)
        {
            this.call = call;
            this.delegate = delegate;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void onMessage(final Object message)
        {
            if (refused)
            {
                return;
            }
            if (message instanceof Malformed)
            {
                refused = true;
                final StatusRuntimeException status =
                    statusOf(call.getMethodDescriptor().getFullMethodName(), ((Malformed)message).failure);
                call.close(status.getStatus(), status.getTrailers());
                return;
            }
            delegate.onMessage((Q)message);
        }

        @Override
        public void onHalfClose()
        {
            if (!refused)
            {
                delegate.onHalfClose();
            }
        }

        @Override
        public void onReady()
        {
            if (!refused)
            {
                delegate.onReady();
            }
        }

        @Override
        public void onCancel()
        {
            // Also after a refusal: the service's handler learns that its call is over (stubs mark it cancelled).
            delegate.onCancel();
        }

        @Override
        public void onComplete()
        {
            delegate.onComplete();
        }
    }
}
