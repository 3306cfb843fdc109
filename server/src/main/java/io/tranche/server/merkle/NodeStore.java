package io.tranche.server.merkle;

import java.io.IOException;

/**
 * Where a {@link MerkleLog} keeps the hashes of its complete subtrees: node (level, index) is the root of the
 * perfect subtree over leaves [index * 2^level, (index + 1) * 2^level); level 0 holds the leaf hashes. One writer
 * writes each node once, when it becomes complete; readers read only nodes complete at a size they were told is
 * durable.
 */
public interface NodeStore extends AutoCloseable
{
    /**
     * @param level the node's level (0 = a leaf).
     * @param index its index at that level.
     * @param hash  its hash, {@link Rfc9162#HASH_BYTES} bytes.
     * @throws IOException when it cannot be written.
     */
    void write(int level, long index, byte[] hash) throws IOException;

    /**
     * @param level the node's level.
     * @param index its index at that level.
     * @return its hash.
     * @throws IOException when it cannot be read (past the end, an I/O error).
     */
    byte[] read(int level, long index) throws IOException;

    /**
     * Forgets every node that needs a leaf at or after {@code leaves}.
     *
     * @param leaves the leaves kept.
     * @throws IOException when it cannot be cut back.
     */
    void truncate(long leaves) throws IOException;

    /**
     * @return how many leaves' nodes the store may hold (its extent; nodes inside it are not known to be intact).
     * @throws IOException when it cannot tell.
     */
    long extent() throws IOException;

    /**
     * Makes what was written durable.
     *
     * @throws IOException when it cannot.
     */
    void sync() throws IOException;

    @Override
    void close() throws IOException;
}
