package io.tranche.server.cli;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.tranche.server.cluster.AppliedPositionHeader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code --session FILE}: reads your own writes on any cluster member across commands. The file holds the highest
 * cluster log position a command of this session was answered at ({@code tranche-applied-position}); each call sends
 * it as {@code tranche-min-applied-position}, so that a member runs the call's reads only once it has applied that
 * much, and the highest position answered is saved back when the command ends. A single node answers no position:
 * the file is then left as it is.
 */
final class SessionPosition implements ClientInterceptor
{
    private final Path file;
    private final long loaded;
    private final AtomicLong highest = new AtomicLong();

    private SessionPosition(final Path file, final long loaded)
    {
        this.file = file;
        this.loaded = loaded;
        highest.set(loaded);
    }

    /**
     * @param file the session file; missing or empty is position 0.
     * @return the session.
     * @throws IOException naming the file when it cannot be read or holds anything but a position.
     */
    static SessionPosition open(final Path file) throws IOException
    {
        if (!Files.exists(file))
        {
            return new SessionPosition(file, 0);
        }
        final String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        try
        {
            final long position = text.isEmpty() ? 0 : Long.parseLong(text);
            if (position < 0)
            {
                throw new NumberFormatException("negative");
            }
            return new SessionPosition(file, position);
        }
        catch (final NumberFormatException ex)
        {
            throw new IOException("--session " + file + " must hold one log position (a whole number >= 0), " +
                "holds \"" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "\"");
        }
    }

    /** @return the highest position answered so far (or loaded). */
    long highest()
    {
        return highest.get();
    }

    /**
     * Saves the highest position answered, when it rose (atomically: a temporary file renamed over it).
     *
     * @throws IOException naming the file.
     */
    void save() throws IOException
    {
        final long value = highest.get();
        if (value <= loaded)
        {
            return;
        }
        final Path parent = file.toAbsolutePath().getParent();
        final Path temp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
        try
        {
            Files.writeString(temp, value + "\n", StandardCharsets.US_ASCII);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        finally
        {
            Files.deleteIfExists(temp);
        }
    }

    private void answered(final Metadata metadata)
    {
        final String value = metadata == null ? null : metadata.get(AppliedPositionHeader.KEY);
        if (value == null)
        {
            return;
        }
        try
        {
            final long position = Long.parseLong(value.trim());
            highest.accumulateAndGet(position, Math::max);
        }
        catch (final NumberFormatException ex)
        {
            // Not a position: nothing to remember, and the answer itself stands.
        }
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(
        final MethodDescriptor<Q, R> method, final CallOptions options, final Channel next)
    {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options))
        {
            @Override
            public void start(final Listener<R> listener, final Metadata headers)
            {
                final long min = highest.get();
                if (min > 0)
                {
                    headers.put(AppliedPositionHeader.MIN_KEY, Long.toString(min));
                }
                super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener)
                {
                    @Override
                    public void onHeaders(final Metadata metadata)
                    {
                        answered(metadata);
                        super.onHeaders(metadata);
                    }

                    @Override
                    public void onClose(final Status status, final Metadata trailers)
                    {
                        answered(trailers);
                        super.onClose(status, trailers);
                    }
                }, headers);
            }
        };
    }
}
