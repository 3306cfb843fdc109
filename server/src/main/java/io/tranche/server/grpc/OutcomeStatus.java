package io.tranche.server.grpc;

import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.Status;
import io.tranche.server.status.Errors;
import io.tranche.server.state.Outcome;

/** The one mapping from the state machine's domain {@link Outcome}s to gRPC status. */
final class OutcomeStatus
{
    private OutcomeStatus()
    {
    }

    /**
     * @param outcome a failed outcome.
     * @return its status.
     */
    static Status of(final Outcome outcome)
    {
        switch (outcome.kind())
        {
            case INVALID:
                final BadRequest.Builder bad = BadRequest.newBuilder();
                for (final Outcome.Violation v : outcome.violations())
                {
                    bad.addFieldViolations(BadRequest.FieldViolation.newBuilder()
                        .setField(v.field()).setDescription(v.description()));
                }
                return Errors.invalidArgument(bad.build());
            case NOT_FOUND:
                return Errors.notFound(outcome.message());
            case ALREADY_EXISTS:
                return Errors.alreadyExists(outcome.message());
            case FAILED_PRECONDITION:
                return Errors.failedPrecondition(outcome.message());
            case LIMIT_REACHED:
                return Errors.resourceExhausted(outcome.message());
            case UNAVAILABLE:
                return Errors.unavailable(outcome.message());
            case CANCELLED:
                return Errors.status(Code.CANCELLED, outcome.message());
            case DEADLINE_EXCEEDED:
                return Errors.status(Code.DEADLINE_EXCEEDED, outcome.message());
            default:
                return Errors.status(Code.INTERNAL, String.valueOf(outcome.message()));
        }
    }
}
