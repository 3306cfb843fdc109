package io.tranche.server.allocation;

import io.tranche.kernel.Allocator;
import io.tranche.kernel.Claims;
import io.tranche.kernel.Method;
import io.tranche.kernel.Violations;
import io.tranche.proto.v1.AllocateRequest;
import io.tranche.proto.v1.AllocateResponse;

/**
 * Validates and runs one {@link AllocateRequest} on a reused kernel workspace. Not thread safe:
 * one per thread (see {@link #forCurrentThread(int)}) or owned by a single writer.
 */
public final class AllocationEngine
{
    /** Default limit on the number of claims in one problem. */
    public static final int DEFAULT_MAX_CLAIMS = 1 << 20;

    private static final int INITIAL_CAPACITY = 1024;

    private final Allocator allocator;
    private final Claims claims;
    private final Violations violations = new Violations();

    /**
     * @param maxClaims the largest number of claims accepted in one problem.
     */
    public AllocationEngine(final int maxClaims)
    {
        this.allocator = new Allocator(Math.min(INITIAL_CAPACITY, maxClaims), maxClaims);
        this.claims = new Claims(Math.min(INITIAL_CAPACITY, maxClaims));
    }

    /**
     * @param maxClaims the limit for engines created on this thread.
     * @return this thread's engine (created on first use).
     */
    public static AllocationEngine forCurrentThread(final int maxClaims)
    {
        final AllocationEngine[] holder = PER_THREAD.get();
        AllocationEngine engine = holder[0];
        if (engine == null || engine.allocator.capacity() != maxClaims)
        {
            engine = new AllocationEngine(maxClaims);
            holder[0] = engine;
        }
        return engine;
    }

    private static final ThreadLocal<AllocationEngine[]> PER_THREAD = ThreadLocal.withInitial(() -> new AllocationEngine[1]);

    /**
     * @param request the problem.
     * @return the response, or null when the request is invalid: read {@link #violations()}.
     */
    public AllocateResponse allocate(final AllocateRequest request)
    {
        final Method method = AllocationMapper.method(request.getPolicy().getMethod());
        final long supply = request.getSupply();
        final long lot = request.getPolicy().getLot();
        final int ppm = request.getPolicy().getMaxSharePpm();
        if (request.getClaimsCount() > allocator.capacity())
        {
            violations.clear();
            violations.add("claims", request.getClaimsCount() + " claims exceed the limit of " + allocator.capacity());
            return null;
        }
        AllocationMapper.toClaims(request, claims);
        if (!allocator.validate(supply, method, lot, ppm, claims, violations))
        {
            return null;
        }
        final long allocated = allocator.allocate(supply, method, lot, ppm, claims);
        final AllocateResponse response = AllocationMapper.toResponse(supply, claims, allocated);
        // explain is a cold path beside the kernel: the allocation above is the same either way.
        return request.getExplain() ? AllocationExplainer.explainResponse(response, claims, supply, method, lot, ppm) : response;
    }

    /** @return the violations of the last rejected request. */
    public Violations violations()
    {
        return violations;
    }
}
