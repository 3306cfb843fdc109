package io.tranche.server.ledger;

import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Tranche;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The tamper-evident chain over the ledger: each tranche's digest is SHA-256 over the previous
 * tranche's digest (32 zero bytes before tranche 1) and the tranche's canonical encoding (docs/audit.md
 * "The digest chain" defines it byte by byte, so that it can be recomputed in any language).
 * <p>
 * The canonical encoding, all integers big-endian two's complement:
 * <pre>
 *   u8      version = 1
 *   i64     number
 *   string  request_id            (string = u32 byte length, then the UTF-8 bytes)
 *   i64     supply
 *   i32     policy.method         (the tranche.v1.Method enum number)
 *   i64     policy.lot            (as recorded; 0 means 1)
 *   i32     policy.max_share_ppm
 *   u32     award count, then per award in ledger order:
 * string id, u8 has_tier (0 or 1), i32 tier (0 when absent), i64 units, u8 has_unmet (0 or 1), i64 unmet (0 when
 * absent) i64     allocated i64     unallocated i64     release_time.seconds i32     release_time.nanos
 * </pre>
 * The tranche's own {@code digest} and {@code explanation} fields are not encoded.
 */
public final class TrancheDigest
{
    /** Bytes in a digest. */
    public static final int LENGTH = 32;

    /** The encoding version byte. */
    public static final int VERSION = 1;

    private static final byte[] GENESIS = new byte[LENGTH];

    private TrancheDigest()
    {
    }

    /**
     * @param previousDigest the previous tranche's digest, or null (or empty) for tranche 1.
     * @param tranche        the tranche; its digest field is ignored.
     * @return SHA-256(previous || canonical(tranche)), 32 bytes.
     */
    public static byte[] compute(final byte[] previousDigest, final Tranche tranche)
    {
        final byte[] previous = previousDigest == null || previousDigest.length == 0 ? GENESIS : previousDigest;
        if (previous.length != LENGTH)
        {
            throw new IllegalArgumentException("previousDigest length=" + previous.length + ", must be " + LENGTH);
        }
        final MessageDigest sha = sha256();
        sha.update(previous);
        sha.update(canonical(tranche));
        return sha.digest();
    }

    /**
     * @param tranche a tranche.
     * @return its canonical encoding (see the class comment).
     */
    public static byte[] canonical(final Tranche tranche)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(64 + tranche.getAwardsCount() * 48);
        out.write(VERSION);
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

    /**
     * @param digest bytes.
     * @return lower-case hex.
     */
    public static String hex(final byte[] digest)
    {
        final StringBuilder sb = new StringBuilder(digest.length * 2);
        for (final byte b : digest)
        {
            sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
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

    private static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
        }
    }
}
