package io.tranche.kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Every problem found by {@link Allocator#validate}: per bad field, the claim's index (or {@link #PROBLEM} for a
 * field of the problem itself), a {@link Field} code, the value found and a description a person can act on. The
 * field path, as in {@code tranche.v1.AllocateRequest} ({@code supply}, {@code policy.lot},
 * {@code claims[3].floor}), is derived from the index and the code. Reusable; only the error path allocates.
 */
public final class Violations
{
    /** The claim index of a violation that belongs to the problem, not to one claim. */
    public static final int PROBLEM = -1;

    /** Which field a violation names. */
    public enum Field
    {
        /** {@code supply}. */
        SUPPLY("supply"),
        /** {@code policy.method}. */
        METHOD("policy.method"),
        /** {@code policy.lot}. */
        LOT("policy.lot"),
        /** {@code policy.max_share_ppm}. */
        MAX_SHARE_PPM("policy.max_share_ppm"),
        /** The claims as a whole: their number, or a total that does not fit. */
        CLAIMS("claims"),
        /** {@code claims[i].id}: checked by the caller (the kernel knows claims by index only). */
        ID("id"),
        /** {@code claims[i].demand}. */
        DEMAND("demand"),
        /** {@code claims[i].weight}. */
        WEIGHT("weight"),
        /** {@code claims[i].tier}. */
        TIER("tier"),
        /** {@code claims[i].cap}. */
        CAP("cap"),
        /** {@code claims[i].floor}. */
        FLOOR("floor");

        private final String wireName;

        Field(final String wireName)
        {
            this.wireName = wireName;
        }

        /** @return the field's name in {@code tranche.v1}: the whole path for a problem field, else the claim's. */
        public String wireName()
        {
            return wireName;
        }
    }

    private int count;
    private int[] claim = new int[8];
    private Field[] field = new Field[8];
    private long[] value = new long[8];
    private final List<String> descriptions = new ArrayList<>();

    /** Forgets every violation. */
    public void clear()
    {
        count = 0;
        descriptions.clear();
    }

    /**
     * @param claim       the claim's index, or {@link #PROBLEM}.
     * @param field       the field.
     * @param value       the value found (0 where there is none, e.g. an empty id).
     * @param description what is wrong, in words a person can act on.
     */
    public void add(final int claim, final Field field, final long value, final String description)
    {
        if (count == this.claim.length)
        {
            this.claim = Arrays.copyOf(this.claim, count * 2);
            this.field = Arrays.copyOf(this.field, count * 2);
            this.value = Arrays.copyOf(this.value, count * 2);
        }
        this.claim[count] = claim;
        this.field[count] = field;
        this.value[count] = value;
        descriptions.add(description);
        count++;
    }

    /**
     * Copies every violation of {@code other} after the ones held.
     *
     * @param other the violations to copy.
     */
    public void addAll(final Violations other)
    {
        for (int i = 0; i < other.count; i++)
        {
            add(other.claim[i], other.field[i], other.value[i], other.descriptions.get(i));
        }
    }

    /** @return number of violations. */
    public int count()
    {
        return count;
    }

    /** @return true when there is none. */
    public boolean isEmpty()
    {
        return count == 0;
    }

    /** @param i index. @return the claim index of violation i, or {@link #PROBLEM}. */
    public int claim(final int i)
    {
        return claim[i];
    }

    /** @param i index. @return the field code of violation i. */
    public Field code(final int i)
    {
        return field[i];
    }

    /** @param i index. @return the value violation i found. */
    public long value(final int i)
    {
        return value[i];
    }

    /** @param i index. @return the field path of violation i, e.g. {@code claims[2].floor} or {@code supply}. */
    public String field(final int i)
    {
        return claim[i] == PROBLEM ? field[i].wireName() : "claims[" + claim[i] + "]." + field[i].wireName();
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
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
            {
                sb.append("; ");
            }
            sb.append(field(i)).append(": ").append(descriptions.get(i));
        }
        return sb.toString();
    }
}
