package io.tranche.server.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tree over a real {@link TreeFile}: roots and proofs equal the in-memory reference of RFC 9162 at every size
 * and index of small trees, 1,000 seeded inclusion proofs and 200 seeded consistency proofs over a tree of 20,000
 * leaves verify with RFC 9162's algorithms, and a tree reopened or cut back from its file goes on identically.
 */
class MerkleLogTest
{
    @TempDir
    Path dir;

    static byte[] data(final long i)
    {
        return ByteBuffer.allocate(8).putLong(i).array();
    }

    static byte[] leaf(final long i)
    {
        return Rfc9162.leafHash(data(i));
    }

    private MerkleLog open(final TreeFile file) throws IOException
    {
        return new MerkleLog(file, LeafFile.open(dir.resolve("leaves")));
    }

    static List<byte[]> hashes(final int n)
    {
        final List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            out.add(leaf(i));
        }
        return out;
    }

    @Test
    void shouldEqualTheReferenceAtEverySizeIndexAndOlderSizeUpTo70Leaves() throws IOException
    {
        final List<byte[]> all = hashes(70);
        try (TreeFile file = TreeFile.open(dir.resolve("tree")))
        {
            final MerkleLog log = open(file);
            assertThat(log.root()).isEqualTo(Rfc9162.emptyRoot());
            for (int n = 1; n <= all.size(); n++)
            {
                assertThat(log.append(data(n - 1))).isEqualTo(n - 1);
                final List<byte[]> prefix = all.subList(0, n);
                assertThat(Rfc9162.hex(log.root())).as("root at %d", n).isEqualTo(Rfc9162.hex(Rfc9162.root(prefix)));
                for (int m = 0; m <= n; m++)
                {
                    assertThat(Rfc9162.hex(log.rootAt(m))).isEqualTo(Rfc9162.hex(Rfc9162.root(all.subList(0, m))));
                    assertThat(Rfc9162Test.hex(log.consistencyProof(m, n))).as("proof %d to %d", m, n)
                        .isEqualTo(Rfc9162Test.hex(Rfc9162.consistencyProof(m, prefix)));
                }
                for (int i = 0; i < n; i++)
                {
                    assertThat(Rfc9162Test.hex(log.inclusionProof(i, n))).as("leaf %d of %d", i, n)
                        .isEqualTo(Rfc9162Test.hex(Rfc9162.inclusionPath(i, prefix)));
                }
            }
        }
    }

    @Test
    void shouldVerifyAThousandSeededInclusionProofsAndTwoHundredConsistencyProofs() throws IOException
    {
        final int leaves = 20_000;
        try (TreeFile file = TreeFile.open(dir.resolve("tree")))
        {
            final MerkleLog log = open(file);
            for (int i = 0; i < leaves; i++)
            {
                log.append(data(i));
            }
            final SplittableRandom random = new SplittableRandom(20261206L);
            for (int p = 0; p < 1000; p++)
            {
                final long size = 1 + random.nextLong(leaves);
                final long index = random.nextLong(size);
                final byte[] root = log.rootAt(size);
                final List<byte[]> path = log.inclusionProof(index, size);
                assertThat(Rfc9162.verifyInclusion(index, size, leaf(index), path, root))
                    .as("leaf %d of %d", index, size).isTrue();
                assertThat(Rfc9162.verifyInclusion(index, size, leaf(index + 1), path, root)).isFalse();
                assertThat(path.size()).isLessThanOrEqualTo(64 - Long.numberOfLeadingZeros(size - 1) + 1);
            }
            for (int p = 0; p < 200; p++)
            {
                final long n = 1 + random.nextLong(leaves);
                final long m = 1 + random.nextLong(n);
                final List<byte[]> proof = log.consistencyProof(m, n);
                final byte[] rootM = log.rootAt(m);
                final byte[] rootN = log.rootAt(n);
                assertThat(Rfc9162.verifyConsistency(m, n, rootM, rootN, proof)).as("%d to %d", m, n).isTrue();
                if (m < n)
                {
                    final byte[] other = rootM.clone();
                    other[31] ^= 1;
                    assertThat(Rfc9162.verifyConsistency(m, n, other, rootN, proof)).isFalse();
                }
            }
        }
    }

    @Test
    void shouldGoOnIdenticallyWhenReopenedOrCutBackFromItsFile() throws IOException
    {
        final Path path = dir.resolve("tree");
        final List<byte[]> all = hashes(300);
        try (TreeFile file = TreeFile.open(path))
        {
            final MerkleLog log = open(file);
            for (int i = 0; i < 200; i++)
            {
                log.append(data(i));
            }
        }
        assertThat(Files.size(path)).isEqualTo(TreeFile.HEADER + (2 * 200 - 1) * 32L);
        try (TreeFile file = TreeFile.open(path))
        {
            assertThat(file.extent()).isEqualTo(200);
            final MerkleLog log = open(file);
            log.truncate(137);
            assertThat(log.size()).isEqualTo(137);
            assertThat(log.root()).isEqualTo(Rfc9162.root(all.subList(0, 137)));
            // Different leaves after the cut: the nodes above them must be recomputed, never the old ones reused.
            for (int i = 137; i < 300; i++)
            {
                log.append(data(1000 + i));
            }
            assertThat(log.leaf(136)).isEqualTo(data(136));
            assertThat(log.leaf(137)).isEqualTo(data(1137));
            final List<byte[]> expected = new ArrayList<>(all.subList(0, 137));
            for (int i = 137; i < 300; i++)
            {
                expected.add(leaf(1000 + i));
            }
            assertThat(log.root()).isEqualTo(Rfc9162.root(expected));
            assertThat(log.rootAt(300)).isEqualTo(Rfc9162.root(expected));
            assertThat(log.rootAt(256)).isEqualTo(Rfc9162.root(expected.subList(0, 256)));
        }
    }

    @Test
    void shouldCopyALeafHashWhoseArrayTheCallerReuses() throws IOException
    {
        final List<byte[]> all = hashes(5);
        final MerkleLog log = MerkleLog.inHeap();
        final byte[] reused = new byte[32];
        for (int i = 0; i < all.size(); i++)
        {
            System.arraycopy(all.get(i), 0, reused, 0, 32);
            log.append(data(i), reused);
        }
        java.util.Arrays.fill(reused, (byte)0);
        assertThat(log.root()).isEqualTo(Rfc9162.root(all));
    }

    @Test
    void shouldReplayLeavesItAlreadyHoldsWithoutWritingThemAgain() throws IOException
    {
        final Path tree = dir.resolve("tree");
        try (TreeFile nodes = TreeFile.open(tree); LeafFile leaves = LeafFile.open(dir.resolve("leaves")))
        {
            final MerkleLog log = new MerkleLog(nodes, leaves);
            for (int i = 0; i < 100; i++)
            {
                log.append(data(i));
            }
        }
        // A disk that takes no more writes: a restart that replays leaves 37 to 99 again must still succeed.
        try (TreeFile nodes = TreeFile.open(tree); LeafFile leaves = LeafFile.open(dir.resolve("leaves")))
        {
            final MerkleLog log = new MerkleLog(new FullDisk(nodes), new FullDisk(leaves));
            log.reset(37);
            for (int i = 37; i < 100; i++)
            {
                log.append(data(i));
            }
            assertThat(log.root()).isEqualTo(Rfc9162.root(hashes(100)));
            // A leaf that differs from the one stored must be written: here it cannot be.
            log.reset(50);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> log.append(data(1050)))
                .hasMessageContaining("no space left");
        }
        // Without the full disk, the differing leaf replaces the stored one and drops the leaves after it.
        try (TreeFile nodes = TreeFile.open(tree); LeafFile leaves = LeafFile.open(dir.resolve("leaves")))
        {
            final MerkleLog log = new MerkleLog(nodes, leaves);
            log.reset(50);
            log.append(data(1050));
            log.append(data(51));
            assertThat(leaves.extent()).isEqualTo(52);
            final List<byte[]> expected = new ArrayList<>(hashes(52));
            expected.set(50, leaf(1050));
            assertThat(log.root()).isEqualTo(Rfc9162.root(expected));
            assertThat(log.leaf(50)).isEqualTo(data(1050));
        }
    }

    /** A store over a disk that takes no more writes. */
    private static final class FullDisk implements NodeStore, LeafStore
    {
        private final NodeStore nodes;
        private final LeafStore leaves;

        FullDisk(final NodeStore nodes)
        {
            this.nodes = nodes;
            this.leaves = null;
        }

        FullDisk(final LeafStore leaves)
        {
            this.nodes = null;
            this.leaves = leaves;
        }

        @Override
        public void write(final int level, final long index, final byte[] hash) throws IOException
        {
            throw new IOException("no space left on device");
        }

        @Override
        public byte[] read(final int level, final long index) throws IOException
        {
            return nodes.read(level, index);
        }

        @Override
        public void write(final long index, final byte[] leaf) throws IOException
        {
            throw new IOException("no space left on device");
        }

        @Override
        public byte[] read(final long index) throws IOException
        {
            return leaves.read(index);
        }

        @Override
        public void truncate(final long count) throws IOException
        {
            throw new IOException("no space left on device");
        }

        @Override
        public long extent() throws IOException
        {
            return nodes != null ? nodes.extent() : leaves.extent();
        }

        @Override
        public void sync()
        {
        }

        @Override
        public void close()
        {
        }
    }

    @Test
    void shouldWriteWholeHeadersIntoNewFilesAndReadALeafBackOnlyIntact() throws IOException
    {
        try (TreeFile nodes = TreeFile.open(dir.resolve("tree")); LeafFile leaves = LeafFile.open(dir.resolve("l")))
        {
            assertThat(Files.size(dir.resolve("tree"))).isEqualTo(TreeFile.HEADER);
            assertThat(Files.size(dir.resolve("l"))).isEqualTo(16);
            assertThat(Files.size(dir.resolve("l.idx"))).isEqualTo(16);
            final MerkleLog log = new MerkleLog(nodes, leaves);
            log.append(data(7));
            log.append(data(8));
        }
        final byte[] bytes = Files.readAllBytes(dir.resolve("l"));
        bytes[16 + 8 + 3] ^= 1;
        Files.write(dir.resolve("l"), bytes);
        try (LeafFile leaves = LeafFile.open(dir.resolve("l")))
        {
            assertThat(leaves.extent()).isEqualTo(2);
            assertThat(leaves.read(1)).isEqualTo(data(8));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> leaves.read(0))
                .hasMessageContaining("leaf 0 in " + dir.resolve("l") + " (offset 16) fails its checksum");
        }
    }

    @Test
    void shouldKeepEachNodeAtItsInOrderSlot() throws IOException
    {
        final Path path = dir.resolve("tree");
        try (TreeFile file = TreeFile.open(path))
        {
            final MerkleLog log = open(file);
            for (int i = 0; i < 4; i++)
            {
                log.append(data(i));
            }
        }
        final byte[] bytes = Files.readAllBytes(path);
        final List<byte[]> four = hashes(4);
        final byte[] left = Rfc9162.nodeHash(four.get(0), four.get(1));
        final byte[] right = Rfc9162.nodeHash(four.get(2), four.get(3));
        final byte[][] slots = {four.get(0), left, four.get(1), Rfc9162.nodeHash(left, right), four.get(2), right,
            four.get(3)};
        assertThat(bytes.length).isEqualTo(TreeFile.HEADER + 7 * 32);
        for (int s = 0; s < slots.length; s++)
        {
            assertThat(java.util.Arrays.copyOfRange(bytes, TreeFile.HEADER + 32 * s, TreeFile.HEADER + 32 * (s + 1)))
                .as("slot %d", s).isEqualTo(slots[s]);
        }
    }
}
