package io.tranche.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.ListClaimsRequest;
import io.tranche.proto.v1.ListClaimsResponse;
import io.tranche.proto.v1.ListTranchesRequest;
import io.tranche.proto.v1.ListTranchesResponse;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.proto.v1.WatchTranchesRequest;
import io.tranche.server.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, item 9: page tokens and watch positions at the edge of a long, and tokens that are opaque and
 * tamper-evident (AIP-158): an HMAC under the data directory's {@code page-token.key}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PageTokensTest
{
    private static final Policy FIFO = Policy.newBuilder().setMethod(Method.FIFO).build();

    @TempDir
    Path dir;

    @TempDir
    Path otherDir;

    @Test
    void shouldRefuseTheReadableTranchesTokenThatThrewANullPointerException() throws Exception
    {
        // Was UNKNOWN: after + 1 wrapped to -2^63 and ListTranches added a null tranche.
        try (TestServer server = TestServer.start(dir))
        {
            release(server, "t1");
            assertInvalidPageToken(() -> server.queue().listTranches(ListTranchesRequest.newBuilder()
                .setPageToken(readable("tranches:9223372036854775807")).build()));
        }
    }

    @Test
    void shouldRefuseTheReadableClaimsTokenThatRestartedFromTheFirstPage() throws Exception
    {
        // Was OK with the first page: position after + 1 wrapped around to the start of the queue.
        try (TestServer server = TestServer.start(dir))
        {
            create(server, "a", "b");
            assertInvalidPageToken(() -> server.queue().listClaims(ListClaimsRequest.newBuilder()
                .setPageToken(readable("claims:9223372036854775807")).build()));
            assertInvalidPageToken(() -> server.queue().listClaims(ListClaimsRequest.newBuilder()
                .setPageToken(readable("claims:0")).build()));
        }
    }

    @Test
    void shouldWaitForNewTranchesWhenWatchingAfterTheLargestNumber() throws Exception
    {
        // Was: streamed from tranche 1, as after_number + 1 wrapped around.
        try (TestServer server = TestServer.start(dir))
        {
            release(server, "t1");
            release(server, "t2");
            for (final long after : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 1, Integer.MAX_VALUE, 2})
            {
                assertThat(watch(server, after)).as("after_number " + after).isEmpty();
            }
            assertThat(watch(server, 0)).hasSize(2);
            assertThat(watch(server, 1)).extracting(Tranche::getNumber).containsExactly(2L);
        }
    }

    @Test
    void shouldAnswerAnEmptyLastPageForAGenuineTokenAtOrPastTheEnd() throws Exception
    {
        try (TestServer server = TestServer.start(dir))
        {
            create(server, "a", "b");
            release(server, "t1");
            final PageTokens tokens = new PageTokens(Files.readAllBytes(dir.resolve(PageTokens.KEY_FILE)));
            for (final long after : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 1, 1, 2})
            {
                final ListTranchesResponse tranches = server.queue().listTranches(ListTranchesRequest.newBuilder()
                    .setPageToken(tokens.encode(PageTokens.TRANCHES, after)).build());
                assertThat(tranches.getTranchesList()).as("tranches after " + after).isEmpty();
                assertThat(tranches.getNextPageToken()).isEmpty();
            }
            for (final long after : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 1})
            {
                final ListClaimsResponse claims = server.queue().listClaims(ListClaimsRequest.newBuilder()
                    .setPageToken(tokens.encode(PageTokens.CLAIMS, after)).build());
                assertThat(claims.getClaimsList()).as("claims after " + after).isEmpty();
                assertThat(claims.getNextPageToken()).isEmpty();
            }
        }
    }

    @Test
    void shouldRefuseAlteredForeignAndOtherMethodTokens() throws Exception
    {
        final String claimsToken;
        final String tranchesToken;
        try (TestServer other = TestServer.start(otherDir))
        {
            create(other, "x", "y");
            release(other, "u1");
            release(other, "u2");
            claimsToken =
                other.queue().listClaims(ListClaimsRequest.newBuilder().setPageSize(1).build()).getNextPageToken();
            tranchesToken =
                other.queue().listTranches(ListTranchesRequest.newBuilder().setPageSize(1).build()).getNextPageToken();
        }
        try (TestServer server = TestServer.start(dir))
        {
            create(server, "a", "b", "c");
            release(server, "t1");
            release(server, "t2");
            // Same shape, other server's key.
            assertInvalidPageToken(() ->
                server.queue().listClaims(ListClaimsRequest.newBuilder().setPageToken(claimsToken).build()));
            assertInvalidPageToken(() ->
                server.queue().listTranches(ListTranchesRequest.newBuilder().setPageToken(tranchesToken).build()));

            final String own =
                server.queue().listClaims(ListClaimsRequest.newBuilder().setPageSize(1).build()).getNextPageToken();
            assertThat(server.queue()
                .listClaims(ListClaimsRequest.newBuilder().setPageSize(1).setPageToken(own).build())
                .getClaims(0).getId()).isEqualTo("b");
            // Another method's token.
            assertInvalidPageToken(() ->
                server.queue().listTranches(ListTranchesRequest.newBuilder().setPageToken(own).build()));
            // Every single bit flipped, one at a time.
            final byte[] bytes = Base64.getUrlDecoder().decode(own);
            for (int bit = 0; bit < bytes.length * 8; bit++)
            {
                final byte[] altered = bytes.clone();
                altered[bit / 8] ^= (byte)(1 << (bit % 8));
                final String token = Base64.getUrlEncoder().withoutPadding().encodeToString(altered);
                assertInvalidPageToken(() ->
                    server.queue().listClaims(ListClaimsRequest.newBuilder().setPageToken(token).build()));
            }
            // Cut short, extended, not base64.
            for (final String token : new String[] {own.substring(0, own.length() - 1), own + "A", "!!", "\u00e9"})
            {
                assertInvalidPageToken(() ->
                    server.queue().listClaims(ListClaimsRequest.newBuilder().setPageToken(token).build()));
            }
        }
    }

    @Test
    void shouldKeepTheKeyAcrossRestartsInAFileOnlyTheOwnerCanRead() throws Exception
    {
        final String token;
        try (TestServer server = TestServer.start(dir))
        {
            create(server, "a", "b");
            token = server.queue().listClaims(ListClaimsRequest.newBuilder().setPageSize(1).build()).getNextPageToken();
        }
        final Path key = dir.resolve(PageTokens.KEY_FILE);
        assertThat(Files.size(key)).isEqualTo(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        try (TestServer server = TestServer.start(dir))
        {
            assertThat(server.queue().listClaims(ListClaimsRequest.newBuilder().setPageToken(token).build())
                .getClaimsList()).extracting(c -> c.getId()).containsExactly("b");
        }
        // A damaged key stops the start with advice; deleting it makes a new one (old tokens are then refused).
        Files.write(key, new byte[] {1, 2, 3});
        final java.io.IOException damaged =
            catchThrowableOfType(java.io.IOException.class, () -> TestServer.start(dir));
        assertThat(damaged).hasMessageContaining(PageTokens.KEY_FILE).hasMessageContaining("delete it");
        Files.delete(key);
        try (TestServer server = TestServer.start(dir))
        {
            assertInvalidPageToken(() ->
                server.queue().listClaims(ListClaimsRequest.newBuilder().setPageToken(token).build()));
        }
    }

    private static String readable(final String text)
    {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertInvalidPageToken(final Runnable call)
    {
        final StatusRuntimeException ex = catchThrowableOfType(StatusRuntimeException.class, call::run);
        assertThat(ex).as("the call succeeded").isNotNull();
        assertThat(ex.getStatus().getCode()).as(ex.getStatus().toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(TestServer.violations(ex)).containsExactly("page_token");
    }

    private static void create(final TestServer server, final String... ids)
    {
        for (final String id : ids)
        {
            server.queue().createClaim(CreateClaimRequest.newBuilder().setClaim(TestServer.claim(id, 10)).build());
        }
    }

    private static void release(final TestServer server, final String requestId)
    {
        server.queue().releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId(requestId).setSupply(1)
            .setPolicy(FIFO).build());
    }

    /** @return the tranches a watch receives before a short deadline ends it. */
    private static List<Tranche> watch(final TestServer server, final long after)
    {
        final List<Tranche> received = new ArrayList<>();
        final Iterator<Tranche> stream = QueueServiceGrpc.newBlockingStub(server.channel)
            .withDeadlineAfter(400, TimeUnit.MILLISECONDS)
            .watchTranches(WatchTranchesRequest.newBuilder().setAfterNumber(after).build());
        try
        {
            while (stream.hasNext())
            {
                received.add(stream.next());
            }
        }
        catch (final StatusRuntimeException ex)
        {
            assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        }
        return received;
    }
}
