package io.tranche.server.cli;

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
    footer = {
        "",
        "The ./tranche launcher also runs the benchmarks: ./tranche bench --help (docs/benchmarks.md)."
    },
    subcommands = {
        AllocateCommand.class,
        ServeCommand.class,
        ClusterCommand.class,
        ClaimCommand.class,
        ReleaseCommand.class,
        TranchesCommand.class,
        HistoryCommand.class,
        VerifyCommand.class,
        ProofCommand.class,
        KeyCommand.class,
        LedgerCommand.class,
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
        return new CommandLine(new Main()).setParameterExceptionHandler(Main::optionError).execute(args);
    }

    /**
     * A mistake in the options: one line that says what is wrong, picocli's "did you mean" suggestions when it has
     * any, and where the full usage is; not the usage itself (forty lines that push the message off the screen).
     *
     * @param ex   what picocli found.
     * @param args the command line.
     * @return the exit status for a bad option, 2.
     */
    static int optionError(final CommandLine.ParameterException ex, final String[] args)
    {
        final CommandLine line = ex.getCommandLine();
        final java.io.PrintWriter err = line.getErr();
        final String name = line.getCommandSpec().qualifiedName();
        final String message = ex.getMessage() == null ? "bad option" : ex.getMessage().replace('\n', ' ');
        err.println(name + ": " + message);
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("see './" + name + " --help'");
        err.flush();
        return line.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** Reports the project version and the commit it was built from, as the build wrote them. */
    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion() throws java.io.IOException
        {
            final java.util.Properties p = new java.util.Properties();
            try (java.io.InputStream in = Main.class.getResourceAsStream("/io/tranche/server/version.properties"))
            {
                if (in != null)
                {
                    p.load(in);
                }
            }
            final String version = built(p.getProperty("version"));
            String commit = built(p.getProperty("commit"));
            if (commit != null && "true".equals(p.getProperty("dirty")))
            {
                commit += " with uncommitted changes";
            }
            return new String[] {"tranche " + (version == null ? "(unknown version)" : version) +
                " (commit " + (commit == null ? "unknown: built outside a git clone" : commit) + ")"};
        }

        private static String built(final String value)
        {
            // An unfiltered placeholder means the build did not know the value.
            return value == null || value.isEmpty() || value.startsWith("${") ? null : value;
        }
    }
}
