package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.aeron.cluster.service.Cluster;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.server.state.Command;
import io.tranche.server.state.Outcome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Automatic snapshots: with a low {@code --snapshot-every}, the leader asks the cluster for snapshots by
 * itself (no {@code ClusterTool}), every member takes them at the same log position, and a restart of all
 * three replays only the commands after the newest one.
 */
@Tag("slow")
class ClusterSnapshotTest
{
    /**
     * Three members in one JVM on a loaded machine: the state tests take Aeron's own 10 s leader heartbeat timeout,
     * so that a slow scheduler does not start an election in the middle of them (failover is the kill tests' job,
     * with the server's default).
     */
    static final ClusterNode.Settings STEADY = new ClusterNode.Settings(null,
        QueueClusteredService.CHECKPOINT_EVERY_DEFAULT, java.util.concurrent.TimeUnit.SECONDS.toNanos(10), 0);

    private static final int EVERY = 5;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldTakeSnapshotsByItselfAndReplayOnlyTheTailWhenAllMembersRestart() throws Exception
    {
        final int base = 26000 + (int)(ProcessHandle.current().pid() % 400) * 10;
        final List<Member> members = Member.parseList(
            ClusterProcesses.loopbackMembers(base));
        final int total = 23;
        final String before;
        final long[] tail = new long[3];
        List<ClusterNode> nodes = launch(members);
        ClusterCommandLog log = null;
        try
        {
            log = connect(nodes.get(0));
            create(log, 0, 12);
            awaitSnapshots(nodes, 1);
            create(log, 12, total);
            awaitSnapshots(nodes, 2);

            int leaders = 0;
            for (final ClusterNode node : nodes)
            {
                leaders += node.role() == Cluster.Role.LEADER ? 1 : 0;
                assertThat(node.leadershipTermId()).isGreaterThanOrEqualTo(0);
                assertThat(node.commitPosition()).isGreaterThanOrEqualTo(node.service().appliedPosition());
                // Asked by the leader's node process, taken by every member (the consensus module counts a
                // snapshot once the service's part is recorded: a little after the service wrote it).
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (node.snapshotCount() < 2 && System.nanoTime() < deadline)
                {
                    Thread.sleep(20);
                }
                assertThat(node.snapshotCount()).as("snapshots on member " + node.self().id())
                    .isGreaterThanOrEqualTo(2);
            }
            assertThat(leaders).isEqualTo(1);
            // The members' state-hash checkpoints at each snapshot go through the log after the last write: hash
            // once every member has applied everything and the log is still.
            final long position = quiescentPosition(nodes);
            final QueueClusteredService.StateHash h = InProcessClusterTest.hashAt(nodes.get(0), position);
            before = h.sha256();
            for (final ClusterNode node : nodes)
            {
                assertThat(InProcessClusterTest.hashAt(node, position).sha256()).isEqualTo(before);
                // Every member took the same snapshots, at the same log positions.
                assertThat(node.service().snapshotPosition()).isEqualTo(nodes.get(0).service().snapshotPosition());
                tail[node.self().id()] = node.service().commandsSinceSnapshot();
                // A snapshot's checkpoint hash is the digest of the state it wrote: the same as a checkpoint's.
                final java.util.concurrent.CompletableFuture<byte[][]> hashes =
                    new java.util.concurrent.CompletableFuture<>();
                assertThat(node.service().snapshotAndCheckpointHashes(hashes::complete)).isTrue();
                final byte[][] both = hashes.get(30, TimeUnit.SECONDS);
                assertThat(both[0]).isEqualTo(both[1]);
                assertThat(tail[node.self().id()]).isLessThan(EVERY);
            }
        }
        finally
        {
            close(log, nodes);
        }

        nodes = launch(members);
        try
        {
            log = connect(nodes.get(1));
            for (final ClusterNode node : nodes)
            {
                awaitHash(node, before);
                assertThat(node.service().commandsApplied()).as("commands replayed on member " + node.self().id())
                    .isEqualTo(tail[node.self().id()])
                    .isLessThan(total);
            }
            assertThat(create(log, total, total + 1)).isEqualTo(Outcome.Kind.CREATED);
        }
        finally
        {
            close(log, nodes);
        }
    }

