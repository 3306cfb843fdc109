package io.tranche.server.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until the server issue lands. */
@Command(name = "serve", description = "Not implemented yet.")
public final class ServeCommand implements Callable<Integer>
{
    @Override
    public Integer call()
    {
        System.err.println("tranche serve: not implemented yet");
        return 1;
    }
}
