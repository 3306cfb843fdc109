package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.GetTrancheRequest;
import io.tranche.proto.v1.ListTranchesRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.state.Command;
import io.tranche.server.state.Outcome;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each member's tranches live in its own file ({@link ClusterLedger}), not its heap. Before any snapshot the file is
 * rewritten from the log when the member starts (a deleted or damaged file is repaired); after one the member starts
 * from its own files, checked against what the snapshot recorded, and refuses damaged ones naming the file. A
 * flipped bit is refused with a message naming the file while the member runs, the state hash stays the same on
 * every member, and many releases leave the heap small.
 */
class ClusterLedgerTest
{
    @TempDir
    Path dir;

    @Test
    @Tag("slow")
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldRefuseAFlippedRecordWhileRunningAndRewriteTheFileWhenTheMemberRestarts() throws Exception
    {
        final int base = 29000 + (int)(ProcessHandle.current().pid() % 300) * 10;
        final List<Tranche> tranches;
        try (ClusterServers cluster = ClusterServers.start(dir, base))
        {
            for (int i = 0; i < 5; i++)
            {
                cluster.queue(0).createClaim(CreateClaimRequest.newBuilder()
                    .setClaim(Claim.newBuilder().setId("c" + i).setDemand(1000).setWeight(1 + i)).build());
            }
            for (int r = 1; r <= 6; r++)
            {
                assertThat(cluster.queue(0).releaseTranche(release("r" + r, 50)).getNumber()).isEqualTo(r);
            }
            tranches = cluster.queue(0).listTranches(ListTranchesRequest.newBuilder().setPageSize(100).build())
                .getTranchesList();
            final long position = cluster.service(0).appliedPosition();
            final String hash = InProcessClusterTest.hashAt(cluster.servers.get(0).clusterNode(), position).sha256();
            for (int i = 0; i < 3; i++)
            {
                assertThat(InProcessClusterTest.hashAt(cluster.servers.get(i).clusterNode(), position).sha256())
                    .isEqualTo(hash);
                assertThat(cluster.service(i).ledger()).isInstanceOf(ClusterLedger.class);
                assertThat(dir.resolve("node-" + i).resolve(ClusterLedger.FILE)).isNotEmptyFile();
            }

            // A bit flipped on member 2's disk: its answer is refused naming the file; the others answer.
            final Path file = dir.resolve("node-2").resolve(ClusterLedger.FILE);
            flipInRecord(file, 3);
            assertThatThrownBy(() -> cluster.queue(2).getTranche(GetTrancheRequest.newBuilder().setNumber(3).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, ex ->
                {
                    assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.DATA_LOSS);
                    assertThat(ex.getStatus().getDescription()).contains(file.toString(), "checksum",
                        "rebuild this member from its peers");
                });
            assertThat(cluster.queue(1).getTranche(GetTrancheRequest.newBuilder().setNumber(3).build()))
                .isEqualTo(tranches.get(2));
            // The replicated state did not change: a retried release on member 2 still works where it can.
            assertThat(cluster.queue(1).releaseTranche(release("r6", 50))).isEqualTo(tranches.get(5));
        }

        // Member 1 loses its file; member 2 keeps its damaged one: both are rewritten at start.
        Files.delete(dir.resolve("node-1").resolve(ClusterLedger.FILE));
        try (ClusterServers cluster = ClusterServers.start(dir, base))
        {
            for (int i = 0; i < 3; i++)
            {
                final int node = i;
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (cluster.service(node).ledger().count() < tranches.size() && System.nanoTime() < deadline)
                {
                    Thread.sleep(20);
                }
                assertThat(cluster.queue(node).listTranches(ListTranchesRequest.newBuilder().setPageSize(100).build())
                    .getTranchesList()).as("member " + node).isEqualTo(tranches);
            }
            assertThat(cluster.queue(2).releaseTranche(release("r7", 50)).getNumber()).isEqualTo(7);
        }
    }

    @Test
    @Tag("slow")
    @Timeout(value = 400, unit = TimeUnit.SECONDS)
    void shouldStartFromItsOwnFilesAfterASnapshotAndRefuseThemDamaged() throws Exception
    {
        final int base = 31000 + (int)(ProcessHandle.current().pid() % 200) * 10;
        final java.util.function.UnaryOperator<io.tranche.server.ServerConfig> every = config -> config
            .snapshotEvery(4);
        final List<Tranche> tranches;
        try (ClusterServers cluster = ClusterServers.start(dir, base, every))
        {
            // The first snapshot comes after the fourth command: two claims and two tranches (later ones are paced
            // by the first one's time).
            for (int i = 0; i < 2; i++)
            {
                cluster.queue(0).createClaim(CreateClaimRequest.newBuilder()
                    .setClaim(Claim.newBuilder().setId("c" + i).setDemand(1000).setWeight(1 + i)).build());
            }
            for (int r = 1; r <= 6; r++)
            {
                assertThat(cluster.queue(0).releaseTranche(release("r" + r, 50)).getNumber()).isEqualTo(r);
            }
            for (int i = 0; i < 3; i++)
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (cluster.service(i).snapshotsTaken() < 1 && System.nanoTime() < deadline)
                {
                    Thread.sleep(20);
                }
                assertThat(cluster.service(i).snapshotsTaken()).as("snapshots of member " + i).isPositive();
            }
            // One more after the snapshots: the restart replays it on top of the files.
            assertThat(cluster.queue(0).releaseTranche(release("r7", 50)).getNumber()).isEqualTo(7);
            tranches = cluster.queue(0).listTranches(ListTranchesRequest.newBuilder().setPageSize(100).build())
                .getTranchesList();
        }

