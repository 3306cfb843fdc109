package io.tranche.server.merkle;

import java.util.Base64;

/**
 * The text of a checkpoint (c2sp.org/tlog-checkpoint): the origin, the tree size in decimal and the base64 root
 * hash, one a line. Signed, it is a {@link SignedNote}.
 *
 * @param origin the log's origin.
 * @param size   the tree size.
 * @param root   the root hash at that size.
 */
public record Checkpoint(String origin, long size, byte[] root)
{
    /** @return the note text, three lines. */
    public String text()
    {
        return origin + "\n" + size + "\n" + Base64.getEncoder().encodeToString(root) + "\n";
    }

    /**
     * @param key the signing key (its name is the origin).
     * @return the signed note.
     */
    public String sign(final LedgerKey key)
    {
        return SignedNote.sign(text(), key);
    }

    /**
     * @param text a checkpoint's note text (extension lines after the third are allowed and ignored).
     * @return the checkpoint.
     * @throws IllegalArgumentException naming the malformed line.
     */
    public static Checkpoint parse(final String text)
    {
        final String[] lines = text.split("\n", -1);
        if (lines.length < 4 || !lines[lines.length - 1].isEmpty())
        {
            throw new IllegalArgumentException("a checkpoint has an origin, a size and a root hash line, each " +
                "ending in a newline");
        }
        if (lines[0].isEmpty())
        {
            throw new IllegalArgumentException("the checkpoint's origin line is empty");
        }
        if (!lines[1].matches("0|[1-9][0-9]{0,18}"))
        {
            throw new IllegalArgumentException("the checkpoint's size line is not a decimal number: \"" + lines[1] +
                "\"");
        }
        final byte[] root;
        try
        {
            root = Base64.getDecoder().decode(lines[2]);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("the checkpoint's root line is not base64: \"" + lines[2] + "\"", ex);
        }
        if (root.length != Rfc9162.HASH_BYTES)
        {
            throw new IllegalArgumentException("the checkpoint's root hash is " + root.length + " bytes, not 32");
        }
        return new Checkpoint(lines[0], Long.parseLong(lines[1]), root);
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof Checkpoint c && c.origin.equals(origin) && c.size == size &&
            java.util.Arrays.equals(c.root, root);
    }

    @Override
    public int hashCode()
    {
        return origin.hashCode() * 31 + Long.hashCode(size) * 17 + java.util.Arrays.hashCode(root);
    }

    @Override
    public String toString()
    {
        return origin + " size " + size + " root " + Rfc9162.hex(root);
    }
}
