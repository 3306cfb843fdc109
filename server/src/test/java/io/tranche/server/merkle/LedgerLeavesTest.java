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
    @Test
    void shouldComputeTheAwardRootOfTheReferenceForEveryCountUpTo70()
    {
        final AwardTree tree = new AwardTree();
        final Tranche.Builder t = Tranche.newBuilder();
        final java.util.List<byte[]> hashes = new java.util.ArrayList<>();
        assertThat(tree.root(t.build())).isEqualTo(Rfc9162.emptyRoot());
        for (int i = 0; i < 70; i++)
        {
            final Award a = Award.newBuilder().setId("firm-" + i).setUnits(i).setUnmet(70 - i).setTier(i % 3).build();
            t.addAwards(a);
            hashes.add(Rfc9162.leafHash(LedgerLeaves.awardLeaf(a)));
            assertThat(tree.root(t.build())).as("%d awards", i + 1).isEqualTo(Rfc9162.root(hashes));
        }
    }

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] SEED = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    private static final byte[] SALTS = LedgerLeaves.salts(SEED, 5);

    static Tranche tranche()
    {
        return Tranche.newBuilder()
            .setNumber(1).setRequestId("r-1").setSupply(400_000)
            .setPolicy(Policy.newBuilder().setMethod(Method.PROPORTIONAL).setLot(8))
            .addAwards(Award.newBuilder().setId("alpha-cloud").setUnits(184_616).setUnmet(115_384).setTier(0)
                .setSalt(ByteString.copyFrom(SALTS, 0, 16)))
            .addAwards(Award.newBuilder().setId("beta-search").setUnits(215_384).setUnmet(0).setTier(1)
                .setSalt(ByteString.copyFrom(SALTS, 16, 16)))
            .setAllocated(400_000).setUnallocated(0)
            .setReleaseTime(Timestamp.newBuilder().setSeconds(1_796_011_200L))
            .build();
    }

    @Test
    void shouldDeriveTheSaltsOfTheVectors()
    {
        assertThat(HEX.formatHex(SALTS, 0, 16)).isEqualTo("809e2156c04480e8e20186926998cae4");
        assertThat(HEX.formatHex(SALTS, 16, 32)).isEqualTo("1d2da6ea8ba7b4c6b5dd12f79e1c0b9a");
        // Award 4 starts the second SHA-512 block: the salts of a longer tranche are not those of a shorter one
        // shifted.
        assertThat(java.util.Arrays.copyOfRange(SALTS, 0, 64)).isEqualTo(java.util.Arrays.copyOfRange(
            LedgerLeaves.salts(SEED, 4), 0, 64));
        assertThat(java.util.Arrays.copyOfRange(SALTS, 64, 80))
            .isNotEqualTo(java.util.Arrays.copyOfRange(SALTS, 0, 16));
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
    void shouldEncodeWhoAskedForAClaimChangeAsItsLastField()
    {
        // The vector above with principal "ops": field 4 (22 03 6f7073) appended, the claim leaf 5 bytes longer.
        final byte[] leaf = LedgerLeaves.claimLeaf(ClaimLeaf.Change.CREATED,
            Claim.newBuilder().setId("alpha-cloud").setDemand(300_000).setPosition(1).build(),
            1_796_011_200L * 1_000_000_000L, "ops").toByteArray();
        assertThat(HEX.formatHex(leaf))
            .isEqualTo("1224080112130a0b616c7068612d636c6f756410e0a71238011a0608c0e9b3d80622036f7073");
        assertThat(Rfc9162.hex(Rfc9162.leafHash(leaf)))
            .isEqualTo("dad42b574a7b828f89ec80d3a829eb726d7fcd021259f4088a235c5961dd64e6");
    }

    @Test
    void shouldEncodeATrancheLeafWithTheRootOfItsAwardTree()
    {
        final Tranche t = tranche();
        assertThat(HEX.formatHex(LedgerLeaves.awardLeaf(t.getAwards(0))))
            .isEqualTo("0a0b616c7068612d636c6f756410a8a20b18b8850728003210809e2156c04480e8e20186926998cae4");
        assertThat(HEX.formatHex(LedgerLeaves.awardLeaf(t.getAwards(1))))
            .isEqualTo("0a0b626574612d73656172636810d8920d1800280132101d2da6ea8ba7b4c6b5dd12f79e1c0b9a");
        final byte[] leaf = LedgerLeaves.trancheLeaf(Rfc9162.newSha256(), t).toByteArray();
        assertThat(HEX.formatHex(leaf)).isEqualTo("0a430a1d08011203722d311880b5182204080110083080b518420608c0e9b3d806" +
            "10021a207da170d8094c572de11262b007e6248aa9ce151bfe3c68f8eb914868edbedbef");
        assertThat(Rfc9162.hex(Rfc9162.leafHash(leaf)))
            .isEqualTo("6480d31ac7cfcf61150aaf3ab059c8aaf65cae5ebe5ef1422b29c8c9ef62ae72");
        assertThat(LedgerLeaves.trancheLeaf(new AwardTree(), t).toByteArray()).isEqualTo(leaf);
        // The digest and the explanation of a recorded tranche are not part of its leaf.
        final Tranche withDigest = t.toBuilder().setDigest(ByteString.copyFrom(new byte[32])).build();
        assertThat(LedgerLeaves.trancheLeaf(Rfc9162.newSha256(), withDigest).toByteArray()).isEqualTo(leaf);
    }
}
