package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.server.state.Command;
import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The {@link ClusterProtocol#BATCH} payload: each command's type, correlation id and bytes, exactly, or refused. */
class ClusterProtocolBatchTest
{
    @Test
    void shouldKeepEachCommandsTypeCorrelationIdAndBytesInOrder() throws IOException
    {
        final Command alice = new Command.CreateClaim(create("a", 5), "alice");
        final Command anonymous = new Command.CreateClaim(create("b", 7), "");
        final List<ClusterProtocol.Entry> entries = List.of(
            new ClusterProtocol.Entry(alice.type(), 41, alice.encode()),
            new ClusterProtocol.Entry(anonymous.type(), 42, anonymous.encode()),
            new ClusterProtocol.Entry(Command.RELEASE_TRANCHE, 43, new byte[0]));
        final byte[] payload = ClusterProtocol.encodeBatch(entries);
        assertThat(payload).hasSize(ClusterProtocol.batchLength(entries));

        final List<ClusterProtocol.Entry> decoded = ClusterProtocol.decodeBatch(payload);
        assertThat(decoded).hasSize(3);
        for (int i = 0; i < 3; i++)
        {
            assertThat(decoded.get(i).type()).isEqualTo(entries.get(i).type());
            assertThat(decoded.get(i).correlationId()).isEqualTo(entries.get(i).correlationId());
            assertThat(decoded.get(i).payload()).isEqualTo(entries.get(i).payload());
        }
        final Command back = Command.decode(decoded.get(0).type(), decoded.get(0).payload());
        assertThat(back.principal()).isEqualTo("alice");
        assertThat(((Command.CreateClaim)back).request().getClaim().getId()).isEqualTo("a");
        assertThat(Command.decode(decoded.get(1).type(), decoded.get(1).payload()).principal()).isEmpty();
    }

    @Test
    void shouldRefuseABatchThatDoesNotParseExactly()
    {
        final Command one = new Command.CreateClaim(create("a", 5), "");
        final byte[] good = ClusterProtocol.encodeBatch(List.of(
            new ClusterProtocol.Entry(one.type(), 1, one.encode())));

        assertThatThrownBy(() -> ClusterProtocol.decodeBatch(new byte[2])).hasMessageContaining("shorter");
        assertThatThrownBy(() -> ClusterProtocol.decodeBatch(withCount(good, 0))).hasMessageContaining("count");
        assertThatThrownBy(() -> ClusterProtocol.decodeBatch(withCount(good, ClusterProtocol.BATCH_MAX_COMMANDS + 1)))
            .hasMessageContaining("count");
        assertThatThrownBy(() -> ClusterProtocol.decodeBatch(withCount(good, 2))).hasMessageContaining("past the end");
        assertThatThrownBy(() -> ClusterProtocol.decodeBatch(Arrays.copyOf(good, good.length - 1)))
            .hasMessageContaining("length out of bounds");
        assertThatThrownBy(() -> ClusterProtocol.decodeBatch(Arrays.copyOf(good, good.length + 1)))
            .hasMessageContaining("after its last entry");
        final byte[] negative = good.clone();
        new UnsafeBuffer(negative).putInt(Integer.BYTES + 1 + Long.BYTES, -1, ByteOrder.BIG_ENDIAN);
        assertThatThrownBy(() -> ClusterProtocol.decodeBatch(negative)).hasMessageContaining("length out of bounds");
    }

    @Test
    void shouldTakeOneToTheMostCommandsInABatch()
    {
        final List<ClusterProtocol.Entry> tooMany = new ArrayList<>();
        for (int i = 0; i <= ClusterProtocol.BATCH_MAX_COMMANDS; i++)
        {
            tooMany.add(new ClusterProtocol.Entry(Command.CREATE_CLAIM, i, new byte[0]));
        }
        assertThatThrownBy(() -> ClusterProtocol.encodeBatch(tooMany)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClusterProtocol.encodeBatch(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] withCount(final byte[] payload, final int count)
    {
        final byte[] copy = payload.clone();
        new UnsafeBuffer(copy).putInt(0, count, ByteOrder.BIG_ENDIAN);
        return copy;
    }

    private static CreateClaimRequest create(final String id, final long demand)
    {
        return CreateClaimRequest.newBuilder().setClaim(Claim.newBuilder().setId(id).setDemand(demand)).build();
    }
}
