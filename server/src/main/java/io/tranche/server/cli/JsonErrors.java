package io.tranche.server.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the JSON parser's messages ({@code java.io.EOFException: End of input at line 1 column 16 path
 * $.supply}) into a place and an expectation a person can act on ({@code line 1, column 16 (at $.supply):
 * the input ends too early: expected a value, ',' or a closing '}' or ']'}).
 */
final class JsonErrors
{
    private static final Pattern GSON = Pattern.compile(
        "(?:[\\w.$]+(?:Exception|Error): )?(.*?) at line (\\d+) column (\\d+) path (\\S*?)\\.?(?: See \\S+)?");

    private JsonErrors()
    {
    }

    /**
     * @param ex         a failure of {@code JsonFormat.parser().merge}.
     * @param lineOffset added to the parser's line number (the input line of a JSONL record, less one).
     * @return one line: where, and what was expected there.
     */
    static String describe(final Exception ex, final long lineOffset)
    {
        final String message =
            ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage().replace('\n', ' ');
        final Matcher m = GSON.matcher(message.trim());
        if (m.matches())
        {
            final String path = m.group(4);
            return "line " + (Long.parseLong(m.group(2)) + lineOffset) + ", column " + m.group(3) +
                (path.isEmpty() || "$".equals(path) ? "" : " (at " + path + ")") + ": " + expectation(m.group(1));
        }
        if (message.startsWith("Expect message object but got: null"))
        {
            return "the input is empty: expected one JSON object";
        }
        return message;
    }

    private static String expectation(final String what)
    {
        if (what.startsWith("End of input"))
        {
            return "the input ends too early: expected a value, ',' or a closing '}' or ']'";
        }
        if (what.startsWith("Expected value"))
        {
            return "expected a value (a \"string\", a number, an object, an array, true, false or null)";
        }
        if (what.startsWith("Unterminated object"))
        {
            return "expected ',' or '}' after a field";
        }
        if (what.startsWith("Unterminated array"))
        {
            return "expected ',' or ']' after an element";
        }
        if (what.startsWith("Expected name"))
        {
            return "expected a field name in double quotes";
        }
        if (what.startsWith("Expected ':'"))
        {
            return "expected ':' after the field name";
        }
        if (what.startsWith("Unterminated string"))
        {
            return "expected the closing '\"' of a string";
        }
        return what;
    }
}
