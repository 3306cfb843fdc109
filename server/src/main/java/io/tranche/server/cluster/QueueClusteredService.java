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
import io.tranche.server.merkle.MerkleLog;
import io.tranche.server.merkle.Rfc9162;
import io.tranche.server.state.Command;
import io.tranche.server.state.CommandLog;
import io.tranche.server.state.InMemoryLedger;
import io.tranche.server.state.Ledger;
import io.tranche.server.state.Outcome;
import io.tranche.server.state.QueueStateMachine;
import io.tranche.server.state.RecordPlace;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The {@link QueueStateMachine} as an Aeron Cluster service: every node applies the same commands in
 * log order with the log's timestamp as the time, so every node holds the same queue and the same
 * tranches (a release runs the kernel on every node; the kernel is a pure function of the queue, the
 * request and the time). Only the leader's answers reach the client (Aeron drops a follower's egress).
 * <p>
 * The ledger's tranches and its Merkle tree are kept in the member's own files ({@link ClusterLedger}). A snapshot
 * refers to them rather than copying them: it records how many tranches and bytes the ledger file held, each
 * tranche's leaf and the tree's size and root, after the files were synced. A member that loads it checks its files
 * against that (every record's checksum, the root recomputed from the leaves) and refuses to start when they do not
 * match. A member with no snapshot, or one from before this format, rewrites its files from the seed or the
 * snapshot and the log.
 * <p>
 * Reads of the applied state are queued from other threads and run on the service thread between
 * log messages ({@link #doBackgroundWork}).
 */
public final class QueueClusteredService implements ClusteredService
{
    private static final int SNAPSHOT_MAGIC = 0x54524353; // "TRCS": the state without the service's own fields
    private static final int SNAPSHOT_MAGIC_V2 = 0x54524332; // "TRC2": then commands, signed-only, sequences
    // "TRC3" (a snapshot) and "TRS3" (a seed): each tranche with its leaf index, the tree's leaves, then as above.
    private static final int SNAPSHOT_MAGIC_V3 = 0x54524333;
    private static final int SEED_MAGIC_V3 = 0x54525333;
    // "TRC4": the tranche count, the ledger file's length, each tranche's leaf index, the tree's size and root (the
    // member's files hold the tranches and leaves), then the state machine and the service's fields as in v2, then
    // the log message count of the next checkpoint.
    private static final int SNAPSHOT_MAGIC_V4 = 0x54524334;
    /** Default log messages (commands and the members' checkpoint reports) between state-hash checkpoints. */
    public static final int CHECKPOINT_EVERY_DEFAULT = 1000;
    private static final int CHECKPOINTS_KEPT = 64;
    /** State records per {@code --checkpoint-every} messages between checkpoints (see checkpointInterval). */
    static final long RECORDS_PER_INTERVAL = 16_384;
    private static final int MAX_WAITING_READS = 10_000;
    private static final int SNAPSHOT_CHUNK = 16 * 1024;

    private final int maxQueue;
    private final byte[] seed;
    private final ManyToOneConcurrentArrayQueue<Runnable> reads = new ManyToOneConcurrentArrayQueue<>(8192);
    private final java.util.ArrayList<WaitingRead> waiting = new java.util.ArrayList<>();
    private final CopyOnWriteArrayList<CommandLog.Listener> listeners = new CopyOnWriteArrayList<>();
    private final UnsafeBuffer egress = new UnsafeBuffer(new byte[0]);
    private final Ledger ledger;
    private final ClusterSecret secret;
    private final int memberCount;
    private final int checkpointEvery;
    // Replicated (in the snapshot): the last sequence of every open session, whether the log is signed-only, and
    // the session messages on the log so far (commands, rejected messages, checkpoints).
    private final Long2LongHashMap lastSequence = new Long2LongHashMap(0);
    private boolean signedOnly;
    private long logMessages;
    // The log message count at which the next checkpoint is taken: set at each one from the state there
    // (checkpointInterval), which every member holds alike, and kept in the snapshot, so that all members (those
    // replaying their log too) take their checkpoints at the same messages.
    private long nextCheckpoint;
    // This member's own state hashes by log position, and the members' reports of theirs.
    private final Long2ObjectHashMap<byte[]> ownHashes = new Long2ObjectHashMap<>();
    private final ArrayDeque<Long> ownHashOrder = new ArrayDeque<>();
    private final Long2ObjectHashMap<byte[][]> reports = new Long2ObjectHashMap<>();
    private final ManyToOneConcurrentArrayQueue<byte[]> checkpointsToSend = new ManyToOneConcurrentArrayQueue<>(64);
    private final java.util.Set<String> loggedRejections = new java.util.HashSet<>();
    // The answers of the log message being applied (service thread only).
    private final java.util.ArrayList<Answered> answers = new java.util.ArrayList<>();
    private volatile long rejectedCommands;
    private volatile long batches;
    private volatile long batchedCommands;
    private volatile long checkpointsMatched;
    private volatile String diverged;
    private volatile long lastCheckpointPosition = -1;
    private volatile String lastCheckpointSha256 = "";
    private QueueStateMachine machine;
    private Cluster cluster;
    private volatile long appliedPosition = -1;
    private volatile long logPosition;
    private volatile long commands;
    private volatile long commandsSinceSnapshot;
    private volatile long snapshotPosition;
    private volatile long snapshotsTaken;
    // Time this member's service thread spent on log messages since its last snapshot, and that snapshot's time:
    // what paces the next one (ClusterNode.snapshotDue). Read by the node's schedule thread; never replicated.
    private volatile long busyNanosSinceSnapshot;
    private volatile long lastSnapshotNanos;
    private volatile int queueLength;
    private volatile BigInteger outstanding = BigInteger.ZERO;
    private volatile Cluster.Role role = Cluster.Role.FOLLOWER;
    private volatile boolean started;

    /**
     * @param maxQueue most claims in the queue.
     */
    public QueueClusteredService(final int maxQueue)
    {
        this(maxQueue, null, null);
    }

    /**
     * @param maxQueue most claims in the queue.
     * @param seed       the state this node starts from before the cluster's first snapshot (the same on every
     *                   member, from {@link ClusterSeed}), or null for an empty queue and ledger.
     * @param ledgerFile the member's own tranche file ({@link ClusterLedger}), or null to keep tranches in the heap.
     */
    public QueueClusteredService(final int maxQueue, final byte[] seed, final Path ledgerFile)
    {
        this(maxQueue, seed, ledgerFile, null, 1, CHECKPOINT_EVERY_DEFAULT);
    }

    /**
     * @param maxQueue        most claims in the queue.
     * @param seed            as above.
     * @param ledgerFile      as above.
     * @param secret          the cluster's secret: commands must be signed with it; null for a cluster without one.
     * @param memberCount     members in the cluster (a majority of them decides a checkpoint).
     * @param checkpointEvery client commands between state-hash checkpoints.
     */
    public QueueClusteredService(
        final int maxQueue,
        final byte[] seed,
        final Path ledgerFile,
        final ClusterSecret secret,
        final int memberCount,
        final int checkpointEvery)
    {
        this.maxQueue = maxQueue;
        this.seed = seed;
        this.ledger = ledgerFile == null ? new InMemoryLedger() : new ClusterLedger(ledgerFile, true);
        this.secret = secret;
        this.memberCount = memberCount;
        if (checkpointEvery < 1)
        {
            throw new IllegalArgumentException("--checkpoint-every must be at least 1, was " + checkpointEvery);
        }
        this.checkpointEvery = checkpointEvery;
    }

    @Override
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        machine = new QueueStateMachine(ledger, maxQueue);
        // Without a snapshot the seed's state (or none) sets the first; a snapshot sets it as it was then.
        nextCheckpoint = -1;
        if (snapshotImage != null)
        {
            loadSnapshot(cluster, snapshotImage);
        }
        else if (seed != null)
        {
            // Every member was seeded with the same state; the log replays on top of it until a snapshot.
            restoreState(seed, "the seed");
        }
        else
        {
            resetFiles();
        }
        if (nextCheckpoint < 0)
        {
            // A snapshot from before the schedule was kept: every checkpointEvery messages, as those builds counted.
            nextCheckpoint = logMessages == 0 ? checkpointInterval() : (logMessages / checkpointEvery + 1) *
                checkpointEvery;
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

    // Rewritten from the seed or a copying snapshot and the log: whatever the files held (torn, flipped) is replaced.
    private void resetFiles()
    {
        if (ledger instanceof ClusterLedger file)
        {
            try
            {
                file.reset();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot rewrite the member's ledger file " + file.path(), ex);
            }
        }
    }

    // A snapshot that refers to the member's files: they must hold what it recorded.
    private void adoptFiles(final DataInputStream in) throws IOException
    {
        final long tranches = in.readLong();
        final long bytes = in.readLong();
        final long[] leaves = new long[Math.toIntExact(tranches)];
        for (int i = 0; i < leaves.length; i++)
        {
            leaves[i] = in.readLong();
        }
        final long treeSize = in.readLong();
        final byte[] root = new byte[32];
        in.readFully(root);
        if (!(ledger instanceof ClusterLedger file))
        {
            throw new IOException("a snapshot that refers to a member's ledger files, loaded without them");
        }
        try
        {
            file.adopt(tranches, bytes, leaves, treeSize, root);
        }
        catch (final IOException ex)
        {
            throw new LedgerFilesDamaged("the member's ledger files do not match its snapshot: " + ex.getMessage() +
                "; rebuild this member from its peers (docs/cluster.md)", ex);
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
            if (magic != SNAPSHOT_MAGIC && magic != SNAPSHOT_MAGIC_V2 && magic != SNAPSHOT_MAGIC_V3 &&
                magic != SEED_MAGIC_V3 && magic != SNAPSHOT_MAGIC_V4)
            {
                throw new IOException("not a tranche cluster state (magic=" + Integer.toHexString(magic) + ")");
            }
            if (magic == SNAPSHOT_MAGIC_V4)
            {
                adoptFiles(in);
            }
            else
            {
                resetFiles();
            }
            final boolean withTree = magic == SNAPSHOT_MAGIC_V3 || magic == SEED_MAGIC_V3 ||
                magic == SNAPSHOT_MAGIC_V4;
            final long tranches = magic == SNAPSHOT_MAGIC_V4 ? 0 : in.readLong();
            for (long i = 0; i < tranches; i++)
            {
                // A state from before the tree starts it with its tranches, in order (QueueStateMachine.carryOver).
                final long leaf = withTree ? in.readLong() : i;
                final byte[] tranche = new byte[in.readInt()];
                in.readFully(tranche);
                ledger.append(Tranche.parseFrom(tranche), leaf, RecordPlace.NONE);
            }
            if (withTree && magic != SNAPSHOT_MAGIC_V4)
            {
                final long leaves = in.readLong();
                for (long i = 0; i < leaves; i++)
                {
                    final byte[] leaf = new byte[in.readInt()];
                    in.readFully(leaf);
                    ledger.appendLeaf(leaf, Rfc9162.leafHash(leaf));
                }
            }
            machine.restore(in);
            if (!withTree)
            {
                machine.carryOver();
            }
            else if (machine.treeProblem() != null)
            {
                throw new IOException("its tree does not match its state: " + machine.treeProblem());
            }
            if (magic == SNAPSHOT_MAGIC_V2 || magic == SNAPSHOT_MAGIC_V3 || magic == SNAPSHOT_MAGIC_V4)
            {
                logMessages = in.readLong();
                signedOnly = in.readBoolean();
                final int sessions = in.readInt();
                for (int i = 0; i < sessions; i++)
                {
                    lastSequence.put(in.readLong(), in.readLong());
                }
            }
            if (magic == SNAPSHOT_MAGIC_V4)
            {
                nextCheckpoint = in.readLong();
            }
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
        lastSequence.remove(session.id());
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
        final long start = System.nanoTime();
        answers.clear();
        if (length > 0 && buffer.getByte(offset) == ClusterProtocol.SIGNED)
        {
            final long correlationId = length >= ClusterProtocol.SIGNED_HEADER_LENGTH ?
                buffer.getLong(offset + 2 + Long.BYTES, ByteOrder.BIG_ENDIAN) : 0;
            onSigned(session, timestamp, buffer, offset, length, correlationId);
        }
        else
        {
            final long correlationId = length >= ClusterProtocol.INGRESS_HEADER_LENGTH ?
                ClusterProtocol.ingressCorrelationId(buffer, offset) : 0;
            onUnsigned(timestamp, buffer, offset, length, correlationId);
        }
        boolean released = false;
        for (final Answered answered : answers)
        {
            // Commands only: a checkpoint changes nothing and asks for no snapshot.
            commands++;
            commandsSinceSnapshot++;
            released |= answered.outcome().kind() == Outcome.Kind.RELEASED;
        }
        // Every message counts once (a batch too), whatever this member made of it: a member whose copy of one
        // message differs (and so rejects what the others applied) still takes its checkpoints where they take theirs.
        if (++logMessages >= nextCheckpoint)
        {
            takeCheckpoint(header.position());
            nextCheckpoint = logMessages + checkpointInterval();
        }
        appliedPosition = header.position();
        published();
        if (released)
        {
            final long count = ledger.count();
            for (final CommandLog.Listener listener : listeners)
            {
                listener.onTranches(count);
            }
        }
        if (session != null)
        {
            // Each command of a batch is answered on its own, at the position after the whole batch.
            for (final Answered answered : answers)
            {
                answer(session, answered.correlationId(), header.position(), answered.outcome());
            }
        }
        answers.clear();
        runReads();
        busyNanosSinceSnapshot += System.nanoTime() - start;
    }

    /** A command's answer: the client's correlation id and the outcome. */
    private record Answered(long correlationId, Outcome outcome)
    {
    }

    // A log written before the cluster had a secret (or a cluster without one): accepted until the first signed
    // command, so that an upgraded cluster replays its history; refused after it.
    private void onUnsigned(
        final long timestamp, final DirectBuffer buffer, final int offset, final int length, final long correlationId)
    {
        if (length < ClusterProtocol.INGRESS_HEADER_LENGTH)
        {
            answers.add(new Answered(correlationId, reject("short", "message shorter than its header, length=" +
                length)));
            return;
        }
        if (signedOnly)
        {
            answers.add(new Answered(correlationId, reject("unsigned", "an unsigned command in a log whose " +
                "commands are signed")));
            return;
        }
        final byte type = buffer.getByte(offset);
        final byte[] payload = new byte[length - ClusterProtocol.INGRESS_HEADER_LENGTH];
        buffer.getBytes(offset + ClusterProtocol.INGRESS_HEADER_LENGTH, payload);
        dispatch(type, payload, timestamp, correlationId);
    }

    private void onSigned(
        final ClientSession session,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long correlationId)
    {
        if (secret == null)
        {
            // The others check what this member cannot: serving on would risk a state they do not have.
            failStop("the cluster's commands are signed but this member was started without --cluster-secret");
            answers.add(new Answered(correlationId, Outcome.failed(Outcome.Kind.UNAVAILABLE, diverged)));
            return;
        }
        if (session == null || length < ClusterProtocol.SIGNED_HEADER_LENGTH + ClusterSecret.MAC_LENGTH)
        {
            answers.add(new Answered(correlationId, reject("short", "signed message too short or without a " +
                "session, length=" + length)));
            return;
        }
        final int unsignedLength = length - ClusterSecret.MAC_LENGTH;
        final byte[] message = new byte[length];
        buffer.getBytes(offset, message);
        final byte[] expected = ClusterProtocol.mac(secret, session.id(), message, unsignedLength);
        if (!ClusterSecret.equal(expected, java.util.Arrays.copyOfRange(message, unsignedLength, length)))
        {
            answers.add(new Answered(correlationId, reject("mac", "a command whose MAC does not match (wrong " +
                "secret, altered or spoofed), session=" + session.id())));
            return;
        }
        final long sequence = buffer.getLong(offset + 2, ByteOrder.BIG_ENDIAN);
        final long last = lastSequence.get(session.id());
        if (sequence <= last)
        {
            answers.add(new Answered(correlationId, reject("replay", "a replayed command (sequence " + sequence +
                " after " + last + "), session=" + session.id())));
            return;
        }
        lastSequence.put(session.id(), sequence);
        signedOnly = true;
        final byte type = buffer.getByte(offset + 1);
        final byte[] payload = java.util.Arrays.copyOfRange(message, ClusterProtocol.SIGNED_HEADER_LENGTH,
            unsignedLength);
        dispatch(type, payload, timestamp, correlationId);
    }

    // A checkpoint answers nothing; a client command, or each command of a batch, is applied with the log's time.
    private void dispatch(final byte type, final byte[] payload, final long timestamp, final long correlationId)
    {
        if (type == ClusterProtocol.CHECKPOINT)
        {
            onCheckpoint(payload);
            return;
        }
        if (type == ClusterProtocol.CHECKPOINT_BEFORE_TREE)
        {
            // A log written before the ledger's tree: its members hashed a state layout this build does not write.
            // They compared those hashes when they applied the log; a replay here has nothing to compare them with.
            return;
        }
        if (type == ClusterProtocol.BATCH)
        {
            final java.util.List<ClusterProtocol.Entry> entries;
            try
            {
                entries = ClusterProtocol.decodeBatch(payload);
            }
            catch (final IOException ex)
            {
                answers.add(new Answered(correlationId, Outcome.invalid("payload", "batch does not parse: " +
                    ex.getMessage())));
                return;
            }
            batches++;
            batchedCommands += entries.size();
            // In order, each with its own correlation id; a batch inside a batch is not a client command.
            for (final ClusterProtocol.Entry entry : entries)
            {
                answers.add(new Answered(entry.correlationId(), apply(entry.type(), entry.payload(), timestamp)));
            }
            return;
        }
        answers.add(new Answered(correlationId, apply(type, payload, timestamp)));
    }

    private Outcome apply(final byte type, final byte[] payload, final long timestamp)
    {
        if (!Command.isClientCommand(type))
        {
            // RecordTranche replays a journal: a client may not write tranches directly.
            return Outcome.invalid("type", "not a client command, type=" + type);
        }
        Outcome outcome;
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
        return outcome;
    }

    private Outcome reject(final String reason, final String detail)
    {
        rejectedCommands++;
        if (loggedRejections.add(reason))
        {
            // Once per reason and process: a flood of forged frames must not flood the log.
            System.err.println("tranche: cluster node " + cluster.memberId() + " rejected " + detail +
                " (not applied; tranche_cluster_rejected_commands_total counts every rejection)");
        }
        return Outcome.invalid("command", "rejected: " + detail);
    }

    // ---------------------------------------------------------------- state-hash checkpoints

    private void takeCheckpoint(final long position)
    {
        takeCheckpoint(position, checkpointHash());
    }

    private void takeCheckpoint(final long position, final byte[] hash)
    {
        ownHashes.put(position, hash);
        ownHashOrder.addLast(position);
        while (ownHashOrder.size() > CHECKPOINTS_KEPT)
        {
            final long old = ownHashOrder.pollFirst();
            ownHashes.remove(old);
            reports.remove(old);
        }
        lastCheckpointPosition = position;
        lastCheckpointSha256 = hex(hash);
        // Sent by this member's front on its signed session, so that every member hears every member's hash.
        checkpointsToSend.offer(ClusterProtocol.encodeCheckpoint(position, cluster.memberId(), hash));
    }

    private static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Passes every byte on and into a digest. */
    private static final class DigestingStream extends java.io.FilterOutputStream
    {
        private final MessageDigest digest;

        DigestingStream(final OutputStream out, final MessageDigest digest)
        {
            super(out);
            this.digest = digest;
        }

        @Override
        public void write(final int b) throws IOException
        {
            digest.update((byte)b);
            out.write(b);
        }

        @Override
        public void write(final byte[] bytes, final int at, final int count) throws IOException
        {
            digest.update(bytes, at, count);
            out.write(bytes, at, count);
        }
    }

    /**
     * Log messages until the next checkpoint: {@code --checkpoint-every}, times one more for each
     * {@value #RECORDS_PER_INTERVAL} records the state's hash covers, so that hashing the whole state costs each
     * message about the same however large the state grows.
     */
    private long checkpointInterval()
    {
        return checkpointInterval(checkpointEvery, machine.records());
    }

    /**
     * @param every   {@code --checkpoint-every}.
     * @param records the records the state's hash covers ({@link QueueStateMachine#records()}).
     * @return log messages from one checkpoint to the next.
     */
    static long checkpointInterval(final int every, final long records)
    {
        return every * Math.max(1, records / RECORDS_PER_INTERVAL);
    }

    private byte[] checkpointHash()
    {
        try
        {
            final MessageDigest sha = MessageDigest.getInstance("SHA-256");
            // The queue with attribution, the request ids, the tranche count, the ledger tree's size and root (which
            // cover every change) and the claims' histories.
            // Buffered: the digest takes the state in blocks, not a call per byte of every long and int.
            final DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(
                new java.security.DigestOutputStream(OutputStream.nullOutputStream(), sha), 1 << 16));
            machine.snapshot(out);
            out.flush();
            return sha.digest();
        }
        catch (final NoSuchAlgorithmException | IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private void onCheckpoint(final byte[] payload)
    {
        if (payload.length != ClusterProtocol.CHECKPOINT_LENGTH)
        {
            return;
        }
        final UnsafeBuffer in = new UnsafeBuffer(payload);
        final long position = in.getLong(0, ByteOrder.BIG_ENDIAN);
        final int member = in.getInt(Long.BYTES, ByteOrder.BIG_ENDIAN);
        final byte[] theirs = java.util.Arrays.copyOfRange(payload, Long.BYTES + Integer.BYTES, payload.length);
        final byte[] ours = ownHashes.get(position);
        if (ours == null || member < 0 || member >= memberCount)
        {
            // Not a position this member hashed (it started from a later snapshot): nothing to compare.
            return;
        }
        byte[][] byMember = reports.get(position);
        if (byMember == null)
        {
            byMember = new byte[memberCount][];
            reports.put(position, byMember);
        }
        byMember[member] = theirs;
        if (java.util.Arrays.equals(ours, theirs))
        {
            checkpointsMatched++;
            return;
        }
        if (diverged != null)
        {
            // Stopped already: said once.
            return;
        }
        System.err.println("tranche: cluster node " + cluster.memberId() + " state differs from member " + member +
            "'s at log position " + position + ": ours " + hex(ours) + ", theirs " + hex(theirs));
        int others = 0;
        for (final byte[] report : byMember)
        {
            if (report != null && !java.util.Arrays.equals(report, ours))
            {
                others++;
            }
        }
        if (others >= memberCount / 2 + 1)
        {
            failStop("this member's state differs from a majority's at log position " + position + ": ours " +
                hex(ours) + ", theirs " + hex(theirs) + "; rebuild it from its peers (docs/cluster.md)");
        }
    }

    /**
     * Stops this member serving, from any thread: its state can no longer be trusted.
     *
     * @param reason why, for the log, the status and every refused call.
     */
    public void failStop(final String reason)
    {
        synchronized (this)
        {
            if (diverged != null)
            {
                return;
            }
            diverged = reason;
        }
        System.err.println("tranche: cluster member stopped serving: " + reason);
    }

    /** @return why this member stopped serving (its state differs from the cluster's), null while it serves. */
    public String diverged()
    {
        return diverged;
    }

    /** @return commands this member rejected (unsigned, mis-signed, replayed) since it started. */
    public long rejectedCommands()
    {
        return rejectedCommands;
    }

    /** @return batches of commands (log messages of type {@link ClusterProtocol#BATCH}) applied since it started. */
    public long batchesApplied()
    {
        return batches;
    }

    /** @return commands applied since it started that came in a batch. */
    public long batchedCommandsApplied()
    {
        return batchedCommands;
    }

    /** @return checkpoints of other members (and its own) that matched this member's state. */
    public long checkpointsMatched()
    {
        return checkpointsMatched;
    }

    /** @return the log position of this member's latest state-hash checkpoint, -1 before one. */
    public long lastCheckpointPosition()
    {
        return lastCheckpointPosition;
    }

    /** @return the SHA-256 of this member's state at {@link #lastCheckpointPosition()}, empty before one. */
    public String lastCheckpointSha256()
    {
        return lastCheckpointSha256;
    }

    /** @return the next checkpoint this member's front should send, or null. */
    byte[] pollCheckpoint()
    {
        return checkpointsToSend.poll();
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
        final long start = System.nanoTime();
        snapshotPosition = cluster.logPosition();
        commandsSinceSnapshot = 0;
        if (ledger instanceof ClusterLedger file)
        {
            try
            {
                // The snapshot refers to the files: what it records of them must survive a crash of the machine.
                file.sync();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot sync the member's ledger files before a snapshot: " +
                    ex.getMessage(), ex);
            }
        }
        final MessageDigest stateDigest = sha256();
        try (PublicationOutputStream out = new PublicationOutputStream(snapshotPublication))
        {
            writeState(ledger, machine, this, true, out, stateDigest);
        }
        // The snapshot wrote the bytes a checkpoint hashes: their digest, taken on the way, is this position's.
        takeCheckpoint(cluster.logPosition(), stateDigest.digest());
        lastSnapshotNanos = System.nanoTime() - start;
        // Counted once written (after its time): whoever sees the count also sees that snapshot's time.
        snapshotsTaken++;
        busyNanosSinceSnapshot = 0;
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
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        writeState(ledger, machine, this, false, bytes, null);
        return bytes.toByteArray();
    }

    /**
     * @param ledger  a ledger.
     * @param machine the state machine over it.
     * @return both in the cluster snapshot's format (also the seed's).
     */
    static byte[] encodeState(final Ledger ledger, final QueueStateMachine machine)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        writeState(ledger, machine, null, false, bytes, null);
        return bytes.toByteArray();
    }

    /**
     * @param ledger  a ledger.
     * @param machine the state machine over it.
     * @param sink    receives both in the cluster snapshot's format, tranche by tranche.
     */
    static void writeState(final Ledger ledger, final QueueStateMachine machine, final OutputStream sink)
    {
        writeState(ledger, machine, null, false, sink, null);
    }

    // With a service, its replicated fields follow the machine's state (v3); without, v3's seed form. Referring (a
    // member's own snapshot over its files): the files' count, length, leaf indexes and root instead of their
    // contents (v4). With a digest, it also takes the machine's state as written (what checkpointHash hashes).
    private static void writeState(
        final Ledger ledger, final QueueStateMachine machine, final QueueClusteredService service,
        final boolean referring, final OutputStream sink, final MessageDigest stateDigest)
    {
        try
        {
            final DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(sink, 64 * 1024));
            final boolean v4 = referring && service != null && ledger instanceof ClusterLedger;
            if (v4 && ledger instanceof ClusterLedger file)
            {
                out.writeInt(SNAPSHOT_MAGIC_V4);
                writeReference(file, out);
            }
            else
            {
                out.writeInt(service == null ? SEED_MAGIC_V3 : SNAPSHOT_MAGIC_V3);
                writeContents(ledger, out);
            }
            if (stateDigest == null)
            {
                machine.snapshot(out);
            }
            else
            {
                out.flush();
                final DataOutputStream tee = new DataOutputStream(new java.io.BufferedOutputStream(
                    new DigestingStream(sink, stateDigest), 1 << 16));
                machine.snapshot(tee);
                tee.flush();
            }
            if (service != null)
            {
                out.writeLong(service.logMessages);
                out.writeBoolean(service.signedOnly);
                final long[] sessions = new long[service.lastSequence.size()];
                final Long2LongHashMap.KeyIterator keys = service.lastSequence.keySet().iterator();
                for (int i = 0; keys.hasNext(); i++)
                {
                    sessions[i] = keys.nextValue();
                }
                java.util.Arrays.sort(sessions);
                out.writeInt(sessions.length);
                for (final long session : sessions)
                {
                    out.writeLong(session);
                    out.writeLong(service.lastSequence.get(session));
                }
                if (v4)
                {
                    out.writeLong(service.nextCheckpoint);
                }
            }
            out.flush();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    // What a member's own snapshot records of its files (v4): the rest of the state follows.
    private static void writeReference(final ClusterLedger file, final DataOutputStream out) throws IOException
    {
        final long count = file.count();
        out.writeLong(count);
        out.writeLong(file.end());
        // The stream is buffered: one writeLong per tranche, not an encoder of its own.
        for (final long leaf : file.leafIndexes(count))
        {
            out.writeLong(leaf);
        }
        final MerkleLog tree = file.tree();
        out.writeLong(tree.size());
        out.write(tree.root());
    }

    // Every tranche and every leaf (v3 and the seed): a member rebuilds its files from them.
    private static void writeContents(final Ledger ledger, final DataOutputStream out) throws IOException
    {
        final long count = ledger.count();
        out.writeLong(count);
        if (ledger instanceof ClusterLedger file)
        {
            // The member's file holds each tranche's bytes as appended: copied in one pass over the file, not
            // parsed and serialized again.
            file.forEachTranche((leaf, bytes, at, length) ->
            {
                out.writeLong(leaf);
                out.writeInt(length);
                out.write(bytes, at, length);
            });
        }
        else
        {
            for (long n = 1; n <= count; n++)
            {
                final byte[] tranche = ledger.get(n).toByteArray();
                out.writeLong(ledger.leafIndex(n));
                out.writeInt(tranche.length);
                out.write(tranche);
            }
        }
        // The leaves, so that a member restoring the snapshot (or seeded) rebuilds its tree's files.
        final MerkleLog tree = ledger.tree();
        out.writeLong(tree.size());
        tree.forEachLeaf((bytes, at, length) ->
        {
            out.writeInt(length);
            out.write(bytes, at, length);
        });
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
        int work = 0;
        if (!waiting.isEmpty())
        {
            // Reads that wait for a position: run those now reached (or whose caller went), in arrival order.
            for (final java.util.Iterator<WaitingRead> it = waiting.iterator(); it.hasNext(); )
            {
                final WaitingRead w = it.next();
                if (w.minPosition <= appliedPosition || w.reply.abandoned() != null)
                {
                    it.remove();
                    runRead(() -> complete(w.read, w.reply));
                    work++;
                }
            }
        }
        return work + reads.drain(QueueClusteredService::runRead, 256);
    }

    private record WaitingRead(CommandLog.Read read, CommandLog.Reply reply, long minPosition)
    {
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
        return read(read, reply, 0);
    }

    /**
     * Runs a read of the applied state on the service thread, once this member has applied at least a position.
     *
     * @param read        the read.
     * @param reply       its answer.
     * @param minPosition the lowest applied position it may run at (0 for any); until then it waits, or ends when
     *                    its caller goes ({@link CommandLog.Reply#abandoned()}: the deadline).
     * @return false when the read queue is full.
     */
    public boolean read(final CommandLog.Read read, final CommandLog.Reply reply, final long minPosition)
    {
        return reads.offer(() ->
        {
            if (minPosition > appliedPosition && reply.abandoned() == null)
            {
                if (waiting.size() >= MAX_WAITING_READS)
                {
                    reply.complete(Outcome.failed(Outcome.Kind.UNAVAILABLE, MAX_WAITING_READS + " reads already " +
                        "wait for this member to reach their position; retry, or read from the leader"));
                    return;
                }
                waiting.add(new WaitingRead(read, reply, minPosition));
                return;
            }
            complete(read, reply);
        });
    }

    private void complete(final CommandLog.Read read, final CommandLog.Reply reply)
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
            // The time the log would stamp on a command now: the leader's clock, never before the last command's.
            outcome = read.read(machine, Math.max(cluster.timeUnit().toNanos(cluster.time()),
                CommandLog.wallClockNanos()));
        }
        catch (final Ledger.LedgerException ex)
        {
            outcome = Outcome.failed(Outcome.Kind.UNAVAILABLE, ex.getMessage());
        }
        reply.complete(outcome);
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

    /**
     * For tests: on the service thread, the digest a snapshot takes of the state as it writes it (into a discarding
     * sink) and the checkpoint's own hash of the same state, which must be equal.
     *
     * @param reply receives both.
     * @return false when the read queue is full.
     */
    boolean snapshotAndCheckpointHashes(final java.util.function.Consumer<byte[][]> reply)
    {
        return reads.offer(() ->
        {
            final MessageDigest digest = sha256();
            writeState(ledger, machine, this, true, OutputStream.nullOutputStream(), digest);
            reply.accept(new byte[][] {digest.digest(), checkpointHash()});
        });
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

    /** @return nanoseconds the service thread spent on log messages since this member's last snapshot. */
    public long busyNanosSinceSnapshot()
    {
        return busyNanosSinceSnapshot;
    }

    /** @return nanoseconds this member's last snapshot took (writing it and hashing the state), 0 before one. */
    public long lastSnapshotNanos()
    {
        return lastSnapshotNanos;
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
