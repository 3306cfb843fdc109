package io.tranche.server.cli;

import java.io.File;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Connection options shared by the queue client commands ({@code claim}, {@code release}, {@code tranches}):
 * where the server is, how to authenticate, how long to wait, and how to print.
 */
public final class ClientOptions
{
    @Option(names = "--server", paramLabel = "HOST:PORT",
        description = "Server address (default: $TRANCHE_SERVER, else ${DEFAULT-VALUE}).")
    String server = ClientDefaults.defaultServer();

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:TRANCHE_TOKEN}",
        description = "Bearer token sent as 'authorization: Bearer TOKEN' (default: $TRANCHE_TOKEN).")
    String token;

    @Option(names = "--tls", description = "Connect with TLS (trusting the system's roots unless --ca is given).")
    boolean tls;

    @Option(names = "--ca", paramLabel = "FILE",
        description = "PEM file of the CA certificates to trust; implies --tls.")
    File ca;

    @Option(names = "--cert", paramLabel = "PEM",
        description = "Client certificate (chain) to present to a server with --client-ca; implies --tls; needs --key.")
    File cert;

    @Option(names = "--key", paramLabel = "PEM", description = "PKCS#8 private key of --cert.")
    File key;

    @Option(names = "--authority", paramLabel = "NAME",
        description = "Host name expected in the server's certificate, when it differs from the --server host.")
    String authority;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Durations.class,
        description = "Deadline of each call: 10s, 500ms, 2m, or an ISO-8601 duration (default: " +
            ClientDefaults.TIMEOUT_HELP + "; none for --watch unless given).")
    Duration timeout;

    @Option(names = "--json", description = "Print proto3 JSON instead of tables.")
    boolean json;

    @Option(names = "--session", paramLabel = "FILE", defaultValue = "${env:TRANCHE_SESSION}",
        description = "Read your own writes on any cluster member across commands: FILE keeps the highest log " +
            "position a command was answered at (created on first use), sent as tranche-min-applied-position " +
            "(default: $TRANCHE_SESSION).")
    File session;

    /** @return the server address. */
    public String server()
    {
        return server;
    }

    /** @return the bearer token, or null when none is configured. */
    public String token()
    {
        return token == null || token.isEmpty() ? null : token;
    }

    /** @return true when the channel uses TLS. */
    public boolean tls()
    {
        return tls || ca != null || cert != null;
    }

    /** @return the session file ({@code --session}), or null. */
    public File session()
    {
        return session;
    }

    /** @return the client certificate file, or null. */
    public File cert()
    {
        return cert;
    }

    /** @return the client key file, or null. */
    public File key()
    {
        return key;
    }

    /** @return the PEM file of trusted CA certificates, or null for the system's roots. */
    public File ca()
    {
        return ca;
    }

    /** @return the authority override, or null. */
    public String authority()
    {
        return authority;
    }

    /**
     * @param fallback used when {@code --timeout} was not given; null for no deadline.
     * @return the deadline for each call, or null for none.
     */
    public Duration timeout(final Duration fallback)
    {
        return timeout != null ? timeout : fallback;
    }

    /** @return true for proto3 JSON output. */
    public boolean json()
    {
        return json;
    }
}
