package io.tranche.server.cli;

import io.tranche.proto.v1.Method;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses a {@link Method} by name, case-insensitive, with {@code -} for {@code _} ({@code sainte-lague}). */
public final class Methods implements ITypeConverter<Method>
{
    @Override
    public Method convert(final String value)
    {
        final String name = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (final Method m : Method.values())
        {
            if (m != Method.UNRECOGNIZED && m != Method.METHOD_UNSPECIFIED && m.name().equals(name))
            {
                return m;
            }
        }
        throw new TypeConversionException("'" + value + "' is not a method; one of: " + names());
    }

    /** @return the method names, comma separated. */
    public static String names()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Method m : Method.values())
        {
            if (m != Method.UNRECOGNIZED && m != Method.METHOD_UNSPECIFIED)
            {
                if (sb.length() > 0)
                {
                    sb.append(", ");
                }
                sb.append(m.name());
            }
        }
        return sb.toString();
    }
}
