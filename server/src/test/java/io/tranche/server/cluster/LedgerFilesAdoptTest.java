package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.ledger.LedgerFiles;
import io.tranche.server.merkle.Rfc9162;
import io.tranche.server.state.RecordPlace;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member's snapshot refers to its ledger files (how many tranches and bytes, each tranche's leaf, the tree's size
 * and root) instead of copying them. Reopened, the files are taken as they were at the snapshot, and what was
 * appended after it is cut (the log replays it); a flipped bit in a tranche or a leaf, a cut file or a tree with
 * another root is refused, naming the file, and the ledger is left empty.
 */
class LedgerFilesAdoptTest
{
    private static final int AT_SNAPSHOT = 300;
    private static final int AFTER = 40;

    @TempDir
    Path dir;

    /** What a snapshot records of the files. */
    private record Reference(long tranches, long bytes, long[] leaves, long treeSize, byte[] root)
    {
    }

    @Test
    void shouldTakeTheFilesAsRecordedAndCutWhatFollows() throws IOException
    {
        final Path path = dir.resolve(ClusterLedger.FILE);
        final List<byte[]> tranches = new ArrayList<>();
        final List<byte[]> leaves = new ArrayList<>();
        final Reference reference = write(path, tranches, leaves);

        try (ClusterLedger ledger = new ClusterLedger(path, true))
        {
            ledger.adopt(reference.tranches, reference.bytes, reference.leaves, reference.treeSize, reference.root);
            assertThat(ledger.count()).isEqualTo(AT_SNAPSHOT);
            assertThat(ledger.end()).isEqualTo(reference.bytes).isEqualTo(Files.size(path));
            for (int n = 1; n <= AT_SNAPSHOT; n++)
            {
                assertThat(ledger.bytes(n)).as("tranche " + n).isEqualTo(tranches.get(n - 1));
                assertThat(ledger.leafIndex(n)).isEqualTo(reference.leaves[n - 1]);
            }
            assertThat(ledger.tree().size()).isEqualTo(reference.treeSize);
            assertThat(ledger.tree().root()).isEqualTo(reference.root);
            assertThat(ledger.tree().leaf(reference.treeSize - 1)).isEqualTo(leaves.get((int)reference.treeSize - 1));

            // The log's replay appends after the snapshot again: the same tranche and leaf numbers as before.
            final Tranche next = tranche(AT_SNAPSHOT + 1, new Random(1));
            ledger.append(next, ledger.appendLeaf(leaves.get((int)reference.treeSize),
                Rfc9162.leafHash(leaves.get((int)reference.treeSize))), RecordPlace.NONE);
            assertThat(ledger.count()).isEqualTo(AT_SNAPSHOT + 1);
            assertThat(ledger.bytes(AT_SNAPSHOT + 1)).isEqualTo(next.toByteArray());
            assertThat(ledger.tree().size()).isEqualTo(reference.treeSize + 1);
        }
    }

    @Test
    void shouldRefuseAFlippedTrancheNamingTheFile() throws IOException
    {
        final Path path = dir.resolve(ClusterLedger.FILE);
        final Reference reference = write(path, new ArrayList<>(), new ArrayList<>());
        // A byte inside tranche 123's bytes (each record is a 16-byte header and the tranche).
        final long offset = recordOffset(path, 123);
        LedgerFiles.flipBit(path, (int)offset + 16 + 5, 2);
        try (ClusterLedger ledger = new ClusterLedger(path, true))
        {
            assertThatThrownBy(() -> ledger.adopt(reference.tranches, reference.bytes, reference.leaves,
                reference.treeSize, reference.root))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("tranche 123 ")
                .hasMessageContaining(path.toString())
                .hasMessageContaining("checksum");
            assertThat(ledger.count()).isZero();
        }
    }

    @Test
    void shouldRefuseACutFile() throws IOException
    {
        final Path path = dir.resolve(ClusterLedger.FILE);
        final Reference reference = write(path, new ArrayList<>(), new ArrayList<>());
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw"))
        {
            file.setLength(reference.bytes - 10);
        }
        try (ClusterLedger ledger = new ClusterLedger(path, true))
        {
            assertThatThrownBy(() -> ledger.adopt(reference.tranches, reference.bytes, reference.leaves,
                reference.treeSize, reference.root))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(path.toString())
                .hasMessageContaining("fewer than");
        }
        Files.delete(path);
        try (ClusterLedger ledger = new ClusterLedger(path, true))
        {
            assertThatThrownBy(() -> ledger.adopt(reference.tranches, reference.bytes, reference.leaves,
                reference.treeSize, reference.root))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(path.toString());
        }
    }

