package io.tranche.server.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The principals of a credentials file: {@code --tokens} (bearer tokens) or {@code --principals} (client
 * certificate subjects), one syntax for both, a line each:
 * <pre>
 *   KEY ROLE [name=NAME] [claims=ID,PREFIX*,...]      # comment
 * </pre>
 * KEY is the token, or the certificate's subject: a SAN URI (anything with {@code ://}, such as a SPIFFE id) or
 * its CN. ROLE is {@code admin}, {@code auditor}, {@code reader} or {@code claimant}; a claimant needs
 * {@code claims=}. NAME is what the ledger records as the caller (default: the certificate's subject, or for a
 * token its role); a token is never recorded, and never printed in an error.
 */
public final class Credentials
{
    /** Longest name. */
    public static final int MAX_NAME_LENGTH = 128;

    /** What the file's keys are. */
    public enum Kind
    {
        /** Bearer tokens ({@code --tokens}). */
        TOKENS("token", "--tokens"),
        /** Client certificate subjects ({@code --principals}). */
        CERTIFICATES("subject", "--principals");

        private final String key;
        private final String flag;

        Kind(final String key, final String flag)
        {
            this.key = key;
            this.flag = flag;
        }
    }

    private final Kind kind;
    private final List<byte[]> tokens = new ArrayList<>();
    private final List<Principal> tokenPrincipals = new ArrayList<>();
    private final Map<String, Principal> subjects = new HashMap<>();
    private final Map<String, Integer> nameLines = new HashMap<>();
    private final Map<String, Principal> byName = new HashMap<>();

    private Credentials(final Kind kind)
    {
        this.kind = kind;
    }

    /**
     * @param file the tokens file.
     * @return its principals.
     * @throws IOException when unreadable, or a line is wrong (named with its number; the token is never shown).
     */
    public static Credentials loadTokens(final Path file) throws IOException
    {
        return load(file, Kind.TOKENS);
    }

    /**
     * @param file the principals file (certificate subjects).
     * @return its principals.
     * @throws IOException when unreadable, or a line is wrong (named with its number).
     */
    public static Credentials loadPrincipals(final Path file) throws IOException
    {
        return load(file, Kind.CERTIFICATES);
    }

    /**
     * @param file the file.
     * @param kind what its keys are.
     * @return its principals.
     * @throws IOException when unreadable, or a line is wrong.
     */
    public static Credentials load(final Path file, final Kind kind) throws IOException
    {
        final Credentials result = new Credentials(kind);
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new IOException(kind.flag + " " + file + " cannot be read: " + ex.getMessage(), ex);
        }
        for (int i = 0; i < lines.size(); i++)
        {
            String line = lines.get(i);
            final int hash = line.indexOf('#');
            if (hash >= 0)
            {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (!line.isEmpty())
            {
                try
                {
                    result.add(line.split("\\s+"), i + 1);
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new IOException(kind.flag + " " + file + ":" + (i + 1) + ": " + ex.getMessage(), ex);
                }
            }
        }
        if (result.size() == 0)
        {
            throw new IOException(kind.flag + " " + file + ": no " + kind.key + "s; every call would be refused");
        }
        return result;
    }

    private void add(final String[] words, final int line)
    {
        if (words.length < 2)
        {
            throw new IllegalArgumentException("expected \"" + kind.key.toUpperCase(java.util.Locale.ROOT) +
                " ROLE [name=NAME] [claims=ID,PREFIX*,...]\", found " + words.length + " word");
        }
        final String key = words[0];
        final Role role = Role.of(words[1]);
        if (role == null)
        {
            throw new IllegalArgumentException("role must be admin, auditor, reader or claimant, was \"" + words[1] +
                "\"");
        }
        String name = null;
        Scope scope = null;
        for (int w = 2; w < words.length; w++)
        {
            final String word = words[w];
            if (word.startsWith("name=") && name == null)
            {
                name = checkName(word.substring(5));
            }
            else if (word.startsWith("claims=") && scope == null)
            {
                scope = Scope.parse(word.substring(7));
            }
            else
            {
                final int eq = word.indexOf('=');
                throw new IllegalArgumentException(eq > 0 && (word.startsWith("name=") || word.startsWith("claims=")) ?
                    word.substring(0, eq) + "= is given twice" :
                    "unknown option \"" + (eq > 0 ? word.substring(0, eq + 1) : word) +
                    "\"; expected name= or claims=");
            }
        }
        if (role == Role.CLAIMANT && scope == null)
        {
            throw new IllegalArgumentException("a claimant needs claims=ID,PREFIX*,... (the claims it may see and " +
                "change)");
        }
        if (role != Role.CLAIMANT && scope != null)
        {
            throw new IllegalArgumentException("claims= goes with the claimant role only; an " + role.word() +
                " reaches every claim");
        }
        if (kind == Kind.TOKENS && name != null && name.equals(key))
        {
            throw new IllegalArgumentException("name= must not be the token itself: names are recorded in the ledger");
        }
        final Principal principal = new Principal(name != null ? name : kind == Kind.TOKENS ? role.word() : key, role,
            scope != null ? scope : Scope.ALL);
        checkSameName(principal, line);
        if (kind == Kind.TOKENS)
        {
            addToken(key, principal, line);
        }
        else
        {
            if (subjects.containsKey(key))
            {
                throw new IllegalArgumentException("subject \"" + key + "\" is given twice");
            }
            subjects.put(key, principal);
        }
    }

