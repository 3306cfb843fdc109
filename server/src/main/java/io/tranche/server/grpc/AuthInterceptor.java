package io.tranche.server.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Set;

/**
 * Requires exactly one {@code authorization: Bearer <token>} on every call it guards: readers may call
 * Allocate, the Get/List/Watch methods, reflection and a ReleaseTranche preview
 * ({@code validate_only}, checked by the service through {@link #READER}); only admins mutate.
 */
public final class AuthInterceptor implements ServerInterceptor
{
    /** The authorization header. */
    public static final Metadata.Key<String> AUTHORIZATION =
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /** True in a call made with a reader token: the service refuses it anything but a preview. */
    public static final Context.Key<Boolean> READER = Context.key("tranche-reader");

    private static final String RELEASE = "tranche.v1.QueueService/ReleaseTranche";
    private static final Set<String> ADMIN_METHODS = Set.of(
        "tranche.v1.QueueService/CreateClaim",
        "tranche.v1.QueueService/UpdateClaim",
        "tranche.v1.QueueService/DeleteClaim");

    private static final ServerCall.Listener<Object> NOOP = new ServerCall.Listener<>()
    {
    };

    private final Tokens tokens;

    /** @param tokens the accepted tokens. */
    public AuthInterceptor(final Tokens tokens)
    {
        this.tokens = tokens;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        final ServerCall<Q, R> call, final Metadata headers, final ServerCallHandler<Q, R> next)
    {
        final Iterable<String> all = headers.getAll(AUTHORIZATION);
        String header = null;
        int count = 0;
        if (all != null)
        {
            for (final String value : all)
            {
                header = value;
                count++;
            }
        }
        if (count > 1)
        {
            // Which one would count is a guess between us and any proxy in front: take none.
            return refuse(call, Status.UNAUTHENTICATED.withDescription("exactly one authorization header is " +
                "allowed; this call has " + count));
        }
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7))
        {
            return refuse(call,
                Status.UNAUTHENTICATED.withDescription("missing \"authorization: Bearer <token>\" metadata"));
        }
        final Tokens.Role role = tokens.role(header.substring(7).strip());
        if (role == null)
        {
            return refuse(call, Status.UNAUTHENTICATED.withDescription("unknown bearer token"));
        }
        if (role != Tokens.Role.ADMIN && ADMIN_METHODS.contains(call.getMethodDescriptor().getFullMethodName()))
        {
            return refuse(call, Status.PERMISSION_DENIED.withDescription(
                call.getMethodDescriptor().getBareMethodName() + " needs an admin token; this token is a reader"));
        }
        if (role != Tokens.Role.ADMIN && RELEASE.equals(call.getMethodDescriptor().getFullMethodName()))
        {
            // Whether this is a preview is in the request: the service decides (README "Security").
            return Contexts.interceptCall(Context.current().withValue(READER, Boolean.TRUE), call, headers, next);
        }
        return next.startCall(call, headers);
    }

    @SuppressWarnings("unchecked")
    private static <Q, R> ServerCall.Listener<Q> refuse(final ServerCall<Q, R> call, final Status status)
    {
        call.close(status, new Metadata());
        return (ServerCall.Listener<Q>)NOOP;
    }
}
