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

    /** Receives leaves in index order. */
    @FunctionalInterface
    interface LeafSink
    {
        /**
         * @param bytes  holds the leaf; not to be kept after the call.
         * @param offset where it starts.
         * @param length its length.
         * @throws IOException when the sink cannot take it.
         */
        void leaf(byte[] bytes, int offset, int length) throws IOException;
    }

    /**
     * Hands leaves 0 to {@code count - 1} to the sink in order, each checked as {@link #read} checks it.
     *
     * @param count how many, at most the store's size.
     * @param sink  receives them.
     * @throws IOException when one cannot be read intact, or the sink fails.
     */
    default void forEach(final long count, final LeafSink sink) throws IOException
    {
        for (long i = 0; i < count; i++)
        {
            final byte[] leaf = read(i);
            sink.leaf(leaf, 0, leaf.length);
        }
    }

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
