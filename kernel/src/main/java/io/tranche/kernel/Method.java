package io.tranche.kernel;

/**
 * The rationing rule applied inside one priority tier (SPEC.md "Methods").
 * <p>
 * The constant names match {@code tranche.v1.Method} one to one.
 */
public enum Method
{
    /** Level method g = λ·w, default w = demand: largest remainder (Hamilton, Hare–Niemeyer). */
    PROPORTIONAL(Kind.LEVEL, true, true, false),
    /** Level method g = λ·w, default w = 1: constrained equal awards, weighted max-min fairness. */
    EQUAL(Kind.LEVEL, false, true, false),
    /** Level method g = d − λ·w, default w = 1: constrained equal losses; finite demands, w &gt; 0. */
    EQUAL_LOSSES(Kind.LEVEL, false, true, true),
    /** Aumann–Maschler (1985) Talmud rule; finite demands, weights unused. */
    TALMUD(Kind.LEVEL, false, false, true),
    /** Queue order: each claim is filled to its bound before the next receives beyond its floor. */
    FIFO(Kind.QUEUE, false, false, false),
    /** Jefferson / D'Hondt: threshold n + 1. */
    DHONDT(Kind.DIVISOR, true, true, false),
    /** Webster / Sainte-Laguë: threshold n + ½. */
    SAINTE_LAGUE(Kind.DIVISOR, true, true, false),
    /** Adams: threshold n (first unit has infinite priority). */
    ADAMS(Kind.DIVISOR, true, true, false),
    /** Dean: threshold n(n+1)/(n+½) (first unit has infinite priority). */
    DEAN(Kind.DIVISOR, true, true, false),
    /** Huntington–Hill: threshold √(n(n+1)) (first unit has infinite priority). */
    HUNTINGTON_HILL(Kind.DIVISOR, true, true, false);

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

    private final Kind kind;
    private final boolean defaultWeightIsDemand;
    private final boolean usesWeight;
    private final boolean needsFiniteDemand;

    Method(
        final Kind kind, final boolean defaultWeightIsDemand, final boolean usesWeight, final boolean needsFiniteDemand)
    {
        this.kind = kind;
        this.defaultWeightIsDemand = defaultWeightIsDemand;
        this.usesWeight = usesWeight;
        this.needsFiniteDemand = needsFiniteDemand;
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
