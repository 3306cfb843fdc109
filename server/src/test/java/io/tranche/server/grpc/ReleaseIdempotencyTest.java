package io.tranche.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.RobustnessSupport;
import io.tranche.server.ServerConfig;
import io.tranche.server.TrancheServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idempotency under retries: the same {@code ReleaseTranche} sent at the same moment from two clients (two
 * connections) returns one tranche, allocated once; the same request id with other parameters is ALREADY_EXISTS,
 * also when the two race; a retry after the queue changed, or after a restart, returns the recorded tranche.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReleaseIdempotencyTest
{
    private static final int ROUNDS = 25;
    private static final Method[] METHODS =
        {Method.PROPORTIONAL, Method.EQUAL, Method.FIFO, Method.DHONDT, Method.HUNTINGTON_HILL};

    @TempDir
    Path dir;

    private TrancheServer server;
    private ManagedChannel first;
    private ManagedChannel second;
    private ExecutorService pool;
    private final Map<String, Long> demands = new HashMap<>();

    @BeforeEach
    void start() throws Exception
    {
        server = TrancheServer.start(new ServerConfig().listen("127.0.0.1", 0).dataDir(dir));
        first = RobustnessSupport.channel("127.0.0.1:" + server.port());
        second = RobustnessSupport.channel("127.0.0.1:" + server.port());
        pool = Executors.newFixedThreadPool(2);
        final Random random = new Random(11);
        for (int i = 0; i < 40; i++)
        {
            final long demand = 1 + random.nextInt(50_000);
            final String id = "c" + i;
            demands.put(id, demand);
            RobustnessSupport.queue(first).createClaim(CreateClaimRequest.newBuilder()
                .setClaim(Claim.newBuilder().setId(id).setDemand(demand).setTier(random.nextInt(2))).build());
        }
    }

    @AfterEach
    void stop()
    {
        pool.shutdownNow();
        RobustnessSupport.close(first);
        RobustnessSupport.close(second);
        server.close();
    }

    @Test
    void shouldAllocateOnceAndAnswerBothWhenTheSameReleaseArrivesTwiceAtOnce() throws Exception
    {
        final Random random = new Random(12);
        final CyclicBarrier barrier = new CyclicBarrier(2);
        for (int round = 0; round < ROUNDS; round++)
        {
            final ReleaseTrancheRequest request = ReleaseTrancheRequest.newBuilder()
                .setRequestId("race-" + round)
                .setSupply(1 + random.nextInt(40_000))
                .setPolicy(Policy.newBuilder().setMethod(METHODS[random.nextInt(METHODS.length)])
                    .setLot(1 + random.nextInt(3)))
                .build();
            final Future<Tranche> a = pool.submit(() ->
            {
                barrier.await(10, TimeUnit.SECONDS);
                return RobustnessSupport.queue(first).releaseTranche(request);
            });
            final Future<Tranche> b = pool.submit(() ->
            {
                barrier.await(10, TimeUnit.SECONDS);
                return RobustnessSupport.queue(second).releaseTranche(request);
            });
            final Tranche ta = a.get(30, TimeUnit.SECONDS);
            assertThat(b.get(30, TimeUnit.SECONDS)).isEqualTo(ta);
            assertThat(ta.getNumber()).isEqualTo(round + 1);
            assertThat(ta.getRequestId()).isEqualTo(request.getRequestId());
        }
        assertLedgerAccountsForEveryClaim(ROUNDS);
    }

    @Test
    void shouldLetExactlyOneOfTwoConflictingReleasesWin() throws Exception
    {
        final CyclicBarrier barrier = new CyclicBarrier(2);
        for (int round = 0; round < 10; round++)
        {
            final String id = "conflict-" + round;
            final ReleaseTrancheRequest small =
                ReleaseTrancheRequest.newBuilder().setRequestId(id).setSupply(100 + round)
                .setPolicy(Policy.newBuilder().setMethod(Method.EQUAL)).build();
            final ReleaseTrancheRequest big = small.toBuilder().setSupply(200 + round).build();
            final Future<Object> a = pool.submit(() -> outcome(barrier, first, small));
            final Future<Object> b = pool.submit(() -> outcome(barrier, second, big));
            final Object ra = a.get(30, TimeUnit.SECONDS);
            final Object rb = b.get(30, TimeUnit.SECONDS);
            // One tranche, the other ALREADY_EXISTS: never both, never neither.
            assertThat(ra instanceof Tranche ^ rb instanceof Tranche).as(ra + " / " + rb).isTrue();
            final Tranche winner = (Tranche)(ra instanceof Tranche ? ra : rb);
            final Object loser = ra instanceof Tranche ? rb : ra;
            assertThat(loser).isEqualTo(Status.Code.ALREADY_EXISTS);
            assertThat(winner.getNumber()).isEqualTo(round + 1);
            assertThat(winner.getSupply()).isEqualTo(ra instanceof Tranche ? small.getSupply() : big.getSupply());
        }
        assertLedgerAccountsForEveryClaim(10);
    }

    @Test
    void shouldReturnTheRecordedTrancheOnRetryAndRejectOtherParameters() throws Exception
    {
        final ReleaseTrancheRequest request =
            ReleaseTrancheRequest.newBuilder().setRequestId("retry-me").setSupply(30_000)
            .setPolicy(Policy.newBuilder().setMethod(Method.PROPORTIONAL).setLot(8)).build();
        final Tranche recorded = RobustnessSupport.queue(first).releaseTranche(request);
        final List<Claim> queueAfter = RobustnessSupport.allClaims(first);

        // The queue changes; the retry still answers what was recorded and allocates nothing.
        RobustnessSupport.queue(first).createClaim(CreateClaimRequest.newBuilder()
            .setClaim(Claim.newBuilder().setId("late").setDemand(1_000_000)).build());
        assertThat(RobustnessSupport.queue(second).releaseTranche(request)).isEqualTo(recorded);
        final List<Claim> queueNow = RobustnessSupport.allClaims(first);
        assertThat(queueNow.subList(0, queueAfter.size())).isEqualTo(queueAfter);

        for (final ReleaseTrancheRequest other : new ReleaseTrancheRequest[] {
            request.toBuilder().setSupply(30_001).build(),
            request.toBuilder().setPolicy(request.getPolicy().toBuilder().setMethod(Method.EQUAL)).build(),
            request.toBuilder().setPolicy(request.getPolicy().toBuilder().setLot(1)).build(),
            request.toBuilder().setPolicy(request.getPolicy().toBuilder().setMaxSharePpm(500_000)).build()})
        {
            assertThatThrownBy(() -> RobustnessSupport.queue(first).releaseTranche(other))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                    ex -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS));
        }
        assertThat(RobustnessSupport.allTranches(first)).containsExactly(recorded);

        // A restart on the same data directory keeps the request id.
        RobustnessSupport.close(first);
        RobustnessSupport.close(second);
        server.close();
        server = TrancheServer.start(new ServerConfig().listen("127.0.0.1", 0).dataDir(dir));
        first = RobustnessSupport.channel("127.0.0.1:" + server.port());
        second = RobustnessSupport.channel("127.0.0.1:" + server.port());
        assertThat(RobustnessSupport.queue(first).releaseTranche(request)).isEqualTo(recorded);
        assertThat(RobustnessSupport.allTranches(first)).containsExactly(recorded);
        assertThat(RobustnessSupport.allClaims(first)).isEqualTo(queueNow);
    }

    private static Object outcome(final CyclicBarrier barrier, final ManagedChannel channel,
        final ReleaseTrancheRequest r)
        throws Exception
    {
        barrier.await(10, TimeUnit.SECONDS);
        try
        {
            return RobustnessSupport.queue(channel).releaseTranche(r);
        }
        catch (final StatusRuntimeException ex)
        {
            return ex.getStatus().getCode();
        }
    }

    /** Numbers 1..n, each request id once, and demand = outstanding + awarded for every claim. */
    private void assertLedgerAccountsForEveryClaim(final int n)
    {
        final List<Tranche> ledger = RobustnessSupport.allTranches(first);
        assertThat(ledger).hasSize(n);
        final Set<String> requestIds = new HashSet<>();
        final Map<String, Long> awarded = new HashMap<>();
        for (int i = 0; i < n; i++)
        {
            assertThat(ledger.get(i).getNumber()).isEqualTo(i + 1);
            assertThat(requestIds.add(ledger.get(i).getRequestId())).isTrue();
            for (final Award a : ledger.get(i).getAwardsList())
            {
                awarded.merge(a.getId(), a.getUnits(), Long::sum);
            }
        }
        final Map<String, Claim> queued = new HashMap<>();
        for (final Claim c : RobustnessSupport.allClaims(first))
        {
            queued.put(c.getId(), c);
        }
        for (final Map.Entry<String, Long> e : demands.entrySet())
        {
            final long given = awarded.getOrDefault(e.getKey(), 0L);
            final Claim c = queued.get(e.getKey());
            if (c == null)
            {
                assertThat(given).as(e.getKey() + " is gone, so fully served").isEqualTo(e.getValue());
            }
            else
            {
                assertThat(c.getDemand() + given).as(e.getKey()).isEqualTo(e.getValue());
                assertThat(c.getAwarded()).as(e.getKey()).isEqualTo(given);
            }
        }
    }
}