    @Test
    void shouldRefuseAFlippedLeafOrAnotherRoot() throws IOException
    {
        final Path path = dir.resolve(ClusterLedger.FILE);
        final List<byte[]> leaves = new ArrayList<>();
        final Reference reference = write(path, new ArrayList<>(), leaves);
        final byte[] other = reference.root.clone();
        other[7] ^= 1;
        try (ClusterLedger ledger = new ClusterLedger(path, true))
        {
            assertThatThrownBy(() -> ledger.adopt(reference.tranches, reference.bytes, reference.leaves,
                reference.treeSize, other))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(ClusterLedger.TREE_FILE)
                .hasMessageContaining("root");
        }
        // Leaf 200's bytes: the leaves' file has a 16-byte header, then an 8-byte header and the bytes per leaf.
        final Path leafPath = dir.resolve(ClusterLedger.LEAF_FILE);
        long offset = 16;
        for (int i = 0; i < 200; i++)
        {
            offset += 8 + leaves.get(i).length;
        }
        LedgerFiles.flipBit(leafPath, (int)offset + 8 + 3, 1);
        try (ClusterLedger ledger = new ClusterLedger(path, true))
        {
            assertThatThrownBy(() -> ledger.adopt(reference.tranches, reference.bytes, reference.leaves,
                reference.treeSize, reference.root))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(leafPath.toString());
            assertThat(ledger.count()).isZero();
        }
    }

    // Writes AT_SNAPSHOT tranches with two leaves each (a claim's and the tranche's), takes what a snapshot
    // records, then appends AFTER more of each: what a member holds when it stops after its snapshot.
    private static Reference write(final Path path, final List<byte[]> tranches, final List<byte[]> leaves)
        throws IOException
    {
        final Random random = new Random(11);
        try (ClusterLedger ledger = new ClusterLedger(path))
        {
            Reference reference = null;
            for (int n = 1; n <= AT_SNAPSHOT + AFTER; n++)
            {
                final byte[] claimLeaf = ("claim change " + n + " " + "x".repeat(random.nextInt(40)))
                    .getBytes(StandardCharsets.UTF_8);
                leaves.add(claimLeaf);
                ledger.appendLeaf(claimLeaf, Rfc9162.leafHash(claimLeaf));
                final Tranche tranche = tranche(n, random);
                final byte[] trancheLeaf = ("tranche " + n).getBytes(StandardCharsets.UTF_8);
                leaves.add(trancheLeaf);
                final long leaf = ledger.appendLeaf(trancheLeaf, Rfc9162.leafHash(trancheLeaf));
                ledger.append(tranche, leaf, RecordPlace.NONE);
                tranches.add(tranche.toByteArray());
                if (n == AT_SNAPSHOT)
                {
                    ledger.sync();
                    reference = new Reference(ledger.count(), ledger.end(), ledger.leafIndexes(ledger.count()),
                        ledger.tree().size(), ledger.tree().root());
                }
            }
            return reference;
        }
    }

    private static Tranche tranche(final int number, final Random random)
    {
        final Tranche.Builder tranche = Tranche.newBuilder().setNumber(number).setRequestId("r-" + number)
            .setSupply(1000);
        final int awards = 1 + random.nextInt(60);
        for (int i = 0; i < awards; i++)
        {
            tranche.addAwards(Award.newBuilder().setId("claim-" + i).setUnits(random.nextInt(1000)));
        }
        return tranche.build();
    }

    /** @return where tranche {@code number}'s record starts in a ledger file (each is a header and the tranche). */
    static long recordOffset(final Path path, final long number) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "r"))
        {
            long offset = 0;
            for (long n = 1; n < number; n++)
            {
                raf.seek(offset);
                offset += 16 + raf.readInt();
            }
            return offset;
        }
    }
}
