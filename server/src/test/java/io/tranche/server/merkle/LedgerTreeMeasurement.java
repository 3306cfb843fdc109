package io.tranche.server.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.ClaimLeaf;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.Tranche;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What the ledger's tree costs, on a real disk under {@code target/}: {@code tranche.measure.leaves} leaves (default
 * 1,048,576) appended to the tree's files (claim leaves of the size the server writes), the time per append, the
 * bytes on disk per leaf, then 10,000 seeded inclusion proofs and 1,000 consistency proofs at that size read back
 * from the files (each verified), and the work the tree adds to one release of 100 awards (encoding the tranche's
 * leaf, hashing its award tree and appending it) against the time of the release itself.
 * <p>
 * A measurement, not a unit test: excluded from {@code mvn verify}, run with
 * {@code mvn -B -pl server -am test -Dgroups=measurement -Dtest=LedgerTreeMeasurement
 * -Dsurefire.failIfNoSpecifiedTests=false}. It prints one line per figure.
 */
@Tag("measurement")
class LedgerTreeMeasurement
{
    private static final int LEAVES = Integer.getInteger("tranche.measure.leaves", 1 << 20);

    @Test
    void shouldProveInUnderTenMillisecondsAtAMillionLeaves() throws IOException
    {
        final Path dir = Path.of("target", "measurement", "tree-" + System.currentTimeMillis()).toAbsolutePath();
        Files.createDirectories(dir);
        try (TreeFile nodes = TreeFile.open(dir.resolve("ledger.tree"));
            LeafFile leaves = LeafFile.open(dir.resolve("ledger.leaves")))
        {
            final MerkleLog log = new MerkleLog(nodes, leaves);
            final long start = System.nanoTime();
            for (int i = 0; i < LEAVES; i++)
            {
                log.append(claimLeaf(i));
            }
            log.sync();
            final long appendNanos = System.nanoTime() - start;
            final long bytes = Files.size(dir.resolve("ledger.tree")) + Files.size(dir.resolve("ledger.leaves")) +
                Files.size(dir.resolve("ledger.leaves.idx"));
            System.out.printf("tree: %,d leaves appended in %,d ms, %.2f us a leaf (encoding, hashing, two files " +
                "written, one sync at the end); %,d bytes on disk, %.1f a leaf (tree %.1f, leaves and index %.1f)%n",
                LEAVES, appendNanos / 1_000_000, appendNanos / 1e3 / LEAVES, bytes, (double)bytes / LEAVES,
                (double)Files.size(dir.resolve("ledger.tree")) / LEAVES,
                (double)(bytes - Files.size(dir.resolve("ledger.tree"))) / LEAVES);
            proofs(log);
        }
        finally
        {
            deleteTree(dir);
        }
        releaseShare();
    }

    private static void proofs(final MerkleLog log) throws IOException
    {
        final SplittableRandom random = new SplittableRandom(20261206L);
        final byte[] root = log.rootAt(LEAVES);
        final long[] inclusion = new long[10_000];
        for (int p = 0; p < inclusion.length; p++)
        {
            final long index = random.nextLong(LEAVES);
            final long started = System.nanoTime();
            final byte[] leaf = log.leaf(index);
            final List<byte[]> path = log.inclusionProof(index, LEAVES);
            inclusion[p] = System.nanoTime() - started;
            assertThat(Rfc9162.verifyInclusion(index, LEAVES, Rfc9162.leafHash(leaf), path, root)).isTrue();
        }
        final long[] consistency = new long[1_000];
        for (int p = 0; p < consistency.length; p++)
        {
            final long m = 1 + random.nextLong(LEAVES);
            final long started = System.nanoTime();
            final List<byte[]> proof = log.consistencyProof(m, LEAVES);
            final byte[] rootM = log.rootAt(m);
            consistency[p] = System.nanoTime() - started;
            assertThat(Rfc9162.verifyConsistency(m, LEAVES, rootM, root, proof)).isTrue();
        }
        System.out.printf("proofs at %,d leaves: inclusion (leaf bytes and audit path read from the files) median " +
            "%.1f us, p99 %.1f us, max %.1f us over %,d; consistency (proof and the older root) median %.1f us, " +
            "p99 %.1f us, max %.1f us over %,d%n", LEAVES, micros(inclusion, 50), micros(inclusion, 99),
            micros(inclusion, 100), inclusion.length, micros(consistency, 50), micros(consistency, 99),
            micros(consistency, 100), consistency.length);
    }

