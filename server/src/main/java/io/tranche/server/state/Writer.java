package io.tranche.server.state;

import com.google.protobuf.Message;
import com.google.rpc.Code;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.Errors;
import io.tranche.server.TrancheServer;
import io.tranche.server.metrics.Metrics;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The single writer: one thread owns the {@link QueueState} and the {@link Journal}. gRPC handlers
 * hand it {@link Op}s through a bounded many-to-one queue (never blocking); it applies a batch,
 * appends the mutations to the journal, fsyncs once (group commit), and only then answers every op
 * of the batch (reads included, so that nobody sees a state that is not yet durable). Released
 * tranches are then published for lock-free reads and watch streams.
 */
public final class Writer implements Agent, AutoCloseable
{
    private static final int BATCH_LIMIT = 256;

    private final TrancheServer.Config config;
    private final Metrics metrics;
    private final Path dir;
    private final QueueState state;
    private final Journal journal;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ManyToOneConcurrentArrayQueue<Op> queue;
    private final ArrayList<Op> batch = new ArrayList<>(BATCH_LIMIT);
    private final AgentRunner runner;
    private final Thread thread;
    private final CopyOnWriteArrayList<Watcher> watchers = new CopyOnWriteArrayList<>();
    private final ExecutorService watchExecutor;
    private long lastTimeNanos;
    private long recordsSinceSnapshot;
    private String failure;
    private volatile boolean ending;
    private volatile boolean closing;

    // Published after each durable batch; elements below the count never change.
    private volatile Tranche[] committed = new Tranche[16];
    private volatile int committedCount;
    private volatile int queueLength;
    private volatile double outstandingDemand;

    /**
     * One request for the writer: a mutation (type and request) or a read.
     */
    public static final class Op
    {
        final byte type;
        final Message request;
        final Read read;
        final StreamObserver<Message> observer;
        final Context context;
        QueueState.Outcome outcome;

        private Op(final byte type, final Message request, final Read read, final StreamObserver<Message> observer)
        {
            this.type = type;
            this.request = request;
            this.read = read;
            this.observer = observer;
            this.context = Context.current();
        }

        /**
         * @param type     a {@link QueueState} command type.
         * @param request  its request.
         * @param observer answered after the command is durable.
         * @param <T>      response type.
         * @return the op.
         */
        @SuppressWarnings("unchecked")
        public static <T extends Message> Op mutation(final byte type, final Message request, final StreamObserver<T> observer)
        {
            return new Op(type, request, null, (StreamObserver<Message>)observer);
        }

        /**
         * @param read     runs on the writer thread.
         * @param observer receives its result.
         * @param <T>      response type.
         * @return the op.
         */
        @SuppressWarnings("unchecked")
        public static <T extends Message> Op read(final Read read, final StreamObserver<T> observer)
        {
            return new Op((byte)0, null, read, (StreamObserver<Message>)observer);
        }
    }

    /** A read of the state on the writer thread. */
    @FunctionalInterface
    public interface Read
    {
        /**
         * @param state the current state.
         * @return the result.
         */
        QueueState.Outcome read(QueueState state);
    }

    private Writer(
        final TrancheServer.Config config, final Metrics metrics, final QueueState state, final Journal journal,
        final FileChannel lockChannel, final FileLock lock, final long lastTimeNanos)
    {
        this.config = config;
        this.metrics = metrics;
        this.dir = config.dataDir();
        this.state = state;
        this.journal = journal;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.lastTimeNanos = lastTimeNanos;
        this.queue = new ManyToOneConcurrentArrayQueue<>(config.writerQueueCapacity());
        publish();
        this.watchExecutor = Executors.newSingleThreadExecutor(r ->
        {
            final Thread t = new Thread(r, "tranche-watch");
            t.setDaemon(true);
            return t;
        });
        // Parks after a short spin and yield. Producers unpark it after each offer (a permit given before
        // the park is kept), so the long maximum park adds no latency and an idle writer costs nothing.
        this.runner = new AgentRunner(
            new BackoffIdleStrategy(20, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(20)),
            Throwable::printStackTrace, null, this);
        this.thread = AgentRunner.startOnThread(runner);
    }

