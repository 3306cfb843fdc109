/**
 * The queue and the ledger as pure state: <code>QueueStateMachine</code>, a deterministic state machine of
 * <code>Command</code>s and domain <code>Outcome</code>s that knows nothing of gRPC, files or threads; the
 * <code>Ledger</code> it appends to; and the <code>CommandLog</code> interface of what feeds it (the single node's
 * writer in the storage package, a cluster member's log in the cluster package). No imports from the gRPC layer or
 * from storage.
 */
package io.tranche.server.state;
