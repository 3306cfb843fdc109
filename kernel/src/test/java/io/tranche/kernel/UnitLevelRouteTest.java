package io.tranche.kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The water-filling route of the common case ({@link LevelSolver#unitLevel}: EQUAL without weights when a bound
 * binds, EQUAL_LOSSES without weights, TALMUD) gives the general path's awards and the reference's, on seeded
 * problems built to take it: one tier, no floors, no weights, demands from a heavy tail (many small claims
 * whose demands bind, a few large ones), caps on some claims, ties, zeros, supplies from 1 to 2^62. Each
 * problem must be settled by the route (the solver's counter of settled levels moves), so that the test cannot
 * pass by falling back to the general path.
 */
@Tag("slow")
class UnitLevelRouteTest
{
    private static final int PROBLEMS = 2000;
    private static final int CAPACITY = 400;
    private static final long REFERENCE_SUPPLY_LIMIT = 3000;

    static Problem tail(final Random rnd, final Method method, final int n)
    {
        final String[] id = new String[n];
        final long[] demand = new long[n];
        final long[] weight = new long[n];
        final int[] tier = new int[n];
        final long[] cap = new long[n];
        final long[] floor = new long[n];
        final int regime = rnd.nextInt(4);
        final long scale = regime == 0 ? 3 : regime == 1 ? 60 : regime == 2 ? 1_000_000 : (Generators.MAX / n) / 4;
        final boolean caps = rnd.nextInt(3) == 0;
        final boolean zeros = rnd.nextInt(4) == 0;
        final int t = rnd.nextInt(3);
        long sumBound = 0;
        for (int i = 0; i < n; i++)
        {
            id[i] = "c" + i;
            tier[i] = t;
            weight[i] = Claims.ABSENT;
            // A heavy tail: demand ≈ scale · u^(−1/1.16), capped at the scale's room.
            final double u = 1.0 - rnd.nextDouble();
            final double raw = Math.min(1e6, Math.pow(u, -1.0 / 1.16)) / 1e6;
            final long d = rnd.nextInt(10) == 0 ? scale : 1 + (long)(raw * scale);
            demand[i] = zeros && rnd.nextInt(8) == 0 ? 0 : Math.min(d, scale);
            cap[i] = caps && rnd.nextInt(3) == 0 ? (long)(rnd.nextDouble() * (scale + 1)) : Claims.ABSENT;
            sumBound += cap[i] == Claims.ABSENT ? demand[i] : Math.min(cap[i], demand[i]);
        }
        final long supply;
        if (sumBound <= 1 || rnd.nextInt(8) == 0)
        {
            supply = Math.min(Generators.MAX, 1 + (long)(rnd.nextDouble() * (sumBound + 2)));
        }
        else
        {
            // Rationed: between 1 and Σbound − 1.
            supply = 1 + (long)(rnd.nextDouble() * (sumBound - 1));
        }
        return new Problem(supply, method, rnd.nextBoolean() ? 0 : 1, 0, id, demand, weight, tier, cap, floor);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Method.class, names = {"EQUAL", "EQUAL_LOSSES", "TALMUD"})
    void waterFillingRouteGivesTheGeneralPathsAwards(final Method method)
    {
        final Random rnd = new Random(0x1E7E_1F11L + method.ordinal());
        final Allocator allocator = new Allocator(CAPACITY);
        final Claims claims = new Claims(CAPACITY);
        final Violations violations = new Violations();
        final List<String> failures = new ArrayList<>();
        int routed = 0;
        int rationed = 0;
        int referenced = 0;
        for (int k = 0; k < PROBLEMS && failures.size() < 5; k++)
        {
            final int n = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? CAPACITY : 70);
            final Problem p = tail(rnd, method, n);
            p.fill(claims);
            assertThat(allocator.validate(p.supply, p.method, p.lot, p.ppm, claims, violations))
                .as("valid: %s %s", violations, p).isTrue();
            allocator.commonCase = false;
            final long generalTotal = allocator.allocate(p.supply, p.method, p.lot, p.ppm, claims);
            final long[] general = Arrays.copyOf(claims.awardArray(), n);
            Arrays.fill(claims.awardArray(), 0, n, -7);
            allocator.commonCase = true;
            final long levels = allocator.workspace().solver.unitLevels;
            final long total = allocator.allocate(p.supply, p.method, p.lot, p.ppm, claims);
            final boolean routedHere = allocator.workspace().solver.unitLevels != levels;
            final long[] fast = Arrays.copyOf(claims.awardArray(), n);
            routed += routedHere ? 1 : 0;
            rationed += generalTotal == p.supply && sumOfBounds(p) > p.supply ? 1 : 0;
            if (!Arrays.equals(general, fast) || total != generalTotal)
            {
                failures.add("problem " + k + " (route " + routedHere + "): general " + Arrays.toString(general) +
                    " (" + generalTotal + ")\n  common  " + Arrays.toString(fast) + " (" + total + ")\n" + p);
                continue;
            }
            if (p.supply <= REFERENCE_SUPPLY_LIMIT && p.supply * n <= 20_000)
            {
                final ReferenceAllocator.Result expected = ReferenceAllocator.allocate(p);
                referenced++;
                if (!Arrays.equals(expected.awards, fast) || expected.allocated != total)
                {
                    failures.add("problem " + k + ": reference " + Arrays.toString(expected.awards) + "\n  kernel    " +
                        Arrays.toString(fast) + "\n" + p);
                }
            }
        }
        assertThat(failures).as(method.toString()).isEmpty();
        assertThat(referenced).as("problems compared with the reference").isGreaterThan(PROBLEMS / 10);
        // Every rationed problem but a few (EQUAL when no bound binds; TALMUD at 2S = Σh) takes the route.
        assertThat(routed).as("problems the water-filling route settled, of %d rationed", rationed)
            .isGreaterThan(rationed * (method == Method.EQUAL ? 1 : 9) / 10 - 1);
        assertThat(routed).as("problems the water-filling route settled").isGreaterThan(PROBLEMS / 4);
    }

    private static long sumOfBounds(final Problem p)
    {
        long sum = 0;
        for (int i = 0; i < p.demand.length; i++)
        {
            sum += p.cap[i] == Claims.ABSENT ? p.demand[i] : Math.min(p.cap[i], p.demand[i]);
        }
        return sum;
    }
}
