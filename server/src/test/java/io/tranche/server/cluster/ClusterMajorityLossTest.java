package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Majority loss: of three child JVMs, the leader and one follower are SIGKILLed. Writes to the survivor
 * must fail with {@code UNAVAILABLE} within the client's deadline (5 s) (never hang, never be acknowledged:
 * no majority can commit them), its health turns {@code NOT_SERVING}, and its state does not change.
 * When one node returns, the same writes retried with the same {@code request_id} are acknowledged,
 * each tranche once, and the third node catches up to the same state hash.
 */
@Tag("cluster")
class ClusterMajorityLossTest
{
    // A client's deadline: without a majority the node must say UNAVAILABLE before it (heartbeat timeout 1.5 s).
    private static final long DEADLINE_S = 5;

    @TempDir
    Path dir;

    private ClusterProcesses current;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void shouldRefuseWritesWithUnavailableWithoutAMajorityAndResumeWhenANodeReturns() throws Exception
    {
        try (ClusterProcesses cluster = new ClusterProcesses(dir, 30, true))
        {
            current = cluster;
            cluster.startAll();
            final int leader = cluster.leader();
            final int survivor = (leader + 1) % ClusterProcesses.NODES;
            final int follower = (leader + 2) % ClusterProcesses.NODES;
            for (int i = 0; i < 3; i++)
            {
                assertThat(release(survivor, "before-" + i, DEADLINE_S).getNumber()).isEqualTo(i + 1);
            }
            final ClusterProcesses.State before = cluster.state(survivor);

            cluster.kill(leader);
            cluster.kill(follower);
            final List<String> refused = new ArrayList<>();
            for (int i = 0; i < 5; i++)
            {
                final String requestId = "during-" + i;
                final long start = System.nanoTime();
                final StatusRuntimeException ex = org.assertj.core.api.Assertions.catchThrowableOfType(
                    StatusRuntimeException.class, () -> release(survivor, requestId, DEADLINE_S));
                final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(ex).as(requestId + " is not acknowledged without a majority").isNotNull();
                assertThat(ex.getStatus().getCode()).as(requestId + ": " + ex.getMessage() + " after " + millis + " ms")
                    .isEqualTo(Status.Code.UNAVAILABLE);
                System.out.println("majority loss: " + requestId + " UNAVAILABLE after " + millis + " ms: " +
                    ex.getStatus().getDescription());
                refused.add(requestId);
            }
            assertThat(health(survivor)).as("health without a majority")
                .isEqualTo(HealthCheckResponse.ServingStatus.NOT_SERVING);
            assertThat(cluster.state(survivor).sha256()).as("nothing applied without a majority")
                .isEqualTo(before.sha256());

            cluster.start(follower);
            final long resumeStart = System.nanoTime();
            final List<String> acknowledged = new ArrayList<>(List.of("before-0", "before-1", "before-2"));
            for (final String requestId : refused)
            {
                // Retried with the same request_id: once each, whether or not an earlier attempt got in.
                retryUntilAcknowledged(cluster, requestId);
                acknowledged.add(requestId);
            }
            System.out.println("majority loss: writes resumed " +
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resumeStart) + " ms after the node was back");
            assertThat(health(survivor)).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

            cluster.start(leader);
            final List<ClusterProcesses.State> states = cluster.awaitSameState(acknowledged.size());
            assertThat(states).hasSize(ClusterProcesses.NODES);
            for (final ClusterProcesses.State s : states)
            {
                assertThat(s.sha256()).isEqualTo(states.get(0).sha256());
                assertThat(s.tranches().stream().map(Tranche::getRequestId).toList())
                    .as("tranches 1..N, each request_id once").containsExactlyElementsOf(acknowledged);
            }
        }
    }

    private static Tranche releaseOn(final ClusterProcesses cluster, final int node, final String requestId,
        final long seconds)
    {
        return QueueServiceGrpc.newBlockingStub(cluster.channel(node)).withDeadlineAfter(seconds, TimeUnit.SECONDS)
            .releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId(requestId).setSupply(10)
                .setPolicy(Policy.newBuilder().setMethod(Method.EQUAL)).build());
    }

    private Tranche release(final int node, final String requestId, final long seconds)
    {
        return releaseOn(current, node, requestId, seconds);
    }

    private void retryUntilAcknowledged(final ClusterProcesses cluster, final String requestId) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        int node = 0;
        while (true)
        {
            if (cluster.live(node))
            {
                try
                {
                    assertThat(releaseOn(cluster, node, requestId, 2).getRequestId()).isEqualTo(requestId);
                    return;
                }
                catch (final StatusRuntimeException ex)
                {
                    assertThat(ex.getStatus().getCode()).as(ex.getMessage())
                        .isIn(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);
                    assertThat(System.nanoTime()).as(requestId + " acknowledged within 120 s of a node's return")
                        .isLessThan(deadline);
                }
            }
            node = (node + 1) % ClusterProcesses.NODES;
            Thread.sleep(50);
        }
    }

    private HealthCheckResponse.ServingStatus health(final int node)
    {
        return HealthGrpc.newBlockingStub(current.channel(node)).withDeadlineAfter(10, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus();
    }
}
