package io.tranche.server.grpc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opaque, tamper-evident page tokens (AIP-158). A token is the URL-safe base64 (no padding) of 26 bytes:
 * <pre>
 *   version (1) = 1 | kind (1): 1 = ListClaims, 2 = ListTranches | after (8, big-endian) | HMAC-SHA256 (first 16)
 * </pre>
 * where {@code after} is the last queue position (claims) or tranche number (tranches) of the page, and the MAC
 * covers the first 10 bytes under a 256-bit key kept in the data directory ({@value #KEY_FILE}, created with mode
 * 0600 at first start). So a client cannot forge or alter a token, a token of one method is refused by the other,
 * a token of another server (another key) is refused, and so is the readable {@code claims:N} format of earlier
 * builds. The token carries no secret: it only needs to be unforgeable, not unreadable. Deleting the key file
 * invalidates outstanding tokens and nothing else.
 * <p>
 * Thread-safe: one {@link Mac} per thread.
 */
public final class PageTokens
{
    /** The key's file name in the data directory. */
    public static final String KEY_FILE = "page-token.key";
    /** Kind of a ListClaims token. */
    public static final byte CLAIMS = 1;
    /** Kind of a ListTranches token. */
    public static final byte TRANCHES = 2;
    /** What {@link #decode} returns for a token that is not valid for the method. */
    public static final long INVALID = -1;

    static final int KEY_BYTES = 32;
    static final byte VERSION = 1;
    static final int SIGNED_BYTES = 10;
    static final int MAC_BYTES = 16;
    static final int TOKEN_BYTES = SIGNED_BYTES + MAC_BYTES;
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

    /**
     * @param key {@value #KEY_BYTES} bytes.
     */
    public PageTokens(final byte[] key)
    {
        if (key.length != KEY_BYTES)
        {
            throw new IllegalArgumentException("page token key must be " + KEY_BYTES + " bytes, was " + key.length);
        }
        this.key = new SecretKeySpec(key.clone(), ALGORITHM);
        newMac();
    }

    /**
     * Reads the key from {@code dataDir/}{@value #KEY_FILE}, or creates it (random, mode 0600, written to a temp
     * file, synced and renamed, so a crash never leaves a short key).
     *
     * @param dataDir the data directory (exists, and is locked by this server).
     * @return the tokens.
     * @throws IOException when the key cannot be read or written, or has the wrong length.
     */
    public static PageTokens open(final Path dataDir) throws IOException
    {
        final Path file = dataDir.resolve(KEY_FILE);
        try
        {
            return new PageTokens(read(file));
        }
        catch (final NoSuchFileException ex)
        {
            final byte[] key = new byte[KEY_BYTES];
            new SecureRandom().nextBytes(key);
            final Path tmp = dataDir.resolve(KEY_FILE + ".tmp");
            Files.deleteIfExists(tmp);
            try (FileChannel channel = create(tmp))
            {
                final ByteBuffer buffer = ByteBuffer.wrap(key);
                while (buffer.hasRemaining())
                {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel directory = FileChannel.open(dataDir, StandardOpenOption.READ))
            {
                directory.force(true);
            }
            catch (final IOException ignored)
            {
                // Not every file system can sync a directory; at worst the key is made again after a crash,
                // which only invalidates page tokens.
            }
            return new PageTokens(key);
        }
    }

    private static byte[] read(final Path file) throws IOException
    {
        final byte[] key = Files.readAllBytes(file);
        if (key.length != KEY_BYTES)
        {
            throw new IOException(file + " holds " + key.length + " bytes, not a " + KEY_BYTES +
                "-byte page token key; " +
                "delete it and start again (a new key only invalidates outstanding page tokens)");
        }
        return key;
    }

    private static FileChannel create(final Path tmp) throws IOException
    {
        try
        {
            return FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        catch (final UnsupportedOperationException ex)
        {
            // Not a POSIX file system: the directory's own permissions protect the key.
            return FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
        catch (final FileAlreadyExistsException ex)
        {
            throw new IOException(tmp + " appeared while creating the page token key", ex);
        }
    }

    /**
     * @param kind  {@link #CLAIMS} or {@link #TRANCHES}.
     * @param after the last position or number of the page, {@code >= 0}.
     * @return the token.
     */
    public String encode(final byte kind, final long after)
    {
        final byte[] token = new byte[TOKEN_BYTES];
        token[0] = VERSION;
        token[1] = kind;
        for (int i = 0; i < 8; i++)
        {
            token[2 + i] = (byte)(after >>> (56 - 8 * i));
        }
        final byte[] mac = mac(token);
        System.arraycopy(mac, 0, token, SIGNED_BYTES, MAC_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(token);
    }

    /**
     * @param token a page token from a request, not empty.
     * @param kind  the kind the method expects.
     * @return the {@code after} it carries, or {@link #INVALID} when it is not a token this server made for that
     *         method (malformed, altered, another method's, another key's, an older format).
     */
    public long decode(final String token, final byte kind)
    {
        final byte[] bytes;
        try
        {
            bytes = Base64.getUrlDecoder().decode(token);
        }
        catch (final IllegalArgumentException ex)
        {
            return INVALID;
        }
        if (bytes.length != TOKEN_BYTES || bytes[0] != VERSION)
        {
            return INVALID;
        }
        final byte[] expected = mac(bytes);
        final byte[] presented = new byte[MAC_BYTES];
        System.arraycopy(bytes, SIGNED_BYTES, presented, 0, MAC_BYTES);
        // Compare the MAC before looking at the kind, in constant time.
        if (!MessageDigest.isEqual(java.util.Arrays.copyOf(expected, MAC_BYTES), presented) || bytes[1] != kind)
        {
            return INVALID;
        }
        long after = 0;
        for (int i = 0; i < 8; i++)
        {
            after = (after << 8) | (bytes[2 + i] & 0xFF);
        }
        return after < 0 ? INVALID : after;
    }

    private byte[] mac(final byte[] token)
    {
        final Mac mac = macs.get();
        mac.update(token, 0, SIGNED_BYTES);
        return mac.doFinal();
    }

    private Mac newMac()
    {
        try
        {
            final Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ALGORITHM + " is required by every Java platform", ex);
        }
    }
}
