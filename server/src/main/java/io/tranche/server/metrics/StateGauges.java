package io.tranche.server.metrics;

/**
 * What the state machine shows operators, read on every scrape: the single writer implements it.
 * Every method is called from the metrics HTTP thread, so each must read published (volatile or
 * otherwise safely shared) values and never block.
 */
public interface StateGauges
{
    /** @return claims in the queue after the last durable batch. */
    int queueLength();

    /** @return sum of the outstanding demands of the queued claims, in units. */
    double outstandingDemand();

    /** @return tranches released (durable) since the data directory was created. */
    int trancheCount();

    /** @return true while the writer accepts mutations; false once it has failed. */
    boolean writerUp();

    /** @return why the writer stopped accepting mutations, or null while it is up. */
    String writerFailure();
}
