package io.tranche.server.merkle;

import java.io.IOException;

/**
 * Where a {@link MerkleLog} keeps its leaves' bytes, so that a proof can carry the leaf it proves. One writer
 * appends; readers read leaves below a size they were told is durable.
 */
public interface LeafStore extends AutoCloseable
{
    /**
     * Writes a leaf, dropping every leaf after it.
     *
     * @param index the leaf's index, at most the store's size.
     * @param leaf  its bytes.
     * @throws IOException when it cannot be written.
     */
    void write(long index, byte[] leaf) throws IOException;

    /**
     * @param index a leaf below the store's size.
     * @return its bytes.
     * @throws IOException when it cannot be read intact (naming the file and offset).
     */
    byte[] read(long index) throws IOException;

    /**
     * @param leaves the leaves kept; the next write is leaf {@code leaves}.
     * @throws IOException when it cannot be cut back or does not hold that many.
     */
    void truncate(long leaves) throws IOException;

    /**
     * @return how many leaves the store holds.
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
