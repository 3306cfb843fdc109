package io.tranche.server.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds where in a JSON text a value is, for the errors that the protobuf JSON parser reports without a place
 * ({@code Not an int64 value: "99999999999999999999"}, {@code Invalid enum value}, {@code Repeated field elements
 * cannot be null}): the line and column of the value and its path ({@code $.claims[1].tier}), as the parser's
 * syntax errors give them. A cold path: it runs only after a parse has failed.
 *
 * <p>It reads the JSON that the parser accepted (which is lenient), and gives up (returns null) on anything it
 * does not understand; the caller then reports the error without a place.
 */
final class JsonLocator
{
    /**
     * Where a value starts.
     *
     * @param line   1-based line.
     * @param column 1-based column.
     * @param path   JSONPath of the value, e.g. {@code $.claims[1].tier}.
     * @param what   for {@link #emptyElement}: {@code "null"}, or {@code "trailing"} for a ',' before ']', or
     *               {@code "missing"} for ",," or "[,"; otherwise the value's text as written.
     */
    record Place(int line, int column, String path, String what)
    {
    }

    private final String text;
    private final List<String> path = new ArrayList<>();
    private int pos;
    private int line = 1;
    private int lineStart;
    private String wanted;
    private boolean wantEmpty;
    private Place found;

    private JsonLocator(final String text)
    {
        this.text = text;
    }

    /**
     * @param text JSON text.
     * @return the first list element that is null or missing (a trailing comma), or null when there is none or
     * the text cannot be read.
     */
    static Place emptyElement(final String text)
    {
        final JsonLocator locator = new JsonLocator(text);
        locator.wantEmpty = true;
        return locator.run();
    }

    /**
     * @param text    JSON text.
     * @param written a scalar as written in the text: a string with its quotes ({@code "x"}), or a number.
     * @return the first value written so, or null when there is none or the text cannot be read.
     */
    static Place value(final String text, final String written)
    {
        final JsonLocator locator = new JsonLocator(text);
        locator.wanted = written;
        return locator.run();
    }

    private Place run()
    {
        try
        {
            skipSpace();
            value();
        }
        catch (final GiveUp ex)
        {
            return null;
        }
        return found;
    }

    // Returns false once the place is found, so that the walk stops.
    private boolean value()
    {
        if (pos >= text.length())
        {
            throw new GiveUp();
        }
        final char c = text.charAt(pos);
        if (c == '{')
        {
            return object();
        }
        if (c == '[')
        {
            return array();
        }
        final int start = pos;
        final int column = pos - lineStart + 1;
        if (c == '"')
        {
            string();
        }
        else
        {
            while (pos < text.length() && ",}] \t\r\n".indexOf(text.charAt(pos)) < 0)
            {
                pos++;
            }
            if (pos == start)
            {
                throw new GiveUp();
            }
        }
        final String written = text.substring(start, pos);
        if (wantEmpty && "null".equals(written) && inArray())
        {
            found = new Place(line, column, pathText(), "null");
            return false;
        }
        if (wanted != null && wanted.equals(written))
        {
            found = new Place(line, column, pathText(), written);
            return false;
        }
        return true;
    }

    private boolean object()
    {
        pos++;
        skipSpace();
        if (peek() == '}')
        {
            pos++;
            return true;
        }
        while (true)
        {
            if (peek() != '"')
            {
                throw new GiveUp();
            }
            final int start = pos;
            string();
            final String name = text.substring(start + 1, pos - 1);
            skipSpace();
            if (peek() != ':')
            {
                throw new GiveUp();
            }
            pos++;
            skipSpace();
            path.add(name.matches("[A-Za-z_$][A-Za-z0-9_$]*") ? "." + name : "['" + name + "']");
            final boolean go = value();
            if (!go)
            {
                return false;
            }
            path.remove(path.size() - 1);
            skipSpace();
            final char c = peek();
            pos++;
            if (c == '}')
            {
                return true;
            }
            if (c != ',')
            {
                throw new GiveUp();
            }
            skipSpace();
        }
    }

    private boolean array()
    {
        pos++;
        skipSpace();
        if (peek() == ']')
        {
            pos++;
            return true;
        }
        int index = 0;
        int commaLine = 0;
        int commaColumn = 0;
        while (true)
        {
            final char c = peek();
            if (c == ']' && wantEmpty)
            {
                // ",]", which the lenient parser reads as a null element: point at the comma.
                found = new Place(commaLine, commaColumn, pathText(), "trailing");
                return false;
            }
            path.add("[" + index + "]");
            if (c == ',' || c == ']')
            {
                // No element: "[," or ",,", which the lenient parser reads as null.
                if (wantEmpty)
                {
                    found = new Place(line, pos - lineStart + 1, pathText(), "missing");
                    return false;
                }
            }
            else if (!value())
            {
                return false;
            }
            path.remove(path.size() - 1);
            skipSpace();
            final char next = peek();
            pos++;
            if (next == ']')
            {
                return true;
            }
            if (next != ',')
            {
                throw new GiveUp();
            }
            commaLine = line;
            commaColumn = pos - lineStart;
            skipSpace();
            index++;
        }
    }

    private void string()
    {
        pos++;
        while (pos < text.length())
        {
            final char c = text.charAt(pos++);
            if (c == '\\')
            {
                pos++;
            }
            else if (c == '"')
            {
                return;
            }
            else if (c == '\n')
            {
                throw new GiveUp();
            }
        }
        throw new GiveUp();
    }

    private void skipSpace()
    {
        while (pos < text.length())
        {
            final char c = text.charAt(pos);
            if (c == '\n')
            {
                line++;
                lineStart = pos + 1;
            }
            else if (c != ' ' && c != '\t' && c != '\r')
            {
                return;
            }
            pos++;
        }
    }

    private char peek()
    {
        if (pos >= text.length())
        {
            throw new GiveUp();
        }
        return text.charAt(pos);
    }

    private boolean inArray()
    {
        return !path.isEmpty() && path.get(path.size() - 1).startsWith("[");
    }

    private String pathText()
    {
        final StringBuilder sb = new StringBuilder("$");
        for (final String p : path)
        {
            sb.append(p);
        }
        return sb.toString();
    }

    /** The text is not JSON this reader understands: no place, and the caller says what it can without one. */
    private static final class GiveUp extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        GiveUp()
        {
            super(null, null, false, false);
        }
    }
}
