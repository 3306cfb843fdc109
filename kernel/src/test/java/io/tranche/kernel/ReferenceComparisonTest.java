package io.tranche.kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The kernel against {@link ReferenceAllocator}, award for award, on seeded random problems from
 * {@link Generators}: 10,000 per method, plus invalid problems against the reference's list of
 * violated fields. A failure prints the seed and the problem; rerun one seed with
 * {@code Generators.valid(seed, method)}.
 */
@Tag("slow")
class ReferenceComparisonTest
{
    static final int PROBLEMS_PER_METHOD = Integer.getInteger("tranche.reference.problems", 10_000);
    static final int CAPACITY = 64;

    static long seed(final Method method, final int k)
    {
        return 0x5EED_0000L + method.ordinal() * 1_000_003L + k;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Method.class)
    void kernelMatchesReferenceOnRandomProblems(final Method method)
    {
        final Allocator allocator = new Allocator(CAPACITY);
        final Claims claims = new Claims(CAPACITY);
        final Violations violations = new Violations();
        final List<String> failures = new ArrayList<>();
        int rationed = 0;
        int compared = 0;
        final int[] features = new int[FEATURES.length];
        ReferenceAllocator.positionTieBreaks = 0;
        for (int k = 0; k < PROBLEMS_PER_METHOD && failures.size() < 5; k++)
        {
            final long seed = seed(method, k);
            final Problem p = Generators.valid(seed, method);
            p.fill(claims);
            if (!allocator.validate(p.supply, p.method, p.lot, p.ppm, claims, violations))
            {
                failures.add("seed " + seed + ": kernel rejects a valid problem: " + violations + "\n" + p);
                continue;
            }
            final ReferenceAllocator.Result expected = ReferenceAllocator.allocate(p);
            final long allocated;
            try
            {
                allocated = allocator.allocate(p.supply, p.method, p.lot, p.ppm, claims);
            }
            catch (final RuntimeException | AssertionError e)
            {
                failures.add("seed " + seed + ": kernel threw " + e + "\n" + p);
                continue;
            }
            final long[] actual = new long[p.size()];
            for (int i = 0; i < actual.length; i++)
            {
                actual[i] = claims.award(i);
            }
            if (!Arrays.equals(expected.awards, actual) || allocated != expected.allocated)
            {
                failures.add("seed " + seed + ": awards differ\n  reference " + Arrays.toString(expected.awards) +
                    " (allocated " + expected.allocated + ")\n  kernel    " + Arrays.toString(actual) +
                    " (allocated " + allocated + ")\n" + p);
            }
            rationed += expected.floorsRationed ? 1 : 0;
            countFeatures(p, features);
            compared++;
        }
        if (!failures.isEmpty())
        {
            fail(method + ": " + failures.size() + " failure(s) (stopped after 5):\n" + String.join("\n", failures));
        }
        final StringBuilder coverage = new StringBuilder();
        for (int f = 0; f < FEATURES.length; f++)
        {
            coverage.append(f == 0 ? "" : ", ").append(FEATURES[f]).append(' ').append(features[f]);
        }
        System.out.println("ReferenceComparisonTest " + method + ": " + compared + " problems equal, " + rationed +
            " with rationed floors, " + ReferenceAllocator.positionTieBreaks + " lots decided by queue position " +
            "between equal priorities or fractions; problems with " + coverage);
        assertEquals(PROBLEMS_PER_METHOD, compared);
    }

    static final String[] FEATURES =
        {"several tiers", "share limit", "lot > 1", "value >= 2^55", "zero weight", "fewer lots than claims", "tie"};

    /** Counts which features the generated problems exercise, so that the coverage is visible. */
    static void countFeatures(final Problem p, final int[] features)
    {
        final int n = p.size();
        boolean tiers = false;
        boolean huge = p.lot >= 1L << 55 || p.supply >= 1L << 55;
        boolean zero = false;
        boolean tie = false;
        for (int i = 0; i < n; i++)
        {
            tiers |= p.tier[i] != p.tier[0];
            huge |= p.demand[i] >= 1L << 55 || p.weight[i] >= 1L << 55;
            zero |= p.weight[i] == 0;
            for (int j = 0; j < i; j++)
            {
                tie |= p.weight[i] == p.weight[j] && p.weight[i] != Claims.ABSENT || p.demand[i] == p.demand[j];
            }
        }
        final long lot = p.lot == 0 ? 1 : p.lot;
        final boolean[] has = {tiers, p.ppm != 0, lot > 1, huge, zero, p.supply / lot < n, tie};
        for (int f = 0; f < has.length; f++)
        {
            features[f] += has[f] ? 1 : 0;
        }
    }

    @Test
    void validatorReportsTheFieldsTheReferenceFindsOnInvalidProblems()
    {
        final Allocator allocator = new Allocator(CAPACITY);
        final Claims claims = new Claims(CAPACITY);
        final Violations violations = new Violations();
        final List<String> failures = new ArrayList<>();
        for (int k = 0; k < 5_000 && failures.size() < 5; k++)
        {
            final long seed = 0xBAD_0000L + k;
            final Problem p = Generators.invalid(seed);
            p.fill(claims);
            final boolean valid =
                allocator.validate(p.supply, p.method, p.lot, p.ppm, claims, new TestIds(p.id), violations);
            final List<String> expected = ReferenceAllocator.violations(p, CAPACITY);
            final List<String> actual = new ArrayList<>();
            for (int i = 0; i < violations.count(); i++)
            {
                actual.add(violations.field(i));
                if (violations.description(i) == null || violations.description(i).isBlank())
                {
                    failures.add("seed " + seed + ": empty message for " + violations.field(i));
                }
            }
            actual.sort(null);
            if (valid != expected.isEmpty() || !expected.equals(actual))
            {
                failures.add("seed " + seed + ": expected " + expected + " got " + actual + " (" + violations + ")\n" +
                    p);
            }
        }
        if (!failures.isEmpty())
        {
            fail(String.join("\n", failures));
        }
    }

    @Test
    void generatedValidProblemsAreValidForTheReference()
    {
        for (final Method method : Method.values())
        {
            for (int k = 0; k < 2_000; k++)
            {
                final Problem p = Generators.valid(seed(method, k), method);
                assertEquals(List.of(), ReferenceAllocator.violations(p, CAPACITY), () -> p.toString());
            }
        }
    }
}
