package io.tranche.server.merkle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Merkle tree hash of RFC 9162 (section 2.1, as in RFC 6962): SHA-256, a leaf hashed as
 * {@code H(0x00 || leaf)}, a node as {@code H(0x01 || left || right)}, the tree over n leaves split at the largest
 * power of two below n. Here are the hashes, the tree built from a list of leaf hashes (for small trees and
 * tests: the tranche's award tree), and the two verification algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2,
 * which need only the proof and the roots. Verification failures are return values.
 */
public final class Rfc9162
{
    /** Bytes in a hash. */
    public static final int HASH_BYTES = 32;

    private static final byte[] EMPTY_ROOT = newSha256().digest();

    private Rfc9162()
    {
    }

    /** @return the root of the empty tree, SHA-256 of no bytes. */
    public static byte[] emptyRoot()
    {
        return EMPTY_ROOT.clone();
    }

    /** @return a new SHA-256 digest. */
    public static MessageDigest newSha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
        }
    }

    /** @param leaf a leaf's bytes. @return SHA-256(0x00 || leaf). */
    public static byte[] leafHash(final byte[] leaf)
    {
        return leafHash(newSha256(), leaf);
    }

    /** @param sha a digest to use (reset first). @param leaf a leaf's bytes. @return SHA-256(0x00 || leaf). */
    public static byte[] leafHash(final MessageDigest sha, final byte[] leaf)
    {
        sha.reset();
        sha.update((byte)0);
        sha.update(leaf);
        return sha.digest();
    }

    /** @param left a hash. @param right a hash. @return SHA-256(0x01 || left || right). */
    public static byte[] nodeHash(final byte[] left, final byte[] right)
    {
        return nodeHash(newSha256(), left, right);
    }

    /** @param sha a digest to use. @param left a hash. @param right a hash. @return SHA-256(0x01 || left || right). */
    public static byte[] nodeHash(final MessageDigest sha, final byte[] left, final byte[] right)
    {
        sha.reset();
        sha.update((byte)1);
        sha.update(left);
        sha.update(right);
        return sha.digest();
    }

    /**
     * @param n a tree size above 1.
     * @return the largest power of two strictly below n: where RFC 9162 splits a tree of n leaves.
     */
    public static long split(final long n)
    {
        return Long.highestOneBit(n - 1);
    }

    /**
     * @param leafHashes the leaf hashes, in order.
     * @return MTH of the tree over them (the empty root for none).
     */
    public static byte[] root(final List<byte[]> leafHashes)
    {
        return leafHashes.isEmpty() ? emptyRoot() : mth(newSha256(), leafHashes, 0, leafHashes.size());
    }

    private static byte[] mth(final MessageDigest sha, final List<byte[]> hashes, final int from, final int to)
    {
        if (to - from == 1)
        {
            return hashes.get(from);
        }
        final int k = (int)split(to - from);
        final byte[] left = mth(sha, hashes, from, from + k);
        final byte[] right = mth(sha, hashes, from + k, to);
        return nodeHash(sha, left, right);
    }

    /**
     * PATH(m, D[n]) of RFC 9162 section 2.1.3.1, over leaf hashes in memory.
     *
     * @param index      the leaf, 0-based.
     * @param leafHashes the tree's leaf hashes.
     * @return the audit path, from the leaf's sibling up.
     */
    public static List<byte[]> inclusionPath(final int index, final List<byte[]> leafHashes)
    {
        if (index < 0 || index >= leafHashes.size())
        {
            throw new IllegalArgumentException("index=" + index + " not in a tree of " + leafHashes.size());
        }
        final List<byte[]> path = new ArrayList<>();
        path(newSha256(), index, leafHashes, 0, leafHashes.size(), path);
        return path;
    }

    private static void path(
        final MessageDigest sha, final int m, final List<byte[]> hashes, final int from, final int to,
        final List<byte[]> out)
    {
        if (to - from == 1)
        {
            return;
        }
        final int k = (int)split(to - from);
        if (m < from + k)
        {
            path(sha, m, hashes, from, from + k, out);
            out.add(mth(sha, hashes, from + k, to));
        }
        else
        {
            path(sha, m, hashes, from + k, to, out);
            out.add(mth(sha, hashes, from, from + k));
        }
    }

    /**
     * PROOF(m, D[n]) of RFC 9162 section 2.1.4.1, over leaf hashes in memory.
     *
     * @param m          the older size, 0 &lt;= m &lt;= n.
     * @param leafHashes the newer tree's leaf hashes (n of them).
     * @return the consistency proof (empty when m is 0 or n).
     */
    public static List<byte[]> consistencyProof(final int m, final List<byte[]> leafHashes)
    {
        final List<byte[]> proof = new ArrayList<>();
        if (m > 0 && m < leafHashes.size())
        {
            subproof(newSha256(), m, leafHashes, 0, leafHashes.size(), true, proof);
        }
        return proof;
    }

    private static void subproof(
        final MessageDigest sha, final int m, final List<byte[]> hashes, final int from, final int to,
        final boolean whole, final List<byte[]> out)
    {
        final int n = to - from;
        if (m == n)
        {
            if (!whole)
            {
                out.add(mth(sha, hashes, from, to));
            }
            return;
        }
        final int k = (int)split(n);
        if (m <= k)
        {
            subproof(sha, m, hashes, from, from + k, whole, out);
            out.add(mth(sha, hashes, from + k, to));
        }
        else
        {
            subproof(sha, m - k, hashes, from + k, to, false, out);
            out.add(mth(sha, hashes, from, from + k));
        }
    }

    /**
     * The root an inclusion proof leads to (RFC 9162 section 2.1.3.2, steps 1 to 4).
     *
     * @param index    the leaf's index.
     * @param size     the tree size.
     * @param leafHash the leaf's hash.
     * @param path     the audit path.
     * @return the root, or null when the proof cannot be one for this index and size (wrong length, index past
     *         the end).
     */
    public static byte[] rootFromInclusion(final long index, final long size, final byte[] leafHash,
        final List<byte[]> path)
    {
        if (index < 0 || index >= size || leafHash.length != HASH_BYTES)
        {
            return null;
        }
        final MessageDigest sha = newSha256();
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (final byte[] p : path)
        {
            if (sn == 0 || p.length != HASH_BYTES)
            {
                return null;
            }
            if ((fn & 1) == 1 || fn == sn)
            {
                r = nodeHash(sha, p, r);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                r = nodeHash(sha, r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 ? r : null;
    }

    /**
     * RFC 9162 section 2.1.3.2.
     *
     * @param index    the leaf's index.
     * @param size     the tree size.
     * @param leafHash the leaf's hash.
     * @param path     the audit path.
     * @param root     the root at that size.
     * @return true when the path proves the leaf at that index of the tree with that root.
     */
    public static boolean verifyInclusion(final long index, final long size, final byte[] leafHash,
        final List<byte[]> path, final byte[] root)
    {
        final byte[] r = rootFromInclusion(index, size, leafHash, path);
        return r != null && MessageDigest.isEqual(r, root);
    }

    /**
     * RFC 9162 section 2.1.4.2, with its two trivial cases: equal sizes need an empty proof and equal roots, and
     * the empty tree is consistent with every tree (an empty proof).
     *
     * @param m     the older size.
     * @param n     the newer size.
     * @param rootM the older root.
     * @param rootN the newer root.
     * @param proof the consistency proof.
     * @return true when the tree at n extends the tree at m.
     */
    public static boolean verifyConsistency(final long m, final long n, final byte[] rootM, final byte[] rootN,
        final List<byte[]> proof)
    {
        if (m < 0 || m > n)
        {
            return false;
        }
        if (m == n)
        {
            return proof.isEmpty() && MessageDigest.isEqual(rootM, rootN);
        }
        if (m == 0)
        {
            return proof.isEmpty();
        }
        if (proof.isEmpty())
        {
            return false;
        }
        final List<byte[]> path = new ArrayList<>(proof.size() + 1);
        if (Long.bitCount(m) == 1)
        {
            path.add(rootM);
        }
        path.addAll(proof);
        for (final byte[] p : path)
        {
            if (p.length != HASH_BYTES)
            {
                return false;
            }
        }
        final MessageDigest sha = newSha256();
        long fn = m - 1;
        long sn = n - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (int i = 1; i < path.size(); i++)
        {
            final byte[] c = path.get(i);
            if (sn == 0)
            {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = nodeHash(sha, c, fr);
                sr = nodeHash(sha, c, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                sr = nodeHash(sha, sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(fr, rootM) && MessageDigest.isEqual(sr, rootN);
    }

    /** @param hash bytes. @return lower-case hex. */
    public static String hex(final byte[] hash)
    {
        final StringBuilder sb = new StringBuilder(hash.length * 2);
        for (final byte b : hash)
        {
            sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }

    /** @param a a hash. @param b a hash. @return true when equal. */
    public static boolean equal(final byte[] a, final byte[] b)
    {
        return Arrays.equals(a, b);
    }
}