    private void addToken(final String token, final Principal principal, final int line)
    {
        final byte[] bytes = token.getBytes(StandardCharsets.UTF_8);
        for (final byte[] known : tokens)
        {
            if (MessageDigest.isEqual(known, bytes))
            {
                throw new IllegalArgumentException("this token is given twice (give each credential one line)");
            }
        }
        tokens.add(bytes);
        tokenPrincipals.add(principal);
    }

    // One name, one principal: two credentials of the same firm (a token being rotated) must agree.
    private void checkSameName(final Principal principal, final int line)
    {
        final Principal before = byName.get(principal.name());
        if (before != null && !before.equals(principal))
        {
            throw new IllegalArgumentException("name \"" + principal.name() + "\" is " + describe(before) +
                " on line " + nameLines.get(principal.name()) + " but " + describe(principal) + " here; one name " +
                "is one principal");
        }
        byName.putIfAbsent(principal.name(), principal);
        nameLines.putIfAbsent(principal.name(), line);
    }

    private static String describe(final Principal p)
    {
        return p.role().word() + (p.scoped() ? " claims=" + p.scope() : "");
    }

    private static String checkName(final String name)
    {
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH)
        {
            throw new IllegalArgumentException("name= must be 1 to " + MAX_NAME_LENGTH + " characters, was " +
                name.length());
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "._:/@+-".indexOf(c) >= 0))
            {
                throw new IllegalArgumentException("name= may hold letters, digits and . _ : / @ + - only; found \"" +
                    c + "\" at index " + i);
            }
        }
        return name;
    }

    /**
     * Refuses two files that give one name to different principals.
     *
     * @param other the other file's principals.
     * @throws IllegalArgumentException naming the name.
     */
    public void checkAgainst(final Credentials other)
    {
        for (final Map.Entry<String, Principal> e : other.byName.entrySet())
        {
            final Principal mine = byName.get(e.getKey());
            if (mine != null && !mine.equals(e.getValue()))
            {
                throw new IllegalArgumentException("name \"" + e.getKey() + "\" is " + describe(mine) + " in " +
                    kind.flag + " but " + describe(e.getValue()) + " in " + other.kind.flag + "; one name is one " +
                    "principal");
            }
        }
    }

    /** @return the credentials in the file. */
    public int size()
    {
        return tokens.size() + subjects.size();
    }

    /**
     * @param token a presented bearer token.
     * @return its principal, or null when unknown. Compares in constant time per token.
     */
    public Principal forToken(final String token)
    {
        final byte[] presented = token.getBytes(StandardCharsets.UTF_8);
        Principal found = null;
        for (int i = 0; i < tokens.size(); i++)
        {
            if (MessageDigest.isEqual(tokens.get(i), presented))
            {
                found = tokenPrincipals.get(i);
            }
        }
        return found;
    }

    /**
     * @param sanUris    the certificate's subject alternative name URIs, in order.
     * @param commonName its subject's CN, or null.
     * @return the principal of the first URI listed, else of the CN, else null.
     */
    public Principal forSubject(final List<String> sanUris, final String commonName)
    {
        for (final String uri : sanUris)
        {
            final Principal p = subjects.get(uri);
            if (p != null)
            {
                return p;
            }
        }
        // A subject with :// is a SAN URI: a CN that looks like one does not stand for it.
        return commonName == null || commonName.contains("://") ? null : subjects.get(commonName);
    }
}
