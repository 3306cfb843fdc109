package io.tranche.server.cli;

import io.tranche.server.merkle.LedgerKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tranche key --data-dir D}: the ledger's verifier key, for auditors to pin. */
@Command(
    name = "key",
    mixinStandardHelpOptions = true,
    description = {
        "Prints the verifier key of a data directory's ledger signing key (DATA_DIR/ledger-signing.key, made at " +
            "the server's first start) in note verifier-key form, name+hash+key: give it to auditors, who pass it " +
            "to `verify --checkpoint FILE --key` and `proof --key`. Reads only.",
        "Exit status: 0 printed, 1 no key or an unreadable one."
    })
public final class KeyCommand implements Callable<Integer>
{
    @Option(names = "--data-dir", paramLabel = "DIR", required = true, description = "The server's data directory.")
    Path dataDir;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call()
    {
        final Path file = dataDir.resolve(LedgerKey.FILE);
        final PrintWriter err = spec.commandLine().getErr();
        if (!Files.exists(file))
        {
            err.println("tranche key: no " + file + ": the server makes it at its first start on --data-dir " +
                dataDir);
            err.flush();
            return QueueClient.EXIT_FAILURE;
        }
        try
        {
            final PrintWriter out = spec.commandLine().getOut();
            out.println(LedgerKey.load(file).verifier());
            out.flush();
            return 0;
        }
        catch (final IOException ex)
        {
            err.println("tranche key: " + ex.getMessage());
            err.flush();
            return QueueClient.EXIT_FAILURE;
        }
    }
}
