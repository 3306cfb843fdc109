package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.proto.v1.UpdateClaimRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Concurrent writers against a {@link ClusterProcesses}: each thread creates a claim, updates its weight
 * and releases a tranche with a unique {@code request_id}, over and over. An attempt that ends
 * {@code UNAVAILABLE} or {@code DEADLINE_EXCEEDED} (the node may have died, or the leader) is retried
 * on the next live node with the same claim id / {@code request_id} until it is answered; every
 * answer is recorded here as acknowledged, with the time its successful attempt started and ended.
 */
final class ClusterWriters
{
    /** Each attempt's deadline: a write waiting on a dead leader is retried on the next node after it. */
    static final long ATTEMPT_DEADLINE_MS = Long.getLong("tranche.cluster.attemptDeadlineMs", 500);
    /** How long one write may take over all its attempts. */
    static final long WRITE_DEADLINE_S = 120;

    private final ClusterProcesses cluster;
    private final int writers;
    private final long seed;
    private final int[] nextOp;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;

    /** Claim id to its demand at creation (acknowledged creates). */
    final Map<String, Long> createdDemand = new ConcurrentHashMap<>();
    /** Claim id to the weight of its last acknowledged update. */
    final Map<String, Long> weights = new ConcurrentHashMap<>();
    /** Acknowledged releases' request ids. */
    final Set<String> released = ConcurrentHashMap.newKeySet();
    /** Acknowledged tranches: number to request id. */
    final Map<Long, String> trancheNumbers = new ConcurrentHashMap<>();
    final AtomicLong acknowledged = new AtomicLong();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    // Start and end (System.nanoTime) of each acknowledged write's successful attempt.
    private final List<long[]> acks = new ArrayList<>();

    /**
     * @param cluster the nodes.
     * @param writers how many threads.
     * @param seed    their random choices (node order, demands).
     */
    ClusterWriters(final ClusterProcesses cluster, final int writers, final long seed)
    {
        this.cluster = cluster;
        this.writers = writers;
        this.seed = seed;
        this.nextOp = new int[writers];
    }

