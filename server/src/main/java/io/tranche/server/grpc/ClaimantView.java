package io.tranche.server.grpc;

import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.auth.Principal;

/**
 * What a claimant sees of a tranche: its own awards and the tranche's totals (number, request id, supply, policy,
 * allocated, unallocated, time, who released it). The other firms' rows are left out, and so is the tranche-level
 * explanation of a preview (its level and priorities are computed from every claim); the claimant's own rows keep
 * theirs. {@code awards_filtered} says so: the totals cannot be checked against this view; the claimant proves its
 * own awards with inclusion proofs instead ({@code tranche proof}).
 */
final class ClaimantView
{
    private ClaimantView()
    {
    }

    /**
     * @param tranche   a tranche as recorded (or previewed).
     * @param principal the caller.
     * @return the tranche itself for a principal that reaches every claim, else its view.
     */
    static Tranche of(final Tranche tranche, final Principal principal)
    {
        if (!principal.scoped())
        {
            return tranche;
        }
        final Tranche.Builder view = tranche.toBuilder().clearAwards().clearExplanation().setAwardsFiltered(true);
        for (int i = 0, n = tranche.getAwardsCount(); i < n; i++)
        {
            final Award award = tranche.getAwards(i);
            if (principal.reaches(award.getId()))
            {
                view.addAwards(award);
            }
        }
        return view.build();
    }
}
