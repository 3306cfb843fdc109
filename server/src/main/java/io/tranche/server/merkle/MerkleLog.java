package io.tranche.server.merkle;

import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An append-only log of leaves with its RFC 9162 Merkle tree: the leaves' bytes in a {@link LeafStore}, the
 * complete subtrees' hashes in a {@link NodeStore}. The heap holds only
 * the right edge (one hash per set bit of the size, at most 64), so memory stays bounded whatever the size.
 * Appending a leaf writes its hash and the nodes it completes (one on average, log2 n at most) and costs as many
 * hashes; a root, an audit path or a consistency proof at any size up to the current one reads O(log n) stored
 * nodes (a range that is not a perfect subtree is folded from the perfect ones it splits into, RFC 9162's MTH).
 * <p>
 * One writer appends; other threads may read proofs and roots at sizes up to {@link #durableSize()}.
 */
public final class MerkleLog
{
    private static final int MAX_LEVELS = 64;

    private final NodeStore store;
    private final LeafStore leaves;
    private final MessageDigest sha = Rfc9162.newSha256();
    // frontier[level] = the perfect subtree at that level on the right edge, valid where bit `level` of size is set.
    private final byte[][] frontier = new byte[MAX_LEVELS][];
    private long size;
    private volatile long durableSize;
    // Leaves the stores held past the size they were reset to (a restart replays their log): each appended again is
    // compared with the stored one and written only when it differs, so a replay writes nothing it need not.
    private long kept;

    /**
     * An empty log over its stores; {@link #reset} adopts leaves the stores already hold, {@link #truncate} drops
     * them.
     *
     * @param store  the nodes.
     * @param leaves the leaves' bytes.
     */
    public MerkleLog(final NodeStore store, final LeafStore leaves)
    {
        this.store = store;
        this.leaves = leaves;
    }

    /** @return a log in the heap, empty. */
    public static MerkleLog inHeap()
    {
        return new MerkleLog(new HeapNodes(), new HeapLeaves());
    }

    /**
     * Appends a leaf.
     *
     * @param leaf its bytes.
     * @return its index.
     * @throws IOException when a store cannot be written (the log is then as before).
     */
    public long append(final byte[] leaf) throws IOException
    {
        return append(leaf, Rfc9162.leafHash(sha, leaf));
    }

    /**
     * Appends a leaf whose hash the caller computed.
     *
     * @param leaf     its bytes.
     * @param leafHash {@code SHA-256(0x00 || leaf)}.
     * @return its index.
     * @throws IOException when a store cannot be written (the log is then as before).
     */
    public long append(final byte[] leaf, final byte[] leafHash) throws IOException
    {
        final long index = size;
        if (index < kept && !stored(index, leaf, leafHash))
        {
            kept = index;
        }
        final boolean replayed = index < kept;
        if (!replayed)
        {
            leaves.write(index, leaf);
            store.write(0, index, leafHash);
        }
        // A copy: the caller may reuse its array, and the right edge keeps this one.
        push(sha, frontier, index, leafHash.clone(), store, replayed);
        size = index + 1;
        return index;
    }

    /** @return leaves appended (the writer's view). */
    public long size()
    {
        return size;
    }

    /** @return leaves that readers may see. */
    public long durableSize()
    {
        return durableSize;
    }

    /** Everything appended so far may be read by other threads. */
    public void markDurable()
    {
        durableSize = size;
    }

    /** @return the root at the current size, from the right edge (no reads). */
    public byte[] root()
    {
        final byte[] root = fold(sha, frontier, size);
        return root == null ? Rfc9162.emptyRoot() : root.clone();
    }

    /**
     * @param treeSize a size up to the current one.
     * @return the root at that size.
     * @throws IOException when a node cannot be read.
     */
    public byte[] rootAt(final long treeSize) throws IOException
    {
        check(treeSize);
        return treeSize == 0 ? Rfc9162.emptyRoot() : subtree(Rfc9162.newSha256(), 0, treeSize);
    }

    /**
     * @param index a leaf below the current size.
     * @return its hash.
     * @throws IOException when it cannot be read.
     */
    public byte[] leafHash(final long index) throws IOException
    {
        if (index < 0 || index >= size)
        {
            throw new IllegalArgumentException("leaf index=" + index + " not in a tree of " + size);
        }
        return store.read(0, index);
    }

    /**
     * @param index a leaf below the current size.
     * @return its bytes.
     * @throws IOException when they cannot be read intact.
     */
    public byte[] leaf(final long index) throws IOException
    {
        if (index < 0 || index >= size)
        {
            throw new IllegalArgumentException("leaf index=" + index + " not in a log of " + size);
        }
        return leaves.read(index);
    }

    /**
     * Hands every leaf below the current size to the sink in order, each checked as {@link #leaf} checks it.
     *
     * @param sink receives them.
     * @throws IOException when one cannot be read intact, or the sink fails.
     */
    public void forEachLeaf(final LeafStore.LeafSink sink) throws IOException
    {
        leaves.forEach(size, sink);
    }

    /**
     * The root at the current size computed again from the stored leaves alone (each checked as {@link #leaf}
     * checks it), not from the stored nodes: what a member compares with a recorded root before it trusts its
     * files.
     *
     * @return MTH of the leaves.
     * @throws IOException when a leaf cannot be read intact.
     */
    public byte[] recomputeRoot() throws IOException
    {
        final MessageDigest digest = Rfc9162.newSha256();
        final byte[][] edge = new byte[MAX_LEVELS][];
        final long[] appended = new long[1];
        leaves.forEach(size, (bytes, at, length) ->
        {
            digest.reset();
            digest.update((byte)0);
            digest.update(bytes, at, length);
            push(digest, edge, appended[0]++, digest.digest(), null, false);
        });
        final byte[] root = fold(digest, edge, size);
        return root == null ? Rfc9162.emptyRoot() : root;
    }

    /**
     * Adds a leaf to a right edge: folds its hash with the perfect subtrees on the edge that it completes, from the
     * lowest level up, and keeps the subtree they make on the edge.
     *
     * @param digest   hashes the nodes.
     * @param edge     the right edge of a tree of {@code index} leaves (as {@code frontier} holds it), updated.
     * @param index    the leaf's index.
     * @param leafHash its hash; the edge keeps it when it completes nothing.
     * @param target   where each node it completes is written, or null to write none.
     * @param replayed true to write a node only when it differs from the one {@code target} holds.
     * @throws IOException when {@code target} cannot be read or written.
     */
    private static void push(final MessageDigest digest, final byte[][] edge, final long index, final byte[] leafHash,
        final NodeStore target, final boolean replayed) throws IOException
    {
        byte[] node = leafHash;
        int level = 0;
        long i = index;
        while ((i & 1) == 1)
        {
            node = Rfc9162.nodeHash(digest, edge[level], node);
            level++;
            i >>= 1;
            if (target != null && (!replayed || !Arrays.equals(target.read(level, i), node)))
            {
                target.write(level, i, node);
            }
        }
        edge[level] = node;
    }

    /**
     * MTH of a tree from its right edge: the perfect subtrees on the edge folded from the lowest level up.
     *
     * @param digest   hashes the nodes.
     * @param edge     the right edge of a tree of {@code treeSize} leaves (as {@code frontier} holds it).
     * @param treeSize the tree's size.
     * @return the root, the edge's own array when the size is a power of two; null when the size is 0.
     */
    private static byte[] fold(final MessageDigest digest, final byte[][] edge, final long treeSize)
    {
        byte[] root = null;
        for (int level = 0; level < MAX_LEVELS; level++)
        {
            if ((treeSize & (1L << level)) != 0)
            {
                root = root == null ? edge[level] : Rfc9162.nodeHash(digest, edge[level], root);
            }
        }
        return root;
    }

    /**
     * PATH(index, D[treeSize]) of RFC 9162 section 2.1.3.1.
     *
     * @param index    the leaf.
     * @param treeSize the tree size, above index and up to the current one.
     * @return the audit path.
     * @throws IOException when a node cannot be read.
     */
    public List<byte[]> inclusionProof(final long index, final long treeSize) throws IOException
    {
        check(treeSize);
        if (index < 0 || index >= treeSize)
        {
            throw new IllegalArgumentException("leaf index=" + index + " not in a tree of " + treeSize);
        }
        final MessageDigest digest = Rfc9162.newSha256();
        final List<byte[]> path = new ArrayList<>();
        long from = 0;
        long to = treeSize;
        // From the root down, then reversed: RFC 9162 lists the deepest sibling first.
        while (to - from > 1)
        {
            final long k = Rfc9162.split(to - from);
            if (index < from + k)
            {
                path.add(subtree(digest, from + k, to));
                to = from + k;
            }
            else
            {
                path.add(subtree(digest, from, from + k));
                from += k;
            }
        }
        java.util.Collections.reverse(path);
        return path;
    }

    /**
     * PROOF(m, D[n]) of RFC 9162 section 2.1.4.1.
     *
     * @param m the older size, 0 to n.
     * @param n the newer size, up to the current one.
     * @return the proof (empty when m is 0 or n).
     * @throws IOException when a node cannot be read.
     */
    public List<byte[]> consistencyProof(final long m, final long n) throws IOException
    {
        check(n);
        if (m < 0 || m > n)
        {
            throw new IllegalArgumentException("from size=" + m + " is not between 0 and " + n);
        }
        final List<byte[]> proof = new ArrayList<>();
        if (m == 0 || m == n)
        {
            return proof;
        }
        final MessageDigest digest = Rfc9162.newSha256();
        long from = 0;
        long to = n;
        long rest = m;
        boolean whole = true;
        while (rest != to - from)
        {
            final long k = Rfc9162.split(to - from);
            if (rest <= k)
            {
                proof.add(subtree(digest, from + k, to));
                to = from + k;
            }
            else
            {
                proof.add(subtree(digest, from, from + k));
                from += k;
                rest -= k;
                whole = false;
            }
        }
        if (!whole)
        {
            proof.add(subtree(digest, from, to));
        }
        java.util.Collections.reverse(proof);
        return proof;
    }

    /**
     * Cuts the tree and its store back to a size (nodes past it are dropped from the store).
     *
     * @param count the new size; the stores must hold its leaves and nodes.
     * @throws IOException when a store cannot be read or cut.
     */
    public void truncate(final long count) throws IOException
    {
        reset(count);
        store.truncate(count);
        leaves.truncate(count);
        kept = count;
    }

    // True when the stores already hold this leaf at this index.
    private boolean stored(final long index, final byte[] leaf, final byte[] leafHash)
    {
        try
        {
            return Arrays.equals(store.read(0, index), leafHash) && Arrays.equals(leaves.read(index), leaf);
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * Takes the stores' first leaves as the tree, reading its right edge at that size. What the stores hold past
     * it stays: appends compare each leaf with the stored one and write only from the first that differs, until
     * {@link #truncate} cuts the rest.
     *
     * @param count the size; the stores must hold its leaves and nodes.
     * @throws IOException when a store does not reach that size or cannot be read.
     */
    public void reset(final long count) throws IOException
    {
        if (count < 0)
        {
            throw new IllegalArgumentException("tree size=" + count + " must be >= 0");
        }
        if (count > store.extent() || count > leaves.extent())
        {
            throw new IOException("the tree's files hold " + Math.min(store.extent(), leaves.extent()) +
                " leaves, fewer than " + count);
        }
        for (int level = 0; level < MAX_LEVELS; level++)
        {
            frontier[level] = (count & (1L << level)) != 0 ? store.read(level, (count >> level) - 1) : null;
        }
        kept = Math.min(store.extent(), leaves.extent());
        size = count;
        durableSize = Math.min(durableSize, count);
    }

    /**
     * Makes the stored leaves and nodes durable.
     *
     * @throws IOException when the store cannot sync.
     */
    public void sync() throws IOException
    {
        store.sync();
        leaves.sync();
    }

    /** @return the store. */
    public NodeStore store()
    {
        return store;
    }

    private void check(final long treeSize)
    {
        if (treeSize < 0 || treeSize > size)
        {
            throw new IllegalArgumentException("tree size=" + treeSize + " is not between 0 and " + size);
        }
    }

    // MTH(D[from:to]) for a range that RFC 9162's recursion produces: `from` is a multiple of the largest power of
    // two not above to - from, so the range is one stored perfect subtree or splits into one and a smaller range.
    private byte[] subtree(final MessageDigest digest, final long from, final long to) throws IOException
    {
        final long n = to - from;
        if (Long.bitCount(n) == 1)
        {
            final int level = Long.numberOfTrailingZeros(n);
            return store.read(level, from >> level);
        }
        final long k = Rfc9162.split(n);
        final byte[] left = subtree(digest, from, from + k);
        final byte[] right = subtree(digest, from + k, to);
        return Rfc9162.nodeHash(digest, left, right);
    }
}
