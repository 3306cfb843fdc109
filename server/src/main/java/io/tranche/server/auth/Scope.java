package io.tranche.server.auth;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The claims a claimant may see and change: exact ids and prefixes (written with a trailing {@code *}), as in
 * {@code claims=alpha-1,alpha-*}. {@link #ALL} is every claim (the other roles).
 */
public final class Scope
{
    /** Every claim. */
    public static final Scope ALL = new Scope(Set.of(), List.of(), "*");

    private final Set<String> ids;
    private final List<String> prefixes;
    private final String text;

    private Scope(final Set<String> ids, final List<String> prefixes, final String text)
    {
        this.ids = ids;
        this.prefixes = prefixes;
        this.text = text;
    }

    /**
     * @param list the value of {@code claims=}: comma-separated ids and prefixes ending in {@code *}.
     * @return the scope.
     * @throws IllegalArgumentException naming what is wrong with an entry.
     */
    public static Scope parse(final String list)
    {
        final Set<String> ids = new HashSet<>();
        final List<String> prefixes = new ArrayList<>();
        final String[] entries = list.split(",", -1);
        for (int i = 0; i < entries.length; i++)
        {
            final String entry = entries[i];
            if (entry.isEmpty())
            {
                throw new IllegalArgumentException("claims= entry " + (i + 1) + " is empty");
            }
            if (entry.equals("*"))
            {
                throw new IllegalArgumentException("claims=* would reach every firm's claims; list this " +
                    "claimant's ids and prefixes (alpha-*), or give it another role");
            }
            final int star = entry.indexOf('*');
            if (star >= 0 && star != entry.length() - 1)
            {
                throw new IllegalArgumentException("claims= entry \"" + entry + "\": * may only end a prefix");
            }
            for (int c = 0; c < entry.length(); c++)
            {
                if (Character.isISOControl(entry.charAt(c)))
                {
                    throw new IllegalArgumentException("claims= entry " + (i + 1) + " has a control character");
                }
            }
            if (star >= 0)
            {
                prefixes.add(entry.substring(0, star));
            }
            else
            {
                ids.add(entry);
            }
        }
        return new Scope(Set.copyOf(ids), List.copyOf(prefixes), list);
    }

    /**
     * @param id a claim id.
     * @return true when the id is in this scope.
     */
    public boolean contains(final String id)
    {
        if (this == ALL || ids.contains(id))
        {
            return true;
        }
        for (int i = 0, n = prefixes.size(); i < n; i++)
        {
            if (id.startsWith(prefixes.get(i)))
            {
                return true;
            }
        }
        return false;
    }

    /** @return true for {@link #ALL}. */
    public boolean all()
    {
        return this == ALL;
    }

    /** @return the scope as written ({@code *} for all). */
    @Override
    public String toString()
    {
        return text;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof Scope s && s.ids.equals(ids) && s.prefixes.equals(prefixes);
    }

    @Override
    public int hashCode()
    {
        return ids.hashCode() * 31 + prefixes.hashCode();
    }
}
