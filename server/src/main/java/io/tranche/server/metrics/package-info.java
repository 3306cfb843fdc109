/**
 * Metrics: the Prometheus endpoint and the gauges read from the command log.
 */
package io.tranche.server.metrics;
