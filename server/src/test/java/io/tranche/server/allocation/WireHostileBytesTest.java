package io.tranche.server.allocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
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
 * The wire path's one-pass reading of a request against the generated classes, on hostile bytes: invalid UTF-8 in
 * the id of the first, a middle and the last claim, duplicate ids at every pair of positions (ASCII, non-ASCII and
 * ids longer than 127 bytes), every truncation and every single byte replaced in a request that uses every field
 * (ten-byte varints, two-byte lengths, the output-only fields of a queued claim). One reused {@link WireAllocation}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WireHostileBytesTest
{
    private static final int MAX_CLAIMS = 30;
    private static final byte[][] BAD_UTF8 = {
        {(byte)0xC0, (byte)0x80}, {(byte)0xED, (byte)0xA0, (byte)0x80}, {(byte)0x80}, {(byte)0xE2, (byte)0x82},
        {'a', (byte)0xF5, (byte)0x80, (byte)0x80, (byte)0x80},
        {'o', 'k', (byte)0xF4, (byte)0x90, (byte)0x80, (byte)0x80},
    };

    private final WireAllocation wire = new WireAllocation(MAX_CLAIMS);
    private final AllocationProtoAdapter adapter = new AllocationProtoAdapter(MAX_CLAIMS);

    @Test
    void shouldRefuseInvalidUtf8InAnyClaimNamingIt() throws Exception
    {
        for (final byte[] bad : BAD_UTF8)
        {
            for (final int at : new int[] {0, 2, 4})
            {
                byte[] request = AllocateRequest.newBuilder().setSupply(10)
                    .setPolicy(Policy.newBuilder().setMethod(Method.PROPORTIONAL)).build().toByteArray();
                for (int i = 0; i < 5; i++)
                {
                    final byte[] id = i == at ? bad : ("c" + i).getBytes(StandardCharsets.UTF_8);
                    request = WireRequests.concat(request, claim(id, 5));
                }
                final byte[] bytes = request;
                final String as = Arrays.toString(bad) + " at " + at;
                assertThat(catchThrowable(() -> AllocateRequest.parseFrom(bytes))).as(as)
                    .isInstanceOf(InvalidProtocolBufferException.class);
                assertThat(catchThrowable(() -> wire.allocate(new ByteArrayInputStream(bytes)))).as(as)
                    .isInstanceOf(InvalidProtocolBufferException.class)
                    .hasMessage("claims[" + at + "].id: Protocol message had invalid UTF-8.");
                // The next request is read as if the refused one had never been.
                assertSameAnswer(request(new String[] {"a", "b"}));
            }
        }
    }

    @Test
    void shouldNameDuplicateIdsAtEveryPairOfPositions() throws Exception
    {
        final String[] ids = {"a", "\u017c\u00f3\u0142w", "x".repeat(200), "b", "\u20ac\ud83d\ude00", "c", "d"};
        assertThat(assertSameAnswer(request(ids))).isEqualTo(WireAllocation.ALLOCATED);
        for (int first = 0; first < ids.length; first++)
        {
            for (int second = first + 1; second < ids.length; second++)
            {
                final String[] duplicated = ids.clone();
                duplicated[second] = ids[first];
                assertThat(assertSameAnswer(request(duplicated))).as(first + ", " + second)
                    .isEqualTo(WireAllocation.INVALID);
                assertThat(wire.violations().toString()).as(first + ", " + second)
                    .isEqualTo("claims[" + second + "].id: duplicates claims[" + first + "].id \"" + ids[first] + "\"");
                // A third copy, and an id that only shares a prefix: named as the generated path names them.
                if (second + 1 < ids.length)
                {
                    duplicated[second + 1] = ids[first];
                    assertSameAnswer(request(duplicated));
                    duplicated[second + 1] = ids[first] + "'";
                    assertSameAnswer(request(duplicated));
                }
            }
        }
    }

    @Test
    void shouldAnswerEveryTruncationAndEveryReplacedByteAsTheGeneratedClasses() throws Exception
    {
        final byte[] valid = everyField(2, 5, 1, true);
        // A negative tier, floor and demand: ten-byte varints.
        final byte[] full = everyField(-1, -5, -1, true);
        // Only the fields a client sends: the one-pass reading accepts it, and the changed bytes around it.
        final byte[] sent = everyField(2, 5, 1, false);
        assertThat(assertSameAnswer(sent)).isEqualTo(WireAllocation.ALLOCATED);
        assertThat(assertSameAnswer(valid)).isEqualTo(WireAllocation.ALLOCATED);
        for (final byte[] request : new byte[][] {full, valid, sent})
        {
            for (int cut = 0; cut <= request.length; cut++)
            {
                assertSameAnswer(Arrays.copyOf(request, cut));
            }
            for (int at = 0; at < request.length; at++)
            {
                for (final int value : new int[] {0x00, 0x01, 0x08, 0x0A, 0x12, 0x1A, 0x7F, 0x80, 0xC0, 0xFF})
                {
                    final byte[] replaced = request.clone();
                    replaced[at] = (byte)value;
                    assertSameAnswer(replaced);
                }
            }
        }
    }

    private static byte[] everyField(final int tier, final long floor, final long demand, final boolean queued)
    {
        final AllocateRequest.Builder builder = AllocateRequest.newBuilder().setSupply(1L << 40)
            .setPolicy(Policy.newBuilder().setMethod(Method.EQUAL).setLot(3).setMaxSharePpm(700_000));
        builder.addClaims(Claim.newBuilder().setId("x".repeat(130)).setDemand(1L << 35).setWeight(7).setTier(tier));
        builder.addClaims(Claim.newBuilder().setId("\u017c\u00f3\u0142w").setDemand(300).setCap(200).setFloor(floor)
            .setPosition(9).setAwarded(4));
        if (queued)
        {
            builder.addClaims(Claim.newBuilder().setId("q").setDemand(10).setCreatedBy("me").setUpdatedBy("you")
                .setCreateTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(5).setNanos(6)));
        }
        builder.addClaims(Claim.newBuilder().setId("r").setDemand(demand).setTier(1));
        return builder.build().toByteArray();
    }

    /** @return what the wire path answered, after checking it is what the generated classes' path answers. */
    private int assertSameAnswer(final byte[] bytes) throws Exception
    {
        return WireAgreement.check(wire, adapter, MAX_CLAIMS, bytes, Arrays.toString(bytes));
    }

    private static byte[] request(final String[] ids)
    {
        final AllocateRequest.Builder builder = AllocateRequest.newBuilder().setSupply(100)
            .setPolicy(Policy.newBuilder().setMethod(Method.PROPORTIONAL));
        for (int i = 0; i < ids.length; i++)
        {
            builder.addClaims(Claim.newBuilder().setIdBytes(ByteString.copyFromUtf8(ids[i])).setDemand(10 + i));
        }
        return builder.build().toByteArray();
    }

    /** @return a claims field written by hand: any id bytes (the builder refuses invalid UTF-8), then the demand. */
    private static byte[] claim(final byte[] id, final int demand)
    {
        final byte[] withId = WireRequests.concat(new byte[] {(byte)(1 << 3 | 2), (byte)id.length}, id);
        final byte[] body = WireRequests.concat(withId, new byte[] {(byte)(2 << 3), (byte)demand});
        return WireRequests.concat(new byte[] {(byte)(3 << 3 | 2), (byte)body.length}, body);
    }
}
