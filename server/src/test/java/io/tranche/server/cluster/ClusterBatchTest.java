package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.GetClaimRequest;
import io.tranche.proto.v1.GetTrancheRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.state.Command;
import io.tranche.server.state.Outcome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several commands in one ingress message ({@link ClusterProtocol#BATCH}): each is applied in order on every member
 * with its own answer and its own principal, a member's front sends concurrent calls as batches, and all three
 * members replay the batches from their logs to the same state after a restart.
 */
@Tag("slow")
class ClusterBatchTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldApplyEachCommandOfABatchWithItsOwnAnswerAndPrincipalOnEveryMemberAndAfterARestart() throws Exception
    {
        final Path secret = ClusterAuthenticationTest.secretFile(dir, "secret");
        final int base = 25000 + (int)(ProcessHandle.current().pid() % 300) * 10;
        final List<String> hashes;
        try (ClusterServers cluster = ClusterServers.start(dir, base, c -> c.clusterSecret(secret)))
        {
            cluster.queue(0).createClaim(ClusterAuthenticationTest.claim("first", 10));
            final Map<Long, Outcome> answers = sendOneBatch(cluster, secret, base);
            assertThat(answers.get(101L).kind()).isEqualTo(Outcome.Kind.CREATED);
            assertThat(((Claim)answers.get(101L).value()).getId()).isEqualTo("batch-a");
            assertThat(answers.get(102L).kind()).isEqualTo(Outcome.Kind.CREATED);
            assertThat(answers.get(103L).kind()).as("a recorded tranche is no client command")
                .isEqualTo(Outcome.Kind.INVALID);
            assertThat(answers.get(104L).kind()).isEqualTo(Outcome.Kind.RELEASED);
            assertThat(((Tranche)answers.get(104L).value()).getRequestId()).isEqualTo("batch-r");
            assertThat(answers.get(105L).kind()).as("applied in order: batch-a exists by then")
                .isEqualTo(Outcome.Kind.ALREADY_EXISTS);

            final int concurrent = concurrentCreates(cluster);
            hashes = sameStateOnEveryMember(cluster);
            long batched = 0;
            for (int node = 0; node < 3; node++)
            {
                checkMember(cluster, node, concurrent);
                assertThat(cluster.service(node).batchesApplied()).as("member " + node).isPositive();
                batched = cluster.service(node).batchedCommandsApplied();
            }
            System.out.println("batch test: " + batched + " of " + (concurrent + 6) + " commands came in " +
                cluster.service(0).batchesApplied() + " batches");
            assertThat(batched).as("the fronts batched concurrent calls").isGreaterThan(5);
        }
        try (ClusterServers cluster = ClusterServers.start(dir, base, c -> c.clusterSecret(secret)))
        {
            for (int node = 0; node < 3; node++)
            {
                checkMember(cluster, node, 24 * 10);
            }
            assertThat(sameStateOnEveryMember(cluster)).as("replayed from the log").isEqualTo(hashes);
        }
    }

    // Through a raw client holding the secret: one signed BATCH of five commands, the answers by correlation id.
    private static Map<Long, Outcome> sendOneBatch(final ClusterServers cluster, final Path secret, final int base)
        throws Exception
    {
        final ClusterSecret key = ClusterSecret.load(secret);
        final Map<Long, Outcome> answers = new ConcurrentHashMap<>();
        final EgressListener listener = (session, timestamp, buffer, offset, length, header) ->
        {
            try
            {
                final ClusterProtocol.Answer answer = ClusterProtocol.decodeEgress(buffer, offset, length);
                answers.put(answer.correlationId(), answer.outcome());
            }
            catch (final java.io.IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        };
        try (AeronCluster client = AeronCluster.connect(new AeronCluster.Context()
            .aeronDirectoryName(cluster.servers.get(1).clusterNode().aeronDir())
            .ingressChannel("aeron:udp?term-length=" + ClusterNode.TERM_LENGTH)
            .ingressEndpoints(ClusterAuthenticationTest.ingressEndpoints(base))
            .egressChannel("aeron:udp?term-length=" + ClusterNode.LOG_TERM_LENGTH + "|endpoint=127.0.0.1:0")
            .messageTimeoutNs(TimeUnit.SECONDS.toNanos(5))
            .credentialsSupplier(ClusterAuthenticator.credentials(key))
            .egressListener(listener)))
        {
            final List<ClusterProtocol.Entry> entries = new ArrayList<>();
            entries.add(entry(101, new Command.CreateClaim(create("batch-a", 50), "alice")));
            entries.add(entry(102, new Command.CreateClaim(create("batch-b", 30), "bob")));
            entries.add(entry(103, new Command.RecordTranche(Tranche.newBuilder().setNumber(9).build(), "mallory")));
            entries.add(entry(104, new Command.ReleaseTranche(ReleaseTrancheRequest.newBuilder()
                .setRequestId("batch-r").setSupply(5).setPolicy(Policy.newBuilder().setMethod(Method.FIFO)).build(),
                "carol")));
            entries.add(entry(105, new Command.CreateClaim(create("batch-a", 1), "")));
            final byte[] message = ClusterProtocol.encodeSigned(ClusterProtocol.BATCH,
                ClusterProtocol.encodeBatch(entries), 0, client.clusterSessionId(), 1, key);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (client.offer(new UnsafeBuffer(message), 0, message.length) < 0)
            {
                assertThat(System.nanoTime()).as("offered within 30 s").isLessThan(deadline);
                client.pollEgress();
                Thread.sleep(5);
            }
            while (answers.size() < entries.size())
            {
                assertThat(System.nanoTime()).as("five answers within 30 s: " + answers).isLessThan(deadline);
                if (client.pollEgress() == 0)
                {
                    Thread.sleep(2);
                }
            }
        }
        return answers;
    }

    private static ClusterProtocol.Entry entry(final long correlationId, final Command command)
    {
        return new ClusterProtocol.Entry(command.type(), correlationId, command.encode());
    }

    // 24 threads create 10 claims each through member 2's front: each call answered with its own claim.
    private static int concurrentCreates(final ClusterServers cluster) throws Exception
    {
        final ExecutorService threads = Executors.newFixedThreadPool(24);
        try
        {
            final List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 24; t++)
            {
                final int thread = t;
                done.add(threads.submit(() ->
                {
                    for (int i = 0; i < 10; i++)
                    {
                        final String id = "c-" + thread + "-" + i;
                        final Claim claim = cluster.queue(2).createClaim(create(id, 1 + i));
                        assertThat(claim.getId()).isEqualTo(id);
                        assertThat(claim.getDemand()).isEqualTo(1 + i);
                    }
                    return null;
                }));
            }
            for (final Future<?> f : done)
            {
                f.get(120, TimeUnit.SECONDS);
            }
            return 24 * 10;
        }
        finally
        {
            threads.shutdownNow();
        }
    }

    private static void checkMember(final ClusterServers cluster, final int node, final int concurrent)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (cluster.service(node).queueLength() < 3 + concurrent)
        {
            assertThat(System.nanoTime()).as("member " + node + " applied every command").isLessThan(deadline);
            Thread.sleep(20);
        }
        final Claim a = cluster.queue(node).getClaim(GetClaimRequest.newBuilder().setId("batch-a").build());
        assertThat(a.getCreatedBy()).as("member " + node).isEqualTo("alice");
        assertThat(a.getDemand()).as("the duplicate changed nothing").isEqualTo(50);
        assertThat(cluster.queue(node).getClaim(GetClaimRequest.newBuilder().setId("batch-b").build())
            .getCreatedBy()).as("member " + node).isEqualTo("bob");
        final Tranche tranche = cluster.queue(node).getTranche(GetTrancheRequest.newBuilder().setNumber(1).build());
        assertThat(tranche.getRequestId()).isEqualTo("batch-r");
        assertThat(tranche.getReleasedBy()).as("member " + node).isEqualTo("carol");
        assertThat(cluster.service(node).ledger().count()).as("the recorded tranche was not applied").isEqualTo(1);
    }

    // The state hash of every member once all three have applied the same position.
    private static List<String> sameStateOnEveryMember(final ClusterServers cluster) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            final List<QueueClusteredService.StateHash> states = new ArrayList<>();
            for (int node = 0; node < 3; node++)
            {
                final java.util.concurrent.CompletableFuture<QueueClusteredService.StateHash> hash =
                    new java.util.concurrent.CompletableFuture<>();
                assertThat(cluster.service(node).stateHash(hash::complete)).isTrue();
                states.add(hash.get(30, TimeUnit.SECONDS));
            }
            if (states.get(0).position() == states.get(1).position() &&
                states.get(1).position() == states.get(2).position())
            {
                final List<String> hashes = new ArrayList<>();
                for (final QueueClusteredService.StateHash state : states)
                {
                    hashes.add(state.sha256());
                }
                assertThat(hashes).as("the same state on every member").containsOnly(hashes.get(0));
                return hashes;
            }
            assertThat(System.nanoTime()).as("members at the same position: " + states).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static CreateClaimRequest create(final String id, final long demand)
    {
        return CreateClaimRequest.newBuilder().setClaim(Claim.newBuilder().setId(id).setDemand(demand)).build();
    }
}
