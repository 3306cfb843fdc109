package io.tranche.server.storage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM that writes a journal and is killed in the middle of it: {@code SYNCED} records, each synced (each
 * acknowledged, were this a server), then {@code UNSYNCED} records of {@code BYTES} bytes appended without a sync,
 * enough to overflow the journal's 64 KiB buffer so that part of them reaches the file. It then prints
 * {@code ready} and waits for its SIGKILL: the file ends in bytes that were written but never synced.
 */
final class JournalChild
{
    private JournalChild()
    {
    }

    /** @param args data directory, synced records, unsynced records, bytes per unsynced record. */
    public static void main(final String[] args) throws IOException, InterruptedException
    {
        final Path dir = java.nio.file.Files.createDirectories(Path.of(args[0]));
        final int synced = Integer.parseInt(args[1]);
        final int unsynced = Integer.parseInt(args[2]);
        final int bytes = Integer.parseInt(args[3]);
        final Journal journal = Journal.recover(dir, 0, new Journal.Options(), (a, b, c, d, e, f) -> { },
            System.err::println);
        for (int i = 1; i <= synced; i++)
        {
            journal.append((byte)1, i, payload(i, 40 + i % 50));
            journal.sync();
        }
        for (int i = synced + 1; i <= synced + unsynced; i++)
        {
            journal.append((byte)1, i, payload(i, bytes));
        }
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(TimeUnit.MINUTES.toMillis(5));
    }

    /** @return the payload of record {@code i}: its number, then filler, never two zero bytes in a row. */
    static byte[] payload(final int i, final int size)
    {
        final byte[] p = new byte[size];
        for (int k = 0; k < size; k++)
        {
            p[k] = (byte)('a' + (i + k) % 26);
        }
        return p;
    }

    /**
     * Runs the child on {@code dir} and kills it with SIGKILL once it is ready.
     *
     * @return the child's standard error.
     */
    static String writeAndKill(final Path dir, final int synced, final int unsynced, final int bytes)
        throws IOException, InterruptedException
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp",
            System.getProperty("java.class.path"), JournalChild.class.getName(), dir.toString(),
            Integer.toString(synced), Integer.toString(unsynced), Integer.toString(bytes)));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final StringBuilder output = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                output.append(line).append('\n');
                if (line.equals("ready"))
                {
                    break;
                }
            }
            // SIGKILL: the journal's buffer and its unsynced bytes stay as they are.
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        finally
        {
            process.destroyForcibly();
        }
        if (!output.toString().contains("ready\n"))
        {
            throw new AssertionError("the journal child ended before it was ready:\n" + output);
        }
        return output.toString();
    }
}
