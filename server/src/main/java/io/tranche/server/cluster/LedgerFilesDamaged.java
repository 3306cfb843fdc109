package io.tranche.server.cluster;

/**
 * A member's ledger files do not hold what its latest snapshot recorded of them (a record that fails its checksum,
 * a file cut short, a tree whose root differs): the member refuses to start, naming the file, rather than serve a
 * ledger the others do not have.
 */
public final class LedgerFilesDamaged extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what does not match, and what to do.
     * @param cause   the check that failed.
     */
    public LedgerFilesDamaged(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
