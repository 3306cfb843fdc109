/**
 * The end-to-end benchmark: <code>Allocate</code> on a real Netty server next to an echo RPC of the same bytes,
 * and the names of the JSON-lines file it writes.
 */
package io.tranche.bench.server;
