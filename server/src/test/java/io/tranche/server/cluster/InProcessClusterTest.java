package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.state.Command;
import io.tranche.server.state.CommandLog;
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
 * Three cluster members in one JVM (each with its own media driver, archive and consensus module on
 * loopback ports): commands through one member's {@link ClusterCommandLog} are applied on all three,
 * with byte-identical state.
 */
@Tag("slow")
class InProcessClusterTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldApplyCommandsThroughOneMemberOnEveryMemberWithIdenticalState() throws Exception
    {
        final int base = 21000 + (int)(ProcessHandle.current().pid() % 400) * 10;
        final List<ClusterNode.Member> members = ClusterNode.parseMembers(
            ClusterProcesses.loopbackMembers(base));
        final List<ClusterNode> nodes = new ArrayList<>();
        ClusterCommandLog log = null;
        try
        {
            for (int i = 0; i < 3; i++)
            {
                nodes.add(ClusterNode.launch(members, i, dir.resolve("node-" + i), 1000));
            }
            log = new ClusterCommandLog(nodes.get(1), 1024);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (log.failure() != null && System.nanoTime() < deadline)
            {
                Thread.sleep(50);
            }
            assertThat(log.failure()).as("connected to a leader").isNull();

            for (int i = 0; i < 20; i++)
            {
                final Outcome created = submit(log, new Command.CreateClaim(CreateClaimRequest.newBuilder()
                    .setClaim(Claim.newBuilder().setId("c" + i).setDemand(10 + i).setWeight(1 + i % 3)).build()));
                assertThat(created.kind()).as(created.toString()).isEqualTo(Outcome.Kind.CREATED);
            }
            final Outcome duplicate = submit(log, new Command.CreateClaim(CreateClaimRequest.newBuilder()
                .setClaim(Claim.newBuilder().setId("c0").setDemand(1)).build()));
            assertThat(duplicate.kind()).isEqualTo(Outcome.Kind.ALREADY_EXISTS);

            final ReleaseTrancheRequest release = ReleaseTrancheRequest.newBuilder().setRequestId("r1").setSupply(77)
                .setPolicy(Policy.newBuilder().setMethod(Method.SAINTE_LAGUE)).build();
            final Outcome released = submit(log, new Command.ReleaseTranche(release));
            assertThat(released.kind()).as(released.toString()).isEqualTo(Outcome.Kind.RELEASED);
            final Tranche tranche = (Tranche)released.value();
            assertThat(tranche.getNumber()).isEqualTo(1);
            final Outcome again = submit(log, new Command.ReleaseTranche(release));
            assertThat(again.kind()).isEqualTo(Outcome.Kind.ALREADY_RELEASED);
            assertThat(again.value()).isEqualTo(tranche);
            // Answered only once applied here: the node's own ledger has it.
            assertThat(log.ledger().count()).isEqualTo(1);
            assertThat(log.ledger().get(1)).isEqualTo(tranche);

            final long target = nodes.get(1).service().appliedPosition();
            final List<QueueClusteredService.StateHash> hashes = new ArrayList<>();
            for (final ClusterNode node : nodes)
            {
                hashes.add(hashAt(node, target));
            }
            assertThat(hashes.get(0).tranches()).isEqualTo(1);
            assertThat(hashes).extracting(QueueClusteredService.StateHash::sha256).containsOnly(hashes.get(0).sha256());
            // The ledger's tree, computed by each member from the log: one leaf per change (20 creates, a release;
            // the refused create and the repeated release change nothing), the same root everywhere.
            final List<String> roots = new ArrayList<>();
            for (final ClusterNode node : nodes)
            {
                final io.tranche.server.merkle.MerkleLog tree = node.service().ledger().tree();
                assertThat(tree.durableSize()).isEqualTo(21);
                roots.add(io.tranche.server.merkle.Rfc9162.hex(tree.rootAt(21)));
            }
            assertThat(roots).containsOnly(roots.get(0));
        }
        finally
        {
            CloseHelper.quietClose(log);
            for (int i = nodes.size() - 1; i >= 0; i--)
            {
                CloseHelper.quietClose(nodes.get(i));
            }
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldRestoreTheSameStateFromASnapshotAndTheLogWhenAllMembersRestart() throws Exception
    {
        final int base = 22000 + (int)(ProcessHandle.current().pid() % 400) * 10;
        final List<ClusterNode.Member> members = ClusterNode.parseMembers(
            ClusterProcesses.loopbackMembers(base));
        final String before;
        final String rootBefore;
        final long tranches;
        List<ClusterNode> nodes = launch(members);
        ClusterCommandLog log = null;
        try
        {
            log = connect(nodes.get(0));
            for (int i = 0; i < 10; i++)
            {
                assertThat(submit(log, new Command.CreateClaim(CreateClaimRequest.newBuilder()
                    .setClaim(Claim.newBuilder().setId("c" + i).setDemand(100 + i)).build())).kind())
                    .isEqualTo(Outcome.Kind.CREATED);
            }
            assertThat(submit(log, release("r1", 50)).kind()).isEqualTo(Outcome.Kind.RELEASED);
            ClusterNode leader = null;
            for (final ClusterNode node : nodes)
            {
                if (node.service().role() == io.aeron.cluster.service.Cluster.Role.LEADER)
                {
                    leader = node;
                }
            }
            assertThat(leader).isNotNull();
            final java.io.ByteArrayOutputStream toolOut = new java.io.ByteArrayOutputStream();
            final boolean snapshotTaken = io.aeron.cluster.ClusterTool.snapshot(
                dir.resolve("node-" + leader.self().id()).resolve("cluster").toFile(),
                new java.io.PrintStream(toolOut, true, java.nio.charset.StandardCharsets.UTF_8));
            assertThat(snapshotTaken).as(toolOut.toString(java.nio.charset.StandardCharsets.UTF_8)).isTrue();
            // After the snapshot: replayed from the log on restart.
            assertThat(submit(log, release("r2", 30)).kind()).isEqualTo(Outcome.Kind.RELEASED);
            assertThat(submit(log, new Command.CreateClaim(CreateClaimRequest.newBuilder()
                .setClaim(Claim.newBuilder().setId("late").setDemand(7)).build())).kind())
                .isEqualTo(Outcome.Kind.CREATED);
            final QueueClusteredService.StateHash h = hashAt(nodes.get(0), nodes.get(0).service().appliedPosition());
            before = h.sha256();
            rootBefore = io.tranche.server.merkle.Rfc9162.hex(nodes.get(0).service().ledger().tree().rootAt(13));
            tranches = h.tranches();
            assertThat(tranches).isEqualTo(2);
        }
        finally
        {
            close(log, nodes);
        }

        nodes = launch(members);
        try
        {
            log = connect(nodes.get(2));
            // A write after the restart shows the cluster works; hash the state just before it on every node.
            for (final ClusterNode node : nodes)
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                QueueClusteredService.StateHash h = null;
                while (System.nanoTime() < deadline)
                {
                    final CompletableFuture<QueueClusteredService.StateHash> hash = new CompletableFuture<>();
                    assertThat(node.service().stateHash(hash::complete)).isTrue();
                    h = hash.get(30, TimeUnit.SECONDS);
                    if (h.sha256().equals(before))
                    {
                        break;
                    }
                    Thread.sleep(50);
                }
                assertThat(h.sha256()).as("member " + node.self().id() + " restored the same state").isEqualTo(before);
                // Its tree rebuilt from the snapshot's leaves and the log: the same 13 leaves, the same root.
                assertThat(io.tranche.server.merkle.Rfc9162.hex(node.service().ledger().tree().rootAt(13)))
                    .isEqualTo(rootBefore);
                // The snapshot was loaded: only the commands after it were applied again from the log.
                assertThat(node.service().commandsApplied()).as("commands replayed on member " + node.self().id())
                    .isEqualTo(2);
            }
            assertThat(submit(log, release("r2", 30)).kind()).isEqualTo(Outcome.Kind.ALREADY_RELEASED);
            assertThat(submit(log, release("r3", 10)).kind()).isEqualTo(Outcome.Kind.RELEASED);
            assertThat(log.ledger().count()).isEqualTo(3);
        }
        finally
        {
            close(log, nodes);
        }
    }

    private List<ClusterNode> launch(final List<ClusterNode.Member> members)
    {
        final List<ClusterNode> nodes = new ArrayList<>();
        for (int i = 0; i < members.size(); i++)
        {
            nodes.add(ClusterNode.launch(members, i, dir.resolve("node-" + i), 1000));
        }
        return nodes;
    }

    private static ClusterCommandLog connect(final ClusterNode node) throws InterruptedException
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

    private static void close(final ClusterCommandLog log, final List<ClusterNode> nodes)
    {
        CloseHelper.quietClose(log);
        for (int i = nodes.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(nodes.get(i));
        }
    }

    private static Command release(final String requestId, final long supply)
    {
        return new Command.ReleaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId(requestId).setSupply(supply)
            .setPolicy(Policy.newBuilder().setMethod(Method.PROPORTIONAL)).build());
    }

    static QueueClusteredService.StateHash hashAt(final ClusterNode node, final long position) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            final CompletableFuture<QueueClusteredService.StateHash> hash = new CompletableFuture<>();
            assertThat(node.service().stateHash(hash::complete)).isTrue();
            final QueueClusteredService.StateHash h = hash.get(30, TimeUnit.SECONDS);
            // At the position or past it: only the members' checkpoint reports (which change no state) may follow
            // the tests' last command.
            if (h.position() >= position || System.nanoTime() > deadline)
            {
                assertThat(h.position()).isGreaterThanOrEqualTo(position);
                return h;
            }
            Thread.sleep(20);
        }
    }

    static Outcome submit(final CommandLog log, final Command command) throws Exception
    {
        final CompletableFuture<Outcome> answer = new CompletableFuture<>();
        assertThat(log.submit(command, new CommandLog.Reply()
        {
            @Override
            public Outcome.Kind abandoned()
            {
                return null;
            }

            @Override
            public void complete(final Outcome outcome)
            {
                answer.complete(outcome);
            }
        })).isTrue();
        return answer.get(60, TimeUnit.SECONDS);
    }
}
