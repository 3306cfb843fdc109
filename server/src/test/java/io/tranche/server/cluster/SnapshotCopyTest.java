package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.ledger.LedgerFiles;
import io.tranche.server.merkle.LeafFile;
import io.tranche.server.state.Ledger;
import io.tranche.server.state.RecordPlace;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot copies a member's tranches and leaves in one pass over each file, in blocks: the pass hands out the same
 * bytes as reading each record on its own (records across block edges and records larger than a block included), and
 * refuses a flipped bit or a cut file as the per-record reads do, naming the record.
 */
class SnapshotCopyTest
{
    private static final int TRANCHES = 700;

    @TempDir
    Path dir;

    @Test
    void shouldCopyEveryTrancheAsTheRecordReadsGiveIt() throws IOException
    {
        try (ClusterLedger ledger = new ClusterLedger(dir.resolve(ClusterLedger.FILE)))
        {
            fill(ledger, new Random(7));
            final List<byte[]> copied = new ArrayList<>();
            final List<Long> leaves = new ArrayList<>();
            ledger.forEachTranche((leaf, bytes, at, length) ->
            {
                leaves.add(leaf);
                copied.add(Arrays.copyOfRange(bytes, at, at + length));
            });
            assertThat(copied).hasSize(TRANCHES);
            long total = 0;
            for (int n = 1; n <= TRANCHES; n++)
            {
                assertThat(copied.get(n - 1)).as("tranche " + n).isEqualTo(ledger.bytes(n));
                assertThat(leaves.get(n - 1)).isEqualTo(ledger.leafIndex(n));
                total += copied.get(n - 1).length;
            }
            // More than one block, and at least one record larger than a block.
            assertThat(total).isGreaterThan(3L << 20);
            assertThat(copied.stream().mapToInt(b -> b.length).max().orElse(0)).isGreaterThan(1 << 20);
        }
    }

    @Test
    void shouldRefuseAFlippedTrancheNamingIt() throws IOException
    {
        try (ClusterLedger ledger = new ClusterLedger(dir.resolve(ClusterLedger.FILE)))
        {
            fill(ledger, new Random(11));
            final long offset = recordOffset(ledger, 500);
            LedgerFiles.flipBit(dir.resolve(ClusterLedger.FILE), (int)offset + 16 + 3, 4);
            final int[] seen = new int[1];
            assertThatThrownBy(() -> ledger.forEachTranche((leaf, bytes, at, length) -> seen[0]++))
                .isInstanceOf(Ledger.LedgerException.class)
                .hasMessageContaining("tranche 500 ")
                .hasMessageContaining(dir.resolve(ClusterLedger.FILE).toString())
                .hasMessageContaining("checksum");
            assertThat(seen[0]).isEqualTo(499);
            assertThatThrownBy(() -> ledger.bytes(500)).isInstanceOf(Ledger.LedgerException.class)
                .hasMessageContaining("checksum");
        }
    }

    @Test
    void shouldRefuseACutFile() throws IOException
    {
        try (ClusterLedger ledger = new ClusterLedger(dir.resolve(ClusterLedger.FILE)))
        {
            fill(ledger, new Random(13));
            final long cut = recordOffset(ledger, 650) + 20;
            try (RandomAccessFile file = new RandomAccessFile(dir.resolve(ClusterLedger.FILE).toFile(), "rw"))
            {
                file.setLength(cut);
            }
            assertThatThrownBy(() -> ledger.forEachTranche((leaf, bytes, at, length) -> { }))
                .isInstanceOf(Ledger.LedgerException.class)
                .hasMessageContaining("tranche 650 ")
                .hasMessageContaining("ends");
        }
    }

    @Test
    void shouldCopyEveryLeafAsTheRecordReadsGiveItAndRefuseAFlippedOne() throws IOException
    {
        final Path path = dir.resolve("leaves");
        try (LeafFile leaves = LeafFile.open(path))
        {
            final Random random = new Random(17);
            final List<byte[]> written = new ArrayList<>();
            for (int i = 0; i < 5000; i++)
            {
                final byte[] leaf = new byte[i == 2500 ? (3 << 20) / 2 : random.nextInt(900)];
                random.nextBytes(leaf);
                leaves.write(i, leaf);
                written.add(leaf);
            }
            final List<byte[]> copied = new ArrayList<>();
            leaves.forEach(written.size(),
                (bytes, at, length) -> copied.add(Arrays.copyOfRange(bytes, at, at + length)));
            assertThat(copied).hasSize(written.size());
            for (int i = 0; i < written.size(); i++)
            {
                assertThat(copied.get(i)).as("leaf " + i).isEqualTo(written.get(i)).isEqualTo(leaves.read(i));
            }
            // Fewer than the file holds: only those.
            final int[] seen = new int[1];
            leaves.forEach(10, (bytes, at, length) -> seen[0]++);
            assertThat(seen[0]).isEqualTo(10);

            long offset = 16;
            for (int i = 0; i < 4000; i++)
            {
                offset += 8 + written.get(i).length;
            }
            // Leaf 4000's first byte (its record header is 8 bytes), or its CRC when the leaf is empty.
            LedgerFiles.flipBit(path, (int)offset + (written.get(4000).length == 0 ? 5 : 8), 4);
            assertThatThrownBy(() -> leaves.forEach(written.size(), (bytes, at, length) -> { }))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("leaf 4000 ")
                .hasMessageContaining(path.toString())
                .hasMessageContaining("checksum");
        }
    }

    // Tranches of 1 to 400 awards with ids of varied length, one of about 1.5 MiB (more than a block).
    private static void fill(final ClusterLedger ledger, final Random random)
    {
        for (int n = 1; n <= TRANCHES; n++)
        {
            final int awards = n == 321 ? 40_000 : 1 + random.nextInt(400);
            final Tranche.Builder tranche = Tranche.newBuilder().setNumber(n).setRequestId("r-" + n).setSupply(1000);
            for (int i = 0; i < awards; i++)
            {
                tranche.addAwards(Award.newBuilder().setId("claim-" + "x".repeat(random.nextInt(24)) + i)
                    .setUnits(random.nextInt(1000)).setTier(random.nextInt(3)));
            }
            ledger.append(tranche.build(), 2L * n, RecordPlace.NONE);
        }
    }

    // Each record is a 16-byte header and the tranche's bytes.
    private static long recordOffset(final ClusterLedger ledger, final long number)
    {
        long offset = 0;
        for (long n = 1; n < number; n++)
        {
            offset += 16 + ledger.bytes(n).length;
        }
        return offset;
    }
}
