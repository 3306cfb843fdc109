package io.tranche.server.cli;

import io.tranche.server.merkle.Checkpoint;
import io.tranche.server.merkle.NoteVerifier;
import io.tranche.server.merkle.Rfc9162;
import io.tranche.server.merkle.SignedNote;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What a verifier keeps between runs ({@code --checkpoint FILE}): FILE itself, the last signed checkpoint it
 * verified, as the server signed it (a C2SP note anyone can check); {@code FILE.vkey}, the verifier key it pins;
 * {@code FILE.leaves}, the leaf hashes of that checkpoint's tree (32 bytes each), so that a rewritten history can be
 * named by its first differing leaf. Each file is replaced whole (written aside, then renamed).
 */
final class CheckpointFile
{
    private final Path file;

    /** @param file the checkpoint file. */
    CheckpointFile(final Path file)
    {
        this.file = file;
    }

    /** @return the note's file. */
    Path path()
    {
        return file;
    }

    /** @return true when a checkpoint was saved. */
    boolean exists()
    {
        return Files.exists(file);
    }

    /**
     * @return the saved note.
     * @throws IOException when it cannot be read.
     */
    String note() throws IOException
    {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /**
     * @return the saved checkpoint.
     * @throws IOException when it cannot be read or is not a checkpoint.
     */
    Checkpoint checkpoint() throws IOException
    {
        try
        {
            return Checkpoint.parse(SignedNote.parse(note()).text());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IOException("--checkpoint " + file + " is not a signed checkpoint: " + ex.getMessage(), ex);
        }
    }

    /**
     * @param option {@code --log-key}: a verifier key, or {@code @FILE} holding one; null when not given.
     * @return the key to trust: the option's, else the one pinned beside the checkpoint, else null.
     * @throws IOException when a key file cannot be read or holds no valid key.
     */
    NoteVerifier pinned(final String option) throws IOException
    {
        final String text;
        final String source;
        if (option != null)
        {
            text = option.startsWith("@") ? Files.readString(Path.of(option.substring(1))) : option;
            source = "--log-key";
        }
        else if (Files.exists(keyFile()))
        {
            text = Files.readString(keyFile());
            source = keyFile().toString();
        }
        else
        {
            return null;
        }
        try
        {
            return NoteVerifier.parse(text.trim());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IOException(source + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @return the saved leaf hashes (empty when none were kept).
     * @throws IOException when the file cannot be read or is cut short.
     */
    List<byte[]> leaves() throws IOException
    {
        final List<byte[]> hashes = new ArrayList<>();
        if (!Files.exists(leavesFile()))
        {
            return hashes;
        }
        final byte[] bytes = Files.readAllBytes(leavesFile());
        if (bytes.length % Rfc9162.HASH_BYTES != 0)
        {
            throw new IOException(leavesFile() + " is " + bytes.length + " bytes, not a whole number of hashes");
        }
        for (int at = 0; at < bytes.length; at += Rfc9162.HASH_BYTES)
        {
            hashes.add(java.util.Arrays.copyOfRange(bytes, at, at + Rfc9162.HASH_BYTES));
        }
        return hashes;
    }

    /**
     * Replaces what is kept: the leaves first, the key, the note last (a run cut short leaves the older note).
     *
     * @param note   the verified note.
     * @param key    the key that verified it.
     * @param leaves its tree's leaf hashes, or null to keep none.
     * @throws IOException when a file cannot be written.
     */
    void save(final String note, final NoteVerifier key, final List<byte[]> leaves) throws IOException
    {
        if (leaves != null)
        {
            final byte[] bytes = new byte[leaves.size() * Rfc9162.HASH_BYTES];
            for (int i = 0; i < leaves.size(); i++)
            {
                System.arraycopy(leaves.get(i), 0, bytes, i * Rfc9162.HASH_BYTES, Rfc9162.HASH_BYTES);
            }
            replace(leavesFile(), bytes);
        }
        replace(keyFile(), (key + "\n").getBytes(StandardCharsets.UTF_8));
        replace(file, note.getBytes(StandardCharsets.UTF_8));
    }

    private static void replace(final Path target, final byte[] bytes) throws IOException
    {
        final Path parent = target.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
        final Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(temp, bytes);
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** @return the pinned verifier key's file. */
    Path keyFile()
    {
        return file.resolveSibling(file.getFileName() + ".vkey");
    }

    /** @return the saved leaf hashes' file. */
    Path leavesFile()
    {
        return file.resolveSibling(file.getFileName() + ".leaves");
    }
}
