/**
 * The queue and the ledger: <code>QueueStateMachine</code>, a deterministic state machine of <code>Command</code>s and
 * domain <code>Outcome</code>s that knows nothing of gRPC, files or threads, and the <code>CommandLog</code> that feeds
 * it, today the <code>Writer</code> with its <code>Journal</code> (group commit, snapshots, recovery) and the ledger
 * kept in the journal. No imports from the gRPC layer.
 */
package io.tranche.server.state;
