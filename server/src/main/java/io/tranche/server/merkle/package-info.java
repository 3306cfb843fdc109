/**
 * The verifiable ledger's mechanics, independent of the queue: RFC 9162 Merkle hashing and proofs
 * ({@link io.tranche.server.merkle.Rfc9162}), an append-only tree over a node store kept on disk
 * ({@link io.tranche.server.merkle.MerkleLog}, {@link io.tranche.server.merkle.TreeFile}), the leaf encoding of
 * the ledger's changes ({@link io.tranche.server.merkle.LedgerLeaves}) and signed checkpoints in the C2SP
 * signed-note format ({@link io.tranche.server.merkle.SignedNote}, {@link io.tranche.server.merkle.LedgerKey}).
 */
package io.tranche.server.merkle;
