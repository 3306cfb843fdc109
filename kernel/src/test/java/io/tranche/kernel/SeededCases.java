package io.tranche.kernel;

import java.util.SplittableRandom;

/**
 * Seeded random test cases for plain JUnit 5: a property runs {@code tries} cases, each from its own
 * 64-bit seed drawn from one base seed, so that a run is the same on every machine and a failure can
 * be replayed alone.
 * <p>
 * The base seed is fixed per property (derived from its name) unless {@code -Dtranche.seed=N} gives
 * another; {@code -Dtranche.case=N} runs only the case whose seed is N, the one a failure prints.
 */
public final class SeededCases
{
    /** System property: base seed of every property in the run. */
    public static final String SEED_PROP_NAME = "tranche.seed";
    /** System property: the seed of the one case to replay. */
    public static final String CASE_PROP_NAME = "tranche.case";

    /** One case of a property. */
    @FunctionalInterface
    public interface Case
    {
        /**
         * @param rnd the case's own random source, seeded with its case seed.
         * @throws Exception to fail the case.
         */
        void check(SplittableRandom rnd) throws Exception;
    }

    private SeededCases()
    {
    }

    /**
     * Runs {@code tries} cases (or the one given by {@code -Dtranche.case}) and stops at the first
     * failure with an {@link AssertionError} that names the case seed and how to replay it.
     *
     * @param name  the property's name, which fixes its default base seed.
     * @param tries number of cases.
     * @param body  the property.
     */
    public static void run(final String name, final int tries, final Case body)
    {
        final String replay = System.getProperty(CASE_PROP_NAME);
        if (replay != null)
        {
            runOne(name, -1, tries, Long.parseLong(replay.trim()), 0, body);
            return;
        }
        final String given = System.getProperty(SEED_PROP_NAME);
        final long base = given != null ? Long.parseLong(given.trim()) : defaultSeed(name);
        final SplittableRandom seeds = new SplittableRandom(base);
        for (int i = 0; i < tries; i++)
        {
            runOne(name, i, tries, seeds.nextLong(), base, body);
        }
    }

    /**
     * @param values the values to choose from.
     * @param rnd    the case's random source.
     * @param <T>    the type.
     * @return one of the values, uniformly.
     */
    @SafeVarargs
    public static <T> T oneOf(final SplittableRandom rnd, final T... values)
    {
        return values[rnd.nextInt(values.length)];
    }

    /**
     * @param name a property's name.
     * @return its default base seed: stable across runs and machines, different per property.
     */
    static long defaultSeed(final String name)
    {
        long h = 0x5DEECE66DL;
        for (int i = 0; i < name.length(); i++)
        {
            h = h * 31 + name.charAt(i);
        }
        return h;
    }

    private static void runOne(
        final String name, final int index, final int tries, final long caseSeed, final long base, final Case body)
    {
        try
        {
            body.check(new SplittableRandom(caseSeed));
        }
        catch (final Throwable ex)
        {
            final String where = index < 0 ?
                "replayed case" :
                "case " + (index + 1) + " of " + tries + " (base seed " + base + ")";
            final AssertionError error = new AssertionError(name + ": " + where + " failed with case seed " + caseSeed +
                "; replay it alone with -D" + CASE_PROP_NAME + "=" + caseSeed + ": " + ex.getMessage(), ex);
            throw error;
        }
    }
}
