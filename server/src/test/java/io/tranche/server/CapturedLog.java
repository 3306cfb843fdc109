package io.tranche.server;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures a java.util.logging logger (gRPC logs through it) for a test that provokes the logged
 * error on purpose: the test asserts the record instead of spilling a stack trace into the build log.
 */
final class CapturedLog implements AutoCloseable
{
    private final Logger logger;
    private final boolean useParentHandlers;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler()
    {
        @Override
        public void publish(final LogRecord record)
        {
            records.add(record);
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void close()
        {
        }
    };

    private CapturedLog(final String name)
    {
        logger = Logger.getLogger(name);
        useParentHandlers = logger.getUseParentHandlers();
        logger.setUseParentHandlers(false);
        logger.addHandler(handler);
    }

    /** @param name the logger. @return the capture, until closed. */
    static CapturedLog capture(final String name)
    {
        return new CapturedLog(name);
    }

    /** @return each record's message and its exception's message, one per line. */
    String text()
    {
        final StringBuilder sb = new StringBuilder();
        for (final LogRecord r : records)
        {
            sb.append(r.getLevel()).append(' ').append(r.getMessage());
            if (r.getThrown() != null)
            {
                sb.append(": ").append(r.getThrown());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @Override
    public void close()
    {
        logger.removeHandler(handler);
        logger.setUseParentHandlers(useParentHandlers);
    }
}
