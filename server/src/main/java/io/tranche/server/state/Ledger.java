package io.tranche.server.state;

import io.tranche.proto.v1.Tranche;

/**
 * The tranches released so far, numbered 1..{@link #count()}. The state machine appends; readers on
 * other threads see only {@link #durableCount()} tranches.
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

    /** @param tranche the next tranche, numbered {@link #count()} + 1. */
    void append(Tranche tranche);

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
