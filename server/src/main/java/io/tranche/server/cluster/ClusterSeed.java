package io.tranche.server.cluster;

import io.tranche.server.state.CommandLog;
import io.tranche.server.state.Outcome;
import io.tranche.server.storage.Writer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The migration of a single-node data directory into a cluster: the single-node state (its newest
 * snapshot plus the journal after it, recovered by the same code as {@code tranche serve}, which refuses a
 * damaged directory) is written into each member's data directory as {@value #FILE}, in the cluster
 * snapshot's format. A member whose cluster has no snapshot yet starts its service from the seed and
 * replays the log on top of it; once the cluster has taken a snapshot, the seed is no longer read.
 * <p>
 * The file is {@code magic "TRSD", version 1, length (8 bytes), the state, CRC-32C of all before it}:
 * written to a temporary file, synced, then renamed. A damaged seed stops the member from starting.
 */
public final class ClusterSeed
{
    /** The seed's file name in a member's data directory. */
    public static final String FILE = "seed.state";

    private static final int MAGIC = 0x54525344; // "TRSD"
    private static final int VERSION = 1;
    private static final int HEADER = 16;

    private ClusterSeed()
    {
    }

    /**
     * Recovers a single-node data directory (locking it, so its server must be stopped) and returns its state.
     *
     * @param singleNodeDir the single-node server's {@code --data-dir}.
     * @param maxQueue      most claims in the queue, as the server was run with.
     * @return the state, in the cluster snapshot's format.
     * @throws IOException when the directory is missing, in use or damaged (the recovery's own message).
     */
    public static byte[] export(final Path singleNodeDir, final int maxQueue) throws IOException
    {
        if (!Files.isDirectory(singleNodeDir) || isEmpty(singleNodeDir))
        {
            throw new IOException("--from " + singleNodeDir + " is not a tranche data directory");
        }
        final CompletableFuture<byte[]> state = new CompletableFuture<>();
        try (Writer writer = Writer.open(new Writer.Settings()
            .dataDir(singleNodeDir)
            .snapshotEvery(io.tranche.server.storage.Writer.Settings.SNAPSHOT_EVERY_DEFAULT)
            .queueCapacity(16)
            .maxQueue(maxQueue)
            .log(line ->
            {
            })))
        {
            final boolean queued = writer.read((machine, now) ->
            {
                // On the writer's thread: the ledger and the queue at the same record.
                state.complete(QueueClusteredService.encodeState(machine.ledger(), machine));
                return Outcome.failed(Outcome.Kind.UNAVAILABLE, "read only");
            }, new CommandLog.Reply()
            {
                @Override
                public Outcome.Kind abandoned()
                {
                    return null;
                }

                @Override
                public void complete(final Outcome outcome)
                {
                }
            });
            if (!queued)
            {
                throw new IOException("the recovered state could not be read (writer queue full)");
            }
            return state.get(60, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + singleNodeDir, ex);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            throw new IOException("cannot read the state of " + singleNodeDir + ": " + ex, ex);
        }
    }

    /**
     * Writes the seed into a member's data directory, refusing one that already holds a cluster log or a seed.
     *
     * @param nodeDir the member's {@code --data-dir}.
     * @param state   the state from {@link #export}.
     * @throws IOException when the directory already belongs to a cluster member, or on a write failure.
     */
    public static void write(final Path nodeDir, final byte[] state) throws IOException
    {
        for (final String part : new String[] {"cluster", "archive"})
        {
            final Path dir = nodeDir.resolve(part);
            if (Files.isDirectory(dir) && !isEmpty(dir))
            {
                throw new IOException("--data-dir " + nodeDir + " already holds a cluster log (" + dir +
                    "): a member is seeded only before its first start");
            }
        }
        if (Files.exists(nodeDir.resolve(FILE)))
        {
            throw new IOException("--data-dir " + nodeDir + " is already seeded (" + nodeDir.resolve(FILE) + ")");
        }
        Files.createDirectories(nodeDir);
        final ByteBuffer file = ByteBuffer.allocate(HEADER + state.length + 4);
        file.putInt(MAGIC).putInt(VERSION).putLong(state.length).put(state);
        final CRC32C crc = new CRC32C();
        crc.update(file.array(), 0, file.position());
        file.putInt((int)crc.getValue()).flip();
        final Path temp = nodeDir.resolve(FILE + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            while (file.hasRemaining())
            {
                channel.write(file);
            }
            channel.force(true);
        }
        Files.move(temp, nodeDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel dir = FileChannel.open(nodeDir, StandardOpenOption.READ))
        {
            dir.force(true);
        }
        catch (final IOException ignore)
        {
            // Not every file system syncs a directory; the rename is then as durable as it gets.
        }
    }

    /**
     * @param nodeDir a member's data directory.
     * @return the seed's state, or null when the member was not seeded.
     * @throws UncheckedIOException when the seed is damaged (naming the file and what is wrong).
     */
    public static byte[] load(final Path nodeDir)
    {
        final Path path = nodeDir.resolve(FILE);
        if (!Files.exists(path))
        {
            return null;
        }
        try
        {
            final byte[] bytes = Files.readAllBytes(path);
            final ByteBuffer file = ByteBuffer.wrap(bytes);
            if (bytes.length < HEADER + 4 || file.getInt(0) != MAGIC || file.getInt(4) != VERSION ||
                file.getLong(8) != bytes.length - HEADER - 4)
            {
                throw new IOException("seed file " + path + " is damaged (bad header or length, " + bytes.length +
                    " bytes)");
            }
            final CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length - 4);
            if ((int)crc.getValue() != file.getInt(bytes.length - 4))
            {
                throw new IOException("seed file " + path + " fails its checksum (" + bytes.length + " bytes)");
            }
            final byte[] state = new byte[bytes.length - HEADER - 4];
            System.arraycopy(bytes, HEADER, state, 0, state.length);
            return state;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex.getMessage() + "; refusing to start: seed the member again from the " +
                "single-node directory (tranche cluster seed) before its first start", ex);
        }
    }

    /**
     * @param state a state.
     * @return its SHA-256, hex (as {@link QueueClusteredService#stateHash} computes it).
     */
    public static String sha256(final byte[] state)
    {
        return QueueClusteredService.sha256(state);
    }

    private static boolean isEmpty(final Path dir) throws IOException
    {
        try (Stream<Path> entries = Files.list(dir))
        {
            return entries.findFirst().isEmpty();
        }
    }
}
