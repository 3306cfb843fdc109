package io.tranche.server.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses a whole number written plainly or grouped: {@code 400000}, {@code 400,000}, {@code 400_000}. */
public final class Units implements ITypeConverter<Long>
{
    @Override
    public Long convert(final String value)
    {
        final String v = value.replace(",", "").replace("_", "").trim();
        try
        {
            return Long.parseLong(v);
        }
        catch (final NumberFormatException ex)
        {
            throw new TypeConversionException("'" + value +
                "' is not a whole number in the range of a signed 64-bit integer");
        }
    }
}
