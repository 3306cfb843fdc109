package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.security.NullCredentialsSupplier;
import io.tranche.proto.v1.ClusterServiceGrpc;
import io.tranche.proto.v1.ClusterStatus;
import io.tranche.proto.v1.GetClusterStatusRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.server.state.Command;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack of the report, on three {@code serve --cluster-secret} child JVMs: a raw Aeron Cluster client in
 * this JVM (its own media driver), pointed at the members' ingress ports, tries a CreateClaim and a ReleaseTranche
 * (supply 12,345, FIFO) with no credentials, with a wrong secret, and, holding the secret, with unsigned frames.
 * Nothing reaches any member's state. And twelve such clients connecting without pause while the leader is
 * SIGKILLed and started again hold no session: the member rejoins and serves a write.
 */
@Tag("cluster")
class ClusterIngressAttackTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 400, unit = TimeUnit.SECONDS)
    void shouldApplyNoRawClientsCommandOnAnyMember() throws Exception
    {
        try (ClusterProcesses cluster = new ClusterProcesses(dir, 120, true); MediaDriver driver = driver())
        {
            cluster.startAll();
            final int leader = cluster.leader();
            QueueServiceGrpc.newBlockingStub(cluster.channel(leader)).withDeadlineAfter(30, TimeUnit.SECONDS)
                .createClaim(ClusterAuthenticationTest.claim("legit", 100));
            final String ingress = ClusterNode.ingressEndpoints(Member.parseList(cluster.members()));
            final Command create = new Command.CreateClaim(ClusterAuthenticationTest.claim("attacker", 10));
            final Command release = new Command.ReleaseTranche(ReleaseTrancheRequest.newBuilder()
                .setRequestId("attack").setSupply(12_345).setPolicy(Policy.newBuilder().setMethod(Method.FIFO))
                .build());

            assertThatThrownBy(() -> ClusterAuthenticationTest.connect(driver.aeronDirectoryName(), ingress,
                new NullCredentialsSupplier()).close()).as("no credentials: no session");
            final ClusterSecret wrong = ClusterSecret.load(ClusterAuthenticationTest.secretFile(dir, "wrong"));
            assertThatThrownBy(() -> ClusterAuthenticationTest.connect(driver.aeronDirectoryName(), ingress,
                ClusterAuthenticator.credentials(wrong)).close()).as("a wrong secret: no session");

            final ClusterSecret key = ClusterSecret.load(cluster.secret());
            try (AeronCluster client = ClusterAuthenticationTest.connect(driver.aeronDirectoryName(), ingress,
                ClusterAuthenticator.credentials(key)))
            {
                for (final Command c : List.of(create, release))
                {
                    final byte[] unsigned = ClusterProtocol.encodeIngress(c, 1);
                    while (client.offer(new UnsafeBuffer(unsigned), 0, unsigned.length) < 0)
                    {
                        client.pollEgress();
                        Thread.sleep(5);
                    }
                }
                // A signed, valid command after them: once it is applied everywhere, so were they (rejected).
                final byte[] marker = ClusterProtocol.encodeSigned(create.type(),
                    ClusterAuthenticationTest.claim("marker", 1).toByteArray(), 3, client.clusterSessionId(), 1, key);
                while (client.offer(new UnsafeBuffer(marker), 0, marker.length) < 0)
                {
                    client.pollEgress();
                    Thread.sleep(5);
                }
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            List<ClusterProcesses.State> states = cluster.awaitSameState(0);
            while (states.stream().anyMatch(st -> st.claims().size() < 2) && System.nanoTime() < deadline)
            {
                Thread.sleep(100);
                states = cluster.awaitSameState(0);
            }
            assertThat(states).hasSize(3);
            for (int node = 0; node < 3; node++)
            {
                final ClusterProcesses.State state = states.get(node);
                assertThat(state.tranches()).as("tranches on member " + node).isEmpty();
                assertThat(state.claims()).extracting(c -> c.getId()).as("claims on member " + node)
                    .containsExactly("legit", "marker");
                final ClusterStatus status = ClusterServiceGrpc.newBlockingStub(cluster.channel(node))
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
                assertThat(status.getRejectedCommands()).as("rejected on member " + node).isEqualTo(2);
            }
        }
    }

    @Test
    @Timeout(value = 400, unit = TimeUnit.SECONDS)
    void shouldLetAKilledMemberRejoinWhileTwelveUnauthenticatedClientsKeepConnecting() throws Exception
    {
        try (ClusterProcesses cluster = new ClusterProcesses(dir, 135, true); MediaDriver driver = driver())
        {
            cluster.startAll();
            final String ingress = ClusterNode.ingressEndpoints(Member.parseList(cluster.members()));
            try (UnauthenticatedClients attackers = new UnauthenticatedClients(12, driver.aeronDirectoryName(),
                ingress))
            {
                // Let them reach the healthy cluster first (each attempt is rejected at once there).
                Thread.sleep(3000);
                // The leader's slot is the one a restarting member needs: kill it, so the others elect.
                final int node = cluster.leader();
                cluster.kill(node);
                Thread.sleep(1000);
                final long launched = System.nanoTime();
                cluster.start(node);
                QueueServiceGrpc.newBlockingStub(cluster.channel(node)).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .createClaim(ClusterAuthenticationTest.claim("after-restart", 1));
                final long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - launched);
                System.out.println("cluster: a killed member rejoined and served a write in " + seconds + " s " +
                    "while 12 unauthenticated clients made " + attackers.attempts.get() + " connection attempts");
                assertThat(seconds).isLessThan(60);
                assertThat(attackers.sessions.get()).as("no unauthenticated session opened").isZero();
                assertThat(attackers.attempts.get()).as("the attackers kept trying").isGreaterThan(12);
            }
        }
    }

    // The attacker's own media driver, in this JVM.
    private static MediaDriver driver()
    {
        return MediaDriver.launchEmbedded(new MediaDriver.Context()
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
    }
}
