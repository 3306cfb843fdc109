/**
 * The benchmark launcher behind <code>./tranche bench</code>: runs the JMH suites, records the machine, and
 * turns <code>jmh.json</code> into a report (<code>Report</code> orders it: <code>Run</code> reads the folder,
 * <code>Targets</code> judges it, <code>ReportTables</code> and <code>Charts</code> show it) and a comparison of
 * two runs. Depends on the benchmarks below, never the other way round.
 */
package io.tranche.bench;
