package io.tranche.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The routes of small tiers. PROPORTIONAL on a rationed plain tier of at most {@link CommonCase#TINY_TIER} claims
 * rounds by counting, with a 64-bit division per claim or, when a product d·S passes 63 bits, the fixed-point
 * quotient: its awards against the general path (the common case switched off) on every problem, and against the
 * reference's per-lot greedy where the supply keeps that quick. Tied remainders (equal demands) check the tie rule:
 * the earlier claim first. The divisor methods on tiers of at most {@link DivisorMethod#SMALL_TIER} claims a few
 * lots off after the first rounding go straight to the heap: against the reference, the route seen taken.
 */
class SmallTierRoutesTest
{
    private static final int PROBLEMS = 20_000;

    @Test
    void tinyTiersGiveTheGeneralPathsAndTheReferencesAwards()
    {
        final SplittableRandom random = new SplittableRandom(0x71A7);
        final Allocator allocator = new Allocator(CommonCase.TINY_TIER);
        final Claims claims = new Claims(CommonCase.TINY_TIER);
        final Violations violations = new Violations();
        final List<String> failures = new ArrayList<>();
        long referenced = 0;
        long wide = 0;
        final long routesBefore = allocator.workspace().solver.tinyRoutes;
        for (int k = 0; k < PROBLEMS && failures.size() < 5; k++)
        {
            final int n = 1 + random.nextInt(CommonCase.TINY_TIER);
            final Problem p = problem(random, n);
            p.fill(claims);
            assertThat(allocator.validate(p.supply, p.method, p.lot, p.ppm, claims, violations))
                .as("valid: %s %s", violations, p).isTrue();
            allocator.commonCase = false;
            final long generalTotal = allocator.allocate(p.supply, p.method, p.lot, p.ppm, claims);
            final long[] general = Arrays.copyOf(claims.awardArray(), n);
            allocator.commonCase = true;
            Arrays.fill(claims.awardArray(), 0, n, -7);
            final long total = allocator.allocate(p.supply, p.method, p.lot, p.ppm, claims);
            final long[] tiny = Arrays.copyOf(claims.awardArray(), n);
            if (!Arrays.equals(general, tiny) || total != generalTotal)
            {
                failures.add("problem " + k + ": general " + Arrays.toString(general) + "\n  tiny    " +
                    Arrays.toString(tiny) + "\n" + p);
                continue;
            }
            long maxDemand = 0;
            for (final long d : p.demand)
            {
                maxDemand = Math.max(maxDemand, d);
            }
            wide += Math.multiplyHigh(maxDemand, p.supply) != 0 || maxDemand * p.supply < 0 ? 1 : 0;
            if (p.supply <= 2_000)
            {
                final ReferenceAllocator.Result expected = ReferenceAllocator.allocate(p);
                referenced++;
                if (!Arrays.equals(expected.awards, tiny) || expected.allocated != total)
                {
                    failures.add("problem " + k + ": reference " + Arrays.toString(expected.awards) + "\n  tiny      " +
                        Arrays.toString(tiny) + "\n" + p);
                }
            }
        }
        assertThat(failures).isEmpty();
        assertThat(allocator.workspace().solver.tinyRoutes - routesBefore).as("problems the tiny route rounded")
            .isGreaterThan(PROBLEMS / 2);
        assertThat(referenced).as("problems checked against the reference").isGreaterThan(PROBLEMS / 5);
        assertThat(wide).as("problems with a product d·S past 63 bits").isGreaterThan(PROBLEMS / 10);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Method.class, names = {"DHONDT", "SAINTE_LAGUE", "ADAMS", "DEAN", "HUNTINGTON_HILL"})
    void smallDivisorTiersGoStraightToTheHeapAndGiveTheReferencesAwards(final Method method)
    {
        final SplittableRandom random = new SplittableRandom(0x5E11 + method.ordinal());
        final Allocator allocator = new Allocator(DivisorMethod.SMALL_TIER);
        final Claims claims = new Claims(DivisorMethod.SMALL_TIER);
        final Violations violations = new Violations();
        final DivisorMethod rule = (DivisorMethod)allocator.rule(method);
        final List<String> failures = new ArrayList<>();
        int heap = 0;
        for (int k = 0; k < PROBLEMS / 10 && failures.size() < 5; k++)
        {
            final int n = 1 + random.nextInt(DivisorMethod.SMALL_TIER);
            final Problem p = CommonCaseTest.common(new java.util.Random(random.nextLong()), method, n);
            if (p.supply > 2_000)
            {
                continue;
            }
            p.fill(claims);
            assertThat(allocator.validate(p.supply, p.method, p.lot, p.ppm, claims, violations))
                .as("valid: %s %s", violations, p).isTrue();
            final long total = allocator.allocate(p.supply, p.method, p.lot, p.ppm, claims);
            heap += rule.lastCorrectionSmallTier ? 1 : 0;
            final long[] awards = Arrays.copyOf(claims.awardArray(), n);
            final ReferenceAllocator.Result expected = ReferenceAllocator.allocate(p);
            if (!Arrays.equals(expected.awards, awards) || expected.allocated != total)
            {
                failures.add("problem " + k + ": reference " + Arrays.toString(expected.awards) + "\n  kernel    " +
                    Arrays.toString(awards) + "\n" + p);
            }
        }
        assertThat(failures).isEmpty();
        assertThat(heap).as("problems the small-tier heap corrected").isGreaterThan(50);
    }

    /** Plain PROPORTIONAL (demands only, one tier), rationed: small tied demands, mid-size and huge ones. */
    private static Problem problem(final SplittableRandom random, final int n)
    {
        final String[] id = new String[n];
        final long[] demand = new long[n];
        final long[] weight = new long[n];
        final int[] tier = new int[n];
        final long[] cap = new long[n];
        final long[] floor = new long[n];
        final int regime = random.nextInt(4);
        final long scale = regime == 0 ? 4 : regime == 1 ? 1_000 : regime == 2 ? 1L << 40 : Generators.MAX / n;
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            id[i] = "c" + i;
            demand[i] = random.nextInt(10) == 0 ? 0 : 1 + random.nextLong(scale);
            weight[i] = Claims.ABSENT;
            cap[i] = Claims.ABSENT;
            sum += demand[i];
        }
        final long supply = sum <= 1 ? sum : random.nextInt(3) == 0 ?
            1 + random.nextLong(Math.min(sum - 1, 2_000)) : 1 + random.nextLong(sum - 1);
        return new Problem(supply, Method.PROPORTIONAL, 1, 0, id, demand, weight, tier, cap, floor);
    }
}
