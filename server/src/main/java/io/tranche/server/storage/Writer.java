package io.tranche.server.storage;

import io.tranche.proto.v1.Tranche;
import io.tranche.server.merkle.LeafFile;
import io.tranche.server.merkle.MerkleLog;
import io.tranche.server.merkle.TreeFile;
import io.tranche.server.state.Command;
import io.tranche.server.state.CommandLog;
import io.tranche.server.state.Ledger;
import io.tranche.server.state.Outcome;
import io.tranche.server.state.QueueStateMachine;
import io.tranche.server.state.RecordPlace;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The single writer, the {@link CommandLog} of a one-node server: one thread owns the
 * {@link QueueStateMachine} and the {@link Journal}. Callers hand it ops through a bounded
 * many-to-one queue (never blocking); it prepares each command, journals it, commits it, fsyncs once
 * per batch (group commit), and only then answers every op of the batch (reads included, so that
 * nobody sees a state that is not durable).
 * <p>
 * When a write or sync fails (a full disk), nothing of the batch is acknowledged: the journal is cut
 * back to its last synced byte, the state is rebuilt from the snapshot and the journal, and the
 * writer stops taking writes ({@link #failure()}) while reads go on. Once a probe write to the data
 * directory succeeds again it resumes by itself.
 */
public final class Writer implements Agent, CommandLog
{
    private static final int BATCH_LIMIT = 256;
    private static final long CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int SNAPSHOT_MAGIC = 0x54524E32; // "TRN2"
    /** The ledger's Merkle tree in the data directory ({@link TreeFile}). */
    public static final String TREE_FILE = "ledger.tree";
    /** The tree's leaves in the data directory ({@link LeafFile}; and {@code ledger.leaves.idx}). */
    public static final String LEAF_FILE = "ledger.leaves";

    private final Settings settings;
    private final Path dir;
    private final DataDirLock lock;
    private final Journal journal;
    private final TreeFiles treeFiles;
    private final ManyToOneConcurrentArrayQueue<Op> queue;
    private final ArrayList<Op> batch = new ArrayList<>(BATCH_LIMIT);
    private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();
    private final AgentRunner runner;
    private final Thread thread;
    private volatile QueueStateMachine machine;
    private volatile JournalLedger ledger;
    private long snapshotIndex;
    private long lastTimeNanos;
    private long recordsSinceSnapshot;
    private long bytesAtSnapshot;
    private long nextCheckNanos;
    private volatile String failure;
    private boolean permanent;
    private volatile boolean closing;
    private volatile int queueLength;
    private volatile BigInteger outstandingDemand = BigInteger.ZERO;
    private volatile BigInteger demandAboveCaps = BigInteger.ZERO;
    private volatile int unservableClaims;

    /**
     * What the writer needs; everything else about the server is not its business. The limits have no defaults
     * here: the server's configuration is their one source, and {@link #open} refuses a limit left unset.
     */
    public static final class Settings
    {
        /** Default records between snapshots: the one source of {@code --snapshot-every}'s default, node or member. */
        public static final int SNAPSHOT_EVERY_DEFAULT = 10_000;
        /** Default journal (or cluster log) bytes between snapshots, whatever the record count. */
        public static final long SNAPSHOT_BYTES_DEFAULT = 16L << 20;

        Path dataDir;
        boolean fsync = true;
        int snapshotEvery;
        long snapshotBytes = SNAPSHOT_BYTES_DEFAULT;
        int maxQueue;
        int queueCapacity;
        LongConsumer syncNanos = nanos -> { };
        Consumer<String> log = System.err::println;
        final Journal.Options journal = new Journal.Options();

        /** @param value data directory. @return this. */
        public Settings dataDir(final Path value)
        {
            dataDir = value;
            return this;
        }

        /** @param value force to disk on every batch. @return this. */
        public Settings fsync(final boolean value)
        {
            fsync = value;
            journal.fsync(value);
            return this;
        }

        /** @param value snapshot after this many records. @return this. */
        public Settings snapshotEvery(final int value)
        {
            snapshotEvery = value;
            return this;
        }

        /** @param value snapshot after this many journal bytes. @return this. */
        public Settings snapshotBytes(final long value)
        {
            snapshotBytes = value;
            return this;
        }

        /** @param value most queued claims. @return this. */
        public Settings maxQueue(final int value)
        {
            maxQueue = value;
            return this;
        }

        /** @param value ops waiting for the writer. @return this. */
        public Settings queueCapacity(final int value)
        {
            queueCapacity = value;
            return this;
        }

        /** @param value receives each batch's sync time. @return this. */
        public Settings syncNanos(final LongConsumer value)
        {
            syncNanos = value;
            return this;
        }

        /** @param value receives operator notes. @return this. */
        public Settings log(final Consumer<String> value)
        {
            log = value;
            return this;
        }

        /** @return the journal's settings. */
        public Journal.Options journal()
        {
            return journal;
        }

        /** @return the data directory. */
        public Path dataDir()
        {
            return dataDir;
        }

        /** @return whether every batch is forced to disk. */
        public boolean fsync()
        {
            return fsync;
        }

        /** @return records between snapshots. */
        public int snapshotEvery()
        {
            return snapshotEvery;
        }

        /** @return the most queued claims. */
        public int maxQueue()
        {
            return maxQueue;
        }

        /** @return the most ops waiting for the writer. */
        public int queueCapacity()
        {
            return queueCapacity;
        }
    }

    private static final class Op
    {
        final Command command;
        final Read read;
        final Reply reply;
        Outcome outcome;
        // Its record was appended to the journal: the batch must be synced, or rolled back.
        boolean journaled;

        Op(final Command command, final Read read, final Reply reply)
        {
            this.command = command;
            this.read = read;
            this.reply = reply;
        }
    }

    private Writer(
        final Settings settings, final DataDirLock lock, final Journal journal, final TreeFiles treeFiles,
        final Loaded loaded)
    {
        this.settings = settings;
        this.dir = settings.dataDir;
        this.lock = lock;
        this.journal = journal;
        this.treeFiles = treeFiles;
        this.queue = new ManyToOneConcurrentArrayQueue<>(settings.queueCapacity);
        adopt(loaded);
        recordsSinceSnapshot = journal.nextIndex() - 1 - snapshotIndex;
        ledger.markDurable();
        publish();
        // Parks after a short spin and yield; producers unpark it after each offer, so the long maximum park
        // adds no latency and an idle writer costs nothing.
        this.runner = new AgentRunner(
            new BackoffIdleStrategy(20, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(20)),
            Throwable::printStackTrace, null, this);
        this.thread = AgentRunner.startOnThread(runner);
    }

    /** The state as loaded from disk. */
    private static final class Loaded
    {
        QueueStateMachine machine;
        JournalLedger ledger;
        long snapshotIndex;
        long lastTime;
        long replayed;
    }

    // Older journal segments not checked before the start are checked on a background thread.
    private void scrub()
    {
        if (journal.unverifiedSegments() == 0)
        {
            return;
        }
        final Thread scrubber = new Thread(() ->
        {
            final String problem = journal.verifyInBackground();
            settings.log.accept(problem == null ?
                "tranche: background check: the " + journal.unverifiedSegments() +
                " older journal segments are intact" :
                "tranche: background check: " + problem);
        }, "tranche-journal-check");
        scrubber.setDaemon(true);
        scrubber.setPriority(Thread.MIN_PRIORITY);
        scrubber.start();
    }

    private void adopt(final Loaded loaded)
    {
        machine = loaded.machine;
        ledger = loaded.ledger;
        snapshotIndex = loaded.snapshotIndex;
        lastTimeNanos = Math.max(lastTimeNanos, loaded.lastTime);
    }

    private static void required(final int value, final String name)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException("Writer.Settings " + name + "=" + value + " must be > 0");
        }
    }

    /**
     * Locks the data directory, loads the newest snapshot, replays the journal after it and starts the
     * writer thread.
     *
     * @param settings settings.
     * @return the running writer.
     * @throws IOException when the directory is in use or cannot be recovered (naming file and offset).
     * @throws IllegalArgumentException when a limit of the settings was left unset.
     */
    public static Writer open(final Settings settings) throws IOException
    {
        required(settings.snapshotEvery, "snapshotEvery");
        required(settings.maxQueue, "maxQueue");
        required(settings.queueCapacity, "queueCapacity");
        final Path dir = settings.dataDir;
        Files.createDirectories(dir);
        final DataDirLock lock = DataDirLock.acquire(dir);
        Journal journal = null;
        TreeFiles treeFiles = null;
        try
        {
            final long start = System.nanoTime();
            deleteSnapshotTemps(dir);
            treeFiles = TreeFiles.open(dir, settings.log);
            final Loaded loaded = load(settings, null, newestSnapshot(dir), treeFiles);
            if (loaded.machine.treeProblem() != null)
            {
                rebuildTree(settings, loaded, treeFiles);
            }
            journal =
                Journal.recover(dir, loaded.snapshotIndex, settings.journal, (index, type, time, payload, seg, off) ->
                apply(loaded, index, type, time, payload, seg, off), settings.log);
            loaded.ledger.attach(journal);
            // Nodes past the recovered size (written before a crash cut the journal's tail) are dropped.
            loaded.ledger.tree().truncate(loaded.ledger.tree().size());
            settings.log.accept("tranche: recovered snapshot at record " + loaded.snapshotIndex + ", replayed " +
                loaded.replayed + " journal records in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) +
                " ms");
            final Writer writer = new Writer(settings, lock, journal, treeFiles, loaded);
            writer.scrub();
            return writer;
        }
        catch (final IOException | RuntimeException ex)
        {
            if (journal != null)
            {
                journal.close();
            }
            if (treeFiles != null)
            {
                treeFiles.close();
            }
            lock.close();
            throw ex;
        }
    }

    /** The ledger tree's two files; derived from the journal, so a damaged one is set aside and rebuilt. */
    private static final class TreeFiles
    {
        final TreeFile nodes;
        final LeafFile leaves;

        private TreeFiles(final TreeFile nodes, final LeafFile leaves)
        {
            this.nodes = nodes;
            this.leaves = leaves;
        }

        static TreeFiles open(final Path dir, final Consumer<String> log) throws IOException
        {
            final TreeFile nodes = openOrReplace(dir.resolve(TREE_FILE), TreeFile::open, log);
            try
            {
                return new TreeFiles(nodes, openOrReplace(dir.resolve(LEAF_FILE), LeafFile::open, log));
            }
            catch (final IOException | RuntimeException ex)
            {
                nodes.close();
                throw ex;
            }
        }

        private interface Opener<T>
        {
            T open(Path path) throws IOException;
        }

        // A file that is not what it should be (a damaged header) is moved aside: the journal rebuilds it.
        private static <T> T openOrReplace(final Path path, final Opener<T> opener, final Consumer<String> log)
            throws IOException
        {
            try
            {
                return opener.open(path);
            }
            catch (final IOException ex)
            {
                final Path aside = path.resolveSibling(path.getFileName() + ".damaged");
                log.accept("tranche: " + ex.getMessage() + "; moved to " + aside + ", the ledger's tree is rebuilt " +
                    "from the journal");
                Files.move(path, aside, StandardCopyOption.REPLACE_EXISTING);
                Files.deleteIfExists(path.resolveSibling(path.getFileName() + ".idx"));
                return opener.open(path);
            }
        }

        MerkleLog log()
        {
            return new MerkleLog(nodes, leaves);
        }

        void close() throws IOException
        {
            try
            {
                nodes.close();
            }
            finally
            {
                leaves.close();
            }
        }
    }

    /** Ends a replay early. */
    private static final class ReplayDone extends IOException
    {
        private static final long serialVersionUID = 1L;

        ReplayDone()
        {
            super("done", null);
        }
    }

    /** The counts of a ledger whose tranches are not kept: what a replay that only rebuilds the tree needs. */
    private static final class TreeOnlyLedger implements Ledger
    {
        private final MerkleLog tree;
        private long count;

        TreeOnlyLedger(final MerkleLog tree)
        {
            this.tree = tree;
        }

        @Override
        public long count()
        {
            return count;
        }

        @Override
        public long durableCount()
        {
            return count;
        }

        @Override
        public Tranche get(final long number)
        {
            throw new UnsupportedOperationException("a tree rebuild does not read tranches back");
        }

        @Override
        public void append(final Tranche tranche, final long leafIndex, final RecordPlace place)
        {
            count++;
        }

        @Override
        public long leafIndex(final long number)
        {
            throw new UnsupportedOperationException("a tree rebuild does not read tranches back");
        }

        @Override
        public MerkleLog tree()
        {
            return tree;
        }
    }

    // The snapshot's tree is not in the tree file (a data directory of a build before the tree, a file lost or
    // damaged): the journal's records up to the snapshot are replayed once into a scratch state that writes the
    // tree, and that state must be the snapshot's, byte for byte.
    private static void rebuildTree(final Settings settings, final Loaded loaded, final TreeFiles treeFiles)
        throws IOException
    {
        final long started = System.nanoTime();
        final String why = loaded.machine.treeProblem();
        final MerkleLog tree = treeFiles.log();
        tree.truncate(0);
        final QueueStateMachine scratch = new QueueStateMachine(new TreeOnlyLedger(tree), Integer.MAX_VALUE);
        final long upTo = loaded.snapshotIndex;
        try
        {
            Journal.replayAll(settings.dataDir, (index, type, time, payload, segment, offset) ->
            {
                if (index > upTo)
                {
                    throw new ReplayDone();
                }
                final Outcome outcome = scratch.apply(Command.decode(type, payload), time);
                if (!outcome.mutates())
                {
                    throw new IOException("journal record " + index + " (segment " + segment + ", offset " +
                        offset + ") does not apply while rebuilding the ledger's tree: " + outcome +
                        "; refusing to start");
                }
            });
        }
        catch (final ReplayDone done)
        {
            // The records after the snapshot are the recovery's.
        }
        catch (final IOException ex)
        {
            if (tree.size() < upTo)
            {
                throw ex;
            }
            // A torn tail after the snapshot: the recovery deals with it.
        }
        if (tree.size() != upTo)
        {
            throw new IOException("the journal holds " + tree.size() + " records before the snapshot at record " +
                upTo + "; refusing to start, nothing was changed");
        }
        final java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        final java.io.ByteArrayOutputStream replayed = new java.io.ByteArrayOutputStream();
        loaded.machine.snapshot(new DataOutputStream(expected), QueueStateMachine.SnapshotFormat.WITHOUT_HEAD);
        scratch.snapshot(new DataOutputStream(replayed), QueueStateMachine.SnapshotFormat.WITHOUT_HEAD);
        if (!java.util.Arrays.equals(expected.toByteArray(), replayed.toByteArray()))
        {
            throw new IOException("the journal's records 1 to " + upTo + " do not give the state of the snapshot at " +
                "record " + upTo + ": the journal or the snapshot was altered; refusing to start, nothing was changed");
        }
        tree.sync();
        loaded.machine.adoptAttribution(scratch);
        final String problem = loaded.machine.adoptRebuiltTree(upTo);
        if (problem != null)
        {
            throw new IOException("the ledger's tree rebuilt from the journal's records 1 to " + upTo + " differs " +
                "from the snapshot's: " + problem + "; the journal or the snapshot was altered; refusing to start");
        }
        settings.log.accept("tranche: rebuilt the ledger's tree (" + TREE_FILE + ", " + upTo + " leaves) from the " +
            "journal in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms: " + why);
    }

    private static void apply(
        final Loaded loaded, final long index, final byte type, final long time, final byte[] payload,
        final long segment, final long offset) throws IOException
    {
        final Command command;
        try
        {
            command = Command.decode(type, payload);
        }
        catch (final IOException ex)
        {
            throw new IOException("journal record " + index + " (segment " + segment + ", offset " + offset +
                ") does not parse: " + ex.getMessage() + "; refusing to start", ex);
        }
        final Outcome outcome = loaded.machine.apply(command, time, new RecordPlace(segment, offset, index));
        if (!outcome.mutates())
        {
            throw new IOException("journal record " + index + " (segment " + segment + ", offset " + offset +
                ", type " + type + ") does not apply to the recovered state: " + outcome + "; refusing to start");
        }
        loaded.lastTime = Math.max(loaded.lastTime, time);
        loaded.replayed++;
    }

    private static Loaded load(final Settings settings, final Journal journal, final Path snapshot,
        final TreeFiles treeFiles) throws IOException
    {
        final Loaded loaded = new Loaded();
        loaded.ledger = new JournalLedger(journal, treeFiles.log());
        loaded.machine = new QueueStateMachine(loaded.ledger, settings.maxQueue);
        if (snapshot != null)
        {
            final byte[] bytes = Files.readAllBytes(snapshot);
            if (bytes.length < 12)
            {
                throw new IOException("snapshot file " + snapshot + " is truncated (" + bytes.length +
                    " bytes, at offset 0); refusing to start, nothing was changed; restore it from a backup");
            }
            final CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length - 4);
            if ((int)crc.getValue() != ByteBuffer.wrap(bytes).getInt(bytes.length - 4))
            {
                throw new IOException("snapshot file " + snapshot + " fails its checksum (" + bytes.length +
                    " bytes, checksum at offset " + (bytes.length - 4) + "); refusing to start, nothing was changed; " +
                    "restore it from a backup (the journal alone cannot rebuild what the snapshot covers)");
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, bytes.length - 4)))
            {
                if (in.readInt() != SNAPSHOT_MAGIC)
                {
                    throw new IOException("snapshot file " + snapshot + " is not a format-2 tranche snapshot " +
                        "(offset 0): written by an older build; refusing to start, nothing was changed");
                }
                loaded.snapshotIndex = in.readLong();
                loaded.lastTime = in.readLong();
                loaded.ledger.restore(in);
                loaded.machine.restore(in);
            }
        }
        return loaded;
    }

    /**
     * The state sections of the snapshots in a data directory, for verification: what
     * {@link QueueStateMachine#snapshot} wrote at each snapshot's record index.
     *
     * @param dir data directory.
     * @return record index to state bytes, in index order.
     * @throws IOException when a snapshot cannot be read or fails its checksum.
     */
    public static java.util.TreeMap<Long, byte[]> snapshotStates(final Path dir) throws IOException
    {
        final java.util.TreeMap<Long, byte[]> states = new java.util.TreeMap<>();
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path p : (Iterable<Path>)files::iterator)
            {
                if (!p.getFileName().toString().matches("snapshot-\\d{20}\\.snap"))
                {
                    continue;
                }
                final byte[] bytes = Files.readAllBytes(p);
                final CRC32C crc = new CRC32C();
                crc.update(bytes, 0, Math.max(0, bytes.length - 4));
                if (bytes.length < 32 || (int)crc.getValue() != ByteBuffer.wrap(bytes).getInt(bytes.length - 4) ||
                    ByteBuffer.wrap(bytes).getInt(0) != SNAPSHOT_MAGIC)
                {
                    throw new IOException("snapshot file " + p + " fails its checksum or is not a format-2 snapshot");
                }
                final ByteBuffer buf = ByteBuffer.wrap(bytes);
                final long tranches = buf.getLong(20);
                final int start = (int)(28 + 24 * tranches);
                states.put(buf.getLong(4), java.util.Arrays.copyOfRange(bytes, start, bytes.length - 4));
            }
        }
        return states;
    }

    // Rebuilds the state from disk after a failed batch: the snapshot plus the journal as synced.
    private Loaded reload() throws IOException
    {
        final Path snapshot = newestSnapshot(dir);
        final Loaded loaded = load(settings, journal, snapshot, treeFiles);
        if (loaded.machine.treeProblem() != null)
        {
            rebuildTree(settings, loaded, treeFiles);
        }
        journal.replay(loaded.snapshotIndex, (index, type, time, payload, seg, off) ->
            apply(loaded, index, type, time, payload, seg, off));
        loaded.ledger.tree().truncate(loaded.ledger.tree().size());
        return loaded;
    }

    private static void deleteSnapshotTemps(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path p : (Iterable<Path>)files::iterator)
            {
                if (p.getFileName().toString().endsWith(".snap.tmp"))
                {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static Path newestSnapshot(final Path dir) throws IOException
    {
        Path newest = null;
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path p : (Iterable<Path>)files::iterator)
            {
                if (p.getFileName().toString().matches("snapshot-\\d{20}\\.snap") &&
                    (newest == null || p.getFileName().toString().compareTo(newest.getFileName().toString()) > 0))
                {
                    newest = p;
                }
            }
        }
        return newest;
    }

    private static long snapshotIndex(final Path snapshot)
    {
        final String name = snapshot.getFileName().toString();
        return Long.parseLong(name.substring("snapshot-".length(), name.length() - ".snap".length()));
    }

    private void writeSnapshot() throws IOException
    {
        final long index = journal.nextIndex() - 1;
        // The snapshot says the tree file holds its leaves: they must be on the disk before it is.
        ledger.tree().sync();
        final Path target = dir.resolve(String.format("snapshot-%020d.snap", index));
        final Path tmp = dir.resolve(target.getFileName() + ".tmp");
        try
        {
            try (FileChannel ch = settings.journal.channels.open(tmp, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))
            {
                // Streamed to the file with its CRC-32C taken on the way: the heap never holds the whole state.
                final CRC32C crc = new CRC32C();
                final java.io.OutputStream file = java.nio.channels.Channels.newOutputStream(ch);
                final DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(
                    new java.util.zip.CheckedOutputStream(file, crc), 1 << 16));
                out.writeInt(SNAPSHOT_MAGIC);
                out.writeLong(index);
                out.writeLong(lastTimeNanos);
                ledger.snapshot(out);
                machine.snapshot(out);
                out.flush();
                final ByteBuffer trailer = ByteBuffer.allocate(4).putInt((int)crc.getValue()).flip();
                while (trailer.hasRemaining())
                {
                    ch.write(trailer);
                }
                if (settings.fsync)
                {
                    ch.force(true);
                }
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        finally
        {
            Files.deleteIfExists(tmp);
        }
        journal.syncDirectory();
        snapshotIndex = index;
        recordsSinceSnapshot = 0;
        bytesAtSnapshot = journal.appendedBytes();
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path p : (Iterable<Path>)files::iterator)
            {
                final String name = p.getFileName().toString();
                if (name.matches("snapshot-\\d{20}\\.snap") && !p.equals(target))
                {
                    Files.deleteIfExists(p);
                }
            }
        }
        journal.roll();
    }

    @Override
    public boolean submit(final Command command, final Reply reply)
    {
        return offer(new Op(command, null, reply));
    }

    @Override
    public boolean read(final Read read, final Reply reply)
    {
        return offer(new Op(null, read, reply));
    }

    private boolean offer(final Op op)
    {
        if (closing || !queue.offer(op))
        {
            return false;
        }
        LockSupport.unpark(thread);
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
        return failure;
    }

    @Override
    public Ledger ledger()
    {
        return ledger;
    }

    @Override
    public int queueLength()
    {
        return queueLength;
    }

    @Override
    public BigInteger outstandingDemand()
    {
        return outstandingDemand;
    }

    @Override
    public BigInteger demandAboveCaps()
    {
        return demandAboveCaps;
    }

    @Override
    public int unservableClaims()
    {
        return unservableClaims;
    }

    /** @return records journaled since the last snapshot. */
    public long recordsSinceSnapshot()
    {
        return recordsSinceSnapshot;
    }

    @Override
    public void addListener(final Listener listener)
    {
        listeners.add(listener);
    }

    @Override
    public int doWork()
    {
        final long now = System.nanoTime();
        if (now - nextCheckNanos >= 0)
        {
            nextCheckNanos = now + CHECK_INTERVAL_NANOS;
            periodicChecks();
        }
        final int n = queue.drain(batch::add, BATCH_LIMIT);
        if (n == 0)
        {
            return 0;
        }
        try
        {
            processBatch();
        }
        finally
        {
            // Never process an op twice, even if something above threw.
            batch.clear();
        }
        return n;
    }

    private void periodicChecks()
    {
        final String lost = lock.check();
        if (lost != null && !permanent)
        {
            permanent = true;
            setFailure(lost + ": another process may be writing to this directory; this server stopped taking " +
                "writes. Stop every server on it, then restart one");
        }
        if (failure != null && !permanent && canWrite())
        {
            setFailure(null);
            settings.log.accept("tranche: the data directory takes writes again; the writer resumed");
        }
    }

    // A probe write of 64 KiB, forced and deleted: proof that a failed write would now succeed.
    private boolean canWrite()
    {
        final Path probe = dir.resolve("write-probe.tmp");
        try
        {
            try (FileChannel ch = settings.journal.channels.open(probe, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))
            {
                final ByteBuffer zeros = ByteBuffer.allocate(64 << 10);
                while (zeros.hasRemaining())
                {
                    ch.write(zeros);
                }
                ch.force(true);
            }
            if (journal.failed() != null)
            {
                journal.discardUnsynced();
            }
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
        finally
        {
            try
            {
                Files.deleteIfExists(probe);
            }
            catch (final IOException ignore)
            {
                // retried next time
            }
        }
    }

    private void setFailure(final String reason)
    {
        failure = reason;
        if (reason != null)
        {
            settings.log.accept("tranche: " + reason);
        }
        for (final Listener l : listeners)
        {
            l.onAvailability(reason);
        }
    }

    private void processBatch()
    {
        final long tranchesBefore = ledger.durableCount();
        boolean wrote = false;
        String batchFailure = null;
        for (int i = 0; i < batch.size(); i++)
        {
            final Op op = batch.get(i);
            final Outcome.Kind abandoned = op.reply.abandoned();
            if (abandoned != null)
            {
                op.outcome = Outcome.failed(abandoned, abandoned == Outcome.Kind.DEADLINE_EXCEEDED ?
                    "deadline exceeded before the writer reached the request" :
                    "cancelled before the writer reached the request");
            }
            else if (op.read != null)
            {
                op.outcome = read(op.read);
            }
            else if (failure != null || batchFailure != null)
            {
                op.outcome = Outcome.failed(Outcome.Kind.UNAVAILABLE, "not recorded, nothing changed: " +
                    (batchFailure != null ? batchFailure : failure));
            }
            else
            {
                batchFailure = mutate(op);
                wrote |= op.journaled;
            }
        }
        if (wrote && batchFailure == null)
        {
            final long start = System.nanoTime();
            try
            {
                journal.sync();
                settings.syncNanos.accept(System.nanoTime() - start);
            }
            catch (final IOException ex)
            {
                batchFailure = "journal sync failed: " + ex.getMessage();
            }
        }
        if (batchFailure != null && wrote)
        {
            rollBack(batchFailure);
        }
        else
        {
            ledger.markDurable();
            publish();
        }
        for (int i = 0; i < batch.size(); i++)
        {
            complete(batch.get(i));
        }
        final long durable = ledger.durableCount();
        if (durable != tranchesBefore)
        {
            for (final Listener l : listeners)
            {
                l.onTranches(durable);
            }
        }
        maybeSnapshot();
    }

    private Outcome read(final Read read)
    {
        try
        {
            return read.read(machine, clock());
        }
        catch (final RuntimeException ex)
        {
            settings.log.accept("tranche: internal error in a read: " + ex);
            return Outcome.failed(Outcome.Kind.INTERNAL, "internal error: " + ex);
        }
    }

    // Prepares, journals and commits one mutation; returns why the journal failed, or null.
    private String mutate(final Op op)
    {
        final long now = clock();
        final Outcome outcome;
        try
        {
            outcome = machine.prepare(op.command, now);
        }
        catch (final RuntimeException ex)
        {
            // Our bug, not the client's: prepare changes nothing, so the state is as it was.
            settings.log.accept("tranche: internal error preparing " + op.command.getClass().getSimpleName() + ": " +
                ex);
            op.outcome = Outcome.failed(Outcome.Kind.INTERNAL, "internal error: " + ex);
            return null;
        }
        op.outcome = outcome;
        if (!outcome.mutates())
        {
            return null;
        }
        final Command logged = outcome.logged();
        final byte[] record = logged.encode();
        if (record.length > journal.maxRecordBytes())
        {
            op.outcome = Outcome.failed(Outcome.Kind.LIMIT_REACHED, "the journal record of this change would be " +
                record.length + " bytes, above the limit of " + journal.maxRecordBytes() + " bytes (" +
                Journal.MAX_RECORD_PROP_NAME + "); nothing changed");
            return null;
        }
        final RecordPlace place;
        try
        {
            final long index = journal.append(logged.type(), now, record);
            place = new RecordPlace(journal.lastSegment(), journal.lastOffset(), index);
        }
        catch (final IOException ex)
        {
            op.outcome = Outcome.failed(Outcome.Kind.UNAVAILABLE, "not recorded, nothing changed: journal write " +
                "failed: " + ex.getMessage());
            return "journal write failed: " + ex.getMessage();
        }
        op.journaled = true;
        try
        {
            machine.commit(outcome, place);
        }
        catch (final java.io.UncheckedIOException ex)
        {
            // The tree file took no write: the record must not be acknowledged, and the batch is rolled back.
            op.outcome = Outcome.failed(Outcome.Kind.UNAVAILABLE, "not recorded, nothing changed: " + ex.getMessage());
            return ex.getMessage();
        }
        lastTimeNanos = now;
        recordsSinceSnapshot++;
        return null;
    }

    // Nothing of this batch is durable and the state holds it: answer nobody with success, cut the
    // journal back, rebuild the state from disk, and stop taking writes until the disk takes them.
    private void rollBack(final String reason)
    {
        for (int i = 0; i < batch.size(); i++)
        {
            batch.get(i).outcome = Outcome.failed(Outcome.Kind.UNAVAILABLE, "not recorded, nothing changed: " + reason);
        }
        try
        {
            journal.discardUnsynced();
            final Loaded loaded = reload();
            adopt(loaded);
            recordsSinceSnapshot = journal.nextIndex() - 1 - snapshotIndex;
            ledger.markDurable();
            publish();
            setFailure(reason + "; the writer stopped taking writes and resumes once the data directory takes them " +
                "again (free space)");
        }
        catch (final IOException | RuntimeException ex)
        {
            permanent = true;
            setFailure(reason + "; then rebuilding the state failed: " + ex.getMessage() + "; restart the server");
        }
    }

    private void maybeSnapshot()
    {
        if (failure != null || recordsSinceSnapshot == 0 ||
            recordsSinceSnapshot < settings.snapshotEvery &&
            journal.appendedBytes() - bytesAtSnapshot < settings.snapshotBytes)
        {
            return;
        }
        try
        {
            writeSnapshot();
        }
        catch (final IOException ex)
        {
            // The journal still holds everything: a failed snapshot costs restart time, not data.
            settings.log.accept("tranche: snapshot failed, will retry: " + ex);
            recordsSinceSnapshot = settings.snapshotEvery / 2;
            bytesAtSnapshot = journal.appendedBytes() - settings.snapshotBytes / 2;
        }
    }

    // The time this log stamps on a command now: the wall clock, never before the last command's.
    private long clock()
    {
        return Math.max(lastTimeNanos, CommandLog.wallClockNanos());
    }

    private void complete(final Op op)
    {
        try
        {
            op.reply.complete(op.outcome);
        }
        catch (final RuntimeException ex)
        {
            // The call went away meanwhile (cancelled, or past its deadline): the outcome stands, unanswered.
            settings.log.accept("tranche: an answer could not be sent (" + op.outcome.kind() + "): " + ex);
        }
    }

    private void publish()
    {
        queueLength = machine.queueLength();
        outstandingDemand = machine.outstandingDemand();
        demandAboveCaps = machine.demandAboveCaps();
        unservableClaims = machine.unservableClaims();
    }

    @Override
    public String roleName()
    {
        return "tranche-writer";
    }

    /**
     * Stops the writer after answering what is queued, syncs and closes the journal, releases the lock.
     */
    @Override
    public void close()
    {
        if (closing)
        {
            return;
        }
        closing = true;
        runner.close();
        // Ops that arrived after the last duty cycle: answer them now on this thread.
        while (doWork() > 0)
        {
            Thread.onSpinWait();
        }
        try
        {
            journal.close();
        }
        catch (final IOException ex)
        {
            settings.log.accept("tranche: closing the journal failed: " + ex);
        }
        try
        {
            treeFiles.close();
        }
        catch (final IOException ex)
        {
            settings.log.accept("tranche: closing the tree file failed: " + ex);
        }
        try
        {
            lock.close();
        }
        catch (final IOException ex)
        {
            settings.log.accept("tranche: releasing the lock failed: " + ex);
        }
    }
}
