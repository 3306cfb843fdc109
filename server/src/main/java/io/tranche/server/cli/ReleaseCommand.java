package io.tranche.server.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until the server issue lands. */
@Command(name = "release", description = "Not implemented yet.")
public final class ReleaseCommand implements Callable<Integer>
{
    @Override
    public Integer call()
    {
        System.err.println("tranche release: not implemented yet");
        return 1;
    }
}
