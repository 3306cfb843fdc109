package io.tranche.server;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * The one duration grammar of flags and system properties: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, a
 * bare number of seconds, or ISO-8601 ({@code PT10S}); and the way durations are printed back in it. Here, beside
 * {@link ServerConfig}, so that the configuration and the command line ({@code cli.Durations}) share it.
 */
public final class DurationText
{
    private DurationText()
    {
    }

    /**
     * @param value     the text.
     * @param allowZero whether {@code 0} (off, never) is accepted.
     * @return the duration it names.
     * @throws IllegalArgumentException when it is not one, saying what is accepted.
     */
    public static Duration parse(final String value, final boolean allowZero)
    {
        final String v = value.trim().toLowerCase(Locale.ROOT);
        final Duration d;
        try
        {
            if (v.startsWith("p"))
            {
                d = Duration.parse(v.toUpperCase(Locale.ROOT));
            }
            else if (v.endsWith("ms"))
            {
                d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            else if (v.endsWith("s"))
            {
                d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            else if (v.endsWith("m"))
            {
                d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            else if (v.endsWith("h"))
            {
                d = Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            else
            {
                d = Duration.ofSeconds(Long.parseLong(v));
            }
        }
        catch (final NumberFormatException | DateTimeParseException | ArithmeticException ex)
        {
            throw new IllegalArgumentException("'" + value + "' is not a duration (examples: 10s, 500ms, 2m, PT1M)");
        }
        if (d.isNegative() || d.isZero() && !allowZero)
        {
            throw new IllegalArgumentException("'" + value + "' is not a positive duration");
        }
        return d;
    }

    /**
     * @param d a duration.
     * @return it as the flags take it: {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1h}, {@code 0}.
     */
    public static String format(final Duration d)
    {
        final long ms = d.toMillis();
        if (ms == 0)
        {
            return "0";
        }
        if (ms % 3_600_000 == 0)
        {
            return (ms / 3_600_000) + "h";
        }
        if (ms % 60_000 == 0)
        {
            return (ms / 60_000) + "m";
        }
        if (ms % 1000 == 0)
        {
            return (ms / 1000) + "s";
        }
        return ms + "ms";
    }
}