    /** Starts the threads (again, after {@link #stop}); each continues with its next operation. */
    void start()
    {
        stopping = false;
        threads.clear();
        for (int w = 0; w < writers; w++)
        {
            final int writer = w;
            final Thread t = new Thread(() -> run(writer), "cluster-writer-" + w);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Lets each thread finish the write it is in (answered, after retries) and stops it. */
    void stop() throws InterruptedException
    {
        stopping = true;
        for (final Thread t : threads)
        {
            t.join(TimeUnit.SECONDS.toMillis(WRITE_DEADLINE_S + 30));
            if (t.isAlive())
            {
                throw new AssertionError(t.getName() + " did not stop");
            }
        }
        final Throwable t = failure.get();
        if (t != null)
        {
            throw new AssertionError("a writer failed", t);
        }
    }

    /**
     * @param afterNs a System.nanoTime.
     * @return the end of the first acknowledged write whose successful attempt started after it, or -1.
     */
    synchronized long firstAckStartedAfter(final long afterNs)
    {
        long first = -1;
        for (final long[] ack : acks)
        {
            if (ack[0] > afterNs && (first == -1 || ack[1] < first))
            {
                first = ack[1];
            }
        }
        return first;
    }

    private synchronized void ack(final long startNs)
    {
        acks.add(new long[] {startNs, System.nanoTime()});
        acknowledged.incrementAndGet();
    }

    private void run(final int writer)
    {
        try
        {
            while (!stopping && failure.get() == null)
            {
                final int op = nextOp[writer]++;
                final Random random = new Random(seed * 1_000_003L + writer * 10_007L + op);
                final int claim = op / 3;
                final String claimId = "w" + writer + "-c" + claim;
                switch (op % 3)
                {
                    case 0 -> create(claimId, 50 + random.nextInt(100), random.nextInt(3));
                    case 1 -> update(claimId, 1 + random.nextInt(5), random.nextInt(3));
                    default -> release("w" + writer + "-r" + claim, random.nextInt(3));
                }
            }
        }
        catch (final Throwable t)
        {
            failure.compareAndSet(null, t);
        }
    }

    private void create(final String id, final long demand, final int firstNode) throws InterruptedException
    {
        final CreateClaimRequest request = CreateClaimRequest.newBuilder()
            .setClaim(Claim.newBuilder().setId(id).setDemand(demand).setWeight(1)).build();
        final long[] start = new long[1];
        final boolean[] retried = new boolean[1];
        send(firstNode, start, retried, stub ->
        {
            try
            {
                stub.createClaim(request);
            }
            catch (final StatusRuntimeException ex)
            {
                // A retry of a create that got in before its answer was lost.
                if (ex.getStatus().getCode() != Status.Code.ALREADY_EXISTS || !retried[0])
                {
                    throw ex;
                }
            }
        });
        createdDemand.put(id, demand);
        weights.put(id, 1L);
        ack(start[0]);
    }

    private void update(final String id, final long weight, final int firstNode) throws InterruptedException
    {
        final UpdateClaimRequest request = UpdateClaimRequest.newBuilder()
            .setClaim(Claim.newBuilder().setId(id).setWeight(weight))
            .setUpdateMask(FieldMask.newBuilder().addPaths("weight")).build();
        final long[] start = new long[1];
        final boolean[] found = {true};
        send(firstNode, start, new boolean[1], stub ->
        {
            try
            {
                stub.updateClaim(request);
            }
            catch (final StatusRuntimeException ex)
            {
                // Released in full (demand reached 0) and so dropped from the queue: the check allows for it.
                if (ex.getStatus().getCode() != Status.Code.NOT_FOUND)
                {
                    throw ex;
                }
                found[0] = false;
            }
        });
        if (found[0])
        {
            weights.put(id, weight);
        }
        else
        {
            weights.remove(id);
        }
        ack(start[0]);
    }

    private void release(final String requestId, final int firstNode) throws InterruptedException
    {
        final ReleaseTrancheRequest request = ReleaseTrancheRequest.newBuilder().setRequestId(requestId)
            .setSupply(40).setPolicy(Policy.newBuilder().setMethod(Method.PROPORTIONAL)).build();
        final long[] start = new long[1];
        final Tranche[] tranche = new Tranche[1];
        send(firstNode, start, new boolean[1], stub -> tranche[0] = stub.releaseTranche(request));
        if (!tranche[0].getRequestId().equals(requestId))
        {
            throw new AssertionError("release " + requestId + " answered with " + tranche[0].getRequestId());
        }
        released.add(requestId);
        final String before = trancheNumbers.putIfAbsent(tranche[0].getNumber(), requestId);
        if (before != null && !before.equals(requestId))
        {
            throw new AssertionError("tranche " + tranche[0].getNumber() + " acknowledged for " + before + " and " +
                requestId);
        }
        ack(start[0]);
    }

    /**
     * Checks the live nodes' states (writers stopped): every node the same bytes; tranches 1..N, each
     * request_id once, exactly the acknowledged releases, each acknowledged tranche under its number;
     * every listed claim was created here with demand at creation = outstanding + awarded and the
     * weight of its last acknowledged update; a created claim no longer listed was awarded in full.
     *
     * @param states the live nodes' states.
     * @return how many acknowledged writes are missing (0, or the assertions fail first).
     */
    long check(final List<ClusterProcesses.State> states)
    {
        final ClusterProcesses.State first = states.get(0);
        for (final ClusterProcesses.State s : states)
        {
            assertThat(s.sha256()).as("every live node holds the same tranches and claims").isEqualTo(first.sha256());
        }
        final Set<String> seen = new HashSet<>();
        final Map<String, Long> awarded = new HashMap<>();
        for (int k = 0; k < first.tranches().size(); k++)
        {
            final Tranche t = first.tranches().get(k);
            assertThat(t.getNumber()).as("tranche numbers are 1..N").isEqualTo(k + 1);
            assertThat(seen.add(t.getRequestId())).as("request_id once: " + t.getRequestId()).isTrue();
            for (final Award a : t.getAwardsList())
            {
                awarded.merge(a.getId(), a.getUnits(), Long::sum);
            }
        }
        long lost = 0;
        for (final String id : released)
        {
            lost += seen.contains(id) ? 0 : 1;
        }
        final Map<String, Claim> listed = new HashMap<>();
        for (final Claim c : first.claims())
        {
            listed.put(c.getId(), c);
        }
        for (final String id : createdDemand.keySet())
        {
            lost += listed.containsKey(id) || awarded.getOrDefault(id, 0L).equals(createdDemand.get(id)) ? 0 : 1;
        }
        assertThat(lost).as("acknowledged writes missing").isZero();
        assertThat(seen).as("the tranches are the acknowledged releases, nothing else").isEqualTo(released);
        for (final Map.Entry<Long, String> e : trancheNumbers.entrySet())
        {
            assertThat(first.tranches().get((int)(e.getKey() - 1)).getRequestId()).as("tranche " + e.getKey())
                .isEqualTo(e.getValue());
        }
        for (final Claim c : first.claims())
        {
            assertThat(createdDemand).as("a listed claim was created").containsKey(c.getId());
            assertThat(c.getAwarded()).as("awarded of " + c.getId()).isEqualTo(awarded.getOrDefault(c.getId(), 0L));
            assertThat(c.getDemand() + c.getAwarded()).as("demand at creation of " + c.getId())
                .isEqualTo(createdDemand.get(c.getId()));
            assertThat(c.getWeight()).as("weight of " + c.getId()).isEqualTo(weights.get(c.getId()));
        }
        return lost;
    }

    interface Call
    {
        void call(QueueServiceGrpc.QueueServiceBlockingStub stub);
    }

    // Attempts on node, node+1, ... (live ones) until one is answered; start[0] = the answered attempt's start.
    private void send(final int firstNode, final long[] start, final boolean[] retried, final Call call)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WRITE_DEADLINE_S);
        int node = firstNode;
        StatusRuntimeException last = null;
        while (System.nanoTime() < deadline)
        {
            final ManagedChannel channel = cluster.channel(node);
            if (channel == null)
            {
                node = (node + 1) % ClusterProcesses.NODES;
                Thread.sleep(5);
                continue;
            }
            start[0] = System.nanoTime();
            try
            {
                call.call(QueueServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(ATTEMPT_DEADLINE_MS, TimeUnit.MILLISECONDS));
                return;
            }
            catch (final StatusRuntimeException ex)
            {
                final Status.Code code = ex.getStatus().getCode();
                if (code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED &&
                    code != Status.Code.CANCELLED)
                {
                    throw ex;
                }
                last = ex;
                retried[0] = true;
                node = (node + 1) % ClusterProcesses.NODES;
                Thread.sleep(10);
            }
        }
        throw new AssertionError("a write was not answered within " + WRITE_DEADLINE_S + " s", last);
    }
}