        // Restarted on their own files: each member holds the same tranches and replays only its log's tail.
        try (ClusterServers cluster = ClusterServers.start(dir, base, every))
        {
            for (int i = 0; i < 3; i++)
            {
                awaitTranches(cluster, i, tranches);
                assertThat(cluster.service(i).commandsApplied()).as("commands replayed by member " + i)
                    .isLessThan(9);
                assertThat(cluster.service(i).snapshotPosition()).isPositive();
            }
            assertThat(cluster.queue(1).releaseTranche(release("r8", 50)).getNumber()).isEqualTo(8);
        }

        // A bit flipped in a tranche its snapshot recorded: member 2 refuses to start, naming the file.
        final Path file = dir.resolve("node-2").resolve(ClusterLedger.FILE);
        flipInRecord(file, 2);
        assertThatThrownBy(() -> io.tranche.server.TrancheServer.start(every.apply(
            ClusterServers.config(dir, base, 2)).clusterStartTimeout(java.time.Duration.ofSeconds(60))).close())
            .hasMessageContaining(file.toString())
            .hasMessageContaining("tranche 2 ")
            .hasMessageContaining("rebuild this member from its peers");

        // Rebuilt from its peers (an empty directory), it holds the others' tranches.
        Files.move(dir.resolve("node-2"), dir.resolve("node-2.damaged"));
        try (ClusterServers cluster = ClusterServers.start(dir, base, every))
        {
            final List<Tranche> all = cluster.queue(0).listTranches(ListTranchesRequest.newBuilder()
                .setPageSize(100).build()).getTranchesList();
            assertThat(all).hasSize(8);
            awaitTranches(cluster, 2, all);
        }
    }

    private static void awaitTranches(final ClusterServers cluster, final int node, final List<Tranche> expected)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (cluster.service(node).ledger().count() < expected.size() && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertThat(cluster.queue(node).listTranches(ListTranchesRequest.newBuilder().setPageSize(100).build())
            .getTranchesList()).as("member " + node).isEqualTo(expected);
    }

    @Test
    @Tag("measurement")
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void shouldKeepTheMembersHeapSmallWhileTheLedgerGrows() throws Exception
    {
        final int claims = 400;
        final int releases = 600;
        final int base = 30000 + (int)(ProcessHandle.current().pid() % 200) * 10;
        final List<Member> members = Member.parseList(
            ClusterProcesses.loopbackMembers(base));
        final List<ClusterNode> nodes = new ArrayList<>();
        ClusterCommandLog log = null;
        try
        {
            for (int i = 0; i < 3; i++)
            {
                nodes.add(ClusterNode.launch(members, i, dir.resolve("node-" + i), 100_000,
                    new ClusterNode.Snapshots(1_000_000, 1L << 40), ClusterSnapshotTest.STEADY));
            }
            log = ClusterSnapshotTest.connect(nodes.get(0));
            for (int i = 0; i < claims; i++)
            {
                InProcessClusterTest.submit(log, new Command.CreateClaim(CreateClaimRequest.newBuilder()
                    .setClaim(Claim.newBuilder().setId("claim-" + i).setDemand(1_000_000_000L).setWeight(1 + i % 7))
                    .build()));
            }
            final long before = usedHeapAfterGc();
            long serialized = 0;
            final long start = System.nanoTime();
            for (int r = 0; r < releases; r++)
            {
                final Outcome released = InProcessClusterTest.submit(log, new Command.ReleaseTranche(
                    release("release-" + r, 1_000 + r)));
                assertThat(released.kind()).isEqualTo(Outcome.Kind.RELEASED);
                serialized += ((Tranche)released.value()).getSerializedSize();
            }
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            final long position = nodes.get(0).service().appliedPosition();
            final String hash = InProcessClusterTest.hashAt(nodes.get(0), position).sha256();
            for (final ClusterNode node : nodes)
            {
                assertThat(InProcessClusterTest.hashAt(node, position).sha256()).isEqualTo(hash);
            }
            final long after = usedHeapAfterGc();
            final long grown = after - before;
            System.out.printf("ClusterLedgerTest: %d releases of %d awards on 3 members in one JVM (%d ms): " +
                "tranches %,d B serialized per member (%,d B for 3); heap after GC grew %,d B (%.1f B per tranche " +
                "per member); ledger files %,d B each%n", releases, claims, elapsedMs, serialized, 3 * serialized,
                grown, grown / (3.0 * releases), fileSize(dir.resolve("node-0").resolve(ClusterLedger.FILE)));
            // The tranches themselves are on disk: the heap grows by far less than one copy of them.
            assertThat(grown).isLessThan(serialized / 4);
        }
        finally
        {
            ClusterSnapshotTest.close(log, nodes);
        }
    }

    private static long fileSize(final Path file) throws java.io.IOException
    {
        return Files.exists(file) ? Files.size(file) : 0;
    }

    private static long usedHeapAfterGc() throws InterruptedException
    {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++)
        {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    // Bit 2 of the fourth byte of the tranche's bytes (each record is a 16-byte header and the tranche).
    private static void flipInRecord(final Path file, final long number) throws Exception
    {
        io.tranche.server.ledger.LedgerFiles.flipBit(file, (int)LedgerFilesAdoptTest.recordOffset(file, number) +
            16 + 3, 2);
    }

    private static ReleaseTrancheRequest release(final String requestId, final long supply)
    {
        return ReleaseTrancheRequest.newBuilder().setRequestId(requestId).setSupply(supply)
            .setPolicy(Policy.newBuilder().setMethod(Method.SAINTE_LAGUE)).build();
    }
}