    // A release over a queue of 100 claims on the state machine (the writer thread's work but the journal's): the
    // whole apply, against the tree's part of it (the salts, and the tranche's leaf with its award tree).
    private static void releaseShare() throws IOException
    {
        final io.tranche.server.state.InMemoryLedger ledger = new io.tranche.server.state.InMemoryLedger();
        final io.tranche.server.state.QueueStateMachine machine =
            new io.tranche.server.state.QueueStateMachine(ledger, 1000);
        for (int i = 0; i < 100; i++)
        {
            machine.apply(new io.tranche.server.state.Command.CreateClaim(io.tranche.proto.v1.CreateClaimRequest
                .newBuilder().setClaim(Claim.newBuilder().setId("claim-" + i).setDemand(1L << 50)).build()), 0);
        }
        final byte[] seed = new byte[32];
        final int rounds = 5_000;
        final java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        final long[] best = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
        final MessageDigest sha = Rfc9162.newSha256();
        final MerkleLog scratch = MerkleLog.inHeap();
        final AwardTree awards = new AwardTree();
        for (int repeat = 0; repeat < 5; repeat++)
        {
            long started = cpu.getCurrentThreadCpuTime();
            Tranche last = null;
            for (int r = 0; r < rounds; r++)
            {
                last = (Tranche)machine.apply(new io.tranche.server.state.Command.ReleaseTranche(
                    io.tranche.proto.v1.ReleaseTrancheRequest.newBuilder().setRequestId("r" + repeat + "-" + r)
                    .setSupply(400_000).setPolicy(Policy.newBuilder().setMethod(Method.PROPORTIONAL).setLot(8))
                    .setSaltSeed(ByteString.copyFrom(seed)).build()), 0).value();
            }
            best[0] = Math.min(best[0], cpu.getCurrentThreadCpuTime() - started);
            started = cpu.getCurrentThreadCpuTime();
            for (int r = 0; r < rounds; r++)
            {
                LedgerLeaves.salts(seed, 100);
            }
            best[1] = Math.min(best[1], cpu.getCurrentThreadCpuTime() - started);
            started = cpu.getCurrentThreadCpuTime();
            for (int r = 0; r < rounds; r++)
            {
                awards.root(last);
            }
            best[2] = Math.min(best[2], cpu.getCurrentThreadCpuTime() - started);
            started = cpu.getCurrentThreadCpuTime();
            for (int r = 0; r < rounds; r++)
            {
                final byte[] leaf = LedgerLeaves.trancheLeaf(awards, last).toByteArray();
                scratch.append(leaf, Rfc9162.leafHash(sha, leaf));
                if (scratch.size() > 4096)
                {
                    scratch.truncate(0);
                }
            }
            best[3] = Math.min(best[3], cpu.getCurrentThreadCpuTime() - started);
        }
        final double release = best[0] / 1e3 / rounds;
        final double salts = best[1] / 1e3 / rounds;
        final double root = best[2] / 1e3 / rounds;
        final double leaf = Math.max(0, best[3] / 1e3 / rounds - root);
        final double tree = salts + root + leaf;
        System.out.printf("release over 100 claims on the state machine, CPU time: %.1f us in all; of it, the tree's " +
            "part %.1f us (%.0f%%): 100 salts from 25 SHA-512 %.1f us, the award tree (100 awards encoded and " +
            "hashed, " +
            "99 nodes) %.1f us, the tranche's leaf encoded, hashed and appended %.1f us; the journal's write and " +
            "fsync come on top%n", release, tree, 100 * tree / release, salts, root, leaf);
    }

    private static byte[] claimLeaf(final long i)
    {
        return LedgerLeaves.claimLeaf(ClaimLeaf.Change.UPDATED, Claim.newBuilder().setId("claim-" + (i % 10_000))
            .setDemand(1_000_000 - i).setWeight(1 + i % 7).setPosition(1 + i % 10_000).setAwarded(i).build(),
            1_796_011_200_000_000_000L + i * 1_000_003L).toByteArray();
    }

    private static double micros(final long[] nanos, final int percentile)
    {
        final long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        final int at = Math.min(sorted.length - 1, (int)((long)sorted.length * percentile / 100));
        return sorted[at] / 1e3;
    }

    private static void deleteTree(final Path dir) throws IOException
    {
        try (java.util.stream.Stream<Path> files = Files.list(dir))
        {
            for (final Path p : (Iterable<Path>)files::iterator)
            {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }
}
