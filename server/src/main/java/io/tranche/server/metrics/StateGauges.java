package io.tranche.server.metrics;

/**
 * What the state machine shows operators, read on every scrape (from the writer's {@code CommandLog}).
 * Every method is called from the metrics HTTP thread, so each must read published (volatile or
 * otherwise safely shared) values and never block.
 */
public interface StateGauges
{
    /** @return claims in the queue after the last durable batch. */
    int queueLength();

    /** @return sum of the outstanding demands of the queued claims, in units. */
    double outstandingDemand();

    /**
     * @return outstanding demand above the claims' caps, in units: no tranche can serve it; negative when not
     * published.
     */
    default double demandAboveCaps()
    {
        return -1;
    }

    /** @return queued claims whose cap is used up (no tranche can serve them); negative when not published. */
    default int unservableClaims()
    {
        return -1;
    }

    /** @return tranches released (durable) since the data directory was created. */
    long trancheCount();

    /** @return why the writer does not take mutations now (a full disk, a failed fsync), or null while it does. */
    String writerFailure();

    /** @return true while the writer takes mutations. */
    default boolean writerUp()
    {
        return writerFailure() == null;
    }
}
