package io.tranche.server.allocation;

import io.tranche.kernel.Allocator;
import io.tranche.kernel.Claims;
import io.tranche.kernel.Method;
import io.tranche.kernel.Violations;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.AllocateRequest;
import io.tranche.proto.v1.AllocateResponse;

/**
 * Adapts the kernel to {@code tranche.v1} generated messages: one {@link AllocateRequest} in, one
 * {@link AllocationOutcome} out, on a reused kernel workspace. The server's {@code Allocate} uses the leaner
 * {@link WireAllocation} and comes here only for invalid requests and {@code explain}; the CLI uses it directly.
 * Not thread safe: one per thread, or owned by a single writer.
 */
public final class AllocationProtoAdapter
{
    /** Default limit on the number of claims in one problem (the CLI's). */
    public static final int DEFAULT_MAX_CLAIMS = 1 << 20;

    static final int INITIAL_CAPACITY = 1024;

    private final int maxClaims;
    private final Allocator allocator;
    private final Claims claims;
    private final Violations violations = new Violations();
    private final Violations corrected = new Violations();

    /**
     * @param maxClaims the largest number of claims accepted in one problem.
     */
    public AllocationProtoAdapter(final int maxClaims)
    {
        this.maxClaims = maxClaims;
        this.allocator = new Allocator(Math.min(INITIAL_CAPACITY, maxClaims), maxClaims);
        this.claims = new Claims(Math.min(INITIAL_CAPACITY, maxClaims));
    }

    /** @return the largest number of claims accepted in one problem. */
    public int maxClaims()
    {
        return maxClaims;
    }

    /**
     * Checks the claim count (the one check of it on this path), validates, then allocates.
     *
     * @param request the problem.
     * @return the response, or why there is none.
     */
    public AllocationOutcome allocate(final AllocateRequest request)
    {
        if (request.getClaimsCount() > maxClaims)
        {
            return AllocationOutcome.tooManyClaims(request.getClaimsCount(), maxClaims);
        }
        final Method method = AllocationMapper.method(request.getPolicy().getMethod());
        final long supply = request.getSupply();
        final long lot = request.getPolicy().getLot();
        final int ppm = request.getPolicy().getMaxSharePpm();
        AllocationMapper.toClaims(request, claims);
        if (!allocator.validate(supply, method, lot, ppm, claims, violations))
        {
            return AllocationOutcome.invalid(trueValues(request));
        }
        final long allocated = allocator.allocate(supply, method, lot, ppm, claims);
        final AllocateResponse response = AllocationMapper.toResponse(supply, claims, allocated);
        // explain is a cold path beside the kernel: the allocation above is the same either way.
        return AllocationOutcome.allocated(request.getExplain() ?
            AllocationExplainer.explainResponse(response, claims, supply, method, lot, ppm) : response);
    }

    // The kernel's "absent" is -2^63, so a present -2^63 reaches it as -2^63 + 1 (still invalid): report the value
    // the client sent. A cold path: only for requests that failed validation.
    private Violations trueValues(final AllocateRequest request)
    {
        boolean any = false;
        for (int i = 0; i < request.getClaimsCount() && !any; i++)
        {
            final Claim c = request.getClaims(i);
            any = c.getDemand() == Long.MIN_VALUE || c.getWeight() == Long.MIN_VALUE || c.getCap() == Long.MIN_VALUE ||
                c.getFloor() == Long.MIN_VALUE;
        }
        if (!any)
        {
            return violations;
        }
        corrected.clear();
        final String shifted = "was " + (Long.MIN_VALUE + 1);
        for (int v = 0; v < violations.count(); v++)
        {
            final String field = violations.field(v);
            String description = violations.description(v);
            final int open = field.indexOf('[');
            final int close = field.indexOf(']');
            if (field.startsWith("claims[") && close > open && description.endsWith(shifted))
            {
                final Claim c = request.getClaims(Integer.parseInt(field.substring(open + 1, close)));
                final String name = field.substring(close + 2);
                final boolean minimum = switch (name)
                {
                    case "demand" -> c.hasDemand() && c.getDemand() == Long.MIN_VALUE;
                    case "weight" -> c.hasWeight() && c.getWeight() == Long.MIN_VALUE;
                    case "cap" -> c.hasCap() && c.getCap() == Long.MIN_VALUE;
                    case "floor" -> c.getFloor() == Long.MIN_VALUE;
                    default -> false;
                };
                if (minimum)
                {
                    description = description.substring(0, description.length() - shifted.length()) + "was " +
                        Long.MIN_VALUE;
                }
            }
            corrected.add(field, description);
        }
        return corrected;
    }
}
