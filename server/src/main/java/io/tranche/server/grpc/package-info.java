/**
 * The gRPC services: each maps requests to commands or reads and the state machine's domain outcomes to status codes
 * (<code>OutcomeStatus</code>), plus watch streams, page tokens, authentication and the guards against malformed
 * requests.
 */
package io.tranche.server.grpc;
