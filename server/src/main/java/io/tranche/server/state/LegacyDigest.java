package io.tranche.server.state;

import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Tranche;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The digest chain of the builds before the ledger's tree, kept only to replay their release commands exactly: a
 * cluster's log written by such a build holds the request, not the tranche, and the tranche that build answered
 * carried {@code digest = SHA-256(previous digest || canonical encoding)} (32 zero bytes before tranche 1). A release
 * command without a salt seed is such a command; nothing else computes or checks the chain.
 * <p>
 * The canonical encoding, all integers big-endian two's complement, a string as a u32 byte length then its UTF-8
 * bytes: u8 version 1; i64 number; string request_id; i64 supply; i32 policy.method; i64 policy.lot; i32
 * policy.max_share_ppm; u32 award count, then per award: string id, u8 has_tier, i32 tier, i64 units, u8 has_unmet,
 * i64 unmet; i64 allocated; i64 unallocated; i64 release_time.seconds; i32 release_time.nanos.
 */
final class LegacyDigest
{
    private static final int LENGTH = 32;

    private LegacyDigest()
    {
    }

    /**
     * @param previous the previous tranche's digest, empty before the first.
     * @param tranche  the tranche; its digest and explanation are not encoded.
     * @return its digest.
     */
    static byte[] compute(final byte[] previous, final Tranche tranche)
    {
        final MessageDigest sha;
        try
        {
            sha = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
        }
        sha.update(previous.length == LENGTH ? previous : new byte[LENGTH]);
        sha.update(canonical(tranche));
        return sha.digest();
    }

    static byte[] canonical(final Tranche tranche)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(64 + tranche.getAwardsCount() * 48);
        out.write(1);
        i64(out, tranche.getNumber());
        string(out, tranche.getRequestId());
        i64(out, tranche.getSupply());
        i32(out, tranche.getPolicy().getMethodValue());
        i64(out, tranche.getPolicy().getLot());
        i32(out, tranche.getPolicy().getMaxSharePpm());
        i32(out, tranche.getAwardsCount());
        for (final Award award : tranche.getAwardsList())
        {
            string(out, award.getId());
            out.write(award.hasTier() ? 1 : 0);
            i32(out, award.getTier());
            i64(out, award.getUnits());
            out.write(award.hasUnmet() ? 1 : 0);
            i64(out, award.hasUnmet() ? award.getUnmet() : 0);
        }
        i64(out, tranche.getAllocated());
        i64(out, tranche.getUnallocated());
        i64(out, tranche.getReleaseTime().getSeconds());
        i32(out, tranche.getReleaseTime().getNanos());
        return out.toByteArray();
    }

    private static void string(final ByteArrayOutputStream out, final String s)
    {
        final byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        i32(out, bytes.length);
        out.write(bytes, 0, bytes.length);
    }

    private static void i32(final ByteArrayOutputStream out, final int v)
    {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    private static void i64(final ByteArrayOutputStream out, final long v)
    {
        i32(out, (int)(v >>> 32));
        i32(out, (int)v);
    }
}
