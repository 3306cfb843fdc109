package io.tranche.server.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hashing and both verification algorithms against the published RFC 6962 test vectors (the eight leaves,
 * their roots, and the inclusion and consistency proofs that the Certificate Transparency implementations share),
 * and every proof of the trees of 1 to 8 leaves both ways, with the tampered variants each rejected.
 */
class Rfc9162Test
{
    static final List<byte[]> LEAVES = List.of(h(""), h("00"), h("10"), h("2021"), h("3031"), h("40414243"),
        h("5051525354555657"), h("606162636465666768696a6b6c6d6e6f"));

    static final List<String> ROOTS = List.of(
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    static byte[] h(final String hex)
    {
        return HexFormat.of().parseHex(hex);
    }

    static List<byte[]> leafHashes(final int n)
    {
        final List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            hashes.add(Rfc9162.leafHash(LEAVES.get(i)));
        }
        return hashes;
    }

    static List<String> hex(final List<byte[]> hashes)
    {
        final List<String> out = new ArrayList<>();
        for (final byte[] hash : hashes)
        {
            out.add(Rfc9162.hex(hash));
        }
        return out;
    }

    @Test
    void shouldHashTheEmptyTreeAsSha256OfNothing()
    {
        assertThat(Rfc9162.hex(Rfc9162.emptyRoot()))
            .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(Rfc9162.hex(Rfc9162.root(List.of()))).isEqualTo(Rfc9162.hex(Rfc9162.emptyRoot()));
    }

    @Test
    void shouldGiveThePublishedRootsOfTheTreesOfOneToEightLeaves()
    {
        for (int n = 1; n <= 8; n++)
        {
            assertThat(Rfc9162.hex(Rfc9162.root(leafHashes(n)))).as("root of %d leaves", n).isEqualTo(ROOTS.get(n - 1));
        }
    }

    @Test
    void shouldGiveThePublishedInclusionProofs()
    {
        assertThat(hex(Rfc9162.inclusionPath(0, leafHashes(1)))).isEmpty();
        assertThat(hex(Rfc9162.inclusionPath(0, leafHashes(8)))).containsExactly(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
        assertThat(hex(Rfc9162.inclusionPath(5, leafHashes(8)))).containsExactly(
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
        assertThat(hex(Rfc9162.inclusionPath(2, leafHashes(3)))).containsExactly(
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125");
        assertThat(hex(Rfc9162.inclusionPath(1, leafHashes(5)))).containsExactly(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
    }

    @Test
    void shouldGiveThePublishedConsistencyProofs()
    {
        assertThat(hex(Rfc9162.consistencyProof(1, leafHashes(1)))).isEmpty();
        assertThat(hex(Rfc9162.consistencyProof(1, leafHashes(8)))).containsExactly(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
        assertThat(hex(Rfc9162.consistencyProof(6, leafHashes(8)))).containsExactly(
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
        assertThat(hex(Rfc9162.consistencyProof(2, leafHashes(5)))).containsExactly(
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
        assertThat(hex(Rfc9162.consistencyProof(6, leafHashes(7)))).containsExactly(
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
    }

    @Test
    void shouldVerifyEveryInclusionProofOfTheTreesOfOneToEightLeavesAndRejectEachTamperedOne()
    {
        for (int n = 1; n <= 8; n++)
        {
            final List<byte[]> hashes = leafHashes(n);
            final byte[] root = h(ROOTS.get(n - 1));
            for (int i = 0; i < n; i++)
            {
                final List<byte[]> path = Rfc9162.inclusionPath(i, hashes);
                final byte[] leaf = hashes.get(i);
                assertThat(Rfc9162.verifyInclusion(i, n, leaf, path, root)).as("leaf %d of %d", i, n).isTrue();
                assertThat(Rfc9162.verifyInclusion(i + 1, n, leaf, path, root)).isFalse();
                // A wrong height (a wrong size one above can be right: the size is what the signed checkpoint is for).
                assertThat(Rfc9162.verifyInclusion(i, 2 * n, leaf, path, root)).isFalse();
                if (i < n / 2)
                {
                    assertThat(Rfc9162.verifyInclusion(i, n / 2, leaf, path, root)).isFalse();
                }
                assertThat(Rfc9162.verifyInclusion(i, n, Rfc9162.leafHash(new byte[] {9}), path, root)).isFalse();
                assertThat(Rfc9162.verifyInclusion(i, n, leaf, path, Rfc9162.emptyRoot())).isFalse();
                final List<byte[]> longer = new ArrayList<>(path);
                longer.add(root);
                assertThat(Rfc9162.verifyInclusion(i, n, leaf, longer, root)).isFalse();
                for (int p = 0; p < path.size(); p++)
                {
                    final List<byte[]> flipped = new ArrayList<>(path);
                    flipped.set(p, path.get(p).clone());
                    flipped.get(p)[0] ^= 8;
                    assertThat(Rfc9162.verifyInclusion(i, n, leaf, flipped, root)).isFalse();
                }
                if (!path.isEmpty())
                {
                    assertThat(Rfc9162.verifyInclusion(i, n, leaf, path.subList(0, path.size() - 1), root)).isFalse();
                }
            }
        }
    }

    @Test
    void shouldVerifyEveryConsistencyProofOfTheTreesOfOneToEightLeavesAndRejectEachTamperedOne()
    {
        for (int n = 1; n <= 8; n++)
        {
            final byte[] rootN = h(ROOTS.get(n - 1));
            for (int m = 1; m <= n; m++)
            {
                final byte[] rootM = h(ROOTS.get(m - 1));
                final List<byte[]> proof = Rfc9162.consistencyProof(m, leafHashes(n));
                assertThat(Rfc9162.verifyConsistency(m, n, rootM, rootN, proof)).as("%d to %d", m, n).isTrue();
                if (m == n)
                {
                    continue;
                }
                assertThat(Rfc9162.verifyConsistency(m, n, rootN, rootM, proof)).isFalse();
                assertThat(Rfc9162.verifyConsistency(m, n, Rfc9162.emptyRoot(), rootN, proof)).isFalse();
                assertThat(Rfc9162.verifyConsistency(m, n, rootM, Rfc9162.emptyRoot(), proof)).isFalse();
                assertThat(Rfc9162.verifyConsistency(m, n, rootM, rootN, List.of())).isFalse();
                assertThat(Rfc9162.verifyConsistency(m > 1 ? m - 1 : m + 1, n, rootM, rootN, proof)).isFalse();
                assertThat(Rfc9162.verifyConsistency(n, m, rootN, rootM, proof)).isFalse();
                for (int p = 0; p < proof.size(); p++)
                {
                    final List<byte[]> flipped = new ArrayList<>(proof);
                    flipped.set(p, proof.get(p).clone());
                    flipped.get(p)[0] ^= 16;
                    assertThat(Rfc9162.verifyConsistency(m, n, rootM, rootN, flipped)).isFalse();
                }
                final List<byte[]> longer = new ArrayList<>(proof);
                longer.add(rootN);
                assertThat(Rfc9162.verifyConsistency(m, n, rootM, rootN, longer)).isFalse();
            }
        }
        assertThat(Rfc9162.verifyConsistency(0, 3, Rfc9162.emptyRoot(), h(ROOTS.get(2)), List.of())).isTrue();
    }
}
