package io.tranche.server.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Explanation;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.Tranche;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The digest chain of the builds before the ledger's tree, which replays of their release commands must reproduce:
 * its published test vectors (computed then by an independent Python implementation) and the coverage of every
 * field; and a release command without a salt seed recorded with that digest, one with a seed without it.
 */
class LegacyDigestTest
{
    static Tranche first()
    {
        return Tranche.newBuilder()
            .setNumber(1).setRequestId("r-1").setSupply(400_000)
            .setPolicy(Policy.newBuilder().setMethod(Method.PROPORTIONAL).setLot(8))
            .addAwards(Award.newBuilder().setId("alpha-cloud").setUnits(184_616).setUnmet(115_384))
            .addAwards(Award.newBuilder().setId("open").setUnits(215_384))
            .setAllocated(400_000).setUnallocated(0)
            .setReleaseTime(Timestamp.newBuilder().setSeconds(1_796_011_200L))
            .build();
    }

    static Tranche second()
    {
        return Tranche.newBuilder()
            .setNumber(2).setRequestId("r-2").setSupply(1001)
            .setPolicy(Policy.newBuilder().setMethod(Method.HUNTINGTON_HILL).setMaxSharePpm(500_000))
            .addAwards(Award.newBuilder().setId("d\u00e9j\u00e0").setUnits(500).setUnmet(0))
            .addAwards(Award.newBuilder().setId("open").setTier(1).setUnits(500))
            .setAllocated(1000).setUnallocated(1)
            .setReleaseTime(Timestamp.newBuilder().setSeconds(1_796_011_201L).setNanos(123_456_789))
            .build();
    }

    @Test
    void shouldMatchTheTestVectorsOfTheIndependentPythonImplementation()
    {
        assertThat(hex(LegacyDigest.canonical(first()))).isEqualTo(
            "01000000000000000100000003722d310000000000061a8000000001000000000000000800000000000000020000000b616c" +
            "7068612d636c6f75640000000000000000000002d12801000000000001c2b8000000046f70656e0000000000000000000003" +
            "49580000000000000000000000000000061a800000000000000000000000006b0cf4c000000000");
        final byte[] d1 = LegacyDigest.compute(new byte[0], first());
        assertThat(hex(d1)).isEqualTo("b7e652c3198ba054accfa538724f7986223d1a50d85f09d8827d444612f7c53a");
        assertThat(hex(LegacyDigest.compute(d1, second())))
            .isEqualTo("58a6e9b935e694acb5b95d8c11c284cb0b8d02c3e8baf48aa14b6ba4cdb8f0e1");
        assertThat(LegacyDigest.compute(new byte[32], first())).isEqualTo(d1);
    }

    @Test
    void shouldChangeWithEveryEncodedFieldAndIgnoreDigestAndExplanation()
    {
        final Tranche t = first();
        final List<UnaryOperator<Tranche.Builder>> edits = new ArrayList<>();
        edits.add(b -> b.setNumber(3));
        edits.add(b -> b.setRequestId("r-x"));
        edits.add(b -> b.setSupply(400_001));
        edits.add(b -> b.setPolicy(b.getPolicy().toBuilder().setMethod(Method.EQUAL)));
        edits.add(b -> b.setPolicy(b.getPolicy().toBuilder().setLot(1)));
        edits.add(b -> b.setPolicy(b.getPolicy().toBuilder().setMaxSharePpm(1)));
        edits.add(b -> b.setAwards(0, b.getAwards(0).toBuilder().setId("alpha-clouds")));
        edits.add(b -> b.setAwards(0, b.getAwards(0).toBuilder().setUnits(184_608)));
        edits.add(b -> b.setAwards(0, b.getAwards(0).toBuilder().setTier(2)));
        edits.add(b -> b.setAwards(0, b.getAwards(0).toBuilder().setTier(0)));
        edits.add(b -> b.setAwards(0, b.getAwards(0).toBuilder().setUnmet(115_385)));
        edits.add(b -> b.setAwards(0, b.getAwards(0).toBuilder().clearUnmet()));
        edits.add(b -> b.setAwards(1, b.getAwards(1).toBuilder().setUnmet(0)));
        edits.add(b -> b.removeAwards(1));
        edits.add(b -> b.setAllocated(399_992));
        edits.add(b -> b.setUnallocated(8));
        edits.add(b -> b.setReleaseTime(b.getReleaseTime().toBuilder().setSeconds(1_796_011_201L)));
        edits.add(b -> b.setReleaseTime(b.getReleaseTime().toBuilder().setNanos(1)));
        final Set<String> digests = new HashSet<>();
        digests.add(hex(LegacyDigest.compute(new byte[0], t)));
        for (final UnaryOperator<Tranche.Builder> edit : edits)
        {
            digests.add(hex(LegacyDigest.compute(new byte[0], edit.apply(t.toBuilder()).build())));
        }
        assertThat(digests).hasSize(edits.size() + 1);
        // A different previous digest changes it too: the chain.
        final byte[] other = new byte[32];
        other[31] = 1;
        assertThat(LegacyDigest.compute(other, t)).isNotEqualTo(LegacyDigest.compute(new byte[0], t));
        // Its own digest and the (never recorded) explanation are not part of it.
        final Tranche withExtras = t.toBuilder().setDigest(ByteString.copyFrom(new byte[32]))
            .setExplanation(Explanation.newBuilder().setExtraLots(2)).build();
        assertThat(LegacyDigest.compute(new byte[0], withExtras)).isEqualTo(LegacyDigest.compute(new byte[0], t));
    }

    @Test
    void shouldRecordALegacyReleaseWithItsDigestAndANewOneWithSaltsInstead()
    {
        final QueueStateMachine m = new QueueStateMachine(new InMemoryLedger(), 100);
        m.apply(new Command.CreateClaim(io.tranche.proto.v1.CreateClaimRequest.newBuilder().setClaim(
            io.tranche.proto.v1.Claim.newBuilder().setId("a").setDemand(100)).build()), 0);
        final io.tranche.proto.v1.ReleaseTrancheRequest.Builder release = io.tranche.proto.v1.ReleaseTrancheRequest
            .newBuilder().setRequestId("r1").setSupply(10).setPolicy(Policy.newBuilder().setMethod(Method.FIFO));
        final Tranche legacy = (Tranche)m.apply(new Command.ReleaseTranche(release.build()), 5_000_000_000L).value();
        assertThat(legacy.getDigest().toByteArray())
            .isEqualTo(LegacyDigest.compute(new byte[0], legacy.toBuilder().clearDigest().build()));
        assertThat(legacy.getAwards(0).getSalt().isEmpty()).isTrue();
        final Tranche salted = (Tranche)m.apply(new Command.ReleaseTranche(release.setRequestId("r2")
            .setSaltSeed(ByteString.copyFrom(new byte[32])).build()), 6_000_000_000L).value();
        assertThat(salted.getDigest().isEmpty()).isTrue();
        assertThat(salted.getAwards(0).getSalt().size()).isEqualTo(16);
    }

    static String hex(final byte[] bytes)
    {
        return java.util.HexFormat.of().formatHex(bytes);
    }
}
