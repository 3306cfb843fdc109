package io.tranche.server.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that talks to the queue service: opens the connection, runs, and turns any failure into one
 * line on standard error and an exit status (2 for a mistake in the request, 1 otherwise), never a stack
 * trace.
 */
public abstract class ClientCommand implements Callable<Integer>
{
    @Mixin
    ClientOptions client;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call()
    {
        final PrintWriter err = spec.commandLine().getErr();
        if (!needsConnection())
        {
            try
            {
                final int status = runOffline(spec.commandLine().getOut());
                spec.commandLine().getOut().flush();
                return status;
            }
            catch (final IOException | RuntimeException ex)
            {
                spec.commandLine().getOut().flush();
                err.println(name() + ": " +
                    (ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage()));
                err.flush();
                return QueueClient.EXIT_FAILURE;
            }
        }
        QueueClient connection = null;
        try
        {
            connection = new QueueClient(client, client.timeout(defaultTimeout()));
        }
        catch (final IOException | RuntimeException ex)
        {
            // A bad --server address or an unreadable --ca file: the user's to fix, like a bad option.
            err.println(name() + ": cannot set up the connection to " + client.server() + ": " +
                (ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage()));
            err.flush();
            return QueueClient.EXIT_CLIENT_ERROR;
        }
        try
        {
            final int status = run(connection, spec.commandLine().getOut());
            spec.commandLine().getOut().flush();
            return status;
        }
        catch (final StatusRuntimeException ex)
        {
            spec.commandLine().getOut().flush();
            final int status = connection.report(err, name(), ex);
            failed(err, ex);
            return status;
        }
        catch (final picocli.CommandLine.ParameterException ex)
        {
            // A usage mistake found after parsing: picocli prints it with the usage and exits 2.
            throw ex;
        }
        catch (final IOException | RuntimeException ex)
        {
            spec.commandLine().getOut().flush();
            err.println(name() + ": " + (ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage()));
            err.flush();
            return QueueClient.EXIT_FAILURE;
        }
        finally
        {
            if (connection != null)
            {
                saveSession(connection, err);
                connection.close();
            }
        }
    }

    // The positions answered are true whatever the command's outcome: keep them for the session's next command.
    private void saveSession(final QueueClient connection, final PrintWriter err)
    {
        try
        {
            connection.saveSession();
        }
        catch (final IOException | RuntimeException ex)
        {
            err.println(name() + ": cannot save --session: " + ex.getMessage());
            err.flush();
        }
    }

    /**
     * Runs the command.
     *
     * @param connection the open connection.
     * @param out        standard output.
     * @return the exit status.
     * @throws IOException when a local file cannot be read.
     */
    protected abstract int run(QueueClient connection, PrintWriter out) throws IOException;

    /** @return false for a command that works without a server this time (then {@link #runOffline} runs). */
    protected boolean needsConnection()
    {
        return true;
    }

    /**
     * Runs the command without a connection, when {@link #needsConnection()} is false.
     *
     * @param out standard output.
     * @return the exit status.
     * @throws IOException when a local file cannot be read.
     */
    protected int runOffline(final PrintWriter out) throws IOException
    {
        throw new IllegalStateException("no offline mode");
    }

    /** @return the deadline of each call when {@code --timeout} is not given, or null for none. */
    protected Duration defaultTimeout()
    {
        return ClientDefaults.defaultTimeout();
    }

    /**
     * Called after a failed call has been reported, to add advice.
     *
     * @param err standard error.
     * @param ex  the failure.
     */
    protected void failed(final PrintWriter err, final StatusRuntimeException ex)
    {
    }

    /** @return {@code tranche claim add} and the like, for messages. */
    protected final String name()
    {
        return spec.qualifiedName();
    }

    /** @return true for proto3 JSON output. */
    protected final boolean json()
    {
        return client.json();
    }

    /**
     * @param message a message.
     * @return its proto3 JSON, fields without presence printed too.
     */
    protected static String toJson(final MessageOrBuilder message)
    {
        try
        {
            return JsonFormat.printer().alwaysPrintFieldsWithNoPresence().print(message);
        }
        catch (final InvalidProtocolBufferException ex)
        {
            throw new IllegalStateException("cannot print JSON: " + ex.getMessage(), ex);
        }
    }

    /**
     * @param message a message.
     * @return its proto3 JSON on one line.
     */
    protected static String toJsonLine(final MessageOrBuilder message)
    {
        try
        {
            return JsonFormat.printer().alwaysPrintFieldsWithNoPresence().omittingInsignificantWhitespace()
                .print(message);
        }
        catch (final InvalidProtocolBufferException ex)
        {
            throw new IllegalStateException("cannot print JSON: " + ex.getMessage(), ex);
        }
    }
}
