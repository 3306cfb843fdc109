package io.tranche.server.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.tranche.server.cluster.ClusterProtocol;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every code that crosses a process boundary (the cluster's log and egress, the journal) is written down here:
 * changing one, or reusing one, fails this test. Enum order is never on the wire.
 */
class WireCodesTest
{
    @Test
    void shouldKeepEveryOutcomeKindsCode()
    {
        final Map<Outcome.Kind, Integer> codes = new EnumMap<>(Outcome.Kind.class);
        codes.put(Outcome.Kind.CREATED, 0);
        codes.put(Outcome.Kind.UPDATED, 1);
        codes.put(Outcome.Kind.DELETED, 2);
        codes.put(Outcome.Kind.RELEASED, 3);
        codes.put(Outcome.Kind.ALREADY_RELEASED, 4);
        codes.put(Outcome.Kind.PREVIEW, 5);
        codes.put(Outcome.Kind.READ, 6);
        codes.put(Outcome.Kind.INVALID, 7);
        codes.put(Outcome.Kind.NOT_FOUND, 8);
        codes.put(Outcome.Kind.ALREADY_EXISTS, 9);
        codes.put(Outcome.Kind.FAILED_PRECONDITION, 10);
        codes.put(Outcome.Kind.LIMIT_REACHED, 11);
        codes.put(Outcome.Kind.UNAVAILABLE, 12);
        codes.put(Outcome.Kind.CANCELLED, 13);
        codes.put(Outcome.Kind.DEADLINE_EXCEEDED, 14);
        codes.put(Outcome.Kind.INTERNAL, 15);
        assertThat(codes).as("a new kind needs a new code, written here").hasSize(Outcome.Kind.values().length);
        for (final Outcome.Kind kind : Outcome.Kind.values())
        {
            assertThat(kind.code()).as(kind.name()).isEqualTo(codes.get(kind));
            assertThat(Outcome.Kind.fromCode(kind.code())).isEqualTo(kind);
        }
        assertThat(Outcome.Kind.fromCode(-1)).isNull();
        assertThat(Outcome.Kind.fromCode(16)).isNull();
    }

    @Test
    void shouldKeepEveryCommandTypeAndClusterMessageCodeDistinct()
    {
        assertThat(Command.CREATE_CLAIM).isEqualTo((byte)1);
        assertThat(Command.UPDATE_CLAIM).isEqualTo((byte)2);
        assertThat(Command.DELETE_CLAIM).isEqualTo((byte)3);
        assertThat(Command.RELEASE_TRANCHE).isEqualTo((byte)4);
        assertThat(Command.RECORD_TRANCHE).isEqualTo((byte)5);
        assertThat(Command.ATTRIBUTED).isEqualTo((byte)0x10);
        assertThat(ClusterProtocol.CHECKPOINT_BEFORE_TREE).isEqualTo((byte)0x40);
        assertThat(ClusterProtocol.CHECKPOINT).isEqualTo((byte)0x41);
        assertThat(ClusterProtocol.BATCH).isEqualTo((byte)0x42);
        assertThat(ClusterProtocol.SIGNED).isEqualTo((byte)0x80);
        final Set<Byte> seen = new HashSet<>();
        final byte[] commands = {Command.CREATE_CLAIM, Command.UPDATE_CLAIM, Command.DELETE_CLAIM,
            Command.RELEASE_TRANCHE, Command.RECORD_TRANCHE};
        for (final byte code : commands)
        {
            assertThat(seen.add(code)).as("code " + code + " used once").isTrue();
            assertThat(seen.add((byte)(code | Command.ATTRIBUTED))).as("named code " + code + " used once").isTrue();
        }
        for (final byte code :
            new byte[] {ClusterProtocol.CHECKPOINT_BEFORE_TREE, ClusterProtocol.CHECKPOINT, ClusterProtocol.BATCH,
                ClusterProtocol.SIGNED})
        {
            assertThat(seen.add(code)).as("code " + code + " used once").isTrue();
        }
    }

    @Test
    void shouldTakeClientCommandsNamedOrNotAndNothingElse()
    {
        for (int code = -128; code < 128; code++)
        {
            final int base = code & ~Command.ATTRIBUTED;
            final boolean client = (code == base || code == (base | Command.ATTRIBUTED)) && base >= 1 && base <= 4 &&
                code >= 0;
            assertThat(Command.isClientCommand((byte)code)).as("type " + code).isEqualTo(client);
        }
    }

    @Test
    void shouldRecordTheNameBesideTheCommandAndReadOldRecordsWithoutOne() throws Exception
    {
        final io.tranche.proto.v1.DeleteClaimRequest request =
            io.tranche.proto.v1.DeleteClaimRequest.newBuilder().setId("a").build();
        final Command named = new Command.DeleteClaim(request, "alpha");
        assertThat(named.type()).isEqualTo((byte)(Command.DELETE_CLAIM | Command.ATTRIBUTED));
        assertThat(io.tranche.proto.v1.AttributedCommand.parseFrom(named.encode()).getPrincipal()).isEqualTo("alpha");
        assertThat(Command.decode(named.type(), named.encode())).isEqualTo(named);
        final Command old = new Command.DeleteClaim(request);
        assertThat(old.type()).isEqualTo(Command.DELETE_CLAIM);
        assertThat(old.encode()).isEqualTo(request.toByteArray());
        assertThat(Command.decode(Command.DELETE_CLAIM, request.toByteArray())).isEqualTo(old);
        assertThat(old.principal()).isEmpty();
    }
}
