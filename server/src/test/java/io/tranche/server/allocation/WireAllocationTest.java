package io.tranche.server.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.tranche.proto.v1.AllocateRequest;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The wire path against the generated-classes path ({@link AllocationProtoAdapter} on
 * {@code AllocateRequest.parseFrom}), request by request, on one reused {@link WireAllocation}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WireAllocationTest
{
    private static final int MAX_CLAIMS = 30;

    @Test
    void shouldAnswerTwentyThousandSeededRequestsExactlyAsTheGeneratedClasses() throws Exception
    {
        final WireAllocation wire = new WireAllocation(MAX_CLAIMS);
        final AllocationProtoAdapter adapter = new AllocationProtoAdapter(MAX_CLAIMS);
        final int[] seen = new int[5];
        for (long seed = 1; seed <= 20_000; seed++)
        {
            final byte[] bytes = WireRequests.request(seed, 40);
            final String at = "seed " + seed;
            final int result = WireAgreement.check(wire, adapter, MAX_CLAIMS, bytes, at);
            // seen: allocated, invalid, too many, explain (the wire path's codes 0 to 3), malformed.
            seen[result == WireAgreement.MALFORMED ? 4 : result]++;
        }
        // Every branch is exercised, not just the easy one.
        assertThat(Arrays.stream(seen).min().getAsInt()).as("allocated, invalid, too many, explain, malformed: " +
            Arrays.toString(seen)).isGreaterThan(100);
    }

    @Test
    void shouldTakeTheLastIdAndMergeRepeatedPolicies() throws Exception
    {
        final Claim claim = Claim.newBuilder().setId("first").setDemand(10).build();
        final byte[] request = WireRequests.concat(
            AllocateRequest.newBuilder().setSupply(7).setPolicy(Policy.newBuilder().setMethod(Method.FIFO).setLot(5))
                .addClaims(claim).build().toByteArray(),
            AllocateRequest.newBuilder().setPolicy(Policy.newBuilder().setLot(1)).build().toByteArray());
        final byte[] lastId = WireRequests.concat(request, new byte[0]);
        final WireAllocation wire = new WireAllocation(4);
        assertThat(wire.allocate(new ByteArrayInputStream(lastId))).isEqualTo(WireAllocation.ALLOCATED);
        final AllocationOutcome expected = new AllocationProtoAdapter(4).allocate(AllocateRequest.parseFrom(lastId));
        assertThat(expected.response().getAwards(0).getUnits()).isEqualTo(7);
        assertThat(Arrays.copyOf(wire.responseBuffer(), wire.responseLength()))
            .isEqualTo(expected.response().toByteArray());
    }

    @Test
    void shouldNameDuplicateAndEmptyIdsAndExplain() throws Exception
    {
        final AllocateRequest valid = AllocateRequest.newBuilder().setSupply(9)
            .setPolicy(Policy.newBuilder().setMethod(Method.EQUAL))
            .addClaims(Claim.newBuilder().setId("a").setDemand(5))
            .addClaims(Claim.newBuilder().setId("b").setDemand(5)).build();
        final WireAllocation wire = new WireAllocation(4);
        assertThat(wire.allocate(new ByteArrayInputStream(valid.toByteArray()))).isEqualTo(WireAllocation.ALLOCATED);
        final AllocateRequest duplicate =
            valid.toBuilder().setClaims(1, valid.getClaims(1).toBuilder().setId("a")).build();
        assertThat(wire.allocate(new ByteArrayInputStream(duplicate.toByteArray()))).isEqualTo(WireAllocation.INVALID);
        assertThat(wire.violations().toString()).isEqualTo("claims[1].id: duplicates claims[0].id \"a\"");
        final AllocateRequest empty = valid.toBuilder().setClaims(0, valid.getClaims(0).toBuilder().setId("")).build();
        assertThat(wire.allocate(new ByteArrayInputStream(empty.toByteArray()))).isEqualTo(WireAllocation.INVALID);
        assertThat(wire.violations().toString()).isEqualTo("claims[0].id: must not be empty");
        final AllocateRequest explain = valid.toBuilder().setExplain(true).build();
        assertThat(wire.allocate(new ByteArrayInputStream(explain.toByteArray()))).isEqualTo(WireAllocation.EXPLAINED);
        assertThat(wire.explained().getExplanation().getSplitTier()).isZero();
        assertThat(wire.allocate(new ByteArrayInputStream(valid.toByteArray()))).isEqualTo(WireAllocation.ALLOCATED);
    }

    @Test
    void shouldFindDuplicatesAmongManyIdsThatShareAHashPrefix() throws Exception
    {
        final AllocateRequest.Builder request = AllocateRequest.newBuilder().setSupply(1_000)
            .setPolicy(Policy.newBuilder().setMethod(Method.PROPORTIONAL));
        for (int i = 0; i < 5_000; i++)
        {
            request.addClaims(Claim.newBuilder().setId("claim-with-a-long-common-prefix-" + i).setDemand(1 + i % 7));
        }
        final WireAllocation wire = new WireAllocation(10_000);
        assertThat(wire.allocate(new ByteArrayInputStream(request.build().toByteArray())))
            .isEqualTo(WireAllocation.ALLOCATED);
        request.addClaims(Claim.newBuilder().setId("claim-with-a-long-common-prefix-4321").setDemand(1));
        assertThat(wire.allocate(new ByteArrayInputStream(request.build().toByteArray())))
            .isEqualTo(WireAllocation.INVALID);
        assertThat(wire.violations().toString())
            .isEqualTo("claims[5000].id: duplicates claims[4321].id \"claim-with-a-long-common-prefix-4321\"");
    }

    @Test
    void shouldAcceptExactlyTheUtf8TheGeneratedParserAccepts()
    {
        final byte[][] samples = {
            "plain".getBytes(StandardCharsets.UTF_8), "żółw-\u20ac-\ud83d\ude00".getBytes(StandardCharsets.UTF_8),
            {(byte)0xC0, (byte)0x80}, {(byte)0xED, (byte)0xA0, (byte)0x80},
            {(byte)0xF4, (byte)0x90, (byte)0x80, (byte)0x80},
            {(byte)0xE0, (byte)0x9F, (byte)0xBF}, {(byte)0xF0, (byte)0x8F, (byte)0xBF, (byte)0xBF},
            {(byte)0xE2, (byte)0x82},
            {(byte)0x80}, {(byte)0xF5, (byte)0x80, (byte)0x80, (byte)0x80}, {(byte)0xEF, (byte)0xBF, (byte)0xBF},
        };
        for (final byte[] sample : samples)
        {
            final boolean generated = com.google.protobuf.ByteString.copyFrom(sample).isValidUtf8();
            assertThat(WireAllocation.isValidUtf8(sample, 0, sample.length)).as(Arrays.toString(sample))
                .isEqualTo(generated);
        }
    }
}