    /**
     * Locks the data directory, loads the newest snapshot, replays the journal and starts the writer thread.
     *
     * @param config  configuration.
     * @param metrics metrics to update.
     * @return the running writer.
     * @throws IOException when the directory is locked by another server or cannot be recovered.
     */
    public static Writer open(final TrancheServer.Config config, final Metrics metrics) throws IOException
    {
        final Path dir = config.dataDir();
        Files.createDirectories(dir);
        final FileChannel lockChannel = FileChannel.open(dir.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = null;
        try
        {
            lock = lockChannel.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            lock = null;
        }
        if (lock == null)
        {
            lockChannel.close();
            throw new IOException("data directory " + dir + " is in use by another tranche server");
        }
        try
        {
            final QueueState state = new QueueState();
            final long snapshotIndex = loadSnapshot(dir, state);
            final long[] lastTime = {0};
            final Journal journal = Journal.recover(dir, snapshotIndex, config.fsync(), (index, type, time, payload) ->
            {
                final QueueState.Outcome outcome = state.apply(type, time, QueueState.parse(type, payload));
                if (!outcome.mutated)
                {
                    throw new IOException("journal record " + index + " (type " + type + ") does not apply to the " +
                        "recovered state: " + (outcome.error == null ? "no change" : outcome.error.getMessage()) +
                        "; refusing to start");
                }
                lastTime[0] = Math.max(lastTime[0], time);
            }, System.err::println);
            if (state.trancheCount() > 0)
            {
                // Release times never go backwards, even when the journal since the snapshot is empty.
                final com.google.protobuf.Timestamp t = state.tranche(state.trancheCount()).getReleaseTime();
                lastTime[0] = Math.max(lastTime[0], t.getSeconds() * 1_000_000_000L + t.getNanos());
            }
            return new Writer(config, metrics, state, journal, lockChannel, lock, lastTime[0]);
        }
        catch (final IOException | RuntimeException ex)
        {
            lock.release();
            lockChannel.close();
            throw ex;
        }
    }

    private static long loadSnapshot(final Path dir, final QueueState state) throws IOException
    {
        final List<Path> snapshots = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir))
        {
            files.forEach(p ->
            {
                final String name = p.getFileName().toString();
                if (name.matches("snapshot-\\d{20}\\.snap"))
                {
                    snapshots.add(p);
                }
                else if (name.endsWith(".snap.tmp"))
                {
                    try
                    {
                        Files.deleteIfExists(p);
                    }
                    catch (final IOException ex)
                    {
                        throw new UncheckedIOException(ex);
                    }
                }
            });
        }
        if (snapshots.isEmpty())
        {
            return 0;
        }
        snapshots.sort(null);
        final Path newest = snapshots.get(snapshots.size() - 1);
        final byte[] bytes = Files.readAllBytes(newest);
        if (bytes.length < 12)
        {
            throw new IOException("snapshot file " + newest + " is truncated (" + bytes.length + " bytes); refusing to start");
        }
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        final int stored = ByteBuffer.wrap(bytes).getInt(bytes.length - 4);
        if ((int)crc.getValue() != stored)
        {
            throw new IOException("snapshot file " + newest + " fails its checksum; refusing to start");
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes, 0, bytes.length - 4)))
        {
            final long index = in.readLong();
            state.readFrom(in);
            return index;
        }
    }

    private void writeSnapshot() throws IOException
    {
        final long index = journal.nextIndex() - 1;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        final DataOutputStream out = new DataOutputStream(bytes);
        out.writeLong(index);
        state.writeTo(out);
        final CRC32C crc = new CRC32C();
        final byte[] body = bytes.toByteArray();
        crc.update(body, 0, body.length);
        final Path target = dir.resolve(String.format("snapshot-%020d.snap", index));
        final Path tmp = dir.resolve(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            final ByteBuffer buf = ByteBuffer.allocate(body.length + 4);
            buf.put(body).putInt((int)crc.getValue()).flip();
            while (buf.hasRemaining())
            {
                ch.write(buf);
            }
            if (config.fsync())
            {
                ch.force(true);
            }
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        journal.syncDirectory();
        journal.roll();
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
        recordsSinceSnapshot = 0;
    }

    /**
     * Hands an op to the writer without blocking.
     *
     * @param op the op.
     * @return false when the writer's queue is full (answer RESOURCE_EXHAUSTED) or it is closing
     *         ({@link #isClosing()}, answer UNAVAILABLE).
     */
    public boolean offer(final Op op)
    {
        if (closing || !queue.offer(op))
        {
            return false;
        }
        java.util.concurrent.locks.LockSupport.unpark(thread);
        return true;
    }

    /** @return true once {@link #close()} has begun. */
    public boolean isClosing()
    {
        return closing;
    }

    @Override
    public int doWork()
    {
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

    private void processBatch()
    {
        final int tranchesBefore = state.trancheCount();
        boolean wrote = false;
        for (int i = 0; i < batch.size(); i++)
        {
            final Op op = batch.get(i);
            if (failure != null)
            {
                op.outcome = QueueState.Outcome.failed(Errors.unavailable(failure));
            }
            else if (op.context.isCancelled())
            {
                // Dropped before any work: the caller has gone or its deadline passed.
                op.outcome = QueueState.Outcome.failed(op.context.cancellationCause() instanceof TimeoutException ?
                    Errors.status(Code.DEADLINE_EXCEEDED, "deadline exceeded before the writer reached the request") :
                    Errors.status(Code.CANCELLED, "cancelled before the writer reached the request"));
            }
            else if (op.read != null)
            {
                try
                {
                    op.outcome = op.read.read(state);
                }
                catch (final RuntimeException ex)
                {
                    ex.printStackTrace();
                    op.outcome = QueueState.Outcome.failed(Errors.status(Code.INTERNAL, "internal error: " + ex));
                }
            }
            else if (op.type == QueueState.CREATE_CLAIM && state.queueLength() >= config.maxQueue())
            {
                op.outcome = QueueState.Outcome.failed(Errors.resourceExhausted(
                    "the queue holds " + state.queueLength() + " claims, the limit (--max-queue)"));
            }
            else
            {
                final long now = Math.max(lastTimeNanos, epochNanos());
                try
                {
                    op.outcome = state.apply(op.type, now, op.request);
                }
                catch (final RuntimeException ex)
                {
                    // Our bug, not the client's. Every command validates and computes before it mutates,
                    // so the state is unchanged and nothing is journaled.
                    ex.printStackTrace();
                    op.outcome = QueueState.Outcome.failed(Errors.status(Code.INTERNAL, "internal error: " + ex));
                }
                if (op.outcome.mutated)
                {
                    lastTimeNanos = now;
                    try
                    {
                        // A release is journaled as its result, so that replay does not depend on the kernel build.
                        if (op.type == QueueState.RELEASE_TRANCHE)
                        {
                            journal.append(QueueState.RECORD_TRANCHE, now, op.outcome.response.toByteArray());
                        }
                        else
                        {
                            journal.append(op.type, now, op.request.toByteArray());
                        }
                        wrote = true;
                        recordsSinceSnapshot++;
                    }
                    catch (final IOException ex)
                    {
                        fail("journal append failed: " + ex);
                    }
                }
            }
        }
        if (wrote && failure == null)
        {
            final long start = System.nanoTime();
            try
            {
                journal.sync();
                metrics.recordJournalSync(System.nanoTime() - start);
            }
            catch (final IOException ex)
            {
                fail("journal sync failed: " + ex);
            }
        }
        if (failure != null && wrote)
        {
            // Nothing of this batch is known durable, and the state already holds it: answer nobody with success.
            for (int i = 0; i < batch.size(); i++)
            {
                batch.get(i).outcome = QueueState.Outcome.failed(Errors.unavailable(failure));
            }
        }
        else
        {
            publish();
        }
        for (int i = 0; i < batch.size(); i++)
        {
            complete(batch.get(i));
        }
        if (state.trancheCount() != tranchesBefore)
        {
            for (final Watcher w : watchers)
            {
                w.signal();
            }
        }
        if (failure == null && recordsSinceSnapshot >= config.snapshotEvery())
        {
            try
            {
                writeSnapshot();
            }
            catch (final IOException ex)
            {
                // The journal still holds everything: a failed snapshot costs restart time, not data.
                System.err.println("tranche: snapshot failed, will retry: " + ex);
                recordsSinceSnapshot = config.snapshotEvery() / 2;
            }
        }
    }

    private void fail(final String reason)
    {
        failure = reason + "; the server stopped accepting writes, restart it";
        System.err.println("tranche: " + failure);
    }

    private static long epochNanos()
    {
        final Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static void complete(final Op op)
    {
        try
        {
            if (op.outcome.error != null)
            {
                op.observer.onError(Errors.toException(op.outcome.error));
            }
            else
            {
                op.observer.onNext(op.outcome.response);
                op.observer.onCompleted();
            }
        }
        catch (final RuntimeException ex)
        {
            // The call was cancelled meanwhile; nothing to answer.
        }
    }

    private void publish()
    {
        final int count = state.trancheCount();
        Tranche[] array = committed;
        if (count > committedCount)
        {
            if (count > array.length)
            {
                array = java.util.Arrays.copyOf(array, Math.max(count, array.length * 2));
            }
            for (int i = committedCount; i < count; i++)
            {
                array[i] = state.tranche(i + 1);
            }
            committed = array;
            committedCount = count;
        }
        queueLength = state.queueLength();
        outstandingDemand = state.outstandingDemand().doubleValue();
    }

    /** @return number of durable tranches. */
    public int trancheCount()
    {
        return committedCount;
    }

    /**
     * @param number 1..{@link #trancheCount()}.
     * @return the durable tranche.
     */
    public Tranche tranche(final long number)
    {
        final int count = committedCount;
        if (number < 1 || number > count)
        {
            return null;
        }
        return committed[(int)(number - 1)];
    }

    /** @return claims in the queue after the last durable batch. */
    public int queueLength()
    {
        return queueLength;
    }

    /** @return sum of outstanding demands after the last durable batch. */
    public double outstandingDemand()
    {
        return outstandingDemand;
    }

    /**
     * Streams the durable tranches after {@code afterNumber}, then new ones, to one watcher,
     * respecting its flow control: a slow consumer never blocks the writer.
     *
     * @param afterNumber last number the client has.
     * @param observer    the stream.
     */
    public void watch(final long afterNumber, final ServerCallStreamObserver<Tranche> observer)
    {
        final Watcher watcher = new Watcher(afterNumber + 1, observer);
        observer.setOnCancelHandler(watcher::cancel);
        observer.setOnReadyHandler(watcher::signal);
        watchers.add(watcher);
        watcher.signal();
    }

    /** Ends every watch stream with UNAVAILABLE (server shutting down); new watches end at once. */
    public void endWatches()
    {
        ending = true;
        for (final Watcher w : watchers)
        {
            w.signal();
        }
    }

    private final class Watcher implements Runnable
    {
        private final ServerCallStreamObserver<Tranche> observer;
        private final AtomicInteger wip = new AtomicInteger();
        private long next;
        private volatile boolean done;

        Watcher(final long next, final ServerCallStreamObserver<Tranche> observer)
        {
            this.next = Math.max(1, next);
            this.observer = observer;
        }

        void signal()
        {
            if (wip.getAndIncrement() == 0)
            {
                try
                {
                    watchExecutor.execute(this);
                }
                catch (final java.util.concurrent.RejectedExecutionException ex)
                {
                    done = true;
                    watchers.remove(this);
                }
            }
        }

        void cancel()
        {
            done = true;
            watchers.remove(this);
        }

        @Override
        public void run()
        {
            int missed = 1;
            while (true)
            {
                drain();
                missed = wip.addAndGet(-missed);
                if (missed == 0)
                {
                    return;
                }
            }
        }

        private void drain()
        {
            if (done)
            {
                return;
            }
            try
            {
                if (ending)
                {
                    done = true;
                    watchers.remove(this);
                    observer.onError(Errors.toException(Errors.unavailable(
                        "the server is shutting down; watch again with after_number = the last number received")));
                    return;
                }
                while (!done && observer.isReady() && next <= committedCount)
                {
                    observer.onNext(tranche(next));
                    next++;
                }
            }
            catch (final RuntimeException ex)
            {
                cancel();
            }
        }
    }

    @Override
    public String roleName()
    {
        return "tranche-writer";
    }

    /**
     * Stops the writer after answering what is queued, flushes and closes the journal, releases the lock.
     */
    @Override
    public void close()
    {
        if (closing)
        {
            return;
        }
        closing = true;
        endWatches();
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
            System.err.println("tranche: closing the journal failed: " + ex);
        }
        watchExecutor.shutdown();
        try
        {
            watchExecutor.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        try
        {
            lock.release();
            lockChannel.close();
        }
        catch (final IOException ex)
        {
            System.err.println("tranche: releasing the lock failed: " + ex);
        }
    }
}
