package io.tranche.server.merkle;

import com.google.protobuf.CodedOutputStream;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Tranche;
import java.io.IOException;
import java.security.DigestException;
import java.security.MessageDigest;

/**
 * The root of a tranche's award tree (RFC 9162 over the encodings of its awards), computed with reused buffers and
 * one digest, so that a release costs the writer hashes, not garbage: each award is encoded into one buffer and
 * hashed, and the tree is folded as it grows, keeping one hash per set bit of the count (as {@link MerkleLog}
 * does). One instance per thread.
 */
public final class AwardTree
{
    private static final int MAX_LEVELS = 64;

    private final MessageDigest sha = Rfc9162.newSha256();
    private final byte[][] edge = new byte[MAX_LEVELS][Rfc9162.HASH_BYTES];
    private final byte[] node = new byte[Rfc9162.HASH_BYTES];
    // 0x01 || left || right, hashed in one update.
    private final byte[] pair = new byte[1 + 2 * Rfc9162.HASH_BYTES];
    // 0x00 || the award's encoding, hashed in one update.
    private byte[] buffer = new byte[256];

    /**
     * @param tranche a recorded tranche.
     * @return the root of its award tree (the empty tree's root for no award).
     */
    public byte[] root(final Tranche tranche)
    {
        final int count = tranche.getAwardsCount();
        for (int i = 0; i < count; i++)
        {
            leafHash(tranche.getAwards(i), node);
            int level = 0;
            // Leaf i completes the subtrees whose right edge it is: one per trailing 1 bit of i.
            for (long at = i; (at & 1) == 1; at >>= 1)
            {
                hash(edge[level], node, node);
                level++;
            }
            System.arraycopy(node, 0, edge[level], 0, Rfc9162.HASH_BYTES);
        }
        if (count == 0)
        {
            return Rfc9162.emptyRoot();
        }
        byte[] root = null;
        for (int level = 0; level < MAX_LEVELS; level++)
        {
            if ((count & (1L << level)) != 0)
            {
                if (root == null)
                {
                    root = edge[level].clone();
                }
                else
                {
                    hash(edge[level], root, root);
                }
            }
        }
        return root;
    }

    private void leafHash(final Award award, final byte[] out)
    {
        final Award leaf = award.hasExplanation() ? award.toBuilder().clearExplanation().build() : award;
        final int size = leaf.getSerializedSize();
        if (buffer.length < size + 1)
        {
            buffer = new byte[Math.max(size + 1, 2 * buffer.length)];
        }
        try
        {
            final CodedOutputStream stream = CodedOutputStream.newInstance(buffer, 1, size);
            leaf.writeTo(stream);
            stream.checkNoSpaceLeft();
            buffer[0] = 0;
            sha.update(buffer, 0, size + 1);
            sha.digest(out, 0, Rfc9162.HASH_BYTES);
        }
        catch (final IOException | DigestException ex)
        {
            throw new IllegalStateException("cannot hash an award: " + ex.getMessage(), ex);
        }
    }

    private void hash(final byte[] left, final byte[] right, final byte[] out)
    {
        try
        {
            pair[0] = 1;
            System.arraycopy(left, 0, pair, 1, Rfc9162.HASH_BYTES);
            System.arraycopy(right, 0, pair, 1 + Rfc9162.HASH_BYTES, Rfc9162.HASH_BYTES);
            sha.update(pair, 0, pair.length);
            sha.digest(out, 0, Rfc9162.HASH_BYTES);
        }
        catch (final DigestException ex)
        {
            throw new IllegalStateException("cannot hash a node: " + ex.getMessage(), ex);
        }
    }
}
