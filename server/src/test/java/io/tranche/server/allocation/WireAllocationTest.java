package io.tranche.server.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.tranche.proto.v1.AllocateRequest;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
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
    void shouldReadRunsOfPlainClaimsBrokenByEveryOtherKindOfClaimAsTheGeneratedClasses() throws Exception
    {
        // Claims with only a short ASCII id and a demand are read by their own loop and added a column at a time;
        // every other kind of claim ends a run. Runs of every length, broken by each other kind, cut by the claim
        // limit, across the growth of the run's scratch (16, 32, 64 claims), on reused and fresh wire paths.
        final SplittableRandom random = new SplittableRandom(77);
        final int[] limits = {1, 15, 16, 17, 33, 64, 100};
        final WireAllocation[] wires = new WireAllocation[limits.length];
        final AllocationProtoAdapter[] adapters = new AllocationProtoAdapter[limits.length];
        for (int k = 0; k < limits.length; k++)
        {
            wires[k] = new WireAllocation(limits[k]);
            adapters[k] = new AllocationProtoAdapter(limits[k]);
        }
        final int[] seen = new int[3];
        for (int r = 0; r < 3_000; r++)
        {
            final int k = random.nextInt(limits.length);
            final WireAllocation wire = r % 5 == 0 ? new WireAllocation(limits[k]) : wires[k];
            final byte[] bytes = plainRuns(random, random.nextInt(limits[k] + 8)).toByteArray();
            final int result = WireAgreement.check(wire, adapters[k], limits[k], bytes, "request " + r);
            seen[Math.min(result, 2)]++;
        }
        assertThat(Arrays.stream(seen).min().getAsInt()).as("allocated, invalid, too many: " + Arrays.toString(seen))
            .isGreaterThan(300);
    }

    private static AllocateRequest plainRuns(final SplittableRandom random, final int claims)
    {
        final AllocateRequest.Builder request = AllocateRequest.newBuilder().setSupply(random.nextLong(1, 1L << 40))
            .setPolicy(Policy.newBuilder().setMethod(random.nextBoolean() ? Method.PROPORTIONAL : Method.DHONDT));
        final double plain = random.nextDouble();
        for (int i = 0; i < claims; i++)
        {
            // Demands of one to eight varint bytes; ids of up to eight ASCII bytes, some repeated.
            final long demand = random.nextLong(1, 1L << 7 * random.nextInt(1, 9));
            final String id = random.nextInt(40) == 0 ? "dup" + random.nextInt(3) : "c" + i;
            final Claim.Builder claim = Claim.newBuilder().setId(id).setDemand(demand);
            if (random.nextDouble() >= plain)
            {
                switch (random.nextInt(9))
                {
                    case 0 -> claim.setWeight(random.nextLong(1, 100));
                    case 1 -> claim.setTier(random.nextInt(1, 3));
                    case 2 -> claim.setCap(random.nextLong(0, demand + 1));
                    case 3 -> claim.setFloor(1);
                    case 4 -> claim.setId("a-longer-id-" + i);
                    case 5 -> claim.setId("\u00e9t\u00e9" + i);
                    case 6 -> claim.setDemand(-random.nextLong(1, 1L << 62));
                    case 7 -> claim.clearDemand();
                    default -> claim.setId("");
                }
            }
            request.addClaims(claim);
        }
        return request.build();
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
    void shouldReadEveryVarintAndIdLengthAtEveryDistanceFromTheBufferEndAsTheGeneratedClasses() throws Exception
    {
        // The one-pass reading takes varints and ids eight bytes at a time and the response writes them so: values
        // of every length from 1 to 10 bytes (negative ones too), ids of 0 to 24 bytes (some not ASCII, some
        // repeated), awards above 2^56 units, and requests that end 0 to 40 bytes before the end of the reused
        // 4 KiB request buffer, where a word read would pass the array's end.
        final SplittableRandom random = new SplittableRandom(2026);
        final AllocationProtoAdapter adapter = new AllocationProtoAdapter(MAX_CLAIMS);
        final int[] seen = new int[5];
        for (int round = 0; round < 4_000; round++)
        {
            final WireAllocation wire = new WireAllocation(MAX_CLAIMS);
            final AllocateRequest request = edgeRequest(random);
            byte[] bytes = request.toByteArray();
            if (round % 2 == 0 && bytes.length < 4_000)
            {
                // Pad with a first claim whose id brings the request to 4,096 - gap bytes.
                final int gap = random.nextInt(41);
                final int idLength = 4_096 - gap - bytes.length - 4;
                final Claim pad = Claim.newBuilder().setId("p".repeat(idLength)).setDemand(1).build();
                bytes = WireRequests.concat(AllocateRequest.newBuilder().addClaims(pad).build().toByteArray(), bytes);
            }
            final int result = WireAgreement.check(wire, adapter, MAX_CLAIMS, bytes, "round " + round);
            seen[result == WireAgreement.MALFORMED ? 4 : result]++;
        }
        assertThat(seen[WireAllocation.ALLOCATED]).as(Arrays.toString(seen)).isGreaterThan(1_000);
        assertThat(seen[WireAllocation.INVALID]).as(Arrays.toString(seen)).isGreaterThan(500);
    }

    private static AllocateRequest edgeRequest(final SplittableRandom random)
    {
        final boolean huge = random.nextInt(4) == 0;
        final AllocateRequest.Builder request = AllocateRequest.newBuilder()
            .setSupply(huge ? Long.MAX_VALUE / 4 + random.nextLong(Long.MAX_VALUE / 4) : anyLength(random, false))
            .setPolicy(Policy.newBuilder().setMethod(random.nextBoolean() ? Method.PROPORTIONAL : Method.FIFO));
        for (int i = 0, n = 1 + random.nextInt(6); i < n; i++)
        {
            final Claim.Builder claim = Claim.newBuilder().setId(edgeId(random, i));
            if (random.nextInt(5) != 0)
            {
                claim.setDemand(huge ? Long.MAX_VALUE / 8 + random.nextLong(Long.MAX_VALUE / 8) :
                    anyLength(random, random.nextInt(20) == 0));
            }
            if (random.nextInt(4) == 0)
            {
                claim.setWeight(anyLength(random, random.nextInt(20) == 0));
            }
            if (random.nextInt(6) == 0)
            {
                claim.setTier(random.nextInt(10) == 0 ? -1 : random.nextInt(3));
            }
            if (random.nextInt(6) == 0)
            {
                claim.setCap(anyLength(random, false));
            }
            request.addClaims(claim);
        }
        return request.build();
    }

    // A value whose varint takes 1 to 9 bytes (10 when negative).
    private static long anyLength(final SplittableRandom random, final boolean negative)
    {
        final long value = random.nextLong() >>> 1 >>> random.nextInt(63);
        return negative ? -1 - value : value;
    }

    private static String edgeId(final SplittableRandom random, final int claim)
    {
        final int kind = random.nextInt(10);
        if (kind == 0)
        {
            return "dup";
        }
        final StringBuilder id = new StringBuilder();
        for (int k = 0, n = random.nextInt(25); k < n; k++)
        {
            id.append(kind == 1 && k % 3 == 0 ? 'ż' : (char)('a' + random.nextInt(26)));
        }
        return id.length() == 0 && kind > 4 ? "c" + claim : id.toString();
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
