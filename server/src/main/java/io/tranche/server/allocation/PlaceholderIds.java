package io.tranche.server.allocation;

import java.util.Arrays;

/**
 * Distinct non-empty ids the kernel's {@code Claims} can hold while {@link WireAllocation} keeps the real ids as
 * bytes and checks them itself (present, unique). The kernel's validation needs an id per claim; these are made once,
 * shared by every thread, and grown on a cold path, so a call makes no {@code String}.
 */
final class PlaceholderIds
{
    private static volatile String[] ids = make(new String[0], 1024);

    private PlaceholderIds()
    {
    }

    static String id(final int i)
    {
        final String[] current = ids;
        return i < current.length ? current[i] : grow(i + 1)[i];
    }

    private static synchronized String[] grow(final int minLength)
    {
        String[] current = ids;
        if (current.length < minLength)
        {
            current = make(current, Math.max(minLength, current.length << 1));
            ids = current;
        }
        return current;
    }

    private static String[] make(final String[] from, final int length)
    {
        final String[] made = Arrays.copyOf(from, length);
        for (int i = from.length; i < length; i++)
        {
            made[i] = "#" + i;
        }
        return made;
    }
}
