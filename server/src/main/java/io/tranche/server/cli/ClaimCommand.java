package io.tranche.server.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until the server issue lands. */
@Command(name = "claim", description = "Not implemented yet.")
public final class ClaimCommand implements Callable<Integer>
{
    @Override
    public Integer call()
    {
        System.err.println("tranche claim: not implemented yet");
        return 1;
    }
}
