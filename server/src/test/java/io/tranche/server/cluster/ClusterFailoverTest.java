package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.ListClaimsRequest;
import io.tranche.proto.v1.ListClaimsResponse;
import io.tranche.proto.v1.ListTranchesRequest;
import io.tranche.proto.v1.ListTranchesResponse;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code tranche serve --cluster-members} child JVMs on loopback. Each round: a writer creates
 * claims and releases tranches through the nodes (retrying an unanswered command on the next node with
 * the same claim id / request_id); the leader is SIGKILLed at a random point; the time from the kill to
 * the first acknowledged write sent after it is measured; the killed node is restarted and catches up;
 * then every node must hold the same claims and tranches, every acknowledged write must be there,
 * tranche numbers are 1..N with each request_id once, and demand at creation = outstanding + awarded.
 * <p>
 * Timeouts are generous for a loaded 2-core machine: leader heartbeat timeout 3 s (the default of
 * {@code serve} is 1.5 s; {@code -Dtranche.cluster.heartbeatTimeout=1500ms} sets another). Rounds: {@code -Dtranche.cluster.rounds} (default 3); each attempt of a write has a
 * deadline of {@code -Dtranche.cluster.attemptDeadlineMs} (default 1000), which quantises the failover time.
 */
@Tag("cluster")
class ClusterFailoverTest
{
    private static final int NODES = 3;
    // Each attempt's deadline: a write waiting on a dead leader is retried on the next node after this.
    private static final long ATTEMPT_DEADLINE_MS = Long.getLong("tranche.cluster.attemptDeadlineMs", 1000);

    @TempDir
    Path dir;

    private final Process[] processes = new Process[NODES];
    private final String[] addresses = new String[NODES];
    private final ManagedChannel[] channels = new ManagedChannel[NODES];
    private String members;

