package io.tranche.server.cluster;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.state.Command;
import io.tranche.server.state.CommandLog;
import io.tranche.server.state.InMemoryLedger;
import io.tranche.server.state.Ledger;
import io.tranche.server.state.Outcome;
import io.tranche.server.state.QueueStateMachine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The {@link QueueStateMachine} as an Aeron Cluster service: every node applies the same commands in
 * log order with the log's timestamp as the time, so every node holds the same queue and the same
 * tranches (a release runs the kernel on every node; the kernel is a pure function of the queue, the
 * request and the time). Only the leader's answers reach the client (Aeron drops a follower's egress).
 * <p>
 * The ledger is kept in memory and written whole into each snapshot: memory grows with the number of
 * tranches, bounding it (a file-backed ledger) is left for later.
 * <p>
 * Reads of the applied state are queued from other threads and run on the service thread between
 * log messages ({@link #doBackgroundWork}).
 */
public final class QueueClusteredService implements ClusteredService
{
    private static final int SNAPSHOT_MAGIC = 0x54524353; // "TRCS"
    private static final int SNAPSHOT_CHUNK = 16 * 1024;

    private final int maxQueue;
    private final QueueStateMachine.TrancheDigester digester;
    private final byte[] seed;
    private final ManyToOneConcurrentArrayQueue<Runnable> reads = new ManyToOneConcurrentArrayQueue<>(8192);
    private final CopyOnWriteArrayList<CommandLog.Listener> listeners = new CopyOnWriteArrayList<>();
    private final UnsafeBuffer egress = new UnsafeBuffer(new byte[0]);
    private final Ledger ledger;
    private QueueStateMachine machine;
    private Cluster cluster;
    private volatile long appliedPosition = -1;
    private volatile long logPosition;
    private volatile long commands;
    private volatile long commandsSinceSnapshot;
    private volatile long snapshotPosition;
    private volatile long snapshotsTaken;
    private volatile int queueLength;
    private volatile BigInteger outstanding = BigInteger.ZERO;
    private volatile Cluster.Role role = Cluster.Role.FOLLOWER;
    private volatile boolean started;

    /**
     * @param maxQueue most claims in the queue.
     * @param digester the tranche digest chain.
     */
    public QueueClusteredService(final int maxQueue, final QueueStateMachine.TrancheDigester digester)
    {
        this(maxQueue, digester, null, null);
    }

    /**
     * @param maxQueue most claims in the queue.
     * @param digester the tranche digest chain.
     * @param seed       the state this node starts from before the cluster's first snapshot (the same on every
     *                   member, from {@link ClusterSeed}), or null for an empty queue and ledger.
     * @param ledgerFile the member's own tranche file ({@link ClusterLedger}), or null to keep tranches in the heap.
     */
    public QueueClusteredService(
        final int maxQueue, final QueueStateMachine.TrancheDigester digester, final byte[] seed, final Path ledgerFile)
    {
        this.maxQueue = maxQueue;
        this.digester = digester;
        this.seed = seed;
        this.ledger = ledgerFile == null ? new InMemoryLedger() : new ClusterLedger(ledgerFile);
    }

    @Override
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        if (ledger instanceof ClusterLedger file)
        {
            try
            {
                // Rewritten from the snapshot and the log: whatever the file held (torn, flipped) is replaced.
                file.reset();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot rewrite the member's ledger file " + file.path(), ex);
            }
        }
        machine = new QueueStateMachine(ledger, maxQueue, digester);
        if (snapshotImage != null)
        {
            loadSnapshot(cluster, snapshotImage);
        }
        else if (seed != null)
        {
            // Every member was seeded with the same state; the log replays on top of it until a snapshot.
            restoreState(seed, "the seed");
        }
        appliedPosition = cluster.logPosition();
        // The log position of the snapshot just loaded (0 without one): the replay starts there.
        snapshotPosition = snapshotImage != null ? cluster.logPosition() : 0;
        commandsSinceSnapshot = 0;
        published();
        started = true;
    }

    private void loadSnapshot(final Cluster cluster, final Image image)
    {
        // Streamed fragment by fragment: the heap never holds the whole ledger.
        restoreState(new ImageInputStream(image, cluster.idleStrategy()), "the cluster snapshot");
    }

    /** The bytes of a snapshot image as a stream, polled one fragment at a time. */
    private static final class ImageInputStream extends InputStream
    {
        private final Image image;
        private final org.agrona.concurrent.IdleStrategy idle;
        private final ExpandableArrayBuffer fragment = new ExpandableArrayBuffer(64 * 1024);
        private final FragmentHandler handler;
        private int length;
        private int offset;

        ImageInputStream(final Image image, final org.agrona.concurrent.IdleStrategy idle)
        {
            this.image = image;
            this.idle = idle;
            this.handler = (buffer, at, fragmentLength, header) ->
            {
                fragment.putBytes(0, buffer, at, fragmentLength);
                length = fragmentLength;
                offset = 0;
            };
        }

        private boolean fill()
        {
            while (offset >= length)
            {
                if (image.isEndOfStream())
                {
                    return false;
                }
                if (image.poll(handler, 1) == 0)
                {
                    if (image.isClosed() && !image.isEndOfStream())
                    {
                        throw new IllegalStateException("snapshot image closed before its end");
                    }
                    idle.idle();
                }
            }
            return true;
        }

        @Override
        public int read()
        {
            return fill() ? fragment.getByte(offset++) & 0xFF : -1;
        }

        @Override
        public int read(final byte[] into, final int at, final int count)
        {
            if (count == 0)
            {
                return 0;
            }
            if (!fill())
            {
                return -1;
            }
            final int n = Math.min(count, length - offset);
            fragment.getBytes(offset, into, at, n);
            offset += n;
            return n;
        }
    }

    private void restoreState(final byte[] state, final String what)
    {
        restoreState(new ByteArrayInputStream(state), what);
    }

    private void restoreState(final InputStream stream, final String what)
    {
        try
        {
            final DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(stream, 64 * 1024));
            final int magic = in.readInt();
            if (magic != SNAPSHOT_MAGIC)
            {
                throw new IOException("not a tranche cluster state (magic=" + Integer.toHexString(magic) + ")");
            }
            final long tranches = in.readLong();
            for (long i = 0; i < tranches; i++)
            {
                final byte[] tranche = new byte[in.readInt()];
                in.readFully(tranche);
                ledger.append(Tranche.parseFrom(tranche));
            }
            machine.restore(in);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot load " + what + ": " + ex.getMessage(), ex);
        }
    }

    @Override
    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
    }

    @Override
    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
    }

    @Override
    public void onSessionMessage(
        final ClientSession session,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        Outcome outcome;
        long correlationId = 0;
        if (length < ClusterProtocol.INGRESS_HEADER_LENGTH)
        {
            outcome = Outcome.invalid("message", "shorter than its header, length=" + length);
        }
        else
        {
            correlationId = ClusterProtocol.ingressCorrelationId(buffer, offset);
            final byte type = buffer.getByte(offset);
            final byte[] payload = new byte[length - ClusterProtocol.INGRESS_HEADER_LENGTH];
            buffer.getBytes(offset + ClusterProtocol.INGRESS_HEADER_LENGTH, payload);
            if (type < Command.CREATE_CLAIM || type > Command.RELEASE_TRANCHE)
            {
                // RecordTranche replays a journal: a client may not write tranches directly.
                outcome = Outcome.invalid("type", "not a client command, type=" + type);
            }
            else
            {
                try
                {
                    final Command command = Command.decode(type, payload);
                    // The log's timestamp, identical on every node: never this node's clock.
                    outcome = machine.apply(command, cluster.timeUnit().toNanos(timestamp));
                }
                catch (final IOException ex)
                {
                    outcome = Outcome.invalid("payload", "does not parse: " + ex.getMessage());
                }
                catch (final Ledger.LedgerException ex)
                {
                    // Reading back a recorded tranche (a repeated request_id) failed on this member's disk: the
                    // state is unchanged, only this member's answer is lost.
                    outcome = Outcome.failed(Outcome.Kind.UNAVAILABLE, ex.getMessage());
                }
            }
        }
        commands++;
        commandsSinceSnapshot++;
        appliedPosition = header.position();
        published();
        if (outcome.kind() == Outcome.Kind.RELEASED)
        {
            final long count = ledger.count();
            for (final CommandLog.Listener listener : listeners)
            {
                listener.onTranches(count);
            }
        }
        answer(session, correlationId, header.position(), outcome);
        runReads();
    }

    private void answer(
        final ClientSession session, final long correlationId, final long position, final Outcome outcome)
    {
        final byte[] bytes = ClusterProtocol.encodeEgress(correlationId, position, outcome);
        egress.wrap(bytes);
        // A follower's offer returns at once without sending; the leader's may meet back pressure.
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            final long result = session.offer(egress, 0, bytes.length);
            if (result > 0 || result == io.aeron.Publication.NOT_CONNECTED || result == io.aeron.Publication.CLOSED)
            {
                return;
            }
            cluster.idleStrategy().idle();
        }
    }

    private void published()
    {
        queueLength = machine.queueLength();
        outstanding = machine.outstandingDemand();
    }

    @Override
    public void onTimerEvent(final long correlationId, final long timestamp)
    {
    }

    @Override
    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        // Counted for the node's snapshot schedule and status only: never part of the replicated state.
        snapshotPosition = cluster.logPosition();
        commandsSinceSnapshot = 0;
        snapshotsTaken++;
        try (PublicationOutputStream out = new PublicationOutputStream(snapshotPublication))
        {
            writeState(ledger, machine, out);
        }
    }

    /** Offers what is written in chunks of {@link #SNAPSHOT_CHUNK}: the heap never holds the whole snapshot. */
    private final class PublicationOutputStream extends OutputStream
    {
        private final ExclusivePublication publication;
        private final UnsafeBuffer chunk = new UnsafeBuffer(new byte[SNAPSHOT_CHUNK]);
        private int length;

        PublicationOutputStream(final ExclusivePublication publication)
        {
            this.publication = publication;
        }

        @Override
        public void write(final int b)
        {
            if (length == SNAPSHOT_CHUNK)
            {
                flush();
            }
            chunk.putByte(length++, (byte)b);
        }

        @Override
        public void write(final byte[] bytes, final int at, final int count)
        {
            int done = 0;
            while (done < count)
            {
                if (length == SNAPSHOT_CHUNK)
                {
                    flush();
                }
                final int n = Math.min(count - done, SNAPSHOT_CHUNK - length);
                chunk.putBytes(length, bytes, at + done, n);
                length += n;
                done += n;
            }
        }

        @Override
        public void flush()
        {
            while (length > 0)
            {
                final long result = publication.offer(chunk, 0, length);
                if (result > 0)
                {
                    length = 0;
                }
                else if (result == io.aeron.Publication.CLOSED || result == io.aeron.Publication.MAX_POSITION_EXCEEDED)
                {
                    throw new IllegalStateException("snapshot publication refused the snapshot, result=" + result);
                }
                else
                {
                    cluster.idleStrategy().idle();
                }
            }
        }

        @Override
        public void close()
        {
            flush();
        }
    }

    /** @return the ledger and the state machine as one byte string (the snapshot's format). */
    byte[] snapshotBytes()
    {
        return encodeState(ledger, machine);
    }

    /**
     * @param ledger  a ledger.
     * @param machine the state machine over it.
     * @return both in the cluster snapshot's format (also the seed's).
     */
    static byte[] encodeState(final Ledger ledger, final QueueStateMachine machine)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        writeState(ledger, machine, bytes);
        return bytes.toByteArray();
    }

    /**
     * @param ledger  a ledger.
     * @param machine the state machine over it.
     * @param sink    receives both in the cluster snapshot's format, tranche by tranche.
     */
    static void writeState(final Ledger ledger, final QueueStateMachine machine, final OutputStream sink)
    {
        try
        {
            final DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(sink, 64 * 1024));
            out.writeInt(SNAPSHOT_MAGIC);
            final long count = ledger.count();
            out.writeLong(count);
            for (long n = 1; n <= count; n++)
            {
                final byte[] tranche = ledger.get(n).toByteArray();
                out.writeInt(tranche.length);
                out.write(tranche);
            }
            machine.snapshot(out);
            out.flush();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void onRoleChange(final Cluster.Role newRole)
    {
        role = newRole;
        // One line per change on stderr: operators (and the failover test) see who leads.
        System.err.println("tranche: cluster node " + cluster.memberId() + " role " + newRole);
    }

    @Override
    public void onTerminate(final Cluster cluster)
    {
        started = false;
    }

    @Override
    public int doBackgroundWork(final long nowNs)
    {
        if (started)
        {
            // Every log event processed so far (commands, elections, sessions): for status and metrics.
            logPosition = cluster.logPosition();
        }
        return runReads();
    }

    private int runReads()
    {
        if (machine == null)
        {
            return 0;
        }
        return reads.drain(QueueClusteredService::runRead, 256);
    }

    private static void runRead(final Runnable read)
    {
        try
        {
            read.run();
        }
        catch (final RuntimeException ex)
        {
            // A read that fails (a damaged ledger file) must not stop the service applying the log.
            System.err.println("tranche: cluster read failed: " + ex.getMessage());
        }
    }

    /**
     * Runs a read of the applied state on the service thread.
     *
     * @param read  the read.
     * @param reply its answer.
     * @return false when the read queue is full.
     */
    public boolean read(final CommandLog.Read read, final CommandLog.Reply reply)
    {
        return reads.offer(() ->
        {
            final Outcome.Kind gone = reply.abandoned();
            if (gone != null)
            {
                reply.complete(Outcome.failed(gone, "abandoned"));
                return;
            }
            Outcome outcome;
            try
            {
                outcome = read.read(machine);
            }
            catch (final Ledger.LedgerException ex)
            {
                outcome = Outcome.failed(Outcome.Kind.UNAVAILABLE, ex.getMessage());
            }
            reply.complete(outcome);
        });
    }

    /**
     * A SHA-256 of the snapshot bytes, computed on the service thread: two nodes that applied the same
     * log to the same position return the same hash.
     *
     * @param reply receives the position, the hash and the tranche count.
     * @return false when the read queue is full.
     */
    public boolean stateHash(final java.util.function.Consumer<StateHash> reply)
    {
        return reads.offer(() -> reply.accept(new StateHash(appliedPosition, stateSha256(), ledger.count())));
    }

    /** The applied position, the hash of the state there and the tranche count. */
    public record StateHash(long position, String sha256, long tranches)
    {
    }

    private String stateSha256()
    {
        try
        {
            final MessageDigest sha = MessageDigest.getInstance("SHA-256");
            writeState(ledger, machine, new java.security.DigestOutputStream(OutputStream.nullOutputStream(), sha));
            return hex(sha.digest());
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static String hex(final byte[] digest)
    {
        final StringBuilder hex = new StringBuilder(64);
        for (final byte b : digest)
        {
            hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return hex.toString();
    }

    static String sha256(final byte[] bytes)
    {
        try
        {
            final byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            final StringBuilder hex = new StringBuilder(64);
            for (final byte b : digest)
            {
                hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            }
            return hex.toString();
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** @param listener told of tranches (from the service thread). */
    public void addListener(final CommandLog.Listener listener)
    {
        listeners.add(listener);
    }

    /** Closes the member's ledger file, once the service has stopped. */
    public void closeLedger()
    {
        if (ledger instanceof ClusterLedger file)
        {
            file.close();
        }
    }

    /** @return the ledger as applied on this node. */
    public Ledger ledger()
    {
        return ledger;
    }

    /**
     * @return the log position of everything this node's service has processed (commands and the log's own
     * events: new terms, sessions), for status and metrics; at least {@link #appliedPosition()}.
     */
    public long processedPosition()
    {
        return Math.max(logPosition, appliedPosition);
    }

    /** @return the log position this node has applied, -1 before the first command. */
    public long appliedPosition()
    {
        return appliedPosition;
    }

    /** @return commands applied since this process started (the snapshot's are not counted). */
    public long commandsApplied()
    {
        return commands;
    }

    /** @return commands applied since the latest snapshot this node took or loaded. */
    public long commandsSinceSnapshot()
    {
        return commandsSinceSnapshot;
    }

    /** @return the log position of the latest snapshot this node took or loaded, 0 for none. */
    public long snapshotPosition()
    {
        return snapshotPosition;
    }

    /** @return snapshots this node's service wrote since this process started. */
    public long snapshotsTaken()
    {
        return snapshotsTaken;
    }

    /** @return claims queued. */
    public int queueLength()
    {
        return queueLength;
    }

    /** @return outstanding demand. */
    public BigInteger outstandingDemand()
    {
        return outstanding;
    }

    /** @return this node's role as the service last heard it. */
    public Cluster.Role role()
    {
        return role;
    }

    /** @return true once the service has started (snapshot loaded). */
    public boolean started()
    {
        return started;
    }
}
