package io.tranche.server.cli;

import io.tranche.server.DurationText;
import io.tranche.server.ServerConfig;
import java.time.Duration;

/**
 * The client commands' defaults, in the manner of {@link ServerConfig}: a system property and a built-in default
 * for each, read by a static accessor. The default server is the server's default listen address, so that
 * {@code ./tranche claim ...} finds a {@code ./tranche serve} started without flags.
 */
public final class ClientDefaults
{
    /** Environment variable of {@code --server}: wins over the system property, loses to the flag. */
    public static final String SERVER_ENV_NAME = "TRANCHE_SERVER";
    /** System property of {@code --server}. */
    public static final String SERVER_PROP_NAME = "tranche.client.server";
    /** Default server address: where {@code tranche serve} listens by default. */
    public static final String SERVER_DEFAULT = ServerConfig.LISTEN_DEFAULT;

    /** System property of {@code --timeout}. */
    public static final String TIMEOUT_PROP_NAME = "tranche.client.timeout";
    /**
     * Default deadline of each call, as the flag takes it (a constant, so that help texts can show it). Generous:
     * a server on a machine loaded by other work answered a plain invalid release in more than ten seconds, and a
     * deadline that passes leaves a release's fate unknown.
     */
    public static final String TIMEOUT_DEFAULT_TEXT = "30s";
    /** Default deadline of each call. */
    public static final Duration TIMEOUT_DEFAULT = DurationText.parse(TIMEOUT_DEFAULT_TEXT, false);
    /** The default deadline in a help text: the property when set, else the built-in default. */
    static final String TIMEOUT_HELP = "${sys:" + TIMEOUT_PROP_NAME + ":-" + TIMEOUT_DEFAULT_TEXT + "}";

    private ClientDefaults()
    {
    }

    /** @return {@code $TRANCHE_SERVER} when set, else {@value #SERVER_PROP_NAME}, else {@link #SERVER_DEFAULT}. */
    public static String defaultServer()
    {
        return defaultServer(System.getenv(SERVER_ENV_NAME));
    }

    /**
     * @param env the value of {@code $TRANCHE_SERVER}, or null.
     * @return {@code env} when set and not empty, else {@value #SERVER_PROP_NAME}, else {@link #SERVER_DEFAULT}.
     */
    static String defaultServer(final String env)
    {
        return env != null && !env.isBlank() ? env.trim() : System.getProperty(SERVER_PROP_NAME, SERVER_DEFAULT);
    }

    /**
     * @return {@value #TIMEOUT_PROP_NAME}, or {@link #TIMEOUT_DEFAULT}.
     * @throws IllegalArgumentException naming the property when it is not a positive duration.
     */
    public static Duration defaultTimeout()
    {
        final String value = System.getProperty(TIMEOUT_PROP_NAME);
        if (value == null)
        {
            return TIMEOUT_DEFAULT;
        }
        try
        {
            return DurationText.parse(value, false);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("-D" + TIMEOUT_PROP_NAME + ": " + ex.getMessage(), ex);
        }
    }
}
