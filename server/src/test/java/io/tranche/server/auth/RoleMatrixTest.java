package io.tranche.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.DeleteClaimRequest;
import io.tranche.proto.v1.GetClaimRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.UpdateClaimRequest;
import io.tranche.server.RawBytes;
import io.tranche.server.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The role table of docs/security.md ("Tokens and roles") is what the server does: every method of every service
 * the server registers is called with no credential and with each role's token, and the outcome must match the table's
 * row; every registered method must have a row. Requests are empty messages (a mutation that is reached fails
 * validation and changes nothing), and then per cell:
 * <ul>
 * <li>"own": a claimant's call is reached; a request that names another firm's claim, existing or not, is
 * PERMISSION_DENIED with the same message shape; no answer (every message of a stream) holds another firm's id;
 * <li>"preview": the plain request is PERMISSION_DENIED and a {@code validate_only} one is reached, showing every
 * row; "preview, own rows": the same, without another firm's rows.
 * </ul>
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RoleMatrixTest
{
    static final String TOKENS = "admin-token admin name=ops\n" +
        "auditor-token auditor name=regulator\n" +
        "reader-token reader\n" +
        "claimant-token claimant name=firm-a claims=firm-a-*\n";
    private static final String OTHER = "firm-b-1";
    private static final String OWN = "firm-a-1";
    private static final String QUEUE = "tranche.v1.QueueService/";

    @TempDir
    Path dir;

    @Test
    void shouldReachExactlyWhatTheSecurityTableSays() throws Exception
    {
        final Table table = securityTable();
        assertThat(table.roles).containsExactly("no credential", "claimant", "reader", "auditor", "admin");
        final Path tokens = Files.writeString(dir.resolve("tokens"), TOKENS);
        try (TestServer server =
            TestServer.start(TestServer.config(dir.resolve("data")).tokensFile(tokens).metrics("127.0.0.1:0")))
        {
            seed(server.queue().withCallCredentials(TestServer.bearer("admin-token")));
            final Map<String, String> credentials = new LinkedHashMap<>();
            credentials.put("no credential", null);
            credentials.put("claimant", "claimant-token");
            credentials.put("reader", "reader-token");
            credentials.put("auditor", "auditor-token");
            credentials.put("admin", "admin-token");
            final int checked = check(table, server.server.services(), role -> caller(server.channel,
                credentials.get(role)));
            assertThat(checked).isEqualTo(table.roles.size() * (table.rows.size() - 1));
            checkMetrics(table, server, credentials.values());
        }
    }

    /** Creates one claim of each firm and releases a tranche, so that reads have rows to leak. */
    static void seed(final io.tranche.proto.v1.QueueServiceGrpc.QueueServiceBlockingStub admin)
    {
        admin.createClaim(CreateClaimRequest.newBuilder().setClaim(TestServer.claim(OWN, 100)).build());
        admin.createClaim(CreateClaimRequest.newBuilder().setClaim(TestServer.claim(OTHER, 100)).build());
        admin.releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("t1").setSupply(10)
            .setPolicy(Policy.newBuilder().setMethod(Method.EQUAL)).build());
    }

    /** How one role calls: raw bytes in, the status and every message out. */
    interface Caller
    {
        Answer call(MethodDescriptor<?, ?> method, byte[] request);
    }

    /** What a call came to. */
    record Answer(Status status, List<byte[]> messages)
    {
        boolean mentions(final String id)
        {
            final byte[] needle = id.getBytes(StandardCharsets.UTF_8);
            for (final byte[] message : messages)
            {
                for (int i = 0; i + needle.length <= message.length; i++)
                {
                    if (java.util.Arrays.equals(message, i, i + needle.length, needle, 0, needle.length))
                    {
                        return true;
                    }
                }
            }
            return status.getDescription() != null && status.getDescription().contains(id);
        }
    }

    /**
     * Calls every registered method as every role of the table and checks each cell.
     *
     * @return the cells checked.
     */
    static int check(final Table table, final List<ServerServiceDefinition> services,
        final Function<String, Caller> callers)
    {
        int checked = 0;
        for (final ServerServiceDefinition service : services)
        {
            for (final ServerMethodDefinition<?, ?> method : service.getMethods())
            {
                final MethodDescriptor<?, ?> descriptor = method.getMethodDescriptor();
                final String name = descriptor.getFullMethodName();
                assertThat(table.rows).as("the role table has no row for " + name).containsKey(name);
                for (int role = 0; role < table.roles.size(); role++)
                {
                    final String cell = table.rows.get(name)[role];
                    checkCell(callers.apply(table.roles.get(role)), descriptor, cell,
                        name + " as " + table.roles.get(role));
                    checked++;
                }
            }
        }
        return checked;
    }

    private static void checkCell(final Caller caller, final MethodDescriptor<?, ?> method, final String cell,
        final String what)
    {
        final Answer plain = caller.call(method, new byte[0]);
        switch (cell)
        {
            case "yes":
                assertThat(outcome(plain.status)).as(what + ": " + plain.status).isEqualTo("yes");
                break;
            case "own":
                assertThat(outcome(plain.status)).as(what + ": " + plain.status).isEqualTo("yes");
                assertThat(plain.mentions(OTHER)).as(what + " shows another firm's claim").isFalse();
                final Function<String, byte[]> naming = naming(method.getFullMethodName());
                if (naming != null)
                {
                    final Answer other = caller.call(method, naming.apply(OTHER));
                    final Answer missing = caller.call(method, naming.apply("firm-b-never"));
                    assertThat(other.status.getCode()).as(what + " naming " + OTHER + ": " + other.status)
                        .isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(missing.status.getCode()).as(what + " naming a missing claim").isEqualTo(
                        Status.Code.PERMISSION_DENIED);
                    assertThat(missing.status.getDescription().replace("firm-b-never", OTHER))
                        .as(what + ": the answer must not tell an existing claim from a missing one")
                        .isEqualTo(other.status.getDescription());
                    assertThat(caller.call(method, naming.apply(OWN)).status.getCode())
                        .as(what + " naming its own claim").isNotEqualTo(Status.Code.PERMISSION_DENIED);
                }
                break;
            case "preview":
            case "preview, own rows":
                assertThat(plain.status.getCode()).as(what + " without validate_only: " + plain.status)
                    .isEqualTo(Status.Code.PERMISSION_DENIED);
                final Answer preview = caller.call(method, ReleaseTrancheRequest.newBuilder().setRequestId("p")
                    .setSupply(10).setPolicy(Policy.newBuilder().setMethod(Method.EQUAL)).setValidateOnly(true)
                    .build().toByteArray());
                assertThat(preview.status.getCode()).as(what + " with validate_only: " + preview.status)
                    .isEqualTo(Status.Code.OK);
                assertThat(preview.mentions(OTHER)).as(what + ": the preview shows another firm's row")
                    .isEqualTo(cell.equals("preview"));
                break;
            default:
                assertThat(outcome(plain.status)).as(what + ": " + plain.status).isEqualTo(cell);
        }
    }

    // Requests that name one claim, per method that takes one; null for the others (lists, tranches).
    private static Function<String, byte[]> naming(final String method)
    {
        final Map<String, Function<String, Message>> requests = Map.of(
            QUEUE + "GetClaim", id -> GetClaimRequest.newBuilder().setId(id).build(),
            QUEUE + "GetClaimHistory", id -> io.tranche.proto.v1.GetClaimHistoryRequest.newBuilder().setId(id)
                .build(),
            QUEUE + "GetClaimPosition", id -> io.tranche.proto.v1.GetClaimPositionRequest.newBuilder().setId(id)
                .setIfSupply(10).setPolicy(Policy.newBuilder().setMethod(Method.EQUAL)).build(),
            QUEUE + "DeleteClaim", id -> DeleteClaimRequest.newBuilder().setId(id).build(),
            QUEUE + "CreateClaim", id -> CreateClaimRequest.newBuilder().setClaim(Claim.newBuilder().setId(id)
                .setDemand(5)).build(),
            QUEUE + "UpdateClaim", id -> UpdateClaimRequest.newBuilder().setClaim(Claim.newBuilder().setId(id)
                .setDemand(50)).build(),
            "tranche.v1.LedgerService/GetInclusionProof", id -> io.tranche.proto.v1.GetInclusionProofRequest
                .newBuilder().setAward(io.tranche.proto.v1.AwardRef.newBuilder().setTranche(1).setClaimId(id)).build());
        final Function<String, Message> request = requests.get(method);
        return request == null ? null : id -> request.apply(id).toByteArray();
    }

    private static void checkMetrics(final Table table, final TestServer server,
        final java.util.Collection<String> tokens) throws Exception
    {
        // /metrics: no authentication, whatever the caller sends.
        final String[] metricsRow = table.rows.get("GET /metrics");
        assertThat(metricsRow).containsOnly("yes");
        final HttpClient http = HttpClient.newHttpClient();
        for (final String token : tokens)
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

    /** The role table: its role columns and, per call, the cell of each. */
    record Table(List<String> roles, Map<String, String[]> rows)
    {
    }

    /** @return the role table of docs/security.md. */
    static Table securityTable() throws IOException
    {
        final List<String> lines = Files.readAllLines(Path.of("..", "docs", "security.md"), StandardCharsets.UTF_8);
        final Map<String, String[]> rows = new LinkedHashMap<>();
        List<String> roles = null;
        for (final String line : lines)
        {
            if (line.startsWith("| call |"))
            {
                roles = new ArrayList<>();
                final String[] header = line.split("\\|");
                for (int i = 2; i < header.length; i++)
                {
                    roles.add(header[i].strip());
                }
                continue;
            }
            if (roles != null && !line.startsWith("|"))
            {
                break;
            }
            if (roles != null && line.startsWith("| `"))
            {
                final String[] cells = line.split("\\|");
                final String call = cells[1].strip();
                final String[] row = new String[roles.size()];
                for (int i = 0; i < row.length; i++)
                {
                    row[i] = cells[i + 2].strip().replace("`", "");
                }
                rows.put(call.substring(1, call.indexOf('`', 1)), row);
            }
        }
        assertThat(rows).as("the role table of docs/security.md").isNotEmpty();
        return new Table(roles, rows);
    }

    /**
     * @param channel a channel to the server.
     * @param token   the bearer token, or null for none.
     * @return a caller that sends the token (if any) on that channel.
     */
    static Caller caller(final ManagedChannel channel, final String token)
    {
        return (method, request) ->
        {
            final Metadata headers = new Metadata();
            if (token != null)
            {
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
            }
            return call(channel, method, request, headers);
        };
    }

    static Answer call(final ManagedChannel channel, final MethodDescriptor<?, ?> method, final byte[] request,
        final Metadata headers)
    {
        final MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(method.getType()).setFullMethodName(method.getFullMethodName())
            .setRequestMarshaller(RawBytes.MARSHALLER).setResponseMarshaller(RawBytes.MARSHALLER).build();
        final boolean streaming = method.getType() != MethodDescriptor.MethodType.UNARY;
        // A watch that was let in stays open: its deadline ends it, and that counts as reached.
        final ClientCall<byte[], byte[]> call = channel.newCall(raw,
            CallOptions.DEFAULT.withDeadlineAfter(streaming ? 500 : 10_000, TimeUnit.MILLISECONDS));
        final CompletableFuture<Status> closed = new CompletableFuture<>();
        final List<byte[]> messages = java.util.Collections.synchronizedList(new ArrayList<>());
        call.start(new ClientCall.Listener<>()
        {
            @Override
            public void onMessage(final byte[] message)
            {
                messages.add(message);
            }

            @Override
            public void onClose(final Status status, final Metadata trailers)
            {
                closed.complete(status);
            }
        }, headers);
        call.request(Integer.MAX_VALUE);
        call.sendMessage(request);
        call.halfClose();
        try
        {
            return new Answer(closed.get(30, TimeUnit.SECONDS), new ArrayList<>(messages));
        }
        catch (final Exception ex)
        {
            call.cancel("test gave up", ex);
            throw new AssertionError(method.getFullMethodName() + " did not end", ex);
        }
    }
}
