package io.tranche.server.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.tranche.kernel.Method;
import io.tranche.proto.v1.AllocateRequest;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.Policy;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Once warm, the wire path allocates nothing per call on the handler's thread: read the request bytes, decode them
 * into the claims, check the ids, validate, allocate, encode the response. Measured with {@link ThreadMXBean} around
 * the calls, for every method, at 3, 64 and 4,096 claims. As in the kernel's {@code AllocationFreeTest}, a case
 * passes when one of up to three passes allocates nothing: per-call allocation shows in every pass, a one-off JVM
 * event (a deoptimisation) does not repeat.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WireAllocationFreeTest
{
    private static final ThreadMXBean THREADS = (ThreadMXBean)ManagementFactory.getThreadMXBean();
    private static final int[] SIZES = {3, 64, 4_096};
    private static byte[] probe;

    @Test
    void shouldAllocateNothingPerCallOnceWarm() throws Exception
    {
        final WireAllocation wire = new WireAllocation(10_000);
        final Method[] methods = Method.values();
        final ByteArrayInputStream[][] requests = new ByteArrayInputStream[SIZES.length][methods.length];
        for (int s = 0; s < SIZES.length; s++)
        {
            for (final Method method : methods)
            {
                requests[s][method.ordinal()] = new ByteArrayInputStream(request(SIZES[s], method).toByteArray());
            }
        }
        // Interleaved warm-up, so that the JIT's profiles see every method and size before compiling.
        for (int round = 0; round < 60; round++)
        {
            for (int s = 0; s < SIZES.length; s++)
            {
                for (final Method method : methods)
                {
                    call(wire, requests[s][method.ordinal()], calls(s) / 10);
                }
            }
        }
        long overhead = Long.MAX_VALUE;
        for (int k = 0; k < 10; k++)
        {
            final long a = THREADS.getCurrentThreadAllocatedBytes();
            overhead = Math.min(overhead, THREADS.getCurrentThreadAllocatedBytes() - a);
        }
        final long probeBefore = THREADS.getCurrentThreadAllocatedBytes();
        probe = new byte[1024];
        assertThat(THREADS.getCurrentThreadAllocatedBytes() - probeBefore - overhead).as("a new byte[1024] is seen")
            .isGreaterThanOrEqualTo(1024);
        for (int s = 0; s < SIZES.length; s++)
        {
            for (final Method method : methods)
            {
                final StringBuilder passes = new StringBuilder();
                long bytes = -1;
                for (int pass = 0; pass < 3 && bytes != 0; pass++)
                {
                    final long before = THREADS.getCurrentThreadAllocatedBytes();
                    call(wire, requests[s][method.ordinal()], calls(s));
                    bytes = THREADS.getCurrentThreadAllocatedBytes() - before - overhead;
                    passes.append(' ').append(bytes);
                }
                assertThat(bytes).as(method + " at " + SIZES[s] + " claims, bytes per pass of " + calls(s) +
                    " calls:" + passes).isZero();
            }
        }
    }

    private static int calls(final int size)
    {
        return SIZES[size] > 64 ? 40 : 400;
    }

    private static void call(final WireAllocation wire, final ByteArrayInputStream request, final int calls)
        throws Exception
    {
        for (int i = 0; i < calls; i++)
        {
            request.reset();
            if (wire.allocate(request) != WireAllocation.ALLOCATED)
            {
                throw new AssertionError("expected a valid request");
            }
        }
    }

    private static AllocateRequest request(final int n, final Method method)
    {
        final Random rnd = new Random(n * 31L + method.ordinal());
        final AllocateRequest.Builder b = AllocateRequest.newBuilder();
        for (int i = 0; i < n; i++)
        {
            b.addClaims(Claim.newBuilder().setId("claim-" + i).setDemand(1 + rnd.nextInt(1_000)).setTier(i % 3));
        }
        return b.setSupply(n * 300L).setPolicy(Policy.newBuilder()
            .setMethod(io.tranche.proto.v1.Method.valueOf(method.name()))).build();
    }
}
