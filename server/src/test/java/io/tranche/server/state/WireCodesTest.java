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
        assertThat(ClusterProtocol.CHECKPOINT).isEqualTo((byte)0x40);
        assertThat(ClusterProtocol.SIGNED).isEqualTo((byte)0x80);
        final Set<Byte> seen = new HashSet<>();
        for (final byte code : new byte[] {Command.CREATE_CLAIM, Command.UPDATE_CLAIM, Command.DELETE_CLAIM,
            Command.RELEASE_TRANCHE, Command.RECORD_TRANCHE, ClusterProtocol.CHECKPOINT, ClusterProtocol.SIGNED})
        {
            assertThat(seen.add(code)).as("code " + code + " used once").isTrue();
        }
    }
}
