package io.tranche.server.metrics;

/**
 * What a cluster member shows operators, read on every scrape (from its consensus module's counters and its
 * service). Called from the metrics HTTP thread: each method reads published values and never blocks long.
 */
public interface ClusterGauges
{
    /** @return LEADER, FOLLOWER or CANDIDATE, or null while unknown (the member is stopping). */
    String role();

    /** @return the leadership term this member is in, -1 while unknown. */
    long leadershipTermId();

    /** @return the log position this member knows committed by a majority, -1 while unknown. */
    long commitPosition();

    /** @return the log position this member's state machine has applied. */
    long appliedPosition();

    /** @return whether this member stopped serving because its state differs from a majority's. */
    boolean diverged();

    /** @return commands on the log this member rejected (unsigned, mis-signed, replayed). */
    long rejectedCommands();

    /** @return snapshots this member's service wrote since its process started. */
    long snapshotsTaken();

    /**
     * @return nanoseconds this member's last snapshot took (0 before one): the service applies no command while it
     *     writes one, so this is also how long writes waited.
     */
    long lastSnapshotNanos();
}
