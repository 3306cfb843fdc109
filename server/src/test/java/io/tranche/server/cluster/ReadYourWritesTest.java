package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.GetClaimRequest;
import io.tranche.proto.v1.QueueServiceGrpc;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read your writes on any member: a write's answer carries a {@code tranche-applied-position} that includes the
 * write; a read sent right after it to a follower with {@code tranche-min-applied-position} set to that position
 * sees the write, every time; a NOT_FOUND carries the header too (in its trailers), so that a stale follower's
 * NOT_FOUND can be told from a real one.
 */
@Tag("slow")
class ReadYourWritesTest
{
    private static final int WRITES = Integer.getInteger("tranche.cluster.readYourWrites", 1000);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void shouldSeeEachWriteOnEveryFollowerWithTheMinimumPositionHeader() throws Exception
    {
        final int base = 28000 + (int)(ProcessHandle.current().pid() % 300) * 10;
        try (ClusterServers cluster = ClusterServers.start(dir, base))
        {
            final int leader = cluster.leader();
            assertThat(leader).isNotNegative();
            final AtomicReference<Metadata> headers = new AtomicReference<>();
            final AtomicReference<Metadata> trailers = new AtomicReference<>();
            for (int n = 0; n < WRITES; n++)
            {
                final long before = cluster.service(leader).appliedPosition();
                // A stub per call: its deadline is the call's (one stub's would run out over a loaded machine's loop).
                final QueueServiceGrpc.QueueServiceBlockingStub writer = cluster.queue(leader)
                    .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));
                writer.createClaim(ClusterAuthenticationTest.claim("ryw-" + n, 1 + n));
                final long written = Long.parseLong(headers.get().get(AppliedPositionHeader.KEY));
                assertThat(written).as("the write's position includes the write").isGreaterThan(before);
                for (int follower = 0; follower < 3; follower++)
                {
                    if (follower == leader)
                    {
                        continue;
                    }
                    final Metadata min = new Metadata();
                    min.put(AppliedPositionHeader.MIN_KEY, Long.toString(written));
                    final Claim read = cluster.queue(follower)
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(min))
                        .getClaim(GetClaimRequest.newBuilder().setId("ryw-" + n).build());
                    assertThat(read.getDemand()).isEqualTo(1 + n);
                }
            }

            // A NOT_FOUND says at which position it was true.
            final AtomicReference<Metadata> notFoundTrailers = new AtomicReference<>();
            try
            {
                cluster.queue(leader == 0 ? 1 : 0)
                    .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(new AtomicReference<>(),
                        notFoundTrailers))
                    .getClaim(GetClaimRequest.newBuilder().setId("no-such-claim").build());
                throw new AssertionError("found a claim that was never created");
            }
            catch (final StatusRuntimeException ex)
            {
                assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                assertThat(Long.parseLong(notFoundTrailers.get().get(AppliedPositionHeader.KEY))).isPositive();
            }

            // A bad header is named.
            final Metadata bad = new Metadata();
            bad.put(AppliedPositionHeader.MIN_KEY, "soon");
            try
            {
                cluster.queue(0).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bad))
                    .getClaim(GetClaimRequest.newBuilder().setId("ryw-0").build());
                throw new AssertionError("a bad header was taken");
            }
            catch (final StatusRuntimeException ex)
            {
                assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(ex.getStatus().getDescription()).contains(AppliedPositionHeader.MIN_NAME);
            }
        }
    }
}
