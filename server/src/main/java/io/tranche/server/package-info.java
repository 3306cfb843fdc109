/**
 * The server: <code>TrancheServer</code> wires the gRPC services, the command log and the metrics together over one
 * data directory; <code>Errors</code> builds <code>google.rpc.Status</code> values with their details.
 */
package io.tranche.server;
