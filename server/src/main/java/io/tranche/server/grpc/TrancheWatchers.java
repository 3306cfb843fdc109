package io.tranche.server.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.status.Errors;
import io.tranche.server.state.CommandLog;
import io.tranche.server.state.Ledger;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * {@code WatchTranches} streams: each watcher sends the durable tranches after its last number, in
 * order, as fast as its client reads them (gRPC flow control), on one shared thread; a slow client
 * never holds the writer.
 */
final class TrancheWatchers implements CommandLog.Listener, AutoCloseable
{
    private final CommandLog log;
    private final CopyOnWriteArrayList<Watcher> watchers = new CopyOnWriteArrayList<>();
    private final ExecutorService executor;
    private volatile boolean ending;

    TrancheWatchers(final CommandLog log)
    {
        this.log = log;
        this.executor = Executors.newSingleThreadExecutor(r ->
        {
            final Thread t = new Thread(r, "tranche-watch");
            t.setDaemon(true);
            return t;
        });
        log.addListener(this);
    }

    void watch(final long afterNumber, final ServerCallStreamObserver<Tranche> observer,
        final UnaryOperator<Tranche> view)
    {
        final Watcher watcher = new Watcher(afterNumber, observer, view);
        observer.setOnCancelHandler(watcher::cancel);
        observer.setOnReadyHandler(watcher::signal);
        watchers.add(watcher);
        watcher.signal();
    }

    @Override
    public void onTranches(final long durableCount)
    {
        for (final Watcher w : watchers)
        {
            w.signal();
        }
    }

    @Override
    public void onAvailability(final String failure)
    {
        // Watches go on: the durable ledger stays readable.
    }

    /** Ends every stream with UNAVAILABLE (shutting down); new watches end at once. */
    void end()
    {
        ending = true;
        for (final Watcher w : watchers)
        {
            w.signal();
        }
    }

    @Override
    public void close()
    {
        end();
        executor.shutdown();
        try
        {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private final class Watcher implements Runnable
    {
        private final ServerCallStreamObserver<Tranche> observer;
        // What this watcher's caller may see of a tranche (a claimant: its own awards).
        private final UnaryOperator<Tranche> view;
        private final AtomicInteger wip = new AtomicInteger();
        private long last;
        private volatile boolean done;

        Watcher(final long afterNumber, final ServerCallStreamObserver<Tranche> observer,
            final UnaryOperator<Tranche> view)
        {
            this.last = afterNumber;
            this.observer = observer;
            this.view = view;
        }

        void signal()
        {
            if (wip.getAndIncrement() == 0)
            {
                try
                {
                    executor.execute(this);
                }
                catch (final RejectedExecutionException ex)
                {
                    cancel();
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
                    cancel();
                    observer.onError(Errors.toException(Errors.unavailable(
                        "the server is shutting down; watch again with after_number (--after in the CLI) = the " +
                        "last number received")));
                    return;
                }
                final Ledger ledger = log.ledger();
                while (!done && observer.isReady() && last < ledger.durableCount())
                {
                    observer.onNext(view.apply(ledger.get(last + 1)));
                    last++;
                }
            }
            catch (final RuntimeException ex)
            {
                cancel();
                try
                {
                    observer.onError(Errors.toException(Errors.status(com.google.rpc.Code.DATA_LOSS,
                        "tranche " + (last + 1) + " cannot be read: " + ex.getMessage())));
                }
                catch (final RuntimeException ignore)
                {
                    // the call is gone
                }
            }
        }
    }
}
