package io.tranche.server.grpc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Bearer tokens and their roles, from a file of {@code token role} lines ({@code #} starts a
 * comment; roles {@code admin} and {@code reader}).
 */
public final class Tokens
{
    /** What a token may do. */
    public enum Role
    {
        /** Allocate and every read. */
        READER,
        /** Everything. */
        ADMIN
    }

    private final List<byte[]> tokens = new ArrayList<>();
    private final List<Role> roles = new ArrayList<>();

    /**
     * @param file the tokens file.
     * @return the tokens.
     * @throws IOException when unreadable, or a line is malformed (named with its number).
     */
    public static Tokens load(final Path file) throws IOException
    {
        final Tokens result = new Tokens();
        final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++)
        {
            String line = lines.get(i);
            final int hash = line.indexOf('#');
            if (hash >= 0)
            {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (line.isEmpty())
            {
                continue;
            }
            final String[] parts = line.split("\\s+");
            if (parts.length != 2)
            {
                throw new IOException(file + ":" + (i + 1) + ": expected \"token role\", found " + parts.length +
                    " words");
            }
            final Role role;
            switch (parts[1])
            {
                case "admin":
                    role = Role.ADMIN;
                    break;
                case "reader":
                    role = Role.READER;
                    break;
                default:
                    throw new IOException(file + ":" + (i + 1) + ": role must be admin or reader, was \"" + parts[1] +
                    "\"");
            }
            result.tokens.add(parts[0].getBytes(StandardCharsets.UTF_8));
            result.roles.add(role);
        }
        if (result.tokens.isEmpty())
        {
            throw new IOException(file + ": no tokens; every call would be refused");
        }
        return result;
    }

    /**
     * @param token a presented token.
     * @return its role, or null when unknown. Compares in constant time per token.
     */
    public Role role(final String token)
    {
        final byte[] presented = token.getBytes(StandardCharsets.UTF_8);
        Role found = null;
        for (int i = 0; i < tokens.size(); i++)
        {
            if (MessageDigest.isEqual(tokens.get(i), presented))
            {
                found = roles.get(i);
            }
        }
        return found;
    }
}
