package io.tranche.server.auth;

import static io.tranche.server.grpc.QueueServiceTest.catchError;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.testing.TlsTesting;
import io.tranche.proto.v1.ClaimHistory;
import io.tranche.proto.v1.GetClaimHistoryRequest;
import io.tranche.proto.v1.ListClaimsRequest;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.server.ServerConfig;
import io.tranche.server.TestServer;
import io.tranche.server.TrancheServer;
import io.tranche.server.cli.CliRun;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client certificates as credentials, with grpc-testing's test CA and certificates ({@link TlsTesting}): a
 * certificate signed by {@code --client-ca} is mapped by {@code --principals} (a SAN URI such as a SPIFFE id, or
 * the CN) to a role, a name and a scope; tokens work beside them. The same tenancy and the same role table hold
 * as with tokens.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClientCertificateTest
{
    /** The test server's certificate names *.test.google.fr, among others. */
    static final String AUTHORITY = "foo.test.google.fr";
    static final String ALPHA_URI = "spiffe://foo.bar.com/9eebccd2-12bf-40a6-b262-65fe0487d453";
    static final String BETA_URI = "spiffe://foo.bar.com/client/workload/1";

    @TempDir
    Path dir;

    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void closeChannels() throws InterruptedException
    {
        for (final ManagedChannel channel : channels)
        {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Copies one of grpc-testing's certificates or keys out of its jar. */
    static Path cert(final Path dir, final String name) throws Exception
    {
        final Path file = dir.resolve(name);
        if (!Files.exists(file))
        {
            try (InputStream in = TlsTesting.loadCert(name))
            {
                Files.copy(in, file);
            }
        }
        return file;
    }

    private ServerConfig config(final String principals, final String tokens) throws Exception
    {
        final ServerConfig config = TestServer.config(dir.resolve("data"))
            .tls(cert(dir, "server1.pem"), cert(dir, "server1.key"))
            .clientCertificates(cert(dir, "ca.pem"), Files.writeString(dir.resolve("principals"), principals));
        return tokens == null ? config : config.tokensFile(Files.writeString(dir.resolve("tokens"), tokens));
    }

    /** A TLS channel trusting the test CA, presenting the given certificate (or none). */
    private ManagedChannel channel(final TrancheServer server, final String cert, final String key) throws Exception
    {
        final TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder()
            .trustManager(cert(dir, "ca.pem").toFile());
        if (cert != null)
        {
            tls.keyManager(cert(dir, cert).toFile(), cert(dir, key).toFile());
        }
        final ChannelCredentials credentials = tls.build();
        final ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), credentials)
            .overrideAuthority(AUTHORITY).build();
        channels.add(channel);
        return channel;
    }

    private static QueueServiceGrpc.QueueServiceBlockingStub stub(final ManagedChannel channel)
    {
        return QueueServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    @Test
    void shouldKeepEachFirmToItsOwnClaimsWithCertificatesBesideTokens() throws Exception
    {
        final String principals = "# the regulator's CA signs each firm's service certificate\n" +
            ALPHA_URI + " claimant name=alpha claims=alpha-*,shared-1\n" +
            BETA_URI + " claimant name=beta claims=beta-*\n" +
            "*.test.google.com auditor name=regulator\n";
        try (TrancheServer server = TrancheServer.start(config(principals, "ops-token admin name=ops\n")))
        {
            final ManagedChannel anonymous = channel(server, null, null);
            final TenancyTest.Parties parties = new TenancyTest.Parties(
                stub(anonymous).withCallCredentials(TestServer.bearer("ops-token")),
                stub(channel(server, "server1.pem", "server1.key")),
                stub(channel(server, "client_spiffe.pem", "client.key")),
                stub(channel(server, "spiffe_multi_uri_san_cert.pem", "server1.key")));
            TenancyTest.firmsStayApart(parties);
            TenancyTest.auditorChangesNothing(parties);
            final ClaimHistory history = parties.auditor().getClaimHistory(GetClaimHistoryRequest.newBuilder()
                .setId("alpha-2").build());
            assertThat(history.getChanges(0).getPrincipal()).isEqualTo("alpha");
            assertThat(history.getChanges(1).getPrincipal()).isEqualTo("alpha");

            // No certificate and no token; a certificate the CA signed that --principals does not name.
            final StatusRuntimeException none = catchError(() -> stub(anonymous).listClaims(
                ListClaimsRequest.getDefaultInstance()));
            assertThat(none.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(none.getStatus().getDescription()).contains("no client certificate");
            final QueueServiceGrpc.QueueServiceBlockingStub unnamedStub = stub(channel(server, "client.pem",
                "client.key"));
            final StatusRuntimeException unnamed = catchError(() -> unnamedStub.listClaims(
                ListClaimsRequest.getDefaultInstance()));
            assertThat(unnamed.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(unnamed.getStatus().getDescription()).contains("CN testclient").contains("not in --principals");
            // A certificate the CA did not sign is no credential: the handshake does not verify it, so the call has
            // no client certificate at all.
            final QueueServiceGrpc.QueueServiceBlockingStub selfSigned = stub(channel(server, "badclient.pem",
                "badclient.key"));
            final Status untrusted = catchError(() -> selfSigned.listClaims(ListClaimsRequest.getDefaultInstance()))
                .getStatus();
            assertThat(untrusted.getCode()).as(untrusted.toString()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(untrusted.getDescription()).contains("no client certificate");
            // A token on a connection with a certificate: the token is the call's credential.
            assertThat(stub(channel(server, "client_spiffe.pem", "client.key"))
                .withCallCredentials(TestServer.bearer("ops-token")).listClaims(ListClaimsRequest.getDefaultInstance())
                .getClaimsCount()).isEqualTo(5);

            // The command line with a certificate.
            final CliRun cli = CliRun.run("claim", "list", "--server", "127.0.0.1:" + server.port(), "--ca",
                cert(dir, "ca.pem").toString(), "--authority", AUTHORITY, "--cert",
                cert(dir, "spiffe_multi_uri_san_cert.pem").toString(), "--key", cert(dir, "server1.key").toString());
            assertThat(cli.status()).as(cli.err()).isZero();
            assertThat(cli.out()).contains("beta-1").doesNotContain("alpha-");
        }
    }

    @Test
    void shouldReachExactlyWhatTheSecurityTableSaysWithCertificates() throws Exception
    {
        final String principals = ALPHA_URI + " claimant name=firm-a claims=firm-a-*\n" +
            "testclient reader\n" +
            "*.test.google.com auditor\n" +
            "*.test.google.com.au admin name=ops\n";
        try (TrancheServer server = TrancheServer.start(config(principals, null).metrics("127.0.0.1:0")))
        {
            final Map<String, ManagedChannel> byRole = new LinkedHashMap<>();
            byRole.put("no credential", channel(server, null, null));
            byRole.put("claimant", channel(server, "client_spiffe.pem", "client.key"));
            byRole.put("reader", channel(server, "client.pem", "client.key"));
            byRole.put("auditor", channel(server, "server1.pem", "server1.key"));
            byRole.put("admin", channel(server, "server0.pem", "server0.key"));
            RoleMatrixTest.seed(stub(byRole.get("admin")));
            final RoleMatrixTest.Table table = RoleMatrixTest.securityTable();
            final int checked = RoleMatrixTest.check(table, server.services(), role -> (method, request) ->
                RoleMatrixTest.call(byRole.get(role), method, request, new Metadata()));
            assertThat(checked).isEqualTo(table.roles().size() * (table.rows().size() - 1));
        }
    }
}
