package io.tranche.server.cli;

import io.tranche.server.DurationText;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1h} or an ISO-8601 duration ({@code PT10S}), and
 * prints durations the way the flags take them.
 */
public final class Durations implements ITypeConverter<Duration>
{
    @Override
    public Duration convert(final String value)
    {
        return parse(value);
    }

    /**
     * @param value the text.
     * @return the positive duration it names.
     * @throws TypeConversionException when it is not a positive duration.
     */
    public static Duration parse(final String value)
    {
        return parse(value, false);
    }

    /**
     * The one duration grammar of the command line: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, a bare
     * number of seconds, or ISO-8601 ({@code PT10S}).
     *
     * @param value     the text.
     * @param allowZero whether {@code 0} (off, never) is accepted.
     * @return the duration it names.
     * @throws TypeConversionException when it is not one.
     */
    public static Duration parse(final String value, final boolean allowZero)
    {
        try
        {
            return DurationText.parse(value, allowZero);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new TypeConversionException(ex.getMessage());
        }
    }

    /**
     * @param d a duration.
     * @return it as the flags take it: {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1h}, {@code 0}.
     */
    public static String format(final Duration d)
    {
        return DurationText.format(d);
    }
}
