package io.tranche.server.cluster;

import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.logbuffer.Header;
import io.tranche.server.state.Command;
import io.tranche.server.state.CommandLog;
import io.tranche.server.state.Ledger;
import io.tranche.server.state.Outcome;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The {@link CommandLog} of one cluster node's gRPC front: a mutation is offered to the cluster as an
 * ingress message through this node's media driver; the leader's service answers on egress once the
 * command is committed (a majority has it in its log) and applied; the answer is then held until this
 * node's own service has applied the log to the same position, so that a read that follows on this
 * node sees the change.
 * <p>
 * Reads run on this node's service thread against its applied state: they may lag the leader by the
 * commands committed but not yet applied here (normally a few milliseconds; during an election or
 * while this node catches up, longer). A client that needs the leader's latest state sends its read
 * to any node after a mutation it was answered for: the answer is only given once this node applied it.
 * <p>
 * A command offered while the leader fails may be lost or may commit: after {@link #ANSWER_TIMEOUT_NS}
 * without an answer it is answered {@link Outcome.Kind#UNAVAILABLE}, and the client retries with the
 * same {@code request_id} (a release is then answered {@code ALREADY_RELEASED} if the first got in).
 */
public final class ClusterCommandLog implements CommandLog, EgressListener
{
    /** How long a command waits for the cluster's answer before it is answered UNAVAILABLE. */
    public static final long ANSWER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    /** How long one connection attempt waits for a leader. */
    public static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    private static final String ELECTING = "the cluster is electing a leader (a member was lost, or no majority " +
        "answers)";
    private static final long KEEPALIVE_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(500);
    /**
     * Most bytes of commands in one batch: well within the longest ingress message (an eighth of the ingress term,
     * {@link ClusterNode#TERM_LENGTH}), whatever the signature and headers add.
     */
    static final int BATCH_MAX_BYTES = 64 * 1024;

    private final ClusterNode node;
    private final QueueClusteredService service;
    private final ManyToOneConcurrentArrayQueue<Pending> submissions;
    private final ArrayDeque<Pending> unsent = new ArrayDeque<>();
    private final Long2ObjectHashMap<Pending> inFlight = new Long2ObjectHashMap<>();
    private final ArrayList<Pending> answered = new ArrayList<>();
    private final ArrayList<Pending> batch = new ArrayList<>();
    private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();
    private final UnsafeBuffer ingress = new UnsafeBuffer(new byte[0]);
    private final Thread thread;
    private volatile boolean closing;
    private volatile String failure = "not yet connected to a cluster leader";
    private final ClusterSecret secret;
    private AeronCluster client;
    private long clusterSessionId;
    private long sequence;
    private byte[] checkpoint;
    private long nextCorrelationId = 1;
    private long lastKeepAliveNs;

    private static final class Pending
    {
        final Command command;
        final Reply reply;
        final long correlationId;
        final long queuedNs = System.nanoTime();
        long sentNs;
        long position;
        Outcome outcome;
        private byte[] payload;

        Pending(final Command command, final Reply reply, final long correlationId)
        {
            this.command = command;
            this.reply = reply;
            this.correlationId = correlationId;
        }

        byte[] payload()
        {
            if (payload == null)
            {
                payload = command.encode();
            }
            return payload;
        }
    }

    /**
     * @param node          this process's cluster member.
     * @param queueCapacity commands waiting to be offered; a full queue refuses ({@link #submit} false).
     */
    public ClusterCommandLog(final ClusterNode node, final int queueCapacity)
    {
        this.node = node;
        this.service = node.service();
        this.submissions = new ManyToOneConcurrentArrayQueue<>(queueCapacity);
        this.secret = node.settings().secret() == null ? null : node.settings().secret().copy();
        service.addListener(new Listener()
        {
            @Override
            public void onTranches(final long durableCount)
            {
                for (final Listener listener : listeners)
                {
                    listener.onTranches(durableCount);
                }
            }

            @Override
            public void onAvailability(final String failure)
            {
            }
        });
        thread = new Thread(this::run, "tranche-cluster-client-" + node.self().id());
        thread.setDaemon(true);
        thread.start();
    }

    // ---------------------------------------------------------------- the client thread

    private void run()
    {
        final IdleStrategy idle = ClusterNode.idleStrategy();
        while (!closing)
        {
            int work = 0;
            try
            {
                if (service.diverged() != null)
                {
                    // Tells the listeners once (setFailure does nothing when the reason is unchanged).
                    setFailure(service.diverged());
                }
                final boolean electing = node.electing();
                if (electing)
                {
                    work += electing();
                }
                if (client == null || client.isClosed())
                {
                    if (electing)
                    {
                        // No leader to connect to until the election ends.
                        idle.idle(0);
                    }
                    else
                    {
                        connect();
                    }
                    continue;
                }
                work += submissions.drain(p -> unsent.addLast(p), 1024);
                work += offerUnsent();
                work += offerCheckpoint();
                work += client.pollEgress();
                work += completeApplied();
                work += expire();
                keepAlive();
            }
            catch (final RuntimeException ex)
            {
                setFailure("cluster client: " + ex.getMessage());
                closeClient();
            }
            idle.idle(work);
        }
        closeClient();
        failAll(Outcome.Kind.UNAVAILABLE, "the node is shutting down");
    }

    private void connect()
    {
        closeClient();
        try
        {
            client = AeronCluster.connect(new AeronCluster.Context()
                .aeronDirectoryName(node.aeronDir())
                .ingressChannel("aeron:udp?term-length=" + ClusterNode.TERM_LENGTH)
                .ingressEndpoints(ClusterNode.ingressEndpoints(node.members()))
                .egressChannel("aeron:udp?term-length=" + ClusterNode.LOG_TERM_LENGTH + "|endpoint=" +
                    node.self().host() + ":0")
                .messageTimeoutNs(CONNECT_TIMEOUT_NS)
                .credentialsSupplier(secret == null ? new io.aeron.security.NullCredentialsSupplier() :
                    ClusterAuthenticator.credentials(secret))
                .egressListener(this));
            clusterSessionId = client.clusterSessionId();
            sequence = 0;
            lastKeepAliveNs = System.nanoTime();
            // Commands in flight on the old session may or may not have committed: leave them to expire.
            setFailure(null);
        }
        catch (final RuntimeException ex)
        {
            client = null;
            setFailure("no cluster leader reachable: " + ex.getMessage());
            expire();
            failUnsent();
            sleep(100);
        }
    }

    // An election is under way on this member: the leader the client session knows is gone (or no majority
    // answers). Answer at once rather than after ANSWER_TIMEOUT_NS: commands not sent yet changed nothing;
    // commands in flight may or may not commit under the next leader, whose election does not answer them.
    private int electing()
    {
        setFailure(ELECTING);
        final int work = unsent.size() + inFlight.size();
        failUnsent();
        for (final Pending p : inFlight.values())
        {
            p.reply.complete(Outcome.failed(Outcome.Kind.UNAVAILABLE, ELECTING + "; the command may or may not " +
                "have been applied: retry with the same request_id"));
        }
        inFlight.clear();
        return work;
    }

    private int offerUnsent()
    {
        int work = 0;
        if (!unsent.isEmpty() && client.leadershipTermId() < node.leadershipTermId())
        {
            // The member knows a newer leader than the client session does (its NewLeader event is on the way):
            // hold the commands rather than offer them to the old leader, where they would be lost.
            if (System.nanoTime() - unsent.peekFirst().queuedNs > CONNECT_TIMEOUT_NS)
            {
                setFailure("the client session has not heard of the new leader");
                failUnsent();
            }
            return 0;
        }
        while (!unsent.isEmpty())
        {
            takeBatch();
            if (batch.isEmpty())
            {
                return work;
            }
            final long result;
            try
            {
                final byte[] message = encodeBatch();
                ingress.wrap(message);
                result = client.offer(ingress, 0, message.length);
            }
            catch (final RuntimeException ex)
            {
                // Not sent (the client closes next): the commands stay unsent, answered like any other.
                unsendBatch();
                throw ex;
            }
            if (result > 0)
            {
                sequence++;
                final long now = System.nanoTime();
                for (final Pending p : batch)
                {
                    p.sentNs = now;
                    inFlight.put(p.correlationId, p);
                }
                work += batch.size();
                batch.clear();
                setFailure(null);
                continue;
            }
            unsendBatch();
            if (result == Publication.NOT_CONNECTED || result == Publication.CLOSED)
            {
                setFailure("the cluster leader is not reachable (an election may be under way)");
                failUnsent();
            }
            return work;
        }
        return work;
    }

    // Not sent: back to the front of the unsent commands, in order.
    private void unsendBatch()
    {
        for (int i = batch.size() - 1; i >= 0; i--)
        {
            unsent.addFirst(batch.get(i));
        }
        batch.clear();
    }

    // Moves the next commands to send into the batch, in order, up to BATCH_MAX_COMMANDS and BATCH_MAX_BYTES (a
    // command longer than that goes alone); a command whose caller went is answered and dropped.
    private void takeBatch()
    {
        int bytes = Integer.BYTES;
        while (!unsent.isEmpty() && batch.size() < ClusterProtocol.BATCH_MAX_COMMANDS)
        {
            final Pending p = unsent.peekFirst();
            final Outcome.Kind gone = p.reply.abandoned();
            if (gone != null)
            {
                unsent.pollFirst();
                p.reply.complete(Outcome.failed(gone, "abandoned before it was sent to the cluster"));
                continue;
            }
            final int length = ClusterProtocol.BATCH_ENTRY_HEADER_LENGTH + p.payload().length;
            if (!batch.isEmpty() && bytes + length > BATCH_MAX_BYTES)
            {
                return;
            }
            bytes += length;
            batch.add(unsent.pollFirst());
        }
    }

    // A lone command in the single-command form (as before batches), several as one BATCH: one message, one MAC.
    private byte[] encodeBatch()
    {
        if (batch.size() == 1)
        {
            final Pending p = batch.get(0);
            return encode(p.command.type(), p.payload(), p.correlationId);
        }
        final List<ClusterProtocol.Entry> entries = new ArrayList<>(batch.size());
        for (final Pending p : batch)
        {
            entries.add(new ClusterProtocol.Entry(p.command.type(), p.correlationId, p.payload()));
        }
        return encode(ClusterProtocol.BATCH, ClusterProtocol.encodeBatch(entries), 0);
    }

    // Signed under the secret with the session's next sequence (taken only when the offer succeeds).
    private byte[] encode(final byte type, final byte[] payload, final long correlationId)
    {
        if (secret == null)
        {
            return ClusterProtocol.encodeUnsigned(type, payload, correlationId);
        }
        return ClusterProtocol.encodeSigned(type, payload, correlationId, clusterSessionId, sequence + 1, secret);
    }

    // This member's state hash at a checkpoint, for every member to compare with its own (no answer is awaited).
    private int offerCheckpoint()
    {
        if (checkpoint == null)
        {
            checkpoint = service.pollCheckpoint();
            if (checkpoint == null)
            {
                return 0;
            }
        }
        final byte[] message = encode(ClusterProtocol.CHECKPOINT, checkpoint, 0);
        ingress.wrap(message);
        if (client.offer(ingress, 0, message.length) > 0)
        {
            sequence++;
            checkpoint = null;
            return 1;
        }
        return 0;
    }

    @Override
    public void onMessage(
        final long clusterSessionId,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        final ClusterProtocol.Answer answer;
        try
        {
            answer = ClusterProtocol.decodeEgress(buffer, offset, length);
        }
        catch (final IOException ex)
        {
            System.err.println("tranche: cluster egress does not parse: " + ex.getMessage());
            return;
        }
        final Pending p = inFlight.remove(answer.correlationId());
        if (p != null)
        {
            p.position = answer.logPosition();
            p.outcome = answer.outcome();
            answered.add(p);
        }
    }

    private int completeApplied()
    {
        if (answered.isEmpty())
        {
            return 0;
        }
        final long applied = service.appliedPosition();
        int work = 0;
        for (final Iterator<Pending> it = answered.iterator(); it.hasNext(); )
        {
            final Pending p = it.next();
            if (applied >= p.position)
            {
                it.remove();
                p.reply.complete(p.outcome);
                work++;
            }
        }
        return work;
    }

    private int expire()
    {
        if (inFlight.isEmpty())
        {
            return 0;
        }
        final long now = System.nanoTime();
        int work = 0;
        for (final Iterator<Pending> it = inFlight.values().iterator(); it.hasNext(); )
        {
            final Pending p = it.next();
            if (now - p.sentNs > ANSWER_TIMEOUT_NS)
            {
                it.remove();
                p.reply.complete(Outcome.failed(Outcome.Kind.UNAVAILABLE, "no answer from the cluster within " +
                    TimeUnit.NANOSECONDS.toSeconds(ANSWER_TIMEOUT_NS) + "s: it may or may not have been applied; " +
                    "retry with the same request_id"));
                work++;
            }
        }
        return work;
    }

    private void keepAlive()
    {
        final long now = System.nanoTime();
        if (now - lastKeepAliveNs >= KEEPALIVE_INTERVAL_NS)
        {
            lastKeepAliveNs = now;
            if (client.sendKeepAlive())
            {
                setFailure(null);
            }
            else
            {
                setFailure("the cluster leader is not reachable (an election may be under way)");
            }
        }
    }

    private void failUnsent()
    {
        submissions.drain(p -> unsent.addLast(p));
        while (!unsent.isEmpty())
        {
            // Never sent: nothing changed, the client may retry at once.
            unsent.pollFirst().reply.complete(Outcome.failed(Outcome.Kind.UNAVAILABLE, failure));
        }
    }

    private void failAll(final Outcome.Kind kind, final String message)
    {
        failUnsent();
        for (final Pending p : inFlight.values())
        {
            p.reply.complete(Outcome.failed(kind, message + "; the command may or may not have been applied"));
        }
        inFlight.clear();
        for (final Pending p : answered)
        {
            p.reply.complete(p.outcome);
        }
        answered.clear();
    }

    private void setFailure(final String proposed)
    {
        final String diverged = service.diverged();
        final String newFailure = diverged != null ? diverged : proposed;
        final String old = failure;
        if (old == null ? newFailure == null : old.equals(newFailure))
        {
            return;
        }
        failure = newFailure;
        if ((old == null) != (newFailure == null))
        {
            for (final Listener listener : listeners)
            {
                listener.onAvailability(newFailure);
            }
        }
    }

    private void closeClient()
    {
        if (client != null)
        {
            try
            {
                client.close();
            }
            catch (final RuntimeException ex)
            {
                // The driver may be gone already (the node is closing): say so, the session is dropped either way.
                System.err.println("tranche: cluster client close: " + ex);
            }
            client = null;
        }
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- CommandLog

    @Override
    public boolean submit(final Command command, final Reply reply)
    {
        if (closing)
        {
            return false;
        }
        if (refusedAsDiverged(reply))
        {
            return true;
        }
        if (node.electing())
        {
            // No leader to send it to: the client retries (here or on another member) without waiting.
            reply.complete(Outcome.failed(Outcome.Kind.UNAVAILABLE, ELECTING + "; the command was not sent, retry"));
            return true;
        }
        final long correlationId;
        synchronized (this)
        {
            correlationId = nextCorrelationId++;
        }
        return submissions.offer(new Pending(command, reply, correlationId));
    }

    @Override
    public boolean read(final Read read, final Reply reply)
    {
        if (closing)
        {
            return false;
        }
        return refusedAsDiverged(reply) || service.read(read, reply, AppliedPositionHeader.MIN_POSITION.get());
    }

    // A member whose state differs from the cluster's answers nothing from it (fail-stop).
    private boolean refusedAsDiverged(final Reply reply)
    {
        final String diverged = service.diverged();
        if (diverged == null)
        {
            return false;
        }
        reply.complete(Outcome.failed(Outcome.Kind.UNAVAILABLE, "this member stopped serving: " + diverged));
        return true;
    }

    @Override
    public boolean isClosing()
    {
        return closing;
    }

    @Override
    public String failure()
    {
        final String diverged = service.diverged();
        return diverged != null ? "this member stopped serving: " + diverged : failure;
    }

    @Override
    public Ledger ledger()
    {
        return service.ledger();
    }

    @Override
    public int queueLength()
    {
        return service.queueLength();
    }

    @Override
    public BigInteger outstandingDemand()
    {
        return service.outstandingDemand();
    }

    @Override
    public void addListener(final Listener listener)
    {
        listeners.add(listener);
    }

    /** @return this node's member. */
    public ClusterNode node()
    {
        return node;
    }

    @Override
    public void close()
    {
        closing = true;
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
