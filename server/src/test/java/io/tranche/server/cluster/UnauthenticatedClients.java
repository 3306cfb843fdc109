package io.tranche.server.cluster;

import io.aeron.security.NullCredentialsSupplier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Threads that connect raw Aeron Cluster clients without credentials to the members' ingress, again and again,
 * until closed: each attempt is counted, and each session that opened (none may) too.
 */
final class UnauthenticatedClients implements AutoCloseable
{
    final AtomicLong attempts = new AtomicLong();
    final AtomicLong sessions = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param count     threads.
     * @param aeronDir  the media driver the clients use.
     * @param ingress   the members' ingress endpoints.
     */
    UnauthenticatedClients(final int count, final String aeronDir, final String ingress)
    {
        for (int i = 0; i < count; i++)
        {
            final Thread t = new Thread(() ->
            {
                while (!stop.get())
                {
                    attempts.incrementAndGet();
                    try
                    {
                        ClusterAuthenticationTest.connect(aeronDir, ingress, new NullCredentialsSupplier()).close();
                        sessions.incrementAndGet();
                    }
                    catch (final RuntimeException expected)
                    {
                        // rejected, as it must be
                    }
                }
            }, "unauthenticated-client-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    @Override
    public void close()
    {
        stop.set(true);
        for (final Thread t : threads)
        {
            try
            {
                t.join(15_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
