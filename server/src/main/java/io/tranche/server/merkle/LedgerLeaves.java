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
import java.util.List;

/**
 * The bytes of the ledger's leaves (docs/SEMANTICS.md "The verifiable ledger" defines them with test vectors):
 * a {@link LedgerLeaf} message encoded by protobuf, fields in number order, so that each leaf is the recorded
 * result itself and a field added to a claim or a tranche (who made the change, say) is part of it.
 * <ul>
 * <li>A tranche: the recorded tranche without its awards, digest and explanation, its award count and the root of
 * its award tree, whose leaf i is the encoding of recorded award i (explanation cleared, salt kept).</li>
 * <li>A claim change: the claim after it (as it was, for a deletion), the time and who asked for it.</li>
 * </ul>
 * Each award's salt is 16 bytes derived from a seed that travels with the release command: the salts of awards
 * 4j to 4j + 3 are the four 16-byte quarters of {@code SHA-512(seed || j as 8 bytes big-endian)}.
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
     * @param count the tranche's awards.
     * @return their salts, 16 bytes each, award i's at {@code 16 * i}.
     */
    public static byte[] salts(final byte[] seed, final int count)
    {
        final MessageDigest sha = newSha512();
        final byte[] out = new byte[SALT_BYTES * count];
        // seed || j, hashed in one update; each digest written in place (the last one may overhang: into a spare).
        final ByteBuffer input = ByteBuffer.allocate(seed.length + Long.BYTES).put(seed);
        final byte[] spare = new byte[64];
        try
        {
            for (int j = 0; 4 * j < count; j++)
            {
                sha.update(input.putLong(seed.length, j).array());
                if (4 * j + 4 <= count)
                {
                    sha.digest(out, 4 * j * SALT_BYTES, 64);
                }
                else
                {
                    sha.digest(spare, 0, 64);
                    System.arraycopy(spare, 0, out, 4 * j * SALT_BYTES, (count - 4 * j) * SALT_BYTES);
                }
            }
        }
        catch (final java.security.DigestException ex)
        {
            throw new IllegalStateException("cannot derive salts: " + ex.getMessage(), ex);
        }
        return out;
    }

    private static MessageDigest newSha512()
    {
        try
        {
            return MessageDigest.getInstance("SHA-512");
        }
        catch (final java.security.NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-512 is required of every Java platform", ex);
        }
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
        return trancheLeaf(Rfc9162.root(awardLeafHashes(sha, tranche)), tranche);
    }

    /**
     * @param awards  a workspace of the calling thread.
     * @param tranche a recorded tranche.
     * @return its leaf.
     */
    public static LedgerLeaf trancheLeaf(final AwardTree awards, final Tranche tranche)
    {
        return trancheLeaf(awards.root(tranche), tranche);
    }

    private static LedgerLeaf trancheLeaf(final byte[] awardsRoot, final Tranche tranche)
    {
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
        return claimLeaf(change, claim, timeNanos, "");
    }

    /**
     * @param change    what happened.
     * @param claim     the claim after it (as it was, for a deletion).
     * @param timeNanos when, in nanoseconds since the epoch.
     * @param principal who asked for it (the principal's name; "" when not known, which leaves the field out).
     * @return the leaf.
     */
    public static LedgerLeaf claimLeaf(
        final ClaimLeaf.Change change, final Claim claim, final long timeNanos, final String principal)
    {
        return LedgerLeaf.newBuilder().setClaim(ClaimLeaf.newBuilder()
            .setChange(change)
            .setClaim(claim)
            .setTime(timestamp(timeNanos))
            .setPrincipal(principal))
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
