package io.tranche.server.cluster;

import io.aeron.archive.ArchiveTool;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The archive's recording checksums (CRC-32C of every fragment, written when recorded and checked when replayed)
 * on a member whose archive was written without them: before the archive starts, Aeron's {@link ArchiveTool}
 * computes them for every recording already on disk, once, so that the checked replay reads the old log. A file
 * {@value #MARKER} in the archive directory records that every recording has them.
 */
final class RecordingChecksums
{
    /** Present once every recording in the archive carries CRC-32C checksums. */
    static final String MARKER = "tranche-checksums-crc32c";
    private static final String CATALOG = "archive.catalog";

    private RecordingChecksums()
    {
    }

    /**
     * @param archiveDir the member's archive directory (it need not exist).
     * @return whether recordings were checksummed now.
     */
    static boolean migrate(final File archiveDir)
    {
        final Path dir = archiveDir.toPath();
        if (!Files.exists(dir.resolve(CATALOG)) || Files.exists(dir.resolve(MARKER)))
        {
            return false;
        }
        System.err.println("tranche: the archive " + archiveDir + " was written without recording checksums: " +
            "computing CRC-32C for every recording (once)");
        ArchiveTool.checksum(System.err, archiveDir, true, "CRC-32C");
        markEnabled(archiveDir);
        return true;
    }

    /** @param archiveDir the member's archive directory, now written with checksums. */
    static void markEnabled(final File archiveDir)
    {
        final Path marker = archiveDir.toPath().resolve(MARKER);
        if (Files.exists(marker))
        {
            return;
        }
        try
        {
            Files.createDirectories(archiveDir.toPath());
            Files.writeString(marker, "every recording in this archive carries CRC-32C checksums\n");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + marker, ex);
        }
    }
}
