package io.tranche.server.cluster;

import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.merkle.Rfc9162;
import io.tranche.server.state.RecordPlace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a member's start costs in checking its ledger files against its snapshot ({@link ClusterLedger#adopt}): every
 * tranche's record read and checked (CRC-32C, number), and the tree's root read and computed again from its leaves.
 * {@code -Dtranche.ledgerAdopt.tranches} (default 50,000, each of 100 awards, with a claim's leaf and the tranche's).
 * The files are read through the page cache as a restart right after a stop would; the first round follows the
 * writing. With {@code -Dtranche.ledgerAdopt.cold=true} (Linux, as root) every other round first drops the page
 * cache ({@code sync; echo 3 > /proc/sys/vm/drop_caches}), as a restart after a reboot would read the files.
 * Tagged {@code measurement}: never in verify.
 */
@Tag("measurement")
class LedgerAdoptMeasurement
{
    private static final int TRANCHES = Integer.getInteger("tranche.ledgerAdopt.tranches", 50_000);
    private static final boolean COLD = Boolean.getBoolean("tranche.ledgerAdopt.cold");

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void shouldPrintTheTimeToCheckTheFilesAtStart() throws IOException, InterruptedException
    {
        final Path path = dir.resolve(ClusterLedger.FILE);
        final long tranches;
        final long bytes;
        final long[] leaves;
        final long treeSize;
        final byte[] root;
        final long writeStart = System.nanoTime();
        try (ClusterLedger ledger = new ClusterLedger(path))
        {
            final Random random = new Random(1);
            final byte[] claimLeaf = new byte[120];
            final byte[] trancheLeaf = new byte[60];
            for (int n = 1; n <= TRANCHES; n++)
            {
                final Tranche.Builder tranche = Tranche.newBuilder().setNumber(n).setRequestId("r-" + n)
                    .setSupply(100_000);
                for (int i = 0; i < 100; i++)
                {
                    tranche.addAwards(Award.newBuilder().setId("claim-" + i).setUnits(1_000)
                        .setUnmet(random.nextInt(1_000_000)).setTier(0));
                }
                random.nextBytes(claimLeaf);
                ledger.appendLeaf(claimLeaf, Rfc9162.leafHash(claimLeaf));
                random.nextBytes(trancheLeaf);
                final long index = ledger.appendLeaf(trancheLeaf, Rfc9162.leafHash(trancheLeaf));
                ledger.append(tranche.build(), index, RecordPlace.NONE);
            }
            ledger.sync();
            tranches = ledger.count();
            bytes = ledger.end();
            leaves = ledger.leafIndexes(tranches);
            treeSize = ledger.tree().size();
            root = ledger.tree().root();
        }
        final long writeMillis = (System.nanoTime() - writeStart) / 1_000_000;
        long fileBytes = 0;
        try (var files = Files.list(dir))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                fileBytes += Files.size(file);
            }
        }
        final StringBuilder line = new StringBuilder(String.format(
            "ledger adopt at start: tranches=%d, ledger.dat %d MB, all files %d MB, written in %d ms", tranches,
            bytes >> 20, fileBytes >> 20, writeMillis));
        for (int round = 0; round < (COLD ? 6 : 5); round++)
        {
            final boolean cold = COLD && round % 2 == 1;
            if (cold)
            {
                final Process drop = new ProcessBuilder("sh", "-c", "sync; echo 3 > /proc/sys/vm/drop_caches")
                    .inheritIO().start();
                if (drop.waitFor() != 0)
                {
                    throw new IllegalStateException("could not drop the page cache (root on Linux only)");
                }
            }
            final long start = System.nanoTime();
            try (ClusterLedger ledger = new ClusterLedger(path, true))
            {
                ledger.adopt(tranches, bytes, leaves, treeSize, root);
                if (ledger.count() != tranches)
                {
                    throw new IllegalStateException("adopted " + ledger.count() + " of " + tranches);
                }
            }
            line.append(String.format(" | %s%d ms", cold ? "cold " : "", (System.nanoTime() - start) / 1_000_000));
        }
        System.out.println(line);
    }
}