    /**
     * The checkpoint schedule travels in the snapshot: a member that was down while the others took a snapshot, and
     * replays past it from its own older one, still takes its checkpoints at the messages where they take theirs, so
     * it goes on comparing hashes with them.
     */
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldCheckpointWhereTheOthersDoAfterReplayingPastTheirSnapshot() throws Exception
    {
        final int base = 27000 + (int)(ProcessHandle.current().pid() % 300) * 10;
        final List<Member> members = Member.parseList(ClusterProcesses.loopbackMembers(base));
        final ClusterNode.Settings often = new ClusterNode.Settings(null, 3,
            java.util.concurrent.TimeUnit.SECONDS.toNanos(10), 0);
        final List<ClusterNode> nodes = new ArrayList<>();
        ClusterCommandLog log = null;
        try
        {
            for (int i = 0; i < 3; i++)
            {
                nodes.add(ClusterNode.launch(members, i, dir.resolve("node-" + i), 1000,
                    new ClusterNode.Snapshots(EVERY, 1L << 30), often));
            }
            log = connect(nodes.get(0));
            create(log, 0, 12);
            awaitSnapshots(nodes, 1);
            // A follower goes down (member 2, or member 1 when 2 leads): stopping the leader would start an election,
            // and the writes below would meet it. Not member 0, whose node the client came in through.
            final int down = nodes.get(2).role() == Cluster.Role.LEADER ? 1 : 2;
            final List<ClusterNode> up = new ArrayList<>(nodes);
            up.remove(down);
            nodes.get(down).close();
            final long before = nodes.get(0).service().snapshotsTaken();
            create(log, 12, 24);
            awaitSnapshots(up, before + 1);

            nodes.set(down, ClusterNode.launch(members, down, dir.resolve("node-" + down), 1000,
                new ClusterNode.Snapshots(EVERY, 1L << 30), often));
            final String hash = InProcessClusterTest.hashAt(nodes.get(0), quiescentPosition(up)).sha256();
            final ClusterNode rejoined = nodes.get(down);
            awaitHash(rejoined, hash);
            final long matched = rejoined.service().checkpointsMatched();
            create(log, 24, 36);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (rejoined.service().checkpointsMatched() <= matched && System.nanoTime() < deadline)
            {
                Thread.sleep(20);
            }
            assertThat(rejoined.service().checkpointsMatched())
                .as("checkpoints member %d compared after it rejoined", down).isGreaterThan(matched);
            assertThat(rejoined.service().diverged()).isNull();
        }
        finally
        {
            close(log, nodes);
        }
    }

    private static long quiescentPosition(final List<ClusterNode> nodes) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long previous = -1;
        while (true)
        {
            final long position = nodes.get(0).service().appliedPosition();
            boolean same = position == previous;
            for (final ClusterNode node : nodes)
            {
                same &= node.service().appliedPosition() == position;
            }
            if (same || System.nanoTime() > deadline)
            {
                return position;
            }
            previous = position;
            Thread.sleep(300);
        }
    }

    private static Outcome.Kind create(final ClusterCommandLog log, final int from, final int to) throws Exception
    {
        Outcome.Kind last = null;
        for (int i = from; i < to; i++)
        {
            final Outcome created = InProcessClusterTest.submit(log, new Command.CreateClaim(
                CreateClaimRequest.newBuilder()
                .setClaim(Claim.newBuilder().setId("c" + i).setDemand(100 + i)).build()));
            assertThat(created.kind()).as(created.toString()).isEqualTo(Outcome.Kind.CREATED);
            last = created.kind();
        }
        return last;
    }

    private static void awaitSnapshots(final List<ClusterNode> nodes, final long taken) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (final ClusterNode node : nodes)
        {
            while (System.nanoTime() < deadline &&
                (node.service().snapshotsTaken() < taken || node.service().commandsSinceSnapshot() >= EVERY))
            {
                Thread.sleep(20);
            }
            assertThat(node.service().snapshotsTaken()).as("snapshots on member " + node.self().id())
                .isGreaterThanOrEqualTo(taken);
            assertThat(node.service().commandsSinceSnapshot()).isLessThan(EVERY);
            // The status says how long the newest snapshot held the member's commands: a taken one shows at least 1.
            assertThat(ClusterStatusService.status(node, null).getLastSnapshotMillis()).isPositive();
        }
    }

    private static void awaitHash(final ClusterNode node, final String expected) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String sha = null;
        while (System.nanoTime() < deadline)
        {
            final CompletableFuture<QueueClusteredService.StateHash> hash = new CompletableFuture<>();
            assertThat(node.service().stateHash(hash::complete)).isTrue();
            sha = hash.get(30, TimeUnit.SECONDS).sha256();
            if (sha.equals(expected))
            {
                return;
            }
            Thread.sleep(50);
        }
        assertThat(sha).as("member " + node.self().id() + " restored the same state").isEqualTo(expected);
    }

    private List<ClusterNode> launch(final List<Member> members)
    {
        final List<ClusterNode> nodes = new ArrayList<>();
        for (int i = 0; i < members.size(); i++)
        {
            nodes.add(ClusterNode.launch(members, i, dir.resolve("node-" + i), 1000,
                new ClusterNode.Snapshots(EVERY, 1L << 30), STEADY));
        }
        return nodes;
    }

    static ClusterCommandLog connect(final ClusterNode node) throws InterruptedException
    {
        final ClusterCommandLog log = new ClusterCommandLog(node, 1024);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (log.failure() != null && System.nanoTime() < deadline)
        {
            Thread.sleep(50);
        }
        assertThat(log.failure()).as("connected to a leader").isNull();
        return log;
    }

    static void close(final ClusterCommandLog log, final List<ClusterNode> nodes)
    {
        CloseHelper.quietClose(log);
        for (int i = nodes.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(nodes.get(i));
        }
    }
}
