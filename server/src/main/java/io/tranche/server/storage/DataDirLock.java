package io.tranche.server.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * The data directory's owner: an exclusive lock on {@code LOCK}, plus a check that the locked file is
 * still the one named {@code LOCK} (deleting it would otherwise let a second server take a new one).
 * The journal also locks its active segment, which cannot be deleted without destroying data.
 */
public final class DataDirLock implements AutoCloseable
{
    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final Object fileKey;

    private DataDirLock(final Path path, final FileChannel channel, final FileLock lock, final Object fileKey)
    {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.fileKey = fileKey;
    }

    /**
     * @param dir the data directory.
     * @return the lock.
     * @throws IOException when another server holds it.
     */
    public static DataDirLock acquire(final Path dir) throws IOException
    {
        final Path path = dir.resolve("LOCK");
        final FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try
        {
            lock = channel.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            lock = null;
        }
        if (lock == null)
        {
            channel.close();
            throw new IOException("data directory " + dir + " is in use by another tranche server");
        }
        return new DataDirLock(path, channel, lock, key(path));
    }

    private static Object key(final Path path) throws IOException
    {
        return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    }

    /** @return null while this process still owns the directory, else what changed. */
    public String check()
    {
        try
        {
            if (fileKey != null && !Objects.equals(fileKey, key(path)))
            {
                return "the data directory's LOCK file " + path + " was replaced";
            }
            return null;
        }
        catch (final NoSuchFileException ex)
        {
            return "the data directory's LOCK file " + path + " was deleted";
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    @Override
    public void close() throws IOException
    {
        try
        {
            lock.release();
        }
        finally
        {
            channel.close();
        }
    }
}
