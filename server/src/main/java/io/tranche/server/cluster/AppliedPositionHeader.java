package io.tranche.server.cluster;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * On a cluster member, every answer of the queue service carries {@value #NAME}: a log position that the
 * state the call saw includes (this member's applied position when the call arrived; the call ran at that
 * position or later). A client that must see what the leader has committed compares it with the leader's
 * commit position ({@code tranche cluster status} on the leader, {@code commit_position}) or with the position
 * of its own last write, and reads again, or from the leader, while the header is lower.
 */
public final class AppliedPositionHeader implements ServerInterceptor
{
    /** The response header's name. */
    public static final String NAME = "tranche-applied-position";

    /** The response header's key. */
    public static final Metadata.Key<String> KEY = Metadata.Key.of(NAME, Metadata.ASCII_STRING_MARSHALLER);

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
        final long applied = Math.max(0, service.appliedPosition());
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<Q, R>(call)
        {
            @Override
            public void sendHeaders(final Metadata responseHeaders)
            {
                responseHeaders.put(KEY, Long.toString(applied));
                super.sendHeaders(responseHeaders);
            }
        }, headers);
    }
}
