package io.tranche.server.cli;

/** Why {@code tranche serve} could not start, in words a person can act on. */
final class StartFailure
{
    private static final String NOT_HERE = "Cannot assign requested address";

    private StartFailure()
    {
    }

    /**
     * Why {@code tranche serve} could not start, in words a person can act on.
     *
     * @param ex      the failure.
     * @param listen  the {@code --listen} address.
     * @param metrics the {@code --metrics} address, or null.
     * @return the message when an address cannot be bound (a port in use, an address this machine does not have),
     *         else null.
     */
    static String describe(final Exception ex, final String listen, final String metrics)
    {
        for (Throwable t = ex; t != null; t = t.getCause())
        {
            // The JDK says BindException; Netty's native transport an IOException "bind(..) failed: Address already in
            // use"; grpc "Failed to bind to address …" around either.
            final String text = String.valueOf(t.getMessage());
            if (t instanceof java.net.BindException || text.contains("Address already in use") ||
                text.contains(NOT_HERE) || text.startsWith("Failed to bind"))
            {
                final String message = chain(ex);
                // The start's own check names the flag; Netty says "Failed to bind to address" (only --listen is
                // served by Netty); the JDK's HTTP server (metrics) says only "Address already in use".
                final boolean metricsPort = metrics != null && (message.contains("--metrics ") ||
                    !message.contains("--listen ") && !message.contains("Failed to bind"));
                final String flag = metricsPort ? "--metrics" : "--listen";
                final String address = metricsPort ? metrics : listen;
                if (message.contains(NOT_HERE))
                {
                    return flag + " " + address + ": " + host(address) + " is not an address of this machine (" +
                        NOT_HERE + "); give one of its addresses, 127.0.0.1 for this machine alone, or 0.0.0.0 " +
                        "for all of them";
                }
                return metricsPort ?
                    "--metrics " + metrics + " is already in use (by another server?); give another port, or " +
                        "--metrics 127.0.0.1:0 for any free one" :
                    "--listen " + listen + " is already in use (another './tranche serve'?); give another port, or " +
                        "--listen 127.0.0.1:0 for any free one";
            }
        }
        return null;
    }

    private static String chain(final Throwable ex)
    {
        final StringBuilder sb = new StringBuilder();
        for (Throwable t = ex; t != null; t = t.getCause())
        {
            sb.append(t.getMessage()).append(' ');
        }
        return sb.toString();
    }

    // "192.0.2.1:0" → "192.0.2.1", "[::1]:0" → "::1".
    private static String host(final String address)
    {
        final int colon = address.lastIndexOf(':');
        final String host = colon < 0 ? address : address.substring(0, colon);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
