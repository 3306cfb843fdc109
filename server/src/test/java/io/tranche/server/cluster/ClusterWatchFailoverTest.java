package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.Tranche;
import io.tranche.proto.v1.WatchTranchesRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * WatchTranches across a failover: while {@link ClusterWriters} release tranches, one watcher streams
 * from a follower, one from the leader (it reconnects to another node with {@code after_number} = the
 * last number it received when the leader is SIGKILLed), and one starts on the third node after the
 * kill with {@code after_number} = 3. Each must see every committed tranche after its start, in order,
 * exactly once: the same tranches as the surviving nodes' ledgers.
 */
@Tag("cluster")
class ClusterWatchFailoverTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void shouldStreamEveryCommittedTrancheOnceInOrderAcrossALeaderKill() throws Exception
    {
        try (ClusterProcesses cluster = new ClusterProcesses(dir, 60, true))
        {
            cluster.startAll();
            final int leader = cluster.leader();
            final int follower = (leader + 1) % ClusterProcesses.NODES;
            final int third = (leader + 2) % ClusterProcesses.NODES;
            final Watcher onFollower = new Watcher(cluster, false);
            final Watcher onLeader = new Watcher(cluster, true);
            onFollower.watch(follower, 0);
            onLeader.watch(leader, 0);

            final ClusterWriters writers = new ClusterWriters(cluster, 2, 7);
            writers.start();
            waitFor(() -> writers.released.size() >= 5, "5 tranches released before the kill");
            final long killedAt = System.nanoTime();
            cluster.kill(leader);
            waitFor(() -> writers.firstAckStartedAfter(killedAt) > 0, "a write acknowledged by the new leader");
            final Watcher late = new Watcher(cluster, false);
            late.watch(third, 3);
            Thread.sleep(2000);
            writers.stop();

            final List<ClusterProcesses.State> states = cluster.awaitSameState(writers.released.size());
            writers.check(states);
            final List<Tranche> ledger = states.get(0).tranches();
            assertThat(ledger.size()).isGreaterThan(5);
            for (final Watcher w : List.of(onFollower, onLeader, late))
            {
                waitFor(() -> w.count() >= ledger.size() - w.startAfter || w.error.get() != null,
                    "the watcher has every tranche");
                w.stop();
            }
            assertThat(onFollower.error.get()).as("the follower's stream goes on across the kill").isNull();
            assertThat(onFollower.seen()).as("watch on a follower").containsExactlyElementsOf(ledger);
            assertThat(onLeader.error.get()).isNull();
            assertThat(onLeader.reconnects).as("the leader's watcher reconnected").isPositive();
            assertThat(onLeader.seen()).as("watch on the leader, then another node from after_number")
                .containsExactlyElementsOf(ledger);
            assertThat(late.error.get()).isNull();
            assertThat(late.seen()).as("watch from after_number 3 on the third node")
                .containsExactlyElementsOf(ledger.subList(3, ledger.size()));
            System.out.println("cluster watch: tranches=" + ledger.size() + " before_kill>=5 watchers=3 reconnects=" +
                onLeader.reconnects);
        }
    }

    interface Condition
    {
        boolean holds();
    }

    private static void waitFor(final Condition condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.holds())
        {
            assertThat(System.nanoTime()).as(what + " within 120 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** One WatchTranches stream; with {@code reconnect}, it resumes on another live node after an error. */
    private static final class Watcher implements StreamObserver<Tranche>
    {
        private final ClusterProcesses cluster;
        private final boolean reconnect;
        private final List<Tranche> seen = new ArrayList<>();
        private final AtomicReference<Throwable> error = new AtomicReference<>();
        private volatile Context.CancellableContext context;
        private volatile boolean stopping;
        private volatile int node;
        private long startAfter;
        private int reconnects;

        Watcher(final ClusterProcesses cluster, final boolean reconnect)
        {
            this.cluster = cluster;
            this.reconnect = reconnect;
        }

        void watch(final int onNode, final long afterNumber)
        {
            if (seen.isEmpty() && reconnects == 0)
            {
                startAfter = afterNumber;
            }
            node = onNode;
            final ManagedChannel channel = cluster.channel(onNode);
            final Context.CancellableContext call = Context.current().withCancellation();
            context = call;
            call.run(() -> QueueServiceGrpc.newStub(channel).watchTranches(
                WatchTranchesRequest.newBuilder().setAfterNumber(afterNumber).build(), this));
        }

        synchronized int count()
        {
            return seen.size();
        }

        synchronized List<Tranche> seen()
        {
            return new ArrayList<>(seen);
        }

        void stop()
        {
            stopping = true;
            context.cancel(null);
        }

        @Override
        public synchronized void onNext(final Tranche tranche)
        {
            final long expected = seen.isEmpty() ? startAfter + 1 : seen.get(seen.size() - 1).getNumber() + 1;
            if (tranche.getNumber() != expected)
            {
                error.compareAndSet(null, new AssertionError("tranche " + tranche.getNumber() + " when " + expected +
                    " was next, on node " + node));
            }
            seen.add(tranche);
        }

        @Override
        public void onError(final Throwable t)
        {
            if (stopping)
            {
                return;
            }
            if (!reconnect)
            {
                error.compareAndSet(null, t);
                return;
            }
            final long last;
            synchronized (this)
            {
                last = seen.isEmpty() ? startAfter : seen.get(seen.size() - 1).getNumber();
                reconnects++;
            }
            // Resume on the next live node from the last number received.
            int next = (node + 1) % ClusterProcesses.NODES;
            while (!cluster.live(next))
            {
                next = (next + 1) % ClusterProcesses.NODES;
            }
            watch(next, last);
        }

        @Override
        public void onCompleted()
        {
            if (!stopping)
            {
                error.compareAndSet(null, new AssertionError("a watch stream completed"));
            }
        }
    }
}
