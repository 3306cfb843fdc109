package io.tranche.server.state;

/**
 * Where a log recorded one command, handed by the log to {@link QueueStateMachine#commit(Outcome, RecordPlace)} with
 * the outcome it commits, so that the ledger learns a tranche's place in the same call that appends it. A log that
 * keeps the ledger's bytes itself (a cluster member's, a test's) hands {@link #NONE}.
 *
 * @param segment the first record index of the journal segment that holds the record.
 * @param offset  the record's byte offset in that segment.
 * @param index   the record's index, from 1: the command's leaf in the ledger's tree is {@code index - 1}.
 */
public record RecordPlace(long segment, long offset, long index)
{
    /** No place: the ledger does not read tranches back from the log. */
    public static final RecordPlace NONE = new RecordPlace(-1, -1, -1);
}
