package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.security.CredentialsSupplier;
import io.aeron.security.NullCredentialsSupplier;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.ClusterServiceGrpc;
import io.tranche.proto.v1.ClusterStatus;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.DeleteClaimRequest;
import io.tranche.proto.v1.GetClusterStatusRequest;
import io.tranche.proto.v1.ListClaimsRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.server.ServerConfig;
import io.tranche.server.TrancheServer;
import io.tranche.server.state.Command;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster's ingress under {@code --cluster-secret}, attacked with a raw Aeron Cluster client on loopback: a
 * client with no credentials or a wrong secret gets no session; a client that holds the secret but sends an
 * unsigned, mis-signed or replayed command gets nothing applied on any member, each rejection counted; and
 * unauthenticated clients that keep connecting while a member restarts do not keep it out.
 */
@Tag("slow")
class ClusterAuthenticationTest
{
    @TempDir
    Path dir;

    static Path secretFile(final Path dir, final String name) throws Exception
    {
        final byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        final Path file = dir.resolve(name);
        Files.write(file, bytes);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldApplyNothingFromClientsWithoutTheSecretOrWithUnsignedMisSignedOrReplayedCommands() throws Exception
    {
        final Path secret = secretFile(dir, "secret");
        final int base = 23000 + (int)(ProcessHandle.current().pid() % 300) * 10;
        try (ClusterServers cluster = ClusterServers.start(dir, base, c -> c.clusterSecret(secret)))
        {
            // The members' own fronts authenticate and sign.
            cluster.queue(0).createClaim(claim("legit", 10));
            final String aeronDir = cluster.servers.get(0).clusterNode().aeronDir();
            final String ingress = ingressEndpoints(base);

            assertThatThrownBy(() -> connect(aeronDir, ingress, new NullCredentialsSupplier()).close())
                .as("a client with no credentials gets no session");
            final ClusterSecret wrong = ClusterSecret.load(secretFile(dir, "wrong"));
            assertThatThrownBy(() -> connect(aeronDir, ingress, ClusterAuthenticator.credentials(wrong)).close())
                .as("a client with a wrong secret gets no session");
            // One that answers the challenge without the secret.
            assertThatThrownBy(() -> connect(aeronDir, ingress, new CredentialsSupplier()
            {
                @Override
                public byte[] encodedCredentials()
                {
                    return ClusterAuthenticator.CREDENTIALS.clone();
                }

                @Override
                public byte[] onChallenge(final byte[] challenge)
                {
                    return new byte[ClusterSecret.MAC_LENGTH];
                }
            }).close()).as("a client that answers the challenge with a guess gets no session");

            final ClusterSecret key = ClusterSecret.load(secret);
            try (AeronCluster client = connect(aeronDir, ingress, ClusterAuthenticator.credentials(key)))
            {
                final long session = client.clusterSessionId();
                // Unsigned: the legacy format, refused once the log carries signed commands.
                offer(client, ClusterProtocol.encodeIngress(new Command.CreateClaim(claim("unsigned", 1)), 1));
                // Mis-signed: a valid signature with one bit of the payload changed.
                final byte[] misSigned = signed(key, session, 1, new Command.CreateClaim(claim("missigned", 1)));
                misSigned[ClusterProtocol.SIGNED_HEADER_LENGTH + 3] ^= 1;
                offer(client, misSigned);
                // Signed with another session's id: bound to the session, so refused on this one.
                offer(client, signed(key, session + 1, 2, new Command.CreateClaim(claim("othersession", 1))));
                // A signed release of everything to "legit", then the same frame again after the claim is deleted
                // and made again: the replay is refused.
                final byte[] create = signed(key, session, 3, new Command.CreateClaim(claim("replayed", 5)));
                offer(client, create);
                offer(client, signed(key, session, 4, new Command.DeleteClaim(
                    DeleteClaimRequest.newBuilder().setId("replayed").build())));
                offer(client, create);
                // A signed release with the right sequence is applied: the client holds the secret.
                offer(client, signed(key, session, 5, new Command.ReleaseTranche(ReleaseTrancheRequest.newBuilder()
                    .setRequestId("signed-release").setSupply(4)
                    .setPolicy(Policy.newBuilder().setMethod(Method.FIFO)).build())));
                awaitTranches(cluster, 1);
            }
            for (int node = 0; node < 3; node++)
            {
                final List<String> ids = new ArrayList<>();
                for (final Claim c : cluster.queue(node).listClaims(ListClaimsRequest.newBuilder().build())
                    .getClaimsList())
                {
                    ids.add(c.getId());
                }
                assertThat(ids).as("claims on member " + node).containsExactly("legit");
                final ClusterStatus status = ClusterServiceGrpc.newBlockingStub(cluster.channels.get(node))
                    .getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
                assertThat(status.getRejectedCommands()).as("rejected on member " + node).isEqualTo(4);
                assertThat(status.getTranches()).isEqualTo(1);
            }
            final String metrics = scrape(cluster.servers.get(2));
            assertThat(metrics).contains("tranche_cluster_rejected_commands_total 4.0");
            assertThat(metrics).contains("tranche_cluster_diverged 0.0");
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldLetARestartedMemberRejoinWhileTwelveUnauthenticatedClientsKeepConnecting() throws Exception
    {
        final Path secret = secretFile(dir, "secret");
        final int base = 26000 + (int)(ProcessHandle.current().pid() % 300) * 10;
        try (ClusterServers cluster = ClusterServers.start(dir, base, c -> c.clusterSecret(secret)))
        {
            cluster.queue(1).createClaim(claim("before", 10));
            final String aeronDir = cluster.servers.get(1).clusterNode().aeronDir();
            final String ingress = ingressEndpoints(base);
            try (UnauthenticatedClients attackers = new UnauthenticatedClients(12, aeronDir, ingress))
            {
                // Let them reach the healthy cluster first (each attempt is rejected at once there).
                Thread.sleep(3000);
                final int restarted = 0;
                cluster.servers.get(restarted).close();
                final long started = System.nanoTime();
                final ServerConfig config = ClusterServers.config(dir, base, restarted).clusterSecret(secret)
                    .clusterStartTimeout(java.time.Duration.ofSeconds(60));
                final TrancheServer again = TrancheServer.start(config);
                cluster.servers.set(restarted, again);
                // the replaced channel, to the closed member, is shut down (gRPC reports one collected unclosed)
                cluster.channels.set(restarted, io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder
                    .forAddress("127.0.0.1", again.port()).usePlaintext().build()).shutdownNow();
                cluster.queue(restarted).createClaim(claim("after", 10));
                final long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
                System.out.println("restarted member rejoined and served a write in " + seconds + " s while " +
                    "12 unauthenticated clients made " + attackers.attempts.get() + " connection attempts");
                assertThat(seconds).isLessThan(60);
                assertThat(attackers.attempts.get()).as("the attackers kept trying").isGreaterThan(12);
                assertThat(attackers.sessions.get()).as("no unauthenticated session opened").isZero();
            }
        }
    }

    static CreateClaimRequest claim(final String id, final long demand)
    {
        return CreateClaimRequest.newBuilder().setClaim(Claim.newBuilder().setId(id).setDemand(demand)).build();
    }

    static String ingressEndpoints(final int base)
    {
        return ClusterNode.ingressEndpoints(Member.parseList(ClusterProcesses.loopbackMembers(base)));
    }

    static AeronCluster connect(final String aeronDir, final String ingress, final CredentialsSupplier credentials)
    {
        return AeronCluster.connect(new AeronCluster.Context()
            .aeronDirectoryName(aeronDir)
            .ingressChannel("aeron:udp?term-length=" + ClusterNode.TERM_LENGTH)
            .ingressEndpoints(ingress)
            .egressChannel("aeron:udp?term-length=" + ClusterNode.TERM_LENGTH + "|endpoint=127.0.0.1:0")
            .messageTimeoutNs(TimeUnit.SECONDS.toNanos(5))
            .credentialsSupplier(credentials)
            .egressListener(new EgressListener()
            {
                @Override
                public void onMessage(
                    final long clusterSessionId,
                    final long timestamp,
                    final org.agrona.DirectBuffer buffer,
                    final int offset,
                    final int length,
                    final io.aeron.logbuffer.Header header)
                {
                }
            }));
    }

    private static byte[] signed(final ClusterSecret key, final long session, final long sequence, final Command c)
    {
        return ClusterProtocol.encodeSigned(c.type(), c.encode(), sequence, session, sequence, key);
    }

    private static void offer(final AeronCluster client, final byte[] message) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (client.offer(new UnsafeBuffer(message), 0, message.length) < 0)
        {
            assertThat(System.nanoTime()).as("offered within 10 s").isLessThan(deadline);
            client.pollEgress();
            Thread.sleep(5);
        }
        client.pollEgress();
    }

    private static void awaitTranches(final ClusterServers cluster, final long tranches) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int node = 0; node < 3; node++)
        {
            while (cluster.service(node).ledger().count() < tranches)
            {
                assertThat(System.nanoTime()).as("member " + node + " applied the release").isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }

    static String scrape(final TrancheServer server) throws Exception
    {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }
}
