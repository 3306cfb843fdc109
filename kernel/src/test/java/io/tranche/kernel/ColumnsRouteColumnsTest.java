package io.tranche.kernel;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The divisor methods' common problem (one tier, no floors, lot 1, no share limit: {@link CommonCase#divisor})
 * leaves the workspace's lo and order columns unwritten and each route writes them where it reads them
 * ({@link DivisorMethod#writeColumns}, and lo alone for the claims a bracket lists). Here those columns are filled
 * with garbage before every call (random values, a random permutation), as another problem served by the same
 * allocator would leave them, so a route that reads a column it did not write gives wrong awards. The awards must
 * equal the reference's, and each route is seen taken: the level solver (a cap binds), the bracket, the small
 * tier's heap and the first lots alone.
 */
class ColumnsRouteColumnsTest
{
    private static final int CAPACITY = 64;

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Method.class, names = {"DHONDT", "SAINTE_LAGUE", "ADAMS", "DEAN", "HUNTINGTON_HILL"})
    void everyRouteWritesTheColumnsItReads(final Method method)
    {
        final Allocator allocator = new Allocator(CAPACITY);
        final DivisorMethod rule = (DivisorMethod)allocator.rule(method);
        final Workspace ws = allocator.workspace();
        final Claims claims = new Claims(CAPACITY);
        final Random rnd = new Random(0xC01L + method.ordinal());
        int solver = 0;
        int bracket = 0;
        int smallTier = 0;
        int firstLots = 0;
        int other = 0;
        final int problems = 4000;
        for (int k = 0; k < problems; k++)
        {
            final Problem p = commonProblem(Generators.valid(rnd.nextLong(), method), rnd);
            p.fill(claims);
            for (int i = 0; i < CAPACITY; i++)
            {
                ws.lo[i] = rnd.nextInt(3) == 0 ? 0 : 1 + rnd.nextInt(1000);
                ws.order[i] = i;
            }
            for (int i = CAPACITY - 1; i > 0; i--)
            {
                final int j = rnd.nextInt(i + 1);
                final int t = ws.order[i];
                ws.order[i] = ws.order[j];
                ws.order[j] = t;
            }
            assertReferenceAwards(allocator, claims, p);
            if (!rule.lastFromColumns)
            {
                continue;
            }
            if (!rule.lastLevelUnbound && rule.lastCorrection > 0)
            {
                solver++;
            }
            else if (rule.lastCorrectionByBracket)
            {
                bracket++;
            }
            else if (rule.lastCorrectionSmallTier)
            {
                smallTier++;
            }
            else if (rule.lastFirstLotsOnly)
            {
                firstLots++;
            }
            else
            {
                other++;
            }
        }
        System.out.printf("ColumnsRouteColumnsTest %s: %d problems; from the columns: solver %d, bracket %d, " +
            "small tier %d, first lots %d, other %d%n", method, problems, solver, bracket, smallTier, firstLots, other);
        assertThat(solver).as("level solver").isGreaterThan(problems / 100);
        assertThat(bracket).as("bracket").isGreaterThan(problems / 100);
        assertThat(smallTier).as("small tier").isGreaterThan(problems / 100);
        if (method == Method.ADAMS || method == Method.DEAN || method == Method.HUNTINGTON_HILL)
        {
            assertThat(firstLots).as("first lots alone").isGreaterThan(problems / 100);
        }
    }

    /** Allocates {@code p} (already in {@code claims}) and checks the awards and total against the reference. */
    private static void assertReferenceAwards(final Allocator allocator, final Claims claims, final Problem p)
    {
        final ReferenceAllocator.Result expected = ReferenceAllocator.allocate(p);
        final long allocated = allocator.allocate(p.supply, p.method, p.lot, p.ppm, claims);
        final long[] actual = new long[p.size()];
        for (int i = 0; i < actual.length; i++)
        {
            actual[i] = claims.award(i);
        }
        assertThat(actual).as("awards of %s", p).isEqualTo(expected.awards);
        assertThat(allocated).isEqualTo(expected.allocated);
    }

    /**
     * Plain claims (demands only: {@link Claims#plain()}) take a pass that reads the demand column alone; it writes
     * the bounds and weights itself, so those columns are filled with garbage too before every call.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Method.class, names = {"DHONDT", "SAINTE_LAGUE", "ADAMS", "DEAN", "HUNTINGTON_HILL"})
    void thePlainPassWritesTheColumnsTheRoutesRead(final Method method)
    {
        final Allocator allocator = new Allocator(CAPACITY);
        final DivisorMethod rule = (DivisorMethod)allocator.rule(method);
        final Workspace ws = allocator.workspace();
        final Claims claims = new Claims(CAPACITY);
        final Random rnd = new Random(0x9A1L + method.ordinal());
        int plain = 0;
        int bracket = 0;
        int smallTier = 0;
        int firstLots = 0;
        final int problems = 4000;
        for (int k = 0; k < problems; k++)
        {
            final Problem p = plainProblem(Generators.valid(rnd.nextLong(), method), rnd);
            p.fill(claims);
            assertThat(claims.plain()).isTrue();
            for (int i = 0; i < CAPACITY; i++)
            {
                ws.lo[i] = rnd.nextInt(3) == 0 ? 0 : 1 + rnd.nextInt(1000);
                ws.hi[i] = rnd.nextInt(1000);
                ws.w[i] = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(1000);
                ws.order[i] = CAPACITY - 1 - i;
            }
            assertReferenceAwards(allocator, claims, p);
            if (rule.lastFromColumns && rule.lastFromPlainColumns)
            {
                plain++;
                bracket += rule.lastCorrectionByBracket ? 1 : 0;
                smallTier += rule.lastCorrectionSmallTier ? 1 : 0;
                firstLots += rule.lastFirstLotsOnly ? 1 : 0;
            }
        }
        System.out.printf("ColumnsRouteColumnsTest %s plain: %d problems; from the demands: %d (bracket %d, " +
            "small tier %d, first lots %d)%n", method, problems, plain, bracket, smallTier, firstLots);
        assertThat(plain).as("split from the demand column").isGreaterThan(problems / 2);
        assertThat(bracket).as("bracket").isGreaterThan(problems / 100);
        assertThat(smallTier).as("small tier").isGreaterThan(problems / 100);
        if (method == Method.ADAMS || method == Method.DEAN || method == Method.HUNTINGTON_HILL)
        {
            assertThat(firstLots).as("first lots alone").isGreaterThan(problems / 100);
        }
    }

    /** The problem with demands only (an absent demand made 1 + its weight), one tier, lot 1, no share limit. */
    private static Problem plainProblem(final Problem p, final Random rnd)
    {
        final int n = p.size();
        final long[] demand = new long[n];
        final long[] none = new long[n];
        Arrays.fill(none, Claims.ABSENT);
        for (int i = 0; i < n; i++)
        {
            demand[i] = p.demand[i] != Claims.ABSENT ? p.demand[i] : 1 + rnd.nextInt(1000);
        }
        final long lots = p.supply / (p.lot == 0 ? 1 : p.lot);
        return new Problem(lots, p.method, 0, 0, p.id, demand, none, new int[n], none, new long[n]);
    }

    /**
     * The problem with one tier, no floors, lot 1, no share limit and as many units as it had lots; a cap on about a
     * fifth of the claims.
     */
    private static Problem commonProblem(final Problem p, final Random rnd)
    {
        final int n = p.size();
        final int[] tier = new int[n];
        final long[] floor = new long[n];
        final long[] cap = Arrays.copyOf(p.cap, n);
        for (int i = 0; i < n; i++)
        {
            if (rnd.nextInt(5) == 0 && p.demand[i] != Claims.ABSENT && p.demand[i] > 1)
            {
                cap[i] = 1 + rnd.nextInt((int)Math.min(p.demand[i] - 1, 1 << 20));
            }
        }
        // as many lots as the problem had (the reference gives them one at a time)
        final long lots = p.supply / (p.lot == 0 ? 1 : p.lot);
        return new Problem(lots, p.method, 0, 0, p.id, p.demand, p.weight, tier, cap, floor);
    }
}
