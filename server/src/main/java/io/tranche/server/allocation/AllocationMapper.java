package io.tranche.server.allocation;

import io.tranche.kernel.Claims;
import io.tranche.kernel.Method;
import io.tranche.proto.v1.AllocateRequest;
import io.tranche.proto.v1.AllocateResponse;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Claim;

/**
 * The one mapping between {@code tranche.v1} messages and the kernel's {@link Claims}.
 */
public final class AllocationMapper
{
    private static final Method[] BY_NUMBER = byNumber();

    private AllocationMapper()
    {
    }

    /**
     * @param number a wire {@code tranche.v1.Method} number.
     * @return the kernel method, or null for {@code METHOD_UNSPECIFIED} and unknown numbers.
     */
    public static Method method(final int number)
    {
        return number > 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
    }

    private static Method[] byNumber()
    {
        final Method[] byNumber = new Method[Method.values().length + 1];
        for (final Method method : Method.values())
        {
            byNumber[io.tranche.proto.v1.Method.valueOf(method.name()).getNumber()] = method;
        }
        return byNumber;
    }

    /**
     * @param method the wire method.
     * @return the kernel method, or null for {@code METHOD_UNSPECIFIED} and unknown values.
     */
    public static Method method(final io.tranche.proto.v1.Method method)
    {
        if (method == null || method == io.tranche.proto.v1.Method.UNRECOGNIZED ||
            method == io.tranche.proto.v1.Method.METHOD_UNSPECIFIED)
        {
            return null;
        }
        return Method.valueOf(method.name());
    }

    /**
     * Appends one wire claim to the kernel's claims (which know it by index: the id stays the caller's).
     *
     * @param claim the wire claim.
     * @param out   the kernel claims.
     */
    public static void addClaim(final Claim claim, final Claims out)
    {
        out.add(claim.getDemand(), claim.getWeight(), claim.getTier(), claim.getCap(), claim.getFloor(),
            (claim.hasDemand() ? Claims.DEMAND : 0) | (claim.hasWeight() ? Claims.WEIGHT : 0) |
            (claim.hasCap() ? Claims.CAP : 0));
    }

    /**
     * Fills the kernel's claims and their ids from a request, in request order.
     *
     * @param request the request.
     * @param out     cleared, then filled.
     * @param ids     cleared, then filled.
     */
    static void toClaims(final AllocateRequest request, final Claims out, final ClaimIds ids)
    {
        out.clear();
        ids.clear();
        out.ensureCapacity(request.getClaimsCount());
        for (int i = 0, n = request.getClaimsCount(); i < n; i++)
        {
            addClaim(request.getClaims(i), out);
            ids.add(request.getClaims(i).getId());
        }
    }

    /**
     * Builds the response from the awards the kernel wrote into {@code claims}.
     *
     * @param supply    the request's supply.
     * @param claims    the allocated claims.
     * @param ids       their ids.
     * @param allocated units allocated.
     * @return the response, awards in claim order.
     */
    static AllocateResponse toResponse(final long supply, final Claims claims, final ClaimIds ids, final long allocated)
    {
        final AllocateResponse.Builder response = AllocateResponse.newBuilder();
        for (int i = 0, n = claims.count(); i < n; i++)
        {
            final Award.Builder award = Award.newBuilder().setId(ids.id(i)).setUnits(claims.award(i));
            if (claims.has(i, Claims.DEMAND))
            {
                award.setUnmet(claims.demand(i) - claims.award(i));
            }
            response.addAwards(award);
        }
        return response.setAllocated(allocated).setUnallocated(supply - allocated).build();
    }
}
