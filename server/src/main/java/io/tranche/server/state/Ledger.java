package io.tranche.server.state;

import io.tranche.proto.v1.Tranche;
import io.tranche.server.merkle.MerkleLog;

/**
 * The tranches released so far, numbered 1..{@link #count()}, and the Merkle tree over every change (one leaf per
 * command the state machine applied: each claim change and each tranche). The state machine appends; readers on
 * other threads see only {@link #durableCount()} tranches and the tree's {@link MerkleLog#durableSize()} leaves.
 */
public interface Ledger
{
    /** @return tranches appended (the state machine's view). */
    long count();

    /** @return tranches known durable, safe to show to clients (at most {@link #count()}). */
    long durableCount();

    /**
     * @param number 1..{@link #count()}.
     * @return the tranche.
     * @throws LedgerException when it cannot be read back intact.
     */
    Tranche get(long number);

    /**
     * @param tranche   the next tranche, numbered {@link #count()} + 1.
     * @param leafIndex the index of its leaf in {@link #tree()}.
     * @param place     where the log recorded it ({@link RecordPlace#NONE} from a log that keeps no journal).
     */
    void append(Tranche tranche, long leafIndex, RecordPlace place);

    /**
     * @param number 1..{@link #count()}.
     * @return the index of the tranche's leaf in {@link #tree()}.
     */
    long leafIndex(long number);

    /** @return the Merkle tree over every change. */
    MerkleLog tree();

    /**
     * Appends a leaf to {@link #tree()}.
     *
     * @param leaf     the leaf's bytes.
     * @param leafHash its hash.
     * @return its index.
     * @throws java.io.UncheckedIOException when the tree's store cannot be written: the change must not be
     *         acknowledged, and the state must be rebuilt from its log.
     */
    default long appendLeaf(final byte[] leaf, final byte[] leafHash)
    {
        try
        {
            return tree().append(leaf, leafHash);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException("cannot write the ledger's tree file: " + ex.getMessage(), ex);
        }
    }

    /** Unchecked failure to read a recorded tranche back (I/O error or a failed checksum). */
    final class LedgerException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        /** @param message what went wrong, naming the file and offset. @param cause the I/O error. */
        public LedgerException(final String message, final Throwable cause)
        {
            super(message, cause);
        }
    }
}
