package io.tranche.server.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * One run of the {@code tranche} command line in this JVM ({@link Main#execute}) with its standard output and error
 * captured, for the tests that check what a command prints. Runs one at a time: the standard streams are global.
 *
 * @param status the exit status.
 * @param out    what the command printed on standard output.
 * @param err    what it printed on standard error.
 */
public record CliRun(int status, String out, String err)
{
    /**
     * @param args the command line.
     * @return the exit status and the captured output; standard input is left as it is.
     */
    public static CliRun run(final String... args)
    {
        return withInput(null, args);
    }

    /**
     * @param stdin what the command reads on standard input, or null to leave standard input as it is.
     * @param args  the command line.
     * @return the exit status and the captured output.
     */
    public static synchronized CliRun withInput(final String stdin, final String... args)
    {
        final InputStream in = System.in;
        final PrintStream out = System.out;
        final PrintStream err = System.err;
        final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try
        {
            if (stdin != null)
            {
                System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            }
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            final int status = Main.execute(args);
            return new CliRun(status, outBytes.toString(StandardCharsets.UTF_8),
                errBytes.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setIn(in);
            System.setOut(out);
            System.setErr(err);
        }
    }
}
