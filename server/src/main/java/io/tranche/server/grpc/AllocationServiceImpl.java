package io.tranche.server.grpc;

import com.google.rpc.Code;
import io.grpc.stub.StreamObserver;
import io.tranche.proto.v1.AllocateRequest;
import io.tranche.proto.v1.AllocateResponse;
import io.tranche.proto.v1.AllocationServiceGrpc;
import io.tranche.server.Errors;
import io.tranche.server.allocation.AllocationEngine;

/**
 * {@code AllocationService}: stateless; validation first, then the kernel on this thread's
 * workspace (no shared locks).
 */
public final class AllocationServiceImpl extends AllocationServiceGrpc.AllocationServiceImplBase
{
    private final int maxClaims;

    /** @param maxClaims the largest number of claims in one request. */
    public AllocationServiceImpl(final int maxClaims)
    {
        this.maxClaims = maxClaims;
    }

    @Override
    public void allocate(final AllocateRequest request, final StreamObserver<AllocateResponse> observer)
    {
        if (QueueServiceImpl.dropIfCancelled(observer))
        {
            return;
        }
        if (request.getClaimsCount() > maxClaims)
        {
            observer.onError(Errors.toException(Errors.resourceExhausted(
                request.getClaimsCount() + " claims exceed the limit of " + maxClaims + " per request (--max-claims)")));
            return;
        }
        final AllocationEngine engine = AllocationEngine.forCurrentThread(maxClaims);
        final AllocateResponse response;
        try
        {
            response = engine.allocate(request);
        }
        catch (final UnsupportedOperationException ex)
        {
            observer.onError(Errors.toException(Errors.status(Code.UNIMPLEMENTED,
                "policy.method " + request.getPolicy().getMethod() + " is not available in this build: " + ex.getMessage())));
            return;
        }
        if (response == null)
        {
            observer.onError(Errors.toException(Errors.invalidArgument(Errors.badRequest(engine.violations(), ""))));
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }
}
