/**
 * The single node's durable storage: the <code>Writer</code> (the command log: group commit, snapshots, recovery),
 * its <code>Journal</code> of records, the <code>JournalLedger</code> that reads tranches back from the journal, the
 * journal's marks and the data directory's lock. It feeds the pure state machine of the state package.
 */
package io.tranche.server.storage;
