package io.tranche.kernel;

import java.util.function.Supplier;

/**
 * The rationing rule applied inside one priority tier (SPEC.md "Methods"), and the one registry of
 * rules: each constant names its family, its flags and the class that implements it. Every list of
 * methods (validation messages, the CLI, the benchmarks' sweeps, the explainer) derives from
 * {@link #values()}, so a new rule is its class, a constant here and the proto enum value.
 * <p>
 * The constant names match {@code tranche.v1.Method} one to one.
 */
public enum Method
{
    // The order is the order of every list derived from values() (and of seeded draws from it): append, with the
    // next index (an array slot in the kernel, never on any wire; MethodTest checks they count up from 0).
    /** Level method g = λ·w, default w = demand: largest remainder (Hamilton, Hare–Niemeyer). */
    PROPORTIONAL(0, Kind.LEVEL, true, true, false, LevelMethods.Proportional::new),
    /** Level method g = λ·w, default w = 1: constrained equal awards, weighted max-min fairness. */
    EQUAL(1, Kind.LEVEL, false, true, false, LevelMethods.Proportional::new),
    /** Level method g = d − λ·w, default w = 1: constrained equal losses; finite demands, w &gt; 0. */
    EQUAL_LOSSES(2, Kind.LEVEL, false, true, true, LevelMethods.EqualLosses::new),
    /** Aumann–Maschler (1985) Talmud rule; finite demands, weights unused. */
    TALMUD(3, Kind.LEVEL, false, false, true, LevelMethods.Talmud::new),
    /** Queue order: each claim is filled to its bound before the next receives beyond its floor. */
    FIFO(4, Kind.QUEUE, false, false, false, LevelMethods.Fifo::new),
    /** Jefferson / D'Hondt: threshold n + 1. */
    DHONDT(5, Kind.DIVISOR, true, true, false, DHondt::new),
    /** Webster / Sainte-Laguë: threshold n + ½. */
    SAINTE_LAGUE(6, Kind.DIVISOR, true, true, false, SainteLague::new),
    /** Adams: threshold n (first unit has infinite priority). */
    ADAMS(7, Kind.DIVISOR, true, true, false, Adams::new),
    /** Dean: threshold n(n+1)/(n+½) (first unit has infinite priority). */
    DEAN(8, Kind.DIVISOR, true, true, false, Dean::new),
    /** Huntington–Hill: threshold √(n(n+1)) (first unit has infinite priority). */
    HUNTINGTON_HILL(9, Kind.DIVISOR, true, true, false, HuntingtonHill::new);

    /** The family a method belongs to. */
    public enum Kind
    {
        /** Find a real level, then round by largest fractional part. */
        LEVEL,
        /** Fill in queue order. */
        QUEUE,
        /** Highest-averages rounding of w / D for a common divisor D. */
        DIVISOR
    }

    private final int index;
    private final Kind kind;
    private final boolean defaultWeightIsDemand;
    private final boolean usesWeight;
    private final boolean needsFiniteDemand;
    private final Supplier<Rule> rule;

    Method(
        final int index, final Kind kind, final boolean defaultWeightIsDemand, final boolean usesWeight,
        final boolean needsFiniteDemand, final Supplier<Rule> rule)
    {
        this.index = index;
        this.rule = rule;
        this.kind = kind;
        this.defaultWeightIsDemand = defaultWeightIsDemand;
        this.usesWeight = usesWeight;
        this.needsFiniteDemand = needsFiniteDemand;
    }

    /**
     * @return a new instance of the rule (a cold path: one per allocator).
     */
    Rule newRule()
    {
        return rule.get();
    }

    /**
     * @return the constant names, comma separated, in declaration order (for messages and help texts).
     */
    public static String names()
    {
        final StringBuilder names = new StringBuilder();
        for (final Method method : values())
        {
            names.append(names.length() == 0 ? "" : ", ").append(method.name());
        }
        return names.toString();
    }

    /**
     * @return this method's slot, 0 to {@code values().length - 1}: for arrays of per-method state.
     */
    public int index()
    {
        return index;
    }

    /**
     * @return the family of the method.
     */
    public Kind kind()
    {
        return kind;
    }

    /**
     * @return true when an absent weight defaults to the claim's demand (PROPORTIONAL and the divisor
     * methods); otherwise an absent weight is 1 where weights are used.
     */
    public boolean defaultWeightIsDemand()
    {
        return defaultWeightIsDemand;
    }

    /**
     * @return true when the method reads weights (all but TALMUD and FIFO).
     */
    public boolean usesWeight()
    {
        return usesWeight;
    }

    /**
     * @return true when a claim of weight 0 is held at its floor (PROPORTIONAL, EQUAL and the divisor
     * methods). EQUAL_LOSSES rejects weight 0 instead.
     */
    public boolean holdsZeroWeightAtFloor()
    {
        return usesWeight && this != EQUAL_LOSSES;
    }

    /**
     * @return true when every claim needs a finite demand (EQUAL_LOSSES and TALMUD).
     */
    public boolean needsFiniteDemand()
    {
        return needsFiniteDemand;
    }
}
