package io.tranche.server.cli;

import com.google.protobuf.Descriptors;
import io.tranche.proto.v1.AllocateRequest;
import java.util.ArrayList;
import java.util.List;
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

    private static final Pattern ENUM = Pattern.compile("Invalid enum value: (.+) for enum type: (\\S+)");
    private static final Pattern NUMBER = Pattern.compile("Not an? (int64|int32|uint64|uint32) value: (.+)");

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
        return describe(ex, lineOffset, null);
    }

    /**
     * @param ex         a failure of {@code JsonFormat.parser().merge}.
     * @param lineOffset added to the parser's line number (the input line of a JSONL record, less one).
     * @param text       the JSON that failed, to find the place of the errors the parser reports without one;
     *                   null when it is not at hand.
     * @return one line: where, and what was expected there.
     */
    static String describe(final Exception ex, final long lineOffset, final String text)
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
        final String placed = placed(message, lineOffset, text);
        return placed != null ? placed : message;
    }

    /**
     * The errors of the protobuf JSON parser that come without a place (it reads the tree after the syntax):
     * a null list element (a trailing comma), a misspelt enum name, a number out of range.
     */
    private static String placed(final String message, final long lineOffset, final String text)
    {
        if (message.startsWith("Repeated field elements cannot be null"))
        {
            final JsonLocator.Place p = text == null ? null : JsonLocator.emptyElement(text);
            final String what = p == null ? "a list element is null (a trailing ','?)" :
                "trailing".equals(p.what()) ? "',' with no element after it: remove the trailing ','" :
                "missing".equals(p.what()) ? "a list element is missing between two ','" :
                "a list element is null: give a value or leave it out";
            return place(p, lineOffset) + what;
        }
        final Matcher e = ENUM.matcher(message);
        if (e.matches())
        {
            final String written = e.group(1);
            final Descriptors.EnumDescriptor type = enumType(e.group(2));
            final String simple = type == null ? e.group(2) : type.getName().toLowerCase(java.util.Locale.ROOT);
            return place(text == null ? null : JsonLocator.value(text, written), lineOffset) + written +
                " is not a " + simple + (type == null ? "" : "; one of: " + names(type));
        }
        final Matcher n = NUMBER.matcher(message);
        if (n.matches())
        {
            final String written = n.group(2);
            final String limit = switch (n.group(1))
            {
                case "int64" -> "a whole number up to 2^62 (4611686018427387904), the largest amount tranche takes";
                case "uint64" -> "a whole number from 0 up to 2^62 (4611686018427387904)";
                case "uint32" -> "a whole number from 0 up to 4294967295";
                default -> "a whole number up to 2147483647 (2^31-1)";
            };
            return place(text == null ? null : JsonLocator.value(text, written), lineOffset) + written + " is not " +
                limit;
        }
        return null;
    }

    private static String place(final JsonLocator.Place p, final long lineOffset)
    {
        return p == null ? "" :
            "line " + (p.line() + lineOffset) + ", column " + p.column() + " (at " + p.path() + "): ";
    }

    private static Descriptors.EnumDescriptor enumType(final String fullName)
    {
        final List<Descriptors.FileDescriptor> files = new ArrayList<>();
        files.add(AllocateRequest.getDescriptor().getFile());
        for (int i = 0; i < files.size(); i++)
        {
            final Descriptors.FileDescriptor file = files.get(i);
            for (final Descriptors.EnumDescriptor type : file.getEnumTypes())
            {
                if (type.getFullName().equals(fullName))
                {
                    return type;
                }
            }
            for (final Descriptors.Descriptor message : file.getMessageTypes())
            {
                for (final Descriptors.EnumDescriptor type : message.getEnumTypes())
                {
                    if (type.getFullName().equals(fullName))
                    {
                        return type;
                    }
                }
            }
            files.addAll(file.getDependencies());
        }
        return null;
    }

    // The names a request may use: all but the zero value's *_UNSPECIFIED, which no request may leave a field at.
    private static String names(final Descriptors.EnumDescriptor type)
    {
        final StringBuilder sb = new StringBuilder();
        for (final Descriptors.EnumValueDescriptor v : type.getValues())
        {
            if (v.getNumber() == 0 && v.getName().endsWith("_UNSPECIFIED"))
            {
                continue;
            }
            if (sb.length() > 0)
            {
                sb.append(", ");
            }
            sb.append(v.getName());
        }
        return sb.toString();
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
