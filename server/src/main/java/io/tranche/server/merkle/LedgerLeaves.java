package io.tranche.server.merkle;

import com.google.protobuf.Timestamp;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.ClaimLeaf;
import io.tranche.proto.v1.LedgerLeaf;
import io.tranche.proto.v1.Tranche;
import io.tranche.proto.v1.TrancheLeaf;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bytes of the ledger's leaves (docs/SEMANTICS.md "The verifiable ledger" defines them with test vectors):
 * a {@link LedgerLeaf} message encoded by protobuf, fields in number order, so that each leaf is the recorded
 * result itself and a field added to a claim or a tranche (who made the change, say) is part of it.
 * <ul>
 * <li>A tranche: the recorded tranche without its awards, digest and explanation, its award count and the root of
 * its award tree, whose leaf i is the encoding of recorded award i (explanation cleared, salt kept).</li>
 * <li>A claim change: the claim after it (as it was, for a deletion) and the time.</li>
 * </ul>
 * Each award's salt is 16 bytes derived from a seed that travels with the release command:
 * {@code SHA-256(seed || i as 8 bytes big-endian)[0:16]} for award i.
 */
public final class LedgerLeaves
{
    /** Bytes in an award's salt. */
    public static final int SALT_BYTES = 16;

    private LedgerLeaves()
    {
    }

    /**
     * @param seed  the release's salt seed (32 bytes).
     * @param index the award's position in the tranche.
     * @return its salt.
     */
    public static byte[] salt(final byte[] seed, final int index)
    {
        final MessageDigest sha = Rfc9162.newSha256();
        sha.update(seed);
        sha.update(ByteBuffer.allocate(Long.BYTES).putLong(index).array());
        return Arrays.copyOf(sha.digest(), SALT_BYTES);
    }

    /** @param award a recorded award. @return its leaf in the tranche's award tree. */
    public static byte[] awardLeaf(final Award award)
    {
        return (award.hasExplanation() ? award.toBuilder().clearExplanation().build() : award).toByteArray();
    }

    /**
     * @param sha     a digest to use.
     * @param tranche a recorded tranche.
     * @return the leaf hashes of its award tree, in award order.
     */
    public static List<byte[]> awardLeafHashes(final MessageDigest sha, final Tranche tranche)
    {
        final List<byte[]> hashes = new ArrayList<>(tranche.getAwardsCount());
        for (int i = 0, n = tranche.getAwardsCount(); i < n; i++)
        {
            hashes.add(Rfc9162.leafHash(sha, awardLeaf(tranche.getAwards(i))));
        }
        return hashes;
    }

    /**
     * @param sha     a digest to use.
     * @param tranche a recorded tranche.
     * @return its leaf.
     */
    public static LedgerLeaf trancheLeaf(final MessageDigest sha, final Tranche tranche)
    {
        final byte[] awardsRoot = Rfc9162.root(awardLeafHashes(sha, tranche));
        return LedgerLeaf.newBuilder().setTranche(TrancheLeaf.newBuilder()
            .setTranche(tranche.toBuilder().clearAwards().clearDigest().clearExplanation())
            .setAwardCount(tranche.getAwardsCount())
            .setAwardsRoot(com.google.protobuf.ByteString.copyFrom(awardsRoot)))
            .build();
    }

    /**
     * @param change    what happened to the claim.
     * @param claim     the claim after it (as it was, for a deletion).
     * @param timeNanos the change's time, nanoseconds since the epoch.
     * @return its leaf.
     */
    public static LedgerLeaf claimLeaf(final ClaimLeaf.Change change, final Claim claim, final long timeNanos)
    {
        return LedgerLeaf.newBuilder().setClaim(ClaimLeaf.newBuilder()
            .setChange(change)
            .setClaim(claim)
            .setTime(timestamp(timeNanos)))
            .build();
    }

    /** @param timeNanos nanoseconds since the epoch. @return the timestamp. */
    public static Timestamp timestamp(final long timeNanos)
    {
        return Timestamp.newBuilder()
            .setSeconds(Math.floorDiv(timeNanos, 1_000_000_000L))
            .setNanos((int)Math.floorMod(timeNanos, 1_000_000_000L))
            .build();
    }
}
