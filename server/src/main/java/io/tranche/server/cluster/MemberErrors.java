package io.tranche.server.cluster;

import java.util.HashSet;
import java.util.Set;
import org.agrona.ErrorHandler;

/**
 * A member's Aeron error handler: each kind of error is printed once (Aeron retries a failing replay many times a
 * second, and each retry would print the same line with new ids), and a recording whose CRC-32C does not match, or
 * ledger files that do not hold what the member's snapshot recorded, mark the member damaged: it refuses to start,
 * or stops serving if it was running.
 */
final class MemberErrors implements ErrorHandler
{
    private static final String CRC_MISMATCH = "CRC checksum mismatch";

    private final String name;
    private final Set<String> printed = new HashSet<>();
    private volatile String damage;
    private volatile QueueClusteredService service;
    private long suppressed;

    MemberErrors(final String name)
    {
        this.name = name;
    }

    @Override
    public void onError(final Throwable throwable)
    {
        final String text = String.valueOf(throwable);
        final LedgerFilesDamaged files = filesDamaged(throwable);
        if ((text.contains(CRC_MISMATCH) || files != null) && damage == null)
        {
            damage = files != null ? files.getMessage() : "the recorded log is damaged: " +
                text.substring(text.indexOf(CRC_MISMATCH)) + "; rebuild this member from its peers (docs/cluster.md)";
            final QueueClusteredService s = service;
            if (s != null)
            {
                s.failStop(damage);
            }
        }
        synchronized (printed)
        {
            // The same error with other ids (replay sessions, positions) is the same error.
            if (printed.size() < 1000 && printed.add(text.replaceAll("[0-9]+", "#")))
            {
                System.err.println("tranche: cluster " + name + ": " + text);
            }
            else
            {
                suppressed++;
            }
        }
    }

    // The files' check, wherever Aeron wrapped it.
    private static LedgerFilesDamaged filesDamaged(final Throwable throwable)
    {
        for (Throwable t = throwable; t != null; t = t.getCause() == t ? null : t.getCause())
        {
            if (t instanceof LedgerFilesDamaged damaged)
            {
                return damaged;
            }
        }
        return null;
    }

    /** @param service told when the log is found damaged while it runs. */
    void service(final QueueClusteredService service)
    {
        this.service = service;
        if (damage != null)
        {
            service.failStop(damage);
        }
    }

    /** @return why this member's recorded log cannot be trusted, or null. */
    String damage()
    {
        return damage;
    }
}
