package io.tranche.server.merkle;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * An Ed25519 note verifier key in the form of Go's {@code golang.org/x/mod/sumdb/note}:
 * {@code name+hex(key id)+base64(0x01 || 32-byte public key)}, the key id being the first four bytes of
 * {@code SHA-256(name || 0x0A || 0x01 || public key)} (c2sp.org/signed-note).
 */
public final class NoteVerifier
{
    /** The signature type byte of Ed25519 in a signed note. */
    public static final byte ED25519 = 0x01;

    // The DER prefix of an Ed25519 SubjectPublicKeyInfo: the raw key follows it.
    private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private final String name;
    private final int keyId;
    private final byte[] publicKey;
    private final PublicKey key;

    private NoteVerifier(final String name, final byte[] publicKey) throws GeneralSecurityException
    {
        this.name = name;
        this.publicKey = publicKey.clone();
        this.keyId = keyId(name, publicKey);
        final byte[] spki = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + publicKey.length);
        System.arraycopy(publicKey, 0, spki, SPKI_PREFIX.length, publicKey.length);
        this.key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
    }

    /**
     * @param name      the key name (non-empty, no spaces, no '+').
     * @param publicKey the 32-byte Ed25519 public key.
     * @return the verifier.
     * @throws IllegalArgumentException when the name or key is not valid.
     */
    public static NoteVerifier of(final String name, final byte[] publicKey)
    {
        checkName(name);
        if (publicKey.length != 32)
        {
            throw new IllegalArgumentException("an Ed25519 public key is 32 bytes, not " + publicKey.length);
        }
        try
        {
            return new NoteVerifier(name, publicKey);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalArgumentException("not an Ed25519 public key: " + ex.getMessage(), ex);
        }
    }

    /**
     * @param text a verifier key, {@code name+hash+base64key}.
     * @return the verifier.
     * @throws IllegalArgumentException naming what is wrong with it.
     */
    public static NoteVerifier parse(final String text)
    {
        final String[] parts = text.trim().split("\\+", 3);
        if (parts.length != 3)
        {
            throw new IllegalArgumentException("a verifier key is name+hash+key (three parts joined by '+'), not \"" +
                text.trim() + "\"");
        }
        final byte[] decoded;
        try
        {
            decoded = Base64.getDecoder().decode(parts[2]);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("the verifier key's key part is not base64: " + ex.getMessage(), ex);
        }
        if (decoded.length != 33 || decoded[0] != ED25519)
        {
            throw new IllegalArgumentException("the verifier key's key part is not 0x01 and a 32-byte Ed25519 key");
        }
        final NoteVerifier verifier = of(parts[0], Arrays.copyOfRange(decoded, 1, 33));
        if (!parts[1].equalsIgnoreCase(String.format("%08x", verifier.keyId)))
        {
            throw new IllegalArgumentException("the verifier key's hash " + parts[1] + " is not its key's id " +
                String.format("%08x", verifier.keyId));
        }
        return verifier;
    }

    /**
     * @param name      a key name.
     * @param publicKey its Ed25519 public key.
     * @return SHA-256(name || 0x0A || 0x01 || key)[0:4] as a big-endian int.
     */
    public static int keyId(final String name, final byte[] publicKey)
    {
        final java.security.MessageDigest sha = Rfc9162.newSha256();
        sha.update(name.getBytes(StandardCharsets.UTF_8));
        sha.update((byte)0x0A);
        sha.update(ED25519);
        sha.update(publicKey);
        final byte[] h = sha.digest();
        return (h[0] & 0xFF) << 24 | (h[1] & 0xFF) << 16 | (h[2] & 0xFF) << 8 | h[3] & 0xFF;
    }

    static void checkName(final String name)
    {
        if (name.isEmpty() || name.contains("+") || name.chars().anyMatch(Character::isWhitespace))
        {
            throw new IllegalArgumentException("a key name must be non-empty, without spaces or '+', was \"" + name +
                "\"");
        }
    }

    /**
     * @param message   the signed bytes.
     * @param signature the Ed25519 signature.
     * @return true when it verifies with this key.
     */
    public boolean verify(final byte[] message, final byte[] signature)
    {
        try
        {
            final Signature ed = Signature.getInstance("Ed25519");
            ed.initVerify(key);
            ed.update(message);
            return ed.verify(signature);
        }
        catch (final GeneralSecurityException ex)
        {
            return false;
        }
    }

    /** @return the key name. */
    public String name()
    {
        return name;
    }

    /** @return the key id. */
    public int keyId()
    {
        return keyId;
    }

    /** @return the 32-byte public key. */
    public byte[] publicKey()
    {
        return publicKey.clone();
    }

    @Override
    public String toString()
    {
        final byte[] encoded = new byte[33];
        encoded[0] = ED25519;
        System.arraycopy(publicKey, 0, encoded, 1, 32);
        return name + "+" + String.format("%08x", keyId) + "+" + Base64.getEncoder().encodeToString(encoded);
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof NoteVerifier v && v.name.equals(name) && Arrays.equals(v.publicKey, publicKey);
    }

    @Override
    public int hashCode()
    {
        return name.hashCode() * 31 + Arrays.hashCode(publicKey);
    }
}