    @AfterEach
    void stop()
    {
        for (int i = 0; i < NODES; i++)
        {
            if (channels[i] != null)
            {
                channels[i].shutdownNow();
            }
            if (processes[i] != null)
            {
                processes[i].destroyForcibly();
            }
        }
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void shouldLoseNoAcknowledgedWriteWhenTheLeaderIsKilled() throws Exception
    {
        final int rounds = Integer.getInteger("tranche.cluster.rounds", 3);
        final int base = 30000 + (int)(ProcessHandle.current().pid() % 500) * 30;
        members = "0=127.0.0.1:" + base + ",1=127.0.0.1:" + (base + 10) + ",2=127.0.0.1:" + (base + 20);
        // A node says it is listening only once a majority elected a leader: start all, then wait.
        final List<CompletableFuture<String>> ready = new ArrayList<>();
        for (int i = 0; i < NODES; i++)
        {
            ready.add(launch(i));
        }
        for (int i = 0; i < NODES; i++)
        {
            assertThat(await(i, ready.get(i))).as("node " + i + " starts; log: " + Files.readString(log(i))).isTrue();
        }
        final Random random = new Random(42);
        final Map<String, Long> createdDemand = new HashMap<>();
        final Set<String> releasedIds = new HashSet<>();
        final List<Long> failoverMillis = new ArrayList<>();
        int next = 0;
        int acknowledged = 0;
        for (int round = 0; round < rounds; round++)
        {
            // Some writes before the kill, through rotating nodes.
            final int before = 2 + random.nextInt(6);
            for (int k = 0; k < before; k++, next++)
            {
                write(next, createdDemand, releasedIds, -1);
                acknowledged++;
            }
            final int leader = leader();
            final long killedAt = System.nanoTime();
            processes[leader].destroyForcibly();
            processes[leader].waitFor(30, TimeUnit.SECONDS);
            channels[leader].shutdownNow();
            channels[leader] = null;
            write(next++, createdDemand, releasedIds, leader);
            acknowledged++;
            failoverMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
            for (int k = 0; k < 3; k++, next++)
            {
                write(next, createdDemand, releasedIds, leader);
                acknowledged++;
            }
            start(leader);
            checkConsistent(createdDemand, releasedIds);
        }
        final long[] sorted = failoverMillis.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.println("tranche cluster failover: rounds=" + rounds + " acknowledged=" + acknowledged +
            " lost=0 failover_ms=" + Arrays.toString(sorted) + " median_ms=" + sorted[sorted.length / 2] +
            " max_ms=" + sorted[sorted.length - 1]);
    }

    // Write `n`: even = create a claim, odd = release a tranche; retried on the next live node until answered.
    private void write(final int n, final Map<String, Long> createdDemand, final Set<String> releasedIds, final int dead)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        int node = n % NODES;
        while (true)
        {
            if (node == dead || channels[node] == null)
            {
                node = (node + 1) % NODES;
                continue;
            }
            final QueueServiceGrpc.QueueServiceBlockingStub stub = QueueServiceGrpc.newBlockingStub(channels[node])
                .withDeadlineAfter(ATTEMPT_DEADLINE_MS, TimeUnit.MILLISECONDS);
            try
            {
                if (n % 2 == 0)
                {
                    final String id = "c" + n;
                    final long demand = 50 + n;
                    try
                    {
                        stub.createClaim(CreateClaimRequest.newBuilder()
                            .setClaim(Claim.newBuilder().setId(id).setDemand(demand)).build());
                    }
                    catch (final StatusRuntimeException ex)
                    {
                        // A retry of a create that got in before an answer was lost.
                        if (ex.getStatus().getCode() != io.grpc.Status.Code.ALREADY_EXISTS ||
                            !createdDemand.containsKey(id) && !retried.contains(id))
                        {
                            throw ex;
                        }
                    }
                    createdDemand.put(id, demand);
                }
                else
                {
                    final String requestId = "r" + n;
                    final Tranche tranche = stub.releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId(requestId)
                        .setSupply(40).setPolicy(Policy.newBuilder().setMethod(Method.PROPORTIONAL)).build());
                    assertThat(tranche.getRequestId()).isEqualTo(requestId);
                    releasedIds.add(requestId);
                }
                return;
            }
            catch (final StatusRuntimeException ex)
            {
                final io.grpc.Status.Code code = ex.getStatus().getCode();
                assertThat(code).as(ex.getMessage())
                    .isIn(io.grpc.Status.Code.UNAVAILABLE, io.grpc.Status.Code.DEADLINE_EXCEEDED);
                if (n % 2 == 0)
                {
                    retried.add("c" + n);
                }
                assertThat(System.nanoTime()).as("write " + n + " answered within 120 s").isLessThan(deadline);
                node = (node + 1) % NODES;
                Thread.sleep(50);
            }
        }
    }

    private final Set<String> retried = new HashSet<>();

    private void checkConsistent(final Map<String, Long> createdDemand, final Set<String> releasedIds)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            final List<List<Tranche>> tranches = new ArrayList<>();
            final List<List<Claim>> claims = new ArrayList<>();
            for (int i = 0; i < NODES; i++)
            {
                tranches.add(tranches(i));
                claims.add(claims(i));
            }
            final boolean same = tranches.get(1).equals(tranches.get(0)) && tranches.get(2).equals(tranches.get(0)) &&
                claims.get(1).equals(claims.get(0)) && claims.get(2).equals(claims.get(0)) &&
                tranches.get(0).size() == releasedIds.size();
            if (same || System.nanoTime() > deadline)
            {
                assertThat(tranches.get(1)).isEqualTo(tranches.get(0));
                assertThat(tranches.get(2)).isEqualTo(tranches.get(0));
                assertThat(claims.get(1)).isEqualTo(claims.get(0));
                assertThat(claims.get(2)).isEqualTo(claims.get(0));
                final Set<String> seen = new HashSet<>();
                for (int k = 0; k < tranches.get(0).size(); k++)
                {
                    final Tranche t = tranches.get(0).get(k);
                    assertThat(t.getNumber()).isEqualTo(k + 1);
                    assertThat(seen.add(t.getRequestId())).as("request_id once: " + t.getRequestId()).isTrue();
                }
                assertThat(seen).as("every acknowledged release, nothing else").isEqualTo(releasedIds);
                for (final Claim c : claims.get(0))
                {
                    assertThat(createdDemand).containsKey(c.getId());
                    assertThat(c.getDemand() + c.getAwarded()).as("demand at creation of " + c.getId())
                        .isEqualTo(createdDemand.get(c.getId()));
                }
                return;
            }
            Thread.sleep(200);
        }
    }

    private List<Tranche> tranches(final int node)
    {
        final List<Tranche> all = new ArrayList<>();
        String token = "";
        do
        {
            final ListTranchesResponse page = QueueServiceGrpc.newBlockingStub(channels[node])
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .listTranches(ListTranchesRequest.newBuilder().setPageSize(500).setPageToken(token).build());
            all.addAll(page.getTranchesList());
            token = page.getNextPageToken();
        }
        while (!token.isEmpty());
        return all;
    }

    private List<Claim> claims(final int node)
    {
        final List<Claim> all = new ArrayList<>();
        String token = "";
        do
        {
            final ListClaimsResponse page = QueueServiceGrpc.newBlockingStub(channels[node])
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .listClaims(ListClaimsRequest.newBuilder().setPageSize(500).setPageToken(token).build());
            all.addAll(page.getClaimsList());
            token = page.getNextPageToken();
        }
        while (!token.isEmpty());
        return all;
    }

    // The newest "role LEADER" line among the live nodes' logs names the leader.
    private int leader() throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline)
        {
            int leader = -1;
            for (int i = 0; i < NODES; i++)
            {
                final List<String> lines = Files.readAllLines(log(i), StandardCharsets.UTF_8);
                String role = null;
                for (final String line : lines)
                {
                    if (line.startsWith("tranche: cluster node " + i + " role "))
                    {
                        role = line.substring(line.lastIndexOf(' ') + 1);
                    }
                }
                if ("LEADER".equals(role))
                {
                    leader = leader == -1 ? i : -2;
                }
            }
            if (leader >= 0)
            {
                return leader;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no single leader in the logs within 60 s");
    }

    private Path log(final int node)
    {
        return dir.resolve("node-" + node + ".log");
    }

    private void start(final int node) throws Exception
    {
        for (int attempt = 1; ; attempt++)
        {
            if (await(node, launch(node)))
            {
                return;
            }
            // A node restarted right after a SIGKILL can find its mark file still fresh: wait and retry.
            assertThat(attempt).as("node " + node + " starts; log: " + Files.readString(log(node))).isLessThan(4);
            Thread.sleep(5000);
        }
    }

    private boolean await(final int node, final CompletableFuture<String> line) throws Exception
    {
        String ready;
        try
        {
            ready = line.get(150, TimeUnit.SECONDS);
        }
        catch (final java.util.concurrent.TimeoutException ex)
        {
            ready = null;
        }
        if (ready != null && ready.startsWith("tranche: listening on "))
        {
            addresses[node] = ready.substring("tranche: listening on ".length());
            channels[node] = NettyChannelBuilder.forTarget(addresses[node]).usePlaintext().build();
            return true;
        }
        processes[node].destroyForcibly();
        processes[node].waitFor(30, TimeUnit.SECONDS);
        return false;
    }

    private CompletableFuture<String> launch(final int node) throws IOException
    {
        // Truncate the log: the role lines of this incarnation only.
        Files.writeString(log(node), "");
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
            "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Daeron.cluster.leader.heartbeat.timeout=" + System.getProperty("tranche.cluster.heartbeatTimeout", "3s"),
            "-cp", System.getProperty("java.class.path"),
            "io.tranche.server.cli.Main", "serve",
            "--cluster-members", members, "--node-id", Integer.toString(node),
            "--listen", "127.0.0.1:0", "--data-dir", dir.resolve("node-" + node).toString()));
        final Process process = new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(new File(log(node).toString())))
            .start();
        processes[node] = process;
        final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8));
        final CompletableFuture<String> line = new CompletableFuture<>();
        final Thread reader = new Thread(() ->
        {
            try
            {
                line.complete(out.readLine());
                while (out.readLine() != null)
                {
                    // drain
                }
            }
            catch (final IOException ex)
            {
                line.complete(null);
            }
        });
        reader.setDaemon(true);
        reader.start();
        return line;
    }
}
