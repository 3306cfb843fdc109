package io.tranche.server.merkle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The server's ledger signing key: Ed25519 (the JDK's own), in {@code DATA_DIR/ledger-signing.key} (mode 0600),
 * created at the first start. The file is one line in the signer-key form of Go's
 * {@code golang.org/x/mod/sumdb/note}, {@code PRIVATE+KEY+name+hex(key id)+base64(0x01 || 32-byte seed)}, so the
 * key's name (the log's origin) is fixed with the key.
 */
public final class LedgerKey
{
    /** The key's file name in a data directory. */
    public static final String FILE = "ledger-signing.key";

    private static final String PREFIX = "PRIVATE+KEY+";

    private final NoteVerifier verifier;
    private final PrivateKey privateKey;

    private LedgerKey(final String name, final byte[] seed) throws GeneralSecurityException
    {
        this.privateKey = KeyFactory.getInstance("Ed25519")
            .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
        this.verifier = NoteVerifier.of(name, publicKey(seed));
    }

    // RFC 8032 derives the public key from the 32-byte seed; the JDK does it when it generates a key pair, so the
    // generator is given the seed as its randomness.
    private static byte[] publicKey(final byte[] seed) throws GeneralSecurityException
    {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        generator.initialize(NamedParameterSpec.ED25519, new SecureRandom()
        {
            private static final long serialVersionUID = 1L;

            @Override
            public void nextBytes(final byte[] bytes)
            {
                System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
            }
        });
        final KeyPair pair = generator.generateKeyPair();
        final byte[] spki = ((EdECPublicKey)pair.getPublic()).getEncoded();
        return Arrays.copyOfRange(spki, spki.length - 32, spki.length);
    }

    /**
     * Loads the data directory's key, creating it (with the given origin, or a default) when there is none.
     *
     * @param dataDir the data directory.
     * @param origin  the log's origin ({@code --log-origin}), or null for the key's own (or, for a new key,
     *                {@code tranche/} and the first 8 hex digits of SHA-256 of its public key).
     * @return the key.
     * @throws IOException when the file cannot be read or written, is damaged, or was made for another origin.
     */
    public static LedgerKey loadOrCreate(final Path dataDir, final String origin) throws IOException
    {
        final Path file = dataDir.resolve(FILE);
        if (!Files.exists(file))
        {
            create(file, origin);
        }
        final LedgerKey key = load(file);
        if (origin != null && !origin.equals(key.name()))
        {
            throw new IOException("--log-origin " + origin + " differs from the origin of the ledger's signing key " +
                file + " (" + key.name() + "): a log keeps its origin; drop the flag or give " + key.name());
        }
        return key;
    }

    private static void create(final Path file, final String origin) throws IOException
    {
        final byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        final String name;
        try
        {
            name = origin != null ? origin :
                "tranche/" + HexFormat.of().formatHex(Rfc9162.newSha256().digest(publicKey(seed)), 0, 4);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IOException("cannot make an Ed25519 key: " + ex.getMessage(), ex);
        }
        NoteVerifier.checkName(name);
        final byte[] encoded = new byte[33];
        encoded[0] = NoteVerifier.ED25519;
        System.arraycopy(seed, 0, encoded, 1, 32);
        final int id;
        try
        {
            id = NoteVerifier.keyId(name, publicKey(seed));
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IOException("cannot make an Ed25519 key: " + ex.getMessage(), ex);
        }
        final String line = PREFIX + name + "+" + String.format("%08x", id) + "+" +
            Base64.getEncoder().encodeToString(encoded) + "\n";
        final Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        try
        {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        catch (final UnsupportedOperationException ex)
        {
            Files.createFile(temp);
        }
        catch (final FileAlreadyExistsException ex)
        {
            throw new IOException("cannot create " + temp + ": it appeared meanwhile", ex);
        }
        Files.write(temp, line.getBytes(StandardCharsets.UTF_8), StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * @param file a key file.
     * @return the key.
     * @throws IOException when it cannot be read or is not a key of this form.
     */
    public static LedgerKey load(final Path file) throws IOException
    {
        final String text = Files.readString(file, StandardCharsets.UTF_8).trim();
        final String[] parts = text.startsWith(PREFIX) ? text.substring(PREFIX.length()).split("\\+", 3) : null;
        if (parts == null || parts.length != 3)
        {
            throw new IOException(file + " is not a ledger signing key (PRIVATE+KEY+name+hash+key)");
        }
        final byte[] decoded;
        try
        {
            decoded = Base64.getDecoder().decode(parts[2]);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IOException(file + ": the key part is not base64", ex);
        }
        if (decoded.length != 33 || decoded[0] != NoteVerifier.ED25519)
        {
            throw new IOException(file + ": the key part is not 0x01 and a 32-byte Ed25519 seed");
        }
        final LedgerKey key;
        try
        {
            key = new LedgerKey(parts[0], Arrays.copyOfRange(decoded, 1, 33));
        }
        catch (final GeneralSecurityException | IllegalArgumentException ex)
        {
            throw new IOException(file + ": " + ex.getMessage(), ex);
        }
        if (!parts[1].equalsIgnoreCase(String.format("%08x", key.verifier.keyId())))
        {
            throw new IOException(file + ": its hash " + parts[1] + " is not its key's id " +
                String.format("%08x", key.verifier.keyId()));
        }
        return key;
    }

    /** @return the key's name: the log's origin. */
    public String name()
    {
        return verifier.name();
    }

    /** @return its verifier (public) key. */
    public NoteVerifier verifier()
    {
        return verifier;
    }

    /**
     * @param message bytes to sign.
     * @return the Ed25519 signature.
     */
    public byte[] sign(final byte[] message)
    {
        try
        {
            final Signature ed = Signature.getInstance("Ed25519");
            ed.initSign(privateKey);
            ed.update(message);
            return ed.sign();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("Ed25519 signing failed: " + ex.getMessage(), ex);
        }
    }
}
