package io.tranche.server.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.ClaimLeaf;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.Tranche;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The leaf encoding's test vectors of docs/SEMANTICS.md "The verifiable ledger". The expected bytes come from
 * scripts/tranche_ledger.py, which encodes the same changes field by field without protobuf's library.
 */
class LedgerLeavesTest
{
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] SEED = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    static Tranche tranche()
    {
        return Tranche.newBuilder()
            .setNumber(1).setRequestId("r-1").setSupply(400_000)
            .setPolicy(Policy.newBuilder().setMethod(Method.PROPORTIONAL).setLot(8))
            .addAwards(Award.newBuilder().setId("alpha-cloud").setUnits(184_616).setUnmet(115_384).setTier(0)
                .setSalt(ByteString.copyFrom(LedgerLeaves.salt(SEED, 0))))
            .addAwards(Award.newBuilder().setId("beta-search").setUnits(215_384).setUnmet(0).setTier(1)
                .setSalt(ByteString.copyFrom(LedgerLeaves.salt(SEED, 1))))
            .setAllocated(400_000).setUnallocated(0)
            .setReleaseTime(Timestamp.newBuilder().setSeconds(1_796_011_200L))
            .build();
    }

    @Test
    void shouldDeriveTheSaltsOfTheVectors()
    {
        assertThat(HEX.formatHex(LedgerLeaves.salt(SEED, 0))).isEqualTo("a9d6e500293a88bd38cbe213d07ab71f");
        assertThat(HEX.formatHex(LedgerLeaves.salt(SEED, 1))).isEqualTo("6061c4386d7a1788ba52e2e8b2ee6fe6");
    }

    @Test
    void shouldEncodeAClaimLeafAsTheIndependentEncoderDoes()
    {
        final byte[] leaf = LedgerLeaves.claimLeaf(ClaimLeaf.Change.CREATED,
            Claim.newBuilder().setId("alpha-cloud").setDemand(300_000).setPosition(1).build(),
            1_796_011_200L * 1_000_000_000L).toByteArray();
        assertThat(HEX.formatHex(leaf)).isEqualTo("121f080112130a0b616c7068612d636c6f756410e0a71238011a0608c0e9b3d806");
        assertThat(Rfc9162.hex(Rfc9162.leafHash(leaf)))
            .isEqualTo("674f8579eb46c8a5ce0d29055e703346f3b753f5e8dd995d6db5fedeb29c786a");
    }

    @Test
    void shouldEncodeATrancheLeafWithTheRootOfItsAwardTree()
    {
        final Tranche t = tranche();
        assertThat(HEX.formatHex(LedgerLeaves.awardLeaf(t.getAwards(0))))
            .isEqualTo("0a0b616c7068612d636c6f756410a8a20b18b8850728003210a9d6e500293a88bd38cbe213d07ab71f");
        assertThat(HEX.formatHex(LedgerLeaves.awardLeaf(t.getAwards(1))))
            .isEqualTo("0a0b626574612d73656172636810d8920d1800280132106061c4386d7a1788ba52e2e8b2ee6fe6");
        final byte[] leaf = LedgerLeaves.trancheLeaf(Rfc9162.newSha256(), t).toByteArray();
        assertThat(HEX.formatHex(leaf)).isEqualTo("0a430a1d08011203722d311880b5182204080110083080b518420608c0e9b3d806" +
            "10021a2008c59637f7bbf5d7390282b3ebf1f52dbe666dda6cb3112e45414fda808ddfde");
        assertThat(Rfc9162.hex(Rfc9162.leafHash(leaf)))
            .isEqualTo("70af2fb0dae6d6ca0d5599dbff8bb99a2eea8f4747acafa1bb600890ea1ff35d");
        // The digest and the explanation of a recorded tranche are not part of its leaf.
        final Tranche withDigest = t.toBuilder().setDigest(ByteString.copyFrom(new byte[32])).build();
        assertThat(LedgerLeaves.trancheLeaf(Rfc9162.newSha256(), withDigest).toByteArray()).isEqualTo(leaf);
    }
}
