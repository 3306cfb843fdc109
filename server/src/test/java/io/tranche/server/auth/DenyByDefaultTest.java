package io.tranche.server.auth;

import static io.tranche.server.auth.RoleMatrixTest.caller;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.tranche.proto.v1.AllocationProto;
import io.tranche.proto.v1.ClusterProto;
import io.tranche.proto.v1.QueueProto;
import io.tranche.server.RawBytes;
import io.tranche.server.TestServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deny by default: every method of every service descriptor has a row in the role table (so a new RPC cannot be
 * silently open, nor silently admin-only), the table lists no method that does not exist, and a method without a
 * row is for admins only.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DenyByDefaultTest
{
    @TempDir
    Path dir;

    @Test
    void shouldListEveryMethodOfEveryServiceInTheRoleTable() throws Exception
    {
        final List<ServiceDescriptor> services = new ArrayList<>();
        try (TestServer server = TestServer.start(TestServer.config(dir.resolve("data"))))
        {
            for (final ServerServiceDefinition service : server.server.services())
            {
                services.add(service.getServiceDescriptor());
            }
        }
        final Set<String> methods = methods(services);
        // The contract's own services, whether or not this server registers them.
        for (final Descriptors.FileDescriptor file : List.of(AllocationProto.getDescriptor(),
            QueueProto.getDescriptor(), ClusterProto.getDescriptor()))
        {
            for (final Descriptors.ServiceDescriptor service : file.getServices())
            {
                for (final Descriptors.MethodDescriptor method : service.getMethods())
                {
                    methods.add(service.getFullName() + "/" + method.getName());
                }
            }
        }
        assertThat(methods).hasSizeGreaterThanOrEqualTo(15);
        assertThat(unlisted(AccessTable.DEFAULT, methods)).as("methods without a row in the role table " +
            "(AccessTable): give each one, and the table of docs/security.md, a row").isEmpty();
        assertThat(new TreeSet<>(AccessTable.DEFAULT.methods())).as("rows of the role table for methods that no " +
            "service has").isSubsetOf(methods);
    }

    @Test
    void shouldFindAMethodMissingFromTheTable()
    {
        final MethodDescriptor<byte[], byte[]> added = unlistedMethod();
        final Set<String> methods = methods(List.of(new ServiceDescriptor("tranche.v1.Added", added)));
        assertThat(unlisted(AccessTable.DEFAULT, methods)).containsExactly("tranche.v1.Added/Unlisted");
    }

    @Test
    void shouldLetOnlyAdminsCallAMethodThatIsNotListed() throws Exception
    {
        final MethodDescriptor<byte[], byte[]> method = unlistedMethod();
        final ServerServiceDefinition service = ServerServiceDefinition.builder("tranche.v1.Added")
            .addMethod(method, ServerCalls.asyncUnaryCall((request, observer) ->
            {
                observer.onNext(new byte[] {1});
                observer.onCompleted();
            }))
            .build();
        final Path tokens = Files.writeString(dir.resolve("tokens"), RoleMatrixTest.TOKENS);
        final io.tranche.server.grpc.AuthInterceptor auth = new io.tranche.server.grpc.AuthInterceptor(
            Credentials.loadTokens(tokens), null, AccessTable.DEFAULT);
        final Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(ServerInterceptors.intercept(service, auth)).build().start();
        final io.grpc.ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
            .usePlaintext().build();
        try
        {
            assertThat(caller(channel, null).call(method, new byte[0]).status().getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
            for (final String token : List.of("claimant-token", "reader-token", "auditor-token"))
            {
                final Status status = caller(channel, token).call(method, new byte[0]).status();
                assertThat(status.getCode()).as(token).isEqualTo(Status.Code.PERMISSION_DENIED);
                assertThat(status.getDescription()).contains("Unlisted is not open to the");
            }
            assertThat(caller(channel, "admin-token").call(method, new byte[0]).status().getCode())
                .isEqualTo(Status.Code.OK);
        }
        finally
        {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static MethodDescriptor<byte[], byte[]> unlistedMethod()
    {
        return MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("tranche.v1.Added/Unlisted")
            .setRequestMarshaller(RawBytes.MARSHALLER)
            .setResponseMarshaller(RawBytes.MARSHALLER)
            .build();
    }

    private static Set<String> methods(final Collection<ServiceDescriptor> services)
    {
        final Set<String> methods = new TreeSet<>();
        for (final ServiceDescriptor service : services)
        {
            for (final MethodDescriptor<?, ?> method : service.getMethods())
            {
                methods.add(method.getFullMethodName());
            }
        }
        return methods;
    }

    private static List<String> unlisted(final AccessTable table, final Collection<String> methods)
    {
        final List<String> missing = new ArrayList<>();
        for (final String method : methods)
        {
            if (table.rule(method) == null)
            {
                missing.add(method);
            }
        }
        return missing;
    }
}
