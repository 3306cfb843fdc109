package io.tranche.server.cli;

import io.tranche.proto.v1.Method;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses a {@link Method} by name, case-insensitive, with {@code -} for {@code _} ({@code sainte-lague}). The
 * methods, in order, are the kernel's registry ({@link io.tranche.kernel.Method#values()}).
 */
public final class Methods implements ITypeConverter<Method>
{
    private static final Method[] ALL = all();

    @Override
    public Method convert(final String value)
    {
        final String name = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (final Method m : ALL)
        {
            if (m.name().equals(name))
            {
                return m;
            }
        }
        throw new TypeConversionException("'" + value + "' is not a method; one of: " + names());
    }

    /** @return the method names, comma separated. */
    public static String names()
    {
        return io.tranche.kernel.Method.names();
    }

    /** @return every method in the kernel's order (a copy). */
    public static Method[] values()
    {
        return ALL.clone();
    }

    private static Method[] all()
    {
        final io.tranche.kernel.Method[] kernel = io.tranche.kernel.Method.values();
        final Method[] all = new Method[kernel.length];
        for (int i = 0; i < kernel.length; i++)
        {
            all[i] = Method.valueOf(kernel[i].name());
        }
        return all;
    }

    /** The names for picocli's {@code ${COMPLETION-CANDIDATES}} in help texts. */
    public static final class Candidates implements Iterable<String>
    {
        @Override
        public Iterator<String> iterator()
        {
            return Arrays.stream(ALL).map(Method::name).iterator();
        }
    }
}
