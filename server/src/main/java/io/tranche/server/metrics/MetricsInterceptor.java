package io.tranche.server.metrics;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/** Counts every call by method and status code and records its latency. */
public final class MetricsInterceptor implements ServerInterceptor
{
    private final Metrics metrics;

    /** @param metrics where to record. */
    public MetricsInterceptor(final Metrics metrics)
    {
        this.metrics = metrics;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        final ServerCall<Q, R> call, final Metadata headers, final ServerCallHandler<Q, R> next)
    {
        final long start = System.nanoTime();
        final String method = call.getMethodDescriptor().getFullMethodName();
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<Q, R>(call)
        {
            @Override
            public void close(final Status status, final Metadata trailers)
            {
                metrics.recordCall(method, status.getCode().name(), System.nanoTime() - start);
                super.close(status, trailers);
            }
        }, headers);
    }
}
