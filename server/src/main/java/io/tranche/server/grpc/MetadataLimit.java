package io.tranche.server.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.tranche.server.status.Errors;

/**
 * Enforces {@code --max-inbound-metadata-size} as a gRPC status, {@code RESOURCE_EXHAUSTED}, on the one call.
 * <p>
 * Why not the transport's own limit: Netty's HPACK decoder refuses a header block above the limit with HTTP 431 and
 * no gRPC status (clients see UNKNOWN), and above 1.25 times the limit it ends the whole connection, taking every
 * other call on it along; grpc-java's soft limit answers with 431 too. So the transport is given a ceiling well above
 * the limit ({@link #transportCeiling}) and this interceptor answers what lies between.
 * <p>
 * Size counted as HTTP/2 does (RFC 7540, SETTINGS_MAX_HEADER_LIST_SIZE): for each entry, name bytes + value bytes
 * as sent (base64 for {@code -bin} keys) + 32, over the metadata the call receives (pseudo-headers excluded).
 */
public final class MetadataLimit implements ServerInterceptor
{
    /** The smallest header block the transport always decodes, so that the interceptor can answer. */
    public static final int MIN_TRANSPORT_CEILING = 64 << 10;
    /** The transport decodes header blocks up to this many times the limit (when above the minimum). */
    public static final int TRANSPORT_CEILING_FACTOR = 4;

    private static final int ENTRY_OVERHEAD = 32;
    private static final ServerCall.Listener<Object> NOOP = new ServerCall.Listener<>()
    {
    };

    private final int limit;

    /** @param limit the most metadata bytes a call may carry. */
    public MetadataLimit(final int limit)
    {
        this.limit = limit;
    }

    /**
     * @param limit the configured metadata limit.
     * @return the header list size the transport accepts: max({@value #MIN_TRANSPORT_CEILING}, 4 x limit).
     */
    public static int transportCeiling(final int limit)
    {
        return (int)Math.min(Integer.MAX_VALUE,
            Math.max(MIN_TRANSPORT_CEILING, (long)limit * TRANSPORT_CEILING_FACTOR));
    }

    /**
     * @param headers metadata.
     * @return its size as HTTP/2 counts a header list.
     */
    public static long size(final Metadata headers)
    {
        long size = 0;
        for (final String name : headers.keys())
        {
            size += name.length() + ENTRY_OVERHEAD;
            if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX))
            {
                final Iterable<byte[]> values = headers.getAll(Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER));
                if (values != null)
                {
                    int count = 0;
                    for (final byte[] v : values)
                    {
                        // Unpadded base64, as grpc sends binary values.
                        size += (v.length * 4L + 2) / 3;
                        count++;
                    }
                    size += (long)(count - 1) * (name.length() + ENTRY_OVERHEAD);
                }
            }
            else
            {
                final Iterable<String> values = headers.getAll(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
                if (values != null)
                {
                    int count = 0;
                    for (final String v : values)
                    {
                        size += v.length();
                        count++;
                    }
                    size += (long)(count - 1) * (name.length() + ENTRY_OVERHEAD);
                }
            }
        }
        return size;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        final ServerCall<Q, R> call, final Metadata headers, final ServerCallHandler<Q, R> next)
    {
        final long size = size(headers);
        if (size > limit)
        {
            final io.grpc.StatusRuntimeException status = Errors.toException(Errors.resourceExhausted(
                "the call's metadata is " + size + " bytes, above the server's limit of " + limit +
                " (--max-inbound-metadata-size)"));
            call.close(status.getStatus(), status.getTrailers());
            return (ServerCall.Listener<Q>)NOOP;
        }
        return next.startCall(call, headers);
    }
}
