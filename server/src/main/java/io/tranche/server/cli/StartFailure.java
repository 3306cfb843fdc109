package io.tranche.server.cli;

/** Why {@code tranche serve} could not start, in words a person can act on. */
final class StartFailure
{
    private StartFailure()
    {
    }

    /**
     * Why {@code tranche serve} could not start, in words a person can act on.
     *
     * @param ex      the failure.
     * @param listen  the {@code --listen} address.
     * @param metrics the {@code --metrics} address, or null.
     * @return the message when a port is in use, else null.
     */
    static String describe(final Exception ex, final String listen, final String metrics)
    {
        for (Throwable t = ex; t != null; t = t.getCause())
        {
            // The JDK says BindException; Netty's native transport an IOException "bind(..) failed: Address already in
            // use".
            if (t instanceof java.net.BindException ||
                String.valueOf(t.getMessage()).contains("Address already in use") ||
                String.valueOf(t.getMessage()).startsWith("Failed to bind"))
            {
                final String message = String.valueOf(ex.getMessage()) + " " + String.valueOf(t.getMessage());
                final boolean metricsPort = metrics != null && !message.contains("Failed to bind");
                // Netty says "Failed to bind to address"; the JDK's HTTP server (metrics) only "Address already in
                // use".
                return metricsPort ?
                    "--metrics " + metrics + " is already in use (by another server?); give another port, or " +
                        "--metrics 127.0.0.1:0 for any free one" :
                    "--listen " + listen + " is already in use (another './tranche serve'?); give another port, or " +
                        "--listen 127.0.0.1:0 for any free one";
            }
        }
        return null;
    }
}
