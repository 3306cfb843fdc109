package io.tranche.server.state;

import java.math.BigInteger;

/**
 * What feeds the {@link QueueStateMachine}: it orders commands, makes each durable before answering,
 * and answers reads of the applied state in order with them: the single node's {@code storage.Writer} (journal with
 * group commit) and a cluster member's {@code ClusterCommandLog} (Aeron Cluster's replicated log).
 */
public interface CommandLog extends AutoCloseable
{
    /** Receives one answer. */
    interface Reply
    {
        /**
         * @return null while the caller waits, else why it went ({@link Outcome.Kind#CANCELLED} or
         *         {@link Outcome.Kind#DEADLINE_EXCEEDED}): it is then answered so without any work.
         */
        Outcome.Kind abandoned();

        /** @param outcome the answer, given once, on the log's thread. */
        void complete(Outcome outcome);
    }

    /** A read of the applied state, run on the log's thread. */
    @FunctionalInterface
    interface Read
    {
        /**
         * @param machine   the state.
         * @param timeNanos the log's time now, as it would stamp a command submitted now (nanoseconds since the
         *                  epoch, never before the last command's): a preview's release time.
         * @return the answer ({@link Outcome.Kind#READ} or a failure).
         */
        Outcome read(QueueStateMachine machine, long timeNanos);
    }

    /** Told of durable tranches and of availability. */
    interface Listener
    {
        /** @param durableCount tranches now durable. */
        void onTranches(long durableCount);

        /** @param failure null when the log takes writes again, else why it stopped. */
        void onAvailability(String failure);
    }

    /** @return the wall clock in nanoseconds since the epoch: what a log's time is taken from. */
    static long wallClockNanos()
    {
        final java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /**
     * @param command a mutation.
     * @param reply   answered once it is durable, or failed (nothing changed).
     * @return false when the log's queue is full ({@link #isClosing()} false) or it is closing.
     */
    boolean submit(Command command, Reply reply);

    /**
     * @param read  a read, ordered with the mutations.
     * @param reply receives its result.
     * @return false as for {@link #submit}.
     */
    boolean read(Read read, Reply reply);

    /** @return true once closing began. */
    boolean isClosing();

    /** @return null while writes are taken, else why not. */
    String failure();

    /** @return the ledger: tranches 1..{@link Ledger#durableCount()} are readable from any thread. */
    Ledger ledger();

    /** @return claims queued after the last durable batch. */
    int queueLength();

    /** @return the outstanding demand after the last durable batch. */
    BigInteger outstandingDemand();

    /**
     * @return the outstanding demand above the claims' caps after the last durable batch (no tranche can serve it),
     * or null when this log does not publish it.
     */
    default BigInteger demandAboveCaps()
    {
        return null;
    }

    /**
     * @return queued claims whose cap is used up after the last durable batch (no tranche can serve them), or -1
     * when this log does not publish it.
     */
    default int unservableClaims()
    {
        return -1;
    }

    /** @param listener told of tranches and availability (from the log's thread). */
    void addListener(Listener listener);

    @Override
    void close();
}
