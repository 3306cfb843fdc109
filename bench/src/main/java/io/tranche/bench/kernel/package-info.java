/**
 * JMH benchmarks of the kernel: <code>Allocator.allocate</code> for every method and size, the streaming floor
 * (one pass over the claims, the speed of memory) and the textbook baselines (per-unit queue, BigDecimal and
 * double largest remainder, water-filling) on the same seeded problems.
 */
package io.tranche.bench.kernel;
