package io.tranche.server.auth;

import static io.tranche.server.grpc.QueueServiceTest.catchError;
import static io.tranche.server.TestServer.bearer;
import static io.tranche.server.TestServer.claim;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.ListClaimsRequest;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.server.ServerConfig;
import io.tranche.server.TestServer;
import io.tranche.server.TrancheServer;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthAndTlsTest
{
    @TempDir
    Path dir;

    private Path tokens() throws Exception
    {
        final Path file = dir.resolve("tokens");
        Files.writeString(file, "# ops\nadmin-secret admin\n\nreader-secret reader  # dashboards\n");
        return file;
    }

    @Test
    void shouldLetAdminsMutateReadersReadAndNobodyElseIn() throws Exception
    {
        try (TestServer server = TestServer.start(TestServer.config(dir.resolve("data")).tokensFile(tokens())))
        {
            final QueueServiceGrpc.QueueServiceBlockingStub none = server.queue();
            final QueueServiceGrpc.QueueServiceBlockingStub admin =
                server.queue().withCallCredentials(bearer("admin-secret"));
            final QueueServiceGrpc.QueueServiceBlockingStub reader =
                server.queue().withCallCredentials(bearer("reader-secret"));
            final QueueServiceGrpc.QueueServiceBlockingStub wrong = server.queue().withCallCredentials(bearer("guess"));
            final CreateClaimRequest create = CreateClaimRequest.newBuilder().setClaim(claim("a", 5)).build();

            assertThat(catchError(() -> none.listClaims(ListClaimsRequest.getDefaultInstance())).getStatus().getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(catchError(() -> wrong.listClaims(ListClaimsRequest.getDefaultInstance())).getStatus().getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(catchError(() -> reader.createClaim(create)).getStatus().getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(admin.createClaim(create).getId()).isEqualTo("a");
            assertThat(reader.listClaims(ListClaimsRequest.getDefaultInstance()).getClaimsCount()).isEqualTo(1);
            assertThat(admin.listClaims(ListClaimsRequest.getDefaultInstance()).getClaimsCount()).isEqualTo(1);
            // Health stays open for probes.
            assertThat(HealthGrpc.newBlockingStub(server.channel).check(HealthCheckRequest.getDefaultInstance())
                .getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        }
    }

    @Test
    void shouldRefuseTwoAuthorizationHeadersWhicheverComesLast() throws Exception
    {
        // Issue 17, item 5: a reader token, then an admin token, used to get admin rights (the last one won).
        try (TestServer server = TestServer.start(TestServer.config(dir.resolve("data")).tokensFile(tokens())))
        {
            final CreateClaimRequest create = CreateClaimRequest.newBuilder().setClaim(claim("a", 5)).build();
            for (final String[] pair : new String[][] {
                {"reader-secret", "admin-secret"}, {"admin-secret", "reader-secret"}, {"admin-secret", "admin-secret"}})
            {
                final QueueServiceGrpc.QueueServiceBlockingStub two =
                    server.queue().withCallCredentials(bearers(pair[0], pair[1]));
                final io.grpc.StatusRuntimeException ex = catchError(() -> two.createClaim(create));
                assertThat(ex.getStatus().getCode()).as(String.join(", then ", pair))
                    .isEqualTo(Status.Code.UNAUTHENTICATED);
                assertThat(ex.getStatus().getDescription()).contains("exactly one authorization header");
                assertThat(catchError(() -> two.listClaims(ListClaimsRequest.getDefaultInstance())).getStatus()
                    .getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            }
            final QueueServiceGrpc.QueueServiceBlockingStub admin =
                server.queue().withCallCredentials(bearer("admin-secret"));
            assertThat(admin.listClaims(ListClaimsRequest.getDefaultInstance()).getClaimsCount())
                .as("nothing was created").isZero();
        }
    }

    private static io.grpc.CallCredentials bearers(final String first, final String second)
    {
        return new io.grpc.CallCredentials()
        {
            @Override
            public void applyRequestMetadata(final RequestInfo info, final java.util.concurrent.Executor executor,
                final MetadataApplier applier)
            {
                final io.grpc.Metadata headers = new io.grpc.Metadata();
                final io.grpc.Metadata.Key<String> key =
                    io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER);
                headers.put(key, "Bearer " + first);
                headers.put(key, "Bearer " + second);
                applier.apply(headers);
            }
        };
    }

    @Test
    void shouldLetAReaderPreviewAReleaseButNotReleaseOne() throws Exception
    {
        try (TestServer server = TestServer.start(TestServer.config(dir.resolve("data")).tokensFile(tokens())))
        {
            final QueueServiceGrpc.QueueServiceBlockingStub admin =
                server.queue().withCallCredentials(bearer("admin-secret"));
            final QueueServiceGrpc.QueueServiceBlockingStub reader =
                server.queue().withCallCredentials(bearer("reader-secret"));
            admin.createClaim(io.tranche.proto.v1.CreateClaimRequest.newBuilder().setClaim(claim("a", 10)).build());
            final io.tranche.proto.v1.ReleaseTrancheRequest.Builder release = io.tranche.proto.v1.ReleaseTrancheRequest
                .newBuilder().setRequestId("r").setSupply(4).setPolicy(io.tranche.proto.v1.Policy.newBuilder()
                    .setMethod(io.tranche.proto.v1.Method.FIFO));
            final io.tranche.proto.v1.Tranche preview = reader.releaseTranche(release.setValidateOnly(true).build());
            assertThat(preview.getNumber()).isZero();
            assertThat(preview.getAwards(0).getUnits()).isEqualTo(4);
            final io.grpc.StatusRuntimeException denied =
                catchError(() -> reader.releaseTranche(release.setValidateOnly(false)
                .build()));
            assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(denied.getStatus().getDescription()).contains("validate_only");
            assertThat(admin.listTranches(io.tranche.proto.v1.ListTranchesRequest.getDefaultInstance())
                .getTranchesCount()).isZero();
            assertThat(admin.releaseTranche(release.build()).getNumber()).isEqualTo(1);
        }
    }

    @Test
    void shouldRefuseNonLoopbackWithoutTokensUnlessInsecure()
    {
        assertThatThrownBy(() -> new ServerConfig().listen("0.0.0.0:0").dataDir(dir).conclude())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("--tokens");
        new ServerConfig().listen("0.0.0.0:0").dataDir(dir).insecure(true).conclude();
    }

    @Test
    void shouldRejectMalformedTokensFile() throws Exception
    {
        final Path file = dir.resolve("bad-tokens");
        Files.writeString(file, "t1 admin\nt2 superuser\n");
        assertThatThrownBy(() -> io.tranche.server.auth.Credentials.loadTokens(file))
            .hasMessageContaining(":2:").hasMessageContaining("superuser");
    }

    @Test
    void shouldServeTls() throws Exception
    {
        final Path cert = resource("tls/server.crt");
        final Path key = resource("tls/server.key");
        final TrancheServer server = TrancheServer.start(TestServer.config(dir).tls(cert, key));
        final ChannelCredentials tls = TlsChannelCredentials.newBuilder().trustManager(cert.toFile()).build();
        final ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", server.port(), tls).build();
        final ManagedChannel plaintext = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
            io.grpc.InsecureChannelCredentials.create()).build();
        try
        {
            assertThat(QueueServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .createClaim(CreateClaimRequest.newBuilder().setClaim(claim("tls", 1)).build()).getId())
                    .isEqualTo("tls");
            assertThat(catchError(() -> HealthGrpc.newBlockingStub(plaintext).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance())).getStatus().getCode())
                .isEqualTo(Status.Code.UNAVAILABLE);
        }
        finally
        {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            plaintext.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.close();
        }
    }

    private static Path resource(final String name) throws URISyntaxException
    {
        return Path.of(AuthAndTlsTest.class.getClassLoader().getResource(name).toURI());
    }
}
