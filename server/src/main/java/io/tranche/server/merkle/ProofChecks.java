package io.tranche.server.merkle;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.ClaimLeaf;
import io.tranche.proto.v1.InclusionProof;
import io.tranche.proto.v1.LedgerLeaf;
import io.tranche.proto.v1.TrancheLeaf;
import java.util.ArrayList;
import java.util.List;

/**
 * What a client checks of the ledger's proofs, against a checkpoint it has verified: an award's two inclusion
 * proofs (the award in its tranche's award tree, the tranche's leaf in the ledger's tree), and a readable line for
 * any leaf.
 */
public final class ProofChecks
{
    private ProofChecks()
    {
    }

    /**
     * An award proven, or why not.
     *
     * @param problem null when proven.
     * @param tranche the tranche's leaf.
     * @param award   the award.
     */
    public record AwardResult(String problem, TrancheLeaf tranche, Award award)
    {
    }

    /**
     * @param proof      an award's inclusion proof.
     * @param trancheNo  the tranche asked for.
     * @param claimId    the claim asked for.
     * @param checkpoint a verified checkpoint whose size is the proof's.
     * @return the award, or the first reason the proof fails.
     */
    public static AwardResult award(final InclusionProof proof, final long trancheNo, final String claimId,
        final Checkpoint checkpoint)
    {
        if (proof.getTreeSize() != checkpoint.size())
        {
            return failed("the proof is for tree size " + proof.getTreeSize() + ", the checkpoint's is " +
                checkpoint.size());
        }
        final LedgerLeaf leaf;
        final Award award;
        try
        {
            leaf = LedgerLeaf.parseFrom(proof.getLeaf());
            award = Award.parseFrom(proof.getAward().getAwardLeaf());
        }
        catch (final InvalidProtocolBufferException ex)
        {
            return failed("the proof's leaf does not parse: " + ex.getMessage());
        }
        if (!leaf.hasTranche() || leaf.getTranche().getTranche().getNumber() != trancheNo)
        {
            return failed("the proof's leaf is not tranche " + trancheNo + ": " +
                describe(proof.getLeaf().toByteArray()));
        }
        if (!award.getId().equals(claimId))
        {
            return failed("the proof's award is for claim " + award.getId() + ", not " + claimId);
        }
        final TrancheLeaf tranche = leaf.getTranche();
        if (proof.getAward().getAwardCount() != tranche.getAwardCount() ||
            !Rfc9162.verifyInclusion(proof.getAward().getAwardIndex(), tranche.getAwardCount(),
            Rfc9162.leafHash(proof.getAward().getAwardLeaf().toByteArray()),
            hashes(proof.getAward().getAuditPathList()), tranche.getAwardsRoot().toByteArray()))
        {
            return failed("the award's audit path does not lead to tranche " + trancheNo + "'s award root");
        }
        if (!Rfc9162.verifyInclusion(proof.getLeafIndex(), checkpoint.size(), Rfc9162.leafHash(proof.getLeaf()
            .toByteArray()), hashes(proof.getAuditPathList()), checkpoint.root()))
        {
            return failed("tranche " + trancheNo + "'s leaf " + proof.getLeafIndex() + " and its audit path do not " +
                "lead to the checkpoint's root at size " + checkpoint.size());
        }
        return new AwardResult(null, tranche, award);
    }

    private static AwardResult failed(final String problem)
    {
        return new AwardResult(problem, null, null);
    }

    /** @param path hashes as sent. @return them as arrays. */
    public static List<byte[]> hashes(final List<ByteString> path)
    {
        final List<byte[]> out = new ArrayList<>(path.size());
        for (final ByteString hash : path)
        {
            out.add(hash.toByteArray());
        }
        return out;
    }

    /**
     * @param leaf a leaf's bytes.
     * @return what it records, in a few words.
     */
    public static String describe(final byte[] leaf)
    {
        final LedgerLeaf parsed;
        try
        {
            parsed = LedgerLeaf.parseFrom(leaf);
        }
        catch (final InvalidProtocolBufferException ex)
        {
            return "bytes that are not a ledger leaf";
        }
        if (parsed.hasTranche())
        {
            final io.tranche.proto.v1.Tranche t = parsed.getTranche().getTranche();
            return "tranche " + t.getNumber() + " (request " + t.getRequestId() + ", supply " + t.getSupply() + ", " +
                parsed.getTranche().getAwardCount() + " awards, allocated " + t.getAllocated() + ")";
        }
        if (parsed.hasClaim())
        {
            final ClaimLeaf c = parsed.getClaim();
            final String change = switch (c.getChange())
            {
                case CREATED -> "created";
                case UPDATED -> "updated";
                case DELETED -> "deleted";
                case CARRIED_OVER -> "carried over";
                default -> "changed";
            };
            return "claim " + c.getClaim().getId() + " " + change + " (demand " + c.getClaim().getDemand() +
                ", position " + c.getClaim().getPosition() + ")";
        }
        return "an empty leaf";
    }
}
