package io.tranche.server.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until the server issue lands. */
@Command(name = "tranches", description = "Not implemented yet.")
public final class TranchesCommand implements Callable<Integer>
{
    @Override
    public Integer call()
    {
        System.err.println("tranche tranches: not implemented yet");
        return 1;
    }
}
