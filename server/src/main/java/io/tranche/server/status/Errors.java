package io.tranche.server.status;

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
        return StatusProto.toStatusRuntimeException(bounded(status));
    }

    /** A status whose serialized form is at most this many bytes is sent as it is. */
    static final int SMALL_STATUS_BYTES = 2048;
    /** Longest message sent, in UTF-8 bytes. */
    static final int MAX_MESSAGE_BYTES = 400;
    /** Most field violations sent. */
    static final int MAX_VIOLATIONS = 10;
    /** Longest field path sent, in UTF-8 bytes. */
    static final int MAX_FIELD_BYTES = 100;
    /** Longest violation description sent, in UTF-8 bytes. */
    static final int MAX_DESCRIPTION_BYTES = 200;

    /**
     * Bounds what a status echoes of the request. The trailers carry the message twice (grpc-message, and inside
     * grpc-status-details-bin with the violations): with an echoed 70,000-char id, or a violation per claim of a big
     * request, they exceed the client's metadata limit (8 KiB by default in grpc-java), and the client then sees
     * INTERNAL instead of the code we sent. Bounded as here they stay under about 6 KiB.
     *
     * @param status a status.
     * @return it, or a copy with shortened message, violations and violation texts.
     */
    public static Status bounded(final Status status)
    {
        if (status.getSerializedSize() <= SMALL_STATUS_BYTES)
        {
            return status;
        }
        final Status.Builder b = status.toBuilder().setMessage(truncate(status.getMessage(), MAX_MESSAGE_BYTES));
        for (int i = 0; i < b.getDetailsCount(); i++)
        {
            final Any any = b.getDetails(i);
            if (any.is(BadRequest.class))
            {
                final BadRequest badRequest;
                try
                {
                    badRequest = any.unpack(BadRequest.class);
                }
                catch (final com.google.protobuf.InvalidProtocolBufferException ex)
                {
                    throw new IllegalStateException("cannot unpack our own BadRequest", ex);
                }
                final BadRequest.Builder shortened = BadRequest.newBuilder();
                final int count = badRequest.getFieldViolationsCount();
                for (int v = 0; v < Math.min(count, MAX_VIOLATIONS); v++)
                {
                    final BadRequest.FieldViolation fv = badRequest.getFieldViolations(v);
                    shortened.addFieldViolations(BadRequest.FieldViolation.newBuilder()
                        .setField(truncate(fv.getField(), MAX_FIELD_BYTES))
                        .setDescription(truncate(fv.getDescription(), MAX_DESCRIPTION_BYTES)));
                }
                if (count > MAX_VIOLATIONS)
                {
                    b.setMessage(truncate(status.getMessage(), MAX_MESSAGE_BYTES - 48) +
                        " (" + count + " violations, the first " + MAX_VIOLATIONS + " in details)");
                }
                b.setDetails(i, Any.pack(shortened.build()));
            }
        }
        return b.build();
    }

    /**
     * @param s        a string.
     * @param maxBytes most UTF-8 bytes to keep.
     * @return s, or its longest prefix of whole code points that fits in maxBytes - 3 followed by an ellipsis.
     */
    static String truncate(final String s, final int maxBytes)
    {
        if (s.length() * 3 <= maxBytes)
        {
            return s;
        }
        int bytes = 0;
        int i = 0;
        int cut = -1;
        while (i < s.length())
        {
            final int cp = s.codePointAt(i);
            final int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > maxBytes - 3 && cut < 0)
            {
                cut = i;
            }
            bytes += n;
            if (bytes > maxBytes)
            {
                return s.substring(0, cut) + "\u2026";
            }
            i += Character.charCount(cp);
        }
        return s;
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
