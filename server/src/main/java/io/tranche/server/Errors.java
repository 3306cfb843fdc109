package io.tranche.server;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.tranche.kernel.Violations;

/**
 * The one mapping from failures to gRPC status: {@code com.google.rpc.Status} with packed details,
 * sent through {@link StatusProto}. A client mistake is never UNKNOWN or INTERNAL.
 */
public final class Errors
{
    private Errors()
    {
    }

    /**
     * @param field       field path, e.g. {@code claim.demand}.
     * @param description what is wrong, and what would be right.
     * @return INVALID_ARGUMENT with one field violation.
     */
    public static Status invalidArgument(final String field, final String description)
    {
        return invalidArgument(BadRequest.newBuilder()
            .addFieldViolations(BadRequest.FieldViolation.newBuilder().setField(field).setDescription(description))
            .build());
    }

    /**
     * @param badRequest the field violations.
     * @return INVALID_ARGUMENT carrying them; the message lists them for people without a details decoder.
     */
    public static Status invalidArgument(final BadRequest badRequest)
    {
        return Status.newBuilder()
            .setCode(Code.INVALID_ARGUMENT_VALUE)
            .setMessage(summary(badRequest))
            .addDetails(Any.pack(badRequest))
            .build();
    }

    /**
     * @param violations kernel violations.
     * @param prefix     prefix of every field path ("" for none).
     * @return a BadRequest.
     */
    public static BadRequest badRequest(final Violations violations, final String prefix)
    {
        final BadRequest.Builder badRequest = BadRequest.newBuilder();
        for (int i = 0; i < violations.count(); i++)
        {
            badRequest.addFieldViolations(BadRequest.FieldViolation.newBuilder()
                .setField(prefix + violations.field(i))
                .setDescription(violations.description(i)));
        }
        return badRequest.build();
    }

    /**
     * @param code    the code.
     * @param message a message a person can act on.
     * @return the status.
     */
    public static Status status(final Code code, final String message)
    {
        return Status.newBuilder().setCode(code.getNumber()).setMessage(message).build();
    }

    /** @param message message. @return NOT_FOUND. */
    public static Status notFound(final String message)
    {
        return status(Code.NOT_FOUND, message);
    }

    /** @param message message. @return ALREADY_EXISTS. */
    public static Status alreadyExists(final String message)
    {
        return status(Code.ALREADY_EXISTS, message);
    }

    /** @param message message. @return FAILED_PRECONDITION. */
    public static Status failedPrecondition(final String message)
    {
        return status(Code.FAILED_PRECONDITION, message);
    }

    /** @param message message. @return RESOURCE_EXHAUSTED. */
    public static Status resourceExhausted(final String message)
    {
        return status(Code.RESOURCE_EXHAUSTED, message);
    }

    /** @param message message. @return UNAVAILABLE. */
    public static Status unavailable(final String message)
    {
        return status(Code.UNAVAILABLE, message);
    }

    /**
     * @param status a status.
     * @return the exception to pass to {@code onError}.
     */
    public static StatusRuntimeException toException(final Status status)
    {
        return StatusProto.toStatusRuntimeException(status);
    }

    private static String summary(final BadRequest badRequest)
    {
        final StringBuilder sb = new StringBuilder("invalid request:");
        for (int i = 0; i < badRequest.getFieldViolationsCount(); i++)
        {
            final BadRequest.FieldViolation v = badRequest.getFieldViolations(i);
            sb.append(i == 0 ? " " : "; ").append(v.getField()).append(' ').append(v.getDescription());
        }
        return sb.toString();
    }
}
