package io.tranche.server.allocation;

import io.tranche.kernel.Violations;
import io.tranche.proto.v1.AllocateResponse;

/**
 * What one {@code Allocate} request came to: a response, the field violations of an invalid request, or a request
 * over the claim limit. The gRPC layer alone maps it to a status (INVALID_ARGUMENT, RESOURCE_EXHAUSTED).
 */
public final class AllocationOutcome
{
    /** The three ways a request ends. */
    public enum Kind
    {
        /** Valid: {@link #response()} holds the awards. */
        ALLOCATED,
        /** Invalid: {@link #violations()} names every bad field. */
        INVALID,
        /** More claims than the limit: {@link #message()} says how many. */
        TOO_MANY_CLAIMS
    }

    private final Kind kind;
    private final AllocateResponse response;
    private final Violations violations;
    private final String message;

    private AllocationOutcome(
        final Kind kind, final AllocateResponse response, final Violations violations, final String message)
    {
        this.kind = kind;
        this.response = response;
        this.violations = violations;
        this.message = message;
    }

    static AllocationOutcome allocated(final AllocateResponse response)
    {
        return new AllocationOutcome(Kind.ALLOCATED, response, null, null);
    }

    /**
     * @param violations every bad field (copied).
     * @return the outcome of an invalid request.
     */
    public static AllocationOutcome invalid(final Violations violations)
    {
        final Violations copy = new Violations();
        copy.addAll(violations);
        return new AllocationOutcome(Kind.INVALID, null, copy, null);
    }

    /**
     * @param count     claims in the request.
     * @param maxClaims the limit.
     * @return the outcome of a request over the limit.
     */
    public static AllocationOutcome tooManyClaims(final int count, final int maxClaims)
    {
        return new AllocationOutcome(Kind.TOO_MANY_CLAIMS, null, null, tooManyClaimsMessage(count, maxClaims));
    }

    /**
     * @param count     claims in the request.
     * @param maxClaims the limit.
     * @return the one message for a request over the limit.
     */
    public static String tooManyClaimsMessage(final int count, final int maxClaims)
    {
        return count + " claims exceed the limit of " + maxClaims + " per request (--max-claims)";
    }

    /** @return how the request ended. */
    public Kind kind()
    {
        return kind;
    }

    /** @return the response when {@link Kind#ALLOCATED}, else null. */
    public AllocateResponse response()
    {
        return response;
    }

    /** @return the field violations when {@link Kind#INVALID}, else null. */
    public Violations violations()
    {
        return violations;
    }

    /** @return what went wrong when {@link Kind#TOO_MANY_CLAIMS}, else null. */
    public String message()
    {
        return message;
    }
}
