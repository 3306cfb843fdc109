package io.tranche.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The role table of docs/security.md ("Tokens and roles") is what the server does: every method of every
 * service the server registers is called without a token, with a reader token and with an admin token, and the
 * outcome (reached, UNAUTHENTICATED, PERMISSION_DENIED) must match the table's row for it; every registered method
 * must have a row. Requests are empty messages: a mutation that is reached fails validation and changes nothing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RoleMatrixTest
{
    private static final String[] ROLES = {"no token", "reader", "admin"};
    private static final String[] TOKENS = {null, "reader-token", "admin-token"};

    @TempDir
    Path dir;

    @Test
    void shouldReachExactlyWhatTheSecurityTableSays() throws Exception
    {
        final Map<String, String[]> table = securityTable();
        final Path tokens = Files.writeString(dir.resolve("tokens"), "admin-token admin\nreader-token reader\n");
        try (TestServer server =
            TestServer.start(TestServer.config(dir.resolve("data")).tokensFile(tokens).metrics("127.0.0.1:0")))
        {
            int checked = 0;
            for (final ServerServiceDefinition service : server.server.services())
            {
                for (final ServerMethodDefinition<?, ?> method : service.getMethods())
                {
                    final String name = method.getMethodDescriptor().getFullMethodName();
                    assertThat(table).as("the role table of docs/security.md has no row for " + name)
                        .containsKey(name);
                    for (int role = 0; role < ROLES.length; role++)
                    {
                        final Status status = call(server.channel, method.getMethodDescriptor(), TOKENS[role]);
                        assertThat(outcome(status)).as(name + " with " + ROLES[role] + ": " + status)
                            .isEqualTo(table.get(name)[role]);
                        checked++;
                    }
                }
            }
            assertThat(checked).isEqualTo(3 * (table.size() - 1));

            // /metrics: no authentication, whatever the caller sends.
            final String[] metricsRow = table.get("GET /metrics");
            assertThat(metricsRow).containsOnly("yes");
            final HttpClient http = HttpClient.newHttpClient();
            for (final String token : TOKENS)
            {
                final HttpRequest.Builder request = HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.server.metricsPort() + "/metrics"));
                if (token != null)
                {
                    request.header("authorization", "Bearer " + token);
                }
                assertThat(http.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200);
            }
        }
    }

    private static String outcome(final Status status)
    {
        switch (status.getCode())
        {
            case UNAUTHENTICATED:
                return "UNAUTHENTICATED";
            case PERMISSION_DENIED:
                return "PERMISSION_DENIED";
            default:
                return "yes";
        }
    }

    /** @return the role table of docs/security.md: call name → outcome for no token, reader, admin. */
    private static Map<String, String[]> securityTable() throws IOException
    {
        final List<String> lines = Files.readAllLines(Path.of("..", "docs", "security.md"), StandardCharsets.UTF_8);
        final Map<String, String[]> table = new LinkedHashMap<>();
        boolean inTable = false;
        for (final String line : lines)
        {
            if (line.startsWith("| call | no token | reader | admin |"))
            {
                inTable = true;
                continue;
            }
            if (inTable && !line.startsWith("|"))
            {
                break;
            }
            if (inTable && line.startsWith("| `"))
            {
                final String[] cells = line.split("\\|");
                final String call = cells[1].strip();
                final String name = call.substring(1, call.indexOf('`', 1));
                table.put(name, new String[] {cell(cells[2]), cell(cells[3]), cell(cells[4])});
            }
        }
        assertThat(table).as("the role table of docs/security.md").isNotEmpty();
        return table;
    }

    private static String cell(final String text)
    {
        return text.strip().replace("`", "");
    }

    private static Status call(final ManagedChannel channel, final MethodDescriptor<?, ?> method, final String token)
    {
        final MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(method.getType()).setFullMethodName(method.getFullMethodName())
            .setRequestMarshaller(RawBytes.MARSHALLER).setResponseMarshaller(RawBytes.MARSHALLER).build();
        final boolean streaming = method.getType() != MethodDescriptor.MethodType.UNARY;
        // A watch that was let in stays open: its deadline ends it, and that counts as reached.
        final ClientCall<byte[], byte[]> call = channel.newCall(raw,
            CallOptions.DEFAULT.withDeadlineAfter(streaming ? 500 : 10_000, TimeUnit.MILLISECONDS));
        final CompletableFuture<Status> closed = new CompletableFuture<>();
        final Metadata headers = new Metadata();
        if (token != null)
        {
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        }
        call.start(new ClientCall.Listener<>()
        {
            @Override
            public void onClose(final Status status, final Metadata trailers)
            {
                closed.complete(status);
            }
        }, headers);
        call.request(Integer.MAX_VALUE);
        call.sendMessage(new byte[0]);
        call.halfClose();
        try
        {
            return closed.get(30, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            call.cancel("test gave up", ex);
            throw new AssertionError(method.getFullMethodName() + " did not end", ex);
        }
    }
}
