package io.tranche.server.allocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tranche.proto.v1.AllocateRequest;
import java.io.ByteArrayInputStream;
import java.util.Arrays;

/** The wire path's answer to one request's bytes, checked against the generated classes' path. */
final class WireAgreement
{
    /** What {@link #check} returns for bytes the generated parser refuses (the wire path must refuse them too). */
    static final int MALFORMED = -1;

    private WireAgreement()
    {
    }

    /**
     * @param wire      the wire path (reused across calls, as the server reuses it).
     * @param adapter   the generated classes' path.
     * @param maxClaims both paths' claim limit.
     * @param bytes     the request.
     * @param at        names the request in a failure.
     * @return what the wire path answered ({@link WireAllocation#ALLOCATED} etc.), or {@link #MALFORMED}, after
     *         checking it is what the generated classes' path answers.
     * @throws Exception when the wire path fails otherwise.
     */
    static int check(final WireAllocation wire, final AllocationProtoAdapter adapter, final int maxClaims,
        final byte[] bytes, final String at) throws Exception
    {
        final AllocateRequest request;
        try
        {
            request = AllocateRequest.parseFrom(bytes);
        }
        catch (final InvalidProtocolBufferException expected)
        {
            assertThat(catchThrowable(() -> wire.allocate(new ByteArrayInputStream(bytes))))
                .as(at + ": " + expected.getMessage()).isInstanceOf(InvalidProtocolBufferException.class);
            return MALFORMED;
        }
        final AllocationOutcome outcome = adapter.allocate(request);
        final int result = wire.allocate(new ByteArrayInputStream(bytes));
        switch (outcome.kind())
        {
            case ALLOCATED:
                if (request.getExplain())
                {
                    assertThat(result).as(at).isEqualTo(WireAllocation.EXPLAINED);
                    assertThat(wire.explained()).as(at).isEqualTo(outcome.response());
                    break;
                }
                assertThat(result).as(at).isEqualTo(WireAllocation.ALLOCATED);
                assertThat(Arrays.copyOf(wire.responseBuffer(), wire.responseLength())).as(at)
                    .isEqualTo(outcome.response().toByteArray());
                break;
            case INVALID:
                assertThat(result).as(at).isEqualTo(WireAllocation.INVALID);
                // One decoding answers it: the same fields and words as the generated classes' path.
                assertThat(wire.violations().toString()).as(at).isEqualTo(outcome.violations().toString());
                break;
            default:
                assertThat(result).as(at).isEqualTo(WireAllocation.TOO_MANY_CLAIMS);
                assertThat(AllocationOutcome.tooManyClaimsMessage(wire.claimCount(), maxClaims)).as(at)
                    .isEqualTo(outcome.message());
        }
        return result;
    }
}
