package io.tranche.kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The common case's one-pass rounding (a band of remainders placed from a sample, {@link CommonCase}), its
 * multiply-and-correct shares, and its routes that read the demands alone ({@link Claims#plain()}) give the
 * general path's awards, and the reference's where its per-lot greedy is quick: every seeded problem is allocated
 * with the common case switched off and on. The band route is forced onto small tiers by lowering
 * {@link LevelSolver#sampledFrom}, and made to miss by narrowing {@link LevelSolver#bandSigmas}; each route is
 * counted, so that the test cannot pass by never taking it.
 */
@Tag("slow")
class OnePassRoundingTest
{
    private static final int PROBLEMS = 2000;
    private static final int CAPACITY = 300;
    private static final long REFERENCE_SUPPLY_LIMIT = 3000;

    /**
     * A plain problem (one tier, no floors, weights or caps) whose remainders tie in bulk: demands of 1 to 3 and a
     * few large ones, rationed, as the benchmark's Pareto tail at a small supply.
     */
    static Problem ties(final Random rnd, final Method method, final int n)
    {
        final String[] id = new String[n];
        final long[] demand = new long[n];
        final long[] weight = new long[n];
        final int[] tier = new int[n];
        final long[] cap = new long[n];
        final long[] floor = new long[n];
        final int t = rnd.nextInt(3);
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            id[i] = "c" + i;
            tier[i] = t;
            weight[i] = Claims.ABSENT;
            cap[i] = Claims.ABSENT;
            demand[i] = rnd.nextInt(20) == 0 ? 1 + rnd.nextInt(5000) : 1 + rnd.nextInt(rnd.nextBoolean() ? 1 : 3);
            sum += demand[i];
        }
        final long supply = 1 + (long)(rnd.nextDouble() * (sum - 1));
        return new Problem(supply, method, rnd.nextBoolean() ? 0 : 1, 0, id, demand, weight, tier, cap, floor);
    }

    /** Counts of the routes taken, read from the solver before and after a call. */
    private static final class Routes
    {
        long settled;
        long missed;
        long plain;
        long waterFilled;

        void add(final LevelSolver solver, final long[] before)
        {
            settled += solver.bandsSettled - before[0];
            missed += solver.bandMisses - before[1];
            plain += solver.plainRoutes - before[2];
            waterFilled += solver.unitLevels - before[3];
        }

        static long[] snapshot(final LevelSolver solver)
        {
            return new long[] {solver.bandsSettled, solver.bandMisses, solver.plainRoutes, solver.unitLevels};
        }
    }

    /**
     * Allocates p with the common case off (the general path) and on, and, when the supply is small, by the
     * reference; adds a line to failures on any difference.
     */
    private static void compare(
        final Allocator allocator, final Claims claims, final Problem p, final int k, final Routes routes,
        final List<String> failures)
    {
        final Violations violations = new Violations();
        p.fill(claims);
        final int n = claims.count();
        assertThat(allocator.validate(p.supply, p.method, p.lot, p.ppm, claims, violations))
            .as("valid: %s %s", violations, p).isTrue();
        allocator.commonCase = false;
        final long generalTotal = allocator.allocate(p.supply, p.method, p.lot, p.ppm, claims);
        final long[] general = Arrays.copyOf(claims.awardArray(), n);
        Arrays.fill(claims.awardArray(), 0, n, -7);
        allocator.commonCase = true;
        final LevelSolver solver = allocator.workspace().solver;
        final long[] before = Routes.snapshot(solver);
        final long total = allocator.allocate(p.supply, p.method, p.lot, p.ppm, claims);
        routes.add(solver, before);
        final long[] fast = Arrays.copyOf(claims.awardArray(), n);
        if (!Arrays.equals(general, fast) || total != generalTotal)
        {
            failures.add("problem " + k + ": general " + Arrays.toString(general) + " (" + generalTotal +
                ")\n  common  " + Arrays.toString(fast) + " (" + total + ")\n" + p);
            return;
        }
        if (p.supply <= REFERENCE_SUPPLY_LIMIT && p.supply * n <= 20_000)
        {
            final ReferenceAllocator.Result expected = ReferenceAllocator.allocate(p);
            if (!Arrays.equals(expected.awards, fast) || expected.allocated != total)
            {
                failures.add("problem " + k + ": reference " + Arrays.toString(expected.awards) + "\n  kernel    " +
                    Arrays.toString(fast) + "\n" + p);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Method.class, names = {"PROPORTIONAL", "EQUAL"})
    void bandRoundingGivesTheGeneralPathsAwards(final Method method)
    {
        final Random rnd = new Random(0xBA4D_0001L + method.ordinal());
        final Allocator allocator = new Allocator(CAPACITY);
        final LevelSolver solver = allocator.workspace().solver;
        solver.sampledFrom = 8;
        final Claims claims = new Claims(CAPACITY);
        final List<String> failures = new ArrayList<>();
        final Routes routes = new Routes();
        for (int k = 0; k < PROBLEMS && failures.size() < 5; k++)
        {
            // A band of 4 standard deviations (the default), of one and a half, and of none (it misses often).
            solver.bandSigmas = k % 3 == 0 ? 4 : k % 3 == 1 ? 1.5 : 0;
            final int n = 1 + rnd.nextInt(rnd.nextInt(3) == 0 ? CAPACITY : 40);
            final Problem p = method == Method.PROPORTIONAL && rnd.nextInt(3) == 0 ?
                ties(rnd, method, n) : CommonCaseTest.common(rnd, method, n);
            compare(allocator, claims, p, k, routes, failures);
        }
        assertThat(failures).as(method.toString()).isEmpty();
        // EQUAL takes the band only with weights (a third of the problems) that bind no bound; PROPORTIONAL
        // whenever rationed.
        assertThat(routes.settled).as("roundings the band settled")
            .isGreaterThan(method == Method.EQUAL ? PROBLEMS / 20 : PROBLEMS / 4);
        assertThat(routes.missed).as("bands that missed the threshold")
            .isGreaterThan(method == Method.EQUAL ? 2 : PROBLEMS / 50);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Method.class, names = {"PROPORTIONAL", "EQUAL"})
    void plainRoutesGiveTheGeneralPathsAwards(final Method method)
    {
        final Random rnd = new Random(0x9A1A_0001L + method.ordinal());
        final Allocator allocator = new Allocator(CAPACITY);
        final Claims claims = new Claims(CAPACITY);
        final List<String> failures = new ArrayList<>();
        final Routes routes = new Routes();
        for (int k = 0; k < PROBLEMS && failures.size() < 5; k++)
        {
            final int n = 1 + rnd.nextInt(rnd.nextInt(3) == 0 ? CAPACITY : 40);
            final int kind = rnd.nextInt(3);
            final Problem p = kind == 0 ? ties(rnd, method, n) :
                kind == 1 ? UnitLevelRouteTest.tail(rnd, method, n) : CommonCaseTest.common(rnd, method, n);
            compare(allocator, claims, p, k, routes, failures);
        }
        assertThat(failures).as(method.toString()).isEmpty();
        assertThat(routes.plain).as("problems solved reading the demands alone").isGreaterThan(PROBLEMS / 4);
        if (method == Method.EQUAL)
        {
            // The heavy tails without caps fill water from the plain route's first round.
            assertThat(routes.waterFilled).as("plain water-fillings").isGreaterThan(PROBLEMS / 10);
        }
    }

    /**
     * Tiers above {@link LevelSolver#SAMPLE_THRESHOLD} take the band by default: Pareto tails like the
     * benchmark's at a small and a huge supply, without and with weights and caps.
     */
    @Test
    void largeTiersTakeTheBandByDefault()
    {
        final int n = LevelSolver.SAMPLE_THRESHOLD + 7_000;
        final Allocator allocator = new Allocator(n);
        final Claims claims = new Claims(n);
        final List<String> failures = new ArrayList<>();
        final Routes routes = new Routes();
        final Random rnd = new Random(0x1A26_E000L);
        int k = 0;
        for (final long supply : new long[] {400_000L, 1_000_000_000_000L, 3L * n + 17})
        {
            for (final boolean extras : new boolean[] {false, true})
            {
                for (final Method method : new Method[] {Method.PROPORTIONAL, Method.EQUAL})
                {
                    compare(allocator, claims, pareto(rnd, method, n, supply, extras), k++, routes, failures);
                }
            }
        }
        assertThat(failures).isEmpty();
        // PROPORTIONAL at each supply, plain and with weights and caps that do not bind.
        assertThat(routes.settled).as("large roundings the band settled").isGreaterThanOrEqualTo(6);
        assertThat(routes.plain).as("large problems solved reading the demands alone").isGreaterThanOrEqualTo(6);
    }

    /**
     * A Pareto tail (alpha 1.16), total demand 1.6 × the supply; with extras, weights of about half the demand and
     * caps above the demand on some claims (present, so not plain, but binding no bound under PROPORTIONAL).
     */
    private static Problem pareto(
        final Random rnd, final Method method, final int n, final long supply, final boolean extras)
    {
        final double[] raw = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            raw[i] = Math.pow(1.0 - rnd.nextDouble(), -1.0 / 1.16);
            total += raw[i];
        }
        final String[] id = new String[n];
        final long[] demand = new long[n];
        final long[] weight = new long[n];
        final int[] tier = new int[n];
        final long[] cap = new long[n];
        final long[] floor = new long[n];
        for (int i = 0; i < n; i++)
        {
            id[i] = "c" + i;
            demand[i] = Math.max(1L, (long)(raw[i] / total * 1.6 * supply));
            weight[i] = extras && i % 5 == 1 ? Math.max(1, demand[i] / 2 + rnd.nextInt(2)) : Claims.ABSENT;
            cap[i] = extras && i % 7 == 3 ? demand[i] + rnd.nextInt(3) : Claims.ABSENT;
        }
        return new Problem(supply, method, 1, 0, id, demand, weight, tier, cap, floor);
    }

    @Test
    void claimsArePlainUntilAClaimHasAFloorWeightCapOrAnotherTier()
    {
        final Claims claims = new Claims(4);
        claims.add(5, Claims.ABSENT, 2, Claims.ABSENT, 0);
        claims.add(Claims.ABSENT, Claims.ABSENT, 2, Claims.ABSENT, 0);
        assertThat(claims.plain()).isTrue();
        final long[][] special = {{5, 3, 2, Claims.ABSENT, 0}, {5, Claims.ABSENT, 1, Claims.ABSENT, 0},
            {5, Claims.ABSENT, 2, 4, 0}, {5, Claims.ABSENT, 2, Claims.ABSENT, 1}};
        for (final long[] c : special)
        {
            claims.clear();
            claims.add(5, Claims.ABSENT, 2, Claims.ABSENT, 0);
            claims.add(c[0], c[1], (int)c[2], c[3], c[4]);
            assertThat(claims.plain()).as(Arrays.toString(c)).isFalse();
            claims.clear();
            assertThat(claims.plain()).isTrue();
        }
        // A weight or cap given as present, whatever its value, is not plain.
        claims.add(5, Claims.ABSENT, 0, Claims.ABSENT, 0, Claims.DEMAND | Claims.CAP);
        assertThat(claims.plain()).isFalse();
    }
}
