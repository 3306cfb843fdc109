package io.tranche.server.cli;

/** Aligned text tables for the command line. */
public final class Table
{
    private Table()
    {
    }

    /**
     * Renders rows as columns: the first row is the header, text left-aligned, numbers right-aligned.
     *
     * @param sb   receives the table.
     * @param rows the cells; every row has the same length.
     */
    public static void render(final StringBuilder sb, final String[][] rows)
    {
        final int columns = rows[0].length;
        final int[] width = new int[columns];
        final boolean[] numeric = new boolean[columns];
        java.util.Arrays.fill(numeric, true);
        for (int r = 0; r < rows.length; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                width[c] = Math.max(width[c], rows[r][c].length());
                if (r > 0 && !isNumber(rows[r][c]))
                {
                    numeric[c] = false;
                }
            }
        }
        for (final String[] row : rows)
        {
            for (int c = 0; c < columns; c++)
            {
                if (c > 0)
                {
                    sb.append("  ");
                }
                final String cell = row[c];
                final int pad = width[c] - cell.length();
                if (numeric[c])
                {
                    sb.append(" ".repeat(pad)).append(cell);
                }
                else
                {
                    sb.append(cell);
                    if (c < columns - 1)
                    {
                        sb.append(" ".repeat(pad));
                    }
                }
            }
            sb.append('\n');
        }
    }

    /** @param v a number. @return it with thousands separated by commas. */
    public static String group(final long v)
    {
        return String.format(java.util.Locale.ROOT, "%,d", v);
    }

    /**
     * @param part  units.
     * @param whole supply.
     * @return part / whole as a percentage with two decimals, computed exactly (truncated).
     */
    public static String percent(final long part, final long whole)
    {
        if (whole == 0)
        {
            return "-";
        }
        final java.math.BigInteger bp =
            java.math.BigInteger.valueOf(part).multiply(java.math.BigInteger.valueOf(10_000))
            .divide(java.math.BigInteger.valueOf(whole));
        final long v = bp.longValue();
        return (v / 100) + "." + String.format(java.util.Locale.ROOT, "%02d", v % 100) + "%";
    }

    private static boolean isNumber(final String s)
    {
        if (s.equals("-"))
        {
            return true;
        }
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (!(c >= '0' && c <= '9') && c != ',' && c != '.' && c != '%' && c != '-')
            {
                return false;
            }
        }
        return !s.isEmpty();
    }
}
