package io.tranche.server.cluster;

import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.merkle.MerkleLog;
import io.tranche.server.merkle.Rfc9162;
import io.tranche.server.state.RecordPlace;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What copying a member's history into a snapshot costs: every tranche and leaf read record by record (two or
 * three positional reads each, as snapshots did) against one pass over each file in blocks, alternated, into a
 * {@link DataOutputStream} over a null stream. {@code -Dtranche.snapshotCopy.tranches} (default 50,000, each
 * of 100 awards, with one leaf). Tagged {@code measurement}: never in verify.
 */
@Tag("measurement")
class SnapshotCopyMeasurement
{
    private static final int TRANCHES = Integer.getInteger("tranche.snapshotCopy.tranches", 50_000);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void shouldPrintTheTimeToCopyTheHistoryBothWays() throws IOException
    {
        try (ClusterLedger ledger = new ClusterLedger(dir.resolve(ClusterLedger.FILE)))
        {
            final Random random = new Random(1);
            final byte[] leaf = new byte[180];
            for (int n = 1; n <= TRANCHES; n++)
            {
                final Tranche.Builder tranche = Tranche.newBuilder().setNumber(n).setRequestId("r-" + n)
                    .setSupply(1000);
                for (int i = 0; i < 100; i++)
                {
                    tranche.addAwards(Award.newBuilder().setId("claim-" + i).setUnits(10).setUnmet(1_000_000L)
                        .setTier(0));
                }
                random.nextBytes(leaf);
                final long index = ledger.appendLeaf(leaf, Rfc9162.leafHash(leaf));
                ledger.append(tranche.build(), index, RecordPlace.NONE);
            }
            final StringBuilder line = new StringBuilder("snapshot copy: tranches=" + TRANCHES);
            for (int round = 0; round < 6; round++)
            {
                final long recordsNanos = time(() -> byRecord(ledger));
                final long blocksNanos = time(() -> byBlock(ledger));
                line.append(String.format(" | by record %d ms, in blocks %d ms", recordsNanos / 1_000_000,
                    blocksNanos / 1_000_000));
            }
            System.out.println(line);
        }
    }

    private static long time(final IoRunnable copy) throws IOException
    {
        final long start = System.nanoTime();
        copy.run();
        return System.nanoTime() - start;
    }

    private interface IoRunnable
    {
        void run() throws IOException;
    }

    private static DataOutputStream sink()
    {
        return new DataOutputStream(new BufferedOutputStream(OutputStream.nullOutputStream(), 64 * 1024));
    }

    private static void byRecord(final ClusterLedger ledger) throws IOException
    {
        final DataOutputStream out = sink();
        for (long n = 1; n <= ledger.count(); n++)
        {
            final byte[] tranche = ledger.bytes(n);
            out.writeLong(ledger.leafIndex(n));
            out.writeInt(tranche.length);
            out.write(tranche);
        }
        final MerkleLog tree = ledger.tree();
        for (long i = 0; i < tree.size(); i++)
        {
            final byte[] leaf = tree.leaf(i);
            out.writeInt(leaf.length);
            out.write(leaf);
        }
        out.flush();
    }

    private static void byBlock(final ClusterLedger ledger) throws IOException
    {
        final DataOutputStream out = sink();
        ledger.forEachTranche((leaf, bytes, at, length) ->
        {
            out.writeLong(leaf);
            out.writeInt(length);
            out.write(bytes, at, length);
        });
        ledger.tree().forEachLeaf((bytes, at, length) ->
        {
            out.writeInt(length);
            out.write(bytes, at, length);
        });
        out.flush();
    }
}
