package io.tranche.server;

import io.tranche.server.cli.AllocateCommand;
import io.tranche.server.cli.ClaimCommand;
import io.tranche.server.cli.ClusterCommand;
import io.tranche.server.cli.ProblemsCommand;
import io.tranche.server.cli.ReleaseCommand;
import io.tranche.server.cli.ServeCommand;
import io.tranche.server.cli.TranchesCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tranche} command line: {@code allocate}, {@code serve} and the queue client commands.
 */
@Command(
    name = "tranche",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Exact, allocation-free rationing of scarce supply across a queue of claims.",
    subcommands = {
        AllocateCommand.class,
        ServeCommand.class,
        ClusterCommand.class,
        ClaimCommand.class,
        ReleaseCommand.class,
        TranchesCommand.class,
        ProblemsCommand.class,
        CommandLine.HelpCommand.class
    })
public final class Main implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(System.err);
    }

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.exit(execute(args));
    }

    /**
     * Runs the command line without exiting, for tests.
     *
     * @param args command line.
     * @return the exit status.
     */
    public static int execute(final String... args)
    {
        return new CommandLine(new Main()).execute(args);
    }

    /** Reports the version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"tranche " + (v == null ? "dev" : v)};
        }
    }
}
