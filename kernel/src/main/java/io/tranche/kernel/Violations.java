package io.tranche.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * Every problem found by {@link Allocator#validate}: one (field path, description) pair per bad
 * field, with paths as in {@code tranche.v1.AllocateRequest} ({@code supply}, {@code policy.lot},
 * {@code claims[3].floor}). Reusable; only the error path allocates.
 */
public final class Violations
{
    private final List<String> fields = new ArrayList<>();
    private final List<String> descriptions = new ArrayList<>();

    /** Forgets every violation. */
    public void clear()
    {
        fields.clear();
        descriptions.clear();
    }

    /**
     * @param field       field path, e.g. {@code claims[2].floor}.
     * @param description what is wrong, in words a person can act on.
     */
    public void add(final String field, final String description)
    {
        fields.add(field);
        descriptions.add(description);
    }

    /** @return number of violations. */
    public int count()
    {
        return fields.size();
    }

    /** @return true when there is none. */
    public boolean isEmpty()
    {
        return fields.isEmpty();
    }

    /** @param i index. @return the field path of violation i. */
    public String field(final int i)
    {
        return fields.get(i);
    }

    /** @param i index. @return the description of violation i. */
    public String description(final int i)
    {
        return descriptions.get(i);
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fields.size(); i++)
        {
            if (i > 0)
            {
                sb.append("; ");
            }
            sb.append(fields.get(i)).append(": ").append(descriptions.get(i));
        }
        return sb.toString();
    }
}
