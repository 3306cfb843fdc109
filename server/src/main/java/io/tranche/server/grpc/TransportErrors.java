package io.tranche.server.grpc;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Keeps the transport's error logs to one line each, rate-limited, and counts them. grpc-netty logs every
 * connection that breaks HTTP/2 (bytes that are not the client preface, a bad frame: "Transport failed", INFO,
 * about 2.8 KB of stack trace each) and every message it refuses before a service sees it (above
 * {@code --max-inbound-message-size}: "Exception processing message", WARNING, a stack trace). Anyone who reaches
 * the port can cause either as often as they like, so each kind is counted ({@code
 * tranche_transport_errors_total{reason="connection"|"message"}}, for this process) and logged as one line without
 * a trace: the first at once, then at most one line per kind a minute, with the number since the previous line.
 */
public final class TransportErrors
{
    /** grpc-netty's connection logger. */
    public static final String CONNECTION_LOGGER =
        "io.grpc.netty.shaded.io.grpc.netty.NettyServerTransport.connections";
    /** grpc-netty's stream logger. */
    public static final String MESSAGE_LOGGER = "io.grpc.netty.shaded.io.grpc.netty.NettyServerStream";
    /** At most one line per kind in this interval. */
    public static final long INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int DETAIL_CHARS = 160;

    // Held: java.util.logging keeps loggers weakly, and a collected logger would come back without its filter.
    private static final Logger CONNECTION_LOG = Logger.getLogger(CONNECTION_LOGGER);
    private static final Logger MESSAGE_LOG = Logger.getLogger(MESSAGE_LOGGER);
    private static final Kind CONNECTIONS = new Kind("Transport failed", "closed a connection that broke the " +
        "HTTP/2 protocol (not a gRPC client?)", "connection");
    private static final Kind MESSAGES = new Kind("Exception processing message", "refused a message before it " +
        "reached a service", "message");

    private TransportErrors()
    {
    }

    /**
     * Installs the filters on grpc-netty's two loggers, at the levels grpc-netty logs these at (so that every one is
     * counted, whatever the configured levels). Idempotent.
     */
    public static void install()
    {
        CONNECTION_LOG.setLevel(Level.INFO);
        CONNECTION_LOG.setFilter(CONNECTIONS);
        MESSAGE_LOG.setLevel(Level.WARNING);
        MESSAGE_LOG.setFilter(MESSAGES);
    }

    /** @return connections closed because they broke the protocol, in this process. */
    public static long connections()
    {
        return CONNECTIONS.count.get();
    }

    /** @return messages refused by the transport, in this process. */
    public static long messages()
    {
        return MESSAGES.count.get();
    }

    /** One kind of transport error: its record, what the line says, and the rate limit. */
    static final class Kind implements Filter
    {
        final AtomicLong count = new AtomicLong();
        private final String message;
        private final String says;
        private final String reason;
        private long lastLine = Long.MIN_VALUE;
        private long sinceLine;

        Kind(final String message, final String says, final String reason)
        {
            this.message = message;
            this.says = says;
            this.reason = reason;
        }

        @Override
        public boolean isLoggable(final LogRecord record)
        {
            if (!message.equals(record.getMessage()) || record.getLevel().intValue() < Level.INFO.intValue())
            {
                return true;
            }
            count.incrementAndGet();
            final String line = line(record.getThrown(), System.nanoTime());
            if (line == null)
            {
                return false;
            }
            record.setMessage(line);
            record.setParameters(null);
            record.setThrown(null);
            return true;
        }

        /** @return the line to log for one more error at {@code now}, or null while the rate limit holds it back. */
        synchronized String line(final Throwable thrown, final long now)
        {
            sinceLine++;
            if (lastLine != Long.MIN_VALUE && now - lastLine < INTERVAL_NANOS)
            {
                return null;
            }
            final long more = sinceLine - 1;
            lastLine = now;
            sinceLine = 0;
            return "tranche: the transport " + says + ": " + detail(thrown) + " (tranche_transport_errors_total{" +
                "reason=\"" + reason + "\"}" + (more > 0 ? "; " + more + " more since the last line" : "") +
                "; at most one line a minute)";
        }
    }

    // The exception's message on one line, printable, cut short: it may quote the peer's bytes.
    static String detail(final Throwable thrown)
    {
        if (thrown == null)
        {
            return "no detail";
        }
        final String text = thrown.getMessage() == null ? thrown.getClass().getSimpleName() : thrown.getMessage();
        final StringBuilder sb = new StringBuilder(Math.min(text.length(), DETAIL_CHARS + 1));
        for (int i = 0; i < text.length() && sb.length() < DETAIL_CHARS; i++)
        {
            final char c = text.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        if (text.length() > DETAIL_CHARS)
        {
            sb.append('…');
        }
        return sb.toString().strip();
    }
}
