package io.tranche.server.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret every member of a cluster shares ({@code --cluster-secret FILE}): it authenticates each ingress
 * session (an HMAC-SHA256 of a nonce the member issues, {@link ClusterAuthenticator}) and each command on the
 * log (an HMAC-SHA256 over the command, its session and its sequence number, {@link ClusterProtocol}).
 * <p>
 * The file holds at least {@link #MIN_LENGTH} bytes, taken as they are (random bytes, or their hex or base64 text:
 * what matters is that every member has the same file). It must be readable by its owner only.
 */
public final class ClusterSecret
{
    /** The fewest bytes a secret may have. */
    public static final int MIN_LENGTH = 32;
    /** Length of every HMAC this secret makes. */
    public static final int MAC_LENGTH = 32;
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    private final Mac mac;

    private ClusterSecret(final byte[] bytes)
    {
        key = new SecretKeySpec(bytes, ALGORITHM);
        mac = newMac(key);
    }

    /**
     * @param bytes the secret's bytes, at least {@link #MIN_LENGTH}.
     * @return the secret.
     * @throws IllegalArgumentException when too short.
     */
    public static ClusterSecret of(final byte[] bytes)
    {
        if (bytes.length < MIN_LENGTH)
        {
            throw new IllegalArgumentException("--cluster-secret must hold at least " + MIN_LENGTH +
                " bytes, has " + bytes.length + "; make one with: head -c 32 /dev/urandom > FILE && chmod 600 FILE");
        }
        return new ClusterSecret(bytes.clone());
    }

    /**
     * Reads the secret file, refusing one that others may read.
     *
     * @param file the file.
     * @return the secret.
     * @throws IllegalArgumentException naming {@code --cluster-secret} and the reason, in one line.
     */
    public static ClusterSecret load(final Path file)
    {
        try
        {
            final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            for (final PosixFilePermission p : permissions)
            {
                final String name = p.name();
                if (name.startsWith("GROUP_") || name.startsWith("OTHERS_"))
                {
                    throw new IllegalArgumentException("--cluster-secret " + file + " is readable by others " +
                        "(mode " + java.nio.file.attribute.PosixFilePermissions.toString(permissions) + "): " +
                        "chmod 600 " + file);
                }
            }
            final byte[] bytes = Files.readAllBytes(file);
            if (bytes.length < MIN_LENGTH)
            {
                throw new IllegalArgumentException("--cluster-secret " + file + " holds " + bytes.length +
                    " bytes, fewer than " + MIN_LENGTH + "; make one with: head -c 32 /dev/urandom > FILE && " +
                    "chmod 600 FILE");
            }
            return of(bytes);
        }
        catch (final NoSuchFileException ex)
        {
            throw new IllegalArgumentException("--cluster-secret " + file + " does not exist", ex);
        }
        catch (final UnsupportedOperationException ex)
        {
            throw new IllegalArgumentException("--cluster-secret " + file + ": this file system has no POSIX " +
                "permissions to check that only its owner can read it", ex);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("--cluster-secret " + file + " cannot be read: " + ex.getMessage(), ex);
        }
    }

    /**
     * @param parts the bytes to authenticate, in order.
     * @return HMAC-SHA256 under the secret. Not thread-safe: one caller thread per instance, or {@link #copy()}.
     */
    public byte[] mac(final byte[]... parts)
    {
        for (final byte[] part : parts)
        {
            mac.update(part);
        }
        return mac.doFinal();
    }

    /**
     * @param expected what {@link #mac} computed.
     * @param actual   what was received.
     * @return whether they are equal, in time independent of where they differ.
     */
    public static boolean equal(final byte[] expected, final byte[] actual)
    {
        return MessageDigest.isEqual(expected, actual);
    }

    /**
     * @param domain  the domain separator.
     * @param session the session id's bytes.
     * @param message the message.
     * @param length  how many of its first bytes to authenticate.
     * @return HMAC-SHA256 under the secret of domain ‖ session ‖ message[0, length). Not thread-safe, as above.
     */
    public byte[] mac(final byte[] domain, final byte[] session, final byte[] message, final int length)
    {
        mac.update(domain);
        mac.update(session);
        mac.update(message, 0, length);
        return mac.doFinal();
    }

    /** @return an instance for another thread (the same key). */
    public ClusterSecret copy()
    {
        return new ClusterSecret(key.getEncoded());
    }

    private static Mac newMac(final SecretKeySpec key)
    {
        try
        {
            final Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("the JDK has no " + ALGORITHM, ex);
        }
    }
}
