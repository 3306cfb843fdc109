package io.tranche.server.cluster;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.tranche.proto.v1.QueueServiceGrpc;
import java.util.Set;

/**
 * On a cluster member, every answer of the queue service carries {@value #NAME}, errors (NOT_FOUND) included, in
 * the trailers when no headers went out: a log position that the state the call saw includes. For a read, this
 * member's applied position when the call arrived (the read ran there or later); for a write, the position once the
 * write was applied here (a write is answered only then), so the position includes the write.
 * <p>
 * A request may carry {@value #MIN_NAME}: the member then runs the call's reads only once it has applied at least
 * that position, waiting within the call's deadline. A client that reads on any member after its own write passes
 * the position its write was answered with, and reads its write.
 */
public final class AppliedPositionHeader implements ServerInterceptor
{
    /** The response header's name. */
    public static final String NAME = "tranche-applied-position";

    /** The response header's key. */
    public static final Metadata.Key<String> KEY = Metadata.Key.of(NAME, Metadata.ASCII_STRING_MARSHALLER);

    /** The request header's name: the lowest applied position the call's reads may run at. */
    public static final String MIN_NAME = "tranche-min-applied-position";

    /** The request header's key. */
    public static final Metadata.Key<String> MIN_KEY = Metadata.Key.of(MIN_NAME, Metadata.ASCII_STRING_MARSHALLER);

    /** The call's {@value #MIN_NAME}, 0 without one. */
    public static final Context.Key<Long> MIN_POSITION = Context.keyWithDefault("tranche-min-applied-position", 0L);

    private static final Set<String> WRITES = Set.of(
        QueueServiceGrpc.getCreateClaimMethod().getFullMethodName(),
        QueueServiceGrpc.getUpdateClaimMethod().getFullMethodName(),
        QueueServiceGrpc.getDeleteClaimMethod().getFullMethodName(),
        QueueServiceGrpc.getReleaseTrancheMethod().getFullMethodName());

    private final QueueClusteredService service;

    /** @param service this member's service. */
    public AppliedPositionHeader(final QueueClusteredService service)
    {
        this.service = service;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        final ServerCall<Q, R> call, final Metadata headers, final ServerCallHandler<Q, R> next)
    {
        // Read before the call is handled: the state it then reads is at this position or later.
        final long arrived = Math.max(0, service.appliedPosition());
        final boolean write = WRITES.contains(call.getMethodDescriptor().getFullMethodName());
        final String min = headers.get(MIN_KEY);
        long minPosition = 0;
        if (min != null)
        {
            try
            {
                minPosition = Long.parseLong(min.strip());
            }
            catch (final NumberFormatException ex)
            {
                minPosition = -1;
            }
            if (minPosition < 0)
            {
                call.close(Status.INVALID_ARGUMENT.withDescription(MIN_NAME + " must be a log position (a whole " +
                    "number >= 0, as " + NAME + " gives), was \"" + min + "\""), new Metadata());
                return new ServerCall.Listener<Q>()
                {
                };
            }
        }
        final ServerCall<Q, R> positioned = new ForwardingServerCall.SimpleForwardingServerCall<Q, R>(call)
        {
            private boolean sent;

            @Override
            public void sendHeaders(final Metadata responseHeaders)
            {
                responseHeaders.put(KEY, Long.toString(position()));
                sent = true;
                super.sendHeaders(responseHeaders);
            }

            @Override
            public void close(final Status status, final Metadata trailers)
            {
                if (!sent)
                {
                    // An error answered without headers (NOT_FOUND, INVALID_ARGUMENT...): the trailers carry it.
                    trailers.put(KEY, Long.toString(position()));
                }
                super.close(status, trailers);
            }

            private long position()
            {
                return write ? Math.max(arrived, service.appliedPosition()) : arrived;
            }
        };
        return Contexts.interceptCall(Context.current().withValue(MIN_POSITION, minPosition), positioned, headers,
            next);
    }
}
