/**
 * The one place that builds gRPC failures: {@code google.rpc.Status} values with their packed details
 * ({@code BadRequest} field violations) and the exceptions that carry them. A leaf: it imports nothing else of
 * the server.
 */
package io.tranche.server.status;
