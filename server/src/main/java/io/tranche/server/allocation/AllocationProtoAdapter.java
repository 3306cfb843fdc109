package io.tranche.server.allocation;

import io.tranche.kernel.Allocator;
import io.tranche.kernel.Claims;
import io.tranche.kernel.Method;
import io.tranche.kernel.Violations;
import io.tranche.proto.v1.AllocateRequest;
import io.tranche.proto.v1.AllocateResponse;

/**
 * Adapts the kernel to {@code tranche.v1} generated messages: one {@link AllocateRequest} in, one
 * {@link AllocationOutcome} out, on a reused kernel workspace. The server's {@code Allocate} uses the leaner
 * {@link WireAllocation} on the same rules; the CLI uses this one.
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
    private final ClaimIds ids;
    private final Violations violations = new Violations();

    /**
     * @param maxClaims the largest number of claims accepted in one problem.
     */
    public AllocationProtoAdapter(final int maxClaims)
    {
        this.maxClaims = maxClaims;
        this.allocator = new Allocator(Math.min(INITIAL_CAPACITY, maxClaims), maxClaims);
        this.claims = new Claims(Math.min(INITIAL_CAPACITY, maxClaims));
        this.ids = new ClaimIds(Math.min(INITIAL_CAPACITY, maxClaims));
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
        AllocationMapper.toClaims(request, claims, ids);
        if (!allocator.validate(supply, method, lot, ppm, claims, ids, violations))
        {
            return AllocationOutcome.invalid(violations);
        }
        final long allocated = allocator.allocate(supply, method, lot, ppm, claims);
        final AllocateResponse response = AllocationMapper.toResponse(supply, claims, ids, allocated);
        // explain is a cold path beside the kernel: the allocation above is the same either way.
        return AllocationOutcome.allocated(request.getExplain() ?
            AllocationExplainer.explainResponse(response, claims, supply, method, lot, ppm) : response);
    }
}
