package io.tranche.server.merkle;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A signed note (c2sp.org/signed-note): a text ending in a newline, a blank line, then one line per signature,
 * {@code "— " name " " base64(4-byte key id || signature)}. Signing and the verification rules of the spec: a
 * signature whose key name and id are not the verifier's is ignored; the verifier's must be there and must
 * verify.
 */
public final class SignedNote
{
    /** The em dash (U+2014) and space that start a signature line. */
    public static final String SIGNATURE_PREFIX = "\u2014 ";

    private static final int MAX_SIGNATURES = 100;

    private SignedNote()
    {
    }

    /**
     * One signature line.
     *
     * @param name      the key name.
     * @param keyId     the key id.
     * @param signature the signature bytes.
     */
    public record Signature(String name, int keyId, byte[] signature)
    {
    }

    /**
     * A parsed note.
     *
     * @param text       the signed text, final newline included.
     * @param signatures its signature lines.
     */
    public record Parsed(String text, List<Signature> signatures)
    {
    }

    /**
     * @param text a text ending in a newline.
     * @param key  the signing key.
     * @return the note signed by it.
     */
    public static String sign(final String text, final LedgerKey key)
    {
        if (!text.endsWith("\n"))
        {
            throw new IllegalArgumentException("a note's text ends with a newline");
        }
        final byte[] signature = key.sign(text.getBytes(StandardCharsets.UTF_8));
        final byte[] encoded = ByteBuffer.allocate(4 + signature.length).putInt(key.verifier().keyId()).put(signature)
            .array();
        return text + "\n" + SIGNATURE_PREFIX + key.name() + " " + Base64.getEncoder().encodeToString(encoded) + "\n";
    }

    /**
     * @param note a signed note.
     * @return its text and signatures.
     * @throws IllegalArgumentException naming what is malformed.
     */
    public static Parsed parse(final String note)
    {
        for (int i = 0; i < note.length(); i++)
        {
            final char c = note.charAt(i);
            if (c < 0x20 && c != '\n')
            {
                throw new IllegalArgumentException("the note holds a control character at index " + i);
            }
        }
        final int split = note.lastIndexOf("\n\n");
        if (split < 0 || !note.endsWith("\n"))
        {
            throw new IllegalArgumentException("the note has no blank line before its signatures");
        }
        final String text = note.substring(0, split + 1);
        final List<Signature> signatures = new ArrayList<>();
        for (final String line : note.substring(split + 2, note.length() - 1).split("\n", -1))
        {
            if (!line.startsWith(SIGNATURE_PREFIX))
            {
                throw new IllegalArgumentException("a signature line must start with an em dash and a space: \"" +
                    line + "\"");
            }
            final String[] parts = line.substring(SIGNATURE_PREFIX.length()).split(" ", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[0].contains("+"))
            {
                throw new IllegalArgumentException("a signature line is \"— name signature\": \"" + line + "\"");
            }
            final byte[] bytes;
            try
            {
                bytes = Base64.getDecoder().decode(parts[1]);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("the signature of " + parts[0] + " is not base64", ex);
            }
            if (bytes.length < 5)
            {
                throw new IllegalArgumentException("the signature of " + parts[0] + " is too short");
            }
            signatures.add(new Signature(parts[0], ByteBuffer.wrap(bytes).getInt(),
                java.util.Arrays.copyOfRange(bytes, 4, bytes.length)));
        }
        if (signatures.size() > MAX_SIGNATURES)
        {
            throw new IllegalArgumentException("the note has " + signatures.size() + " signatures, more than " +
                MAX_SIGNATURES);
        }
        return new Parsed(text, signatures);
    }

    /**
     * Verifies a note with one trusted key.
     *
     * @param note     a signed note.
     * @param verifier the trusted key.
     * @return null when the key's signature is there and verifies; else why the note is refused.
     */
    public static String problem(final String note, final NoteVerifier verifier)
    {
        final Parsed parsed;
        try
        {
            parsed = parse(note);
        }
        catch (final IllegalArgumentException ex)
        {
            return "malformed note: " + ex.getMessage();
        }
        final List<String> others = new ArrayList<>();
        for (final Signature s : parsed.signatures())
        {
            if (s.name().equals(verifier.name()) && s.keyId() == verifier.keyId())
            {
                return verifier.verify(parsed.text().getBytes(StandardCharsets.UTF_8), s.signature()) ? null :
                    "the signature of " + verifier.name() + "+" + String.format("%08x", verifier.keyId()) +
                    " does not verify (forged, or the note was altered)";
            }
            others.add(s.name() + "+" + String.format("%08x", s.keyId()));
        }
        return "not signed by the trusted key " + verifier.name() + "+" + String.format("%08x", verifier.keyId()) +
            (others.isEmpty() ? "" : " (signed by " + String.join(", ", others) + ": the wrong key)");
    }
}
