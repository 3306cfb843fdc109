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
 * The fast routes of the common case ({@link CommonCase}: one tier, no floors, lot 1, no share limit) give
 * the general path's awards, and the reference's: every seeded problem is allocated twice by the same
 * allocator, once with the common case switched off (the general path) and once with it on, and, where the
 * supply keeps the reference's per-lot greedy quick, by {@link ReferenceAllocator}. The test also counts the
 * problems the fast route settled by itself, so that it cannot pass by never taking it.
 */
@Tag("slow")
class CommonCaseTest
{
    private static final int PROBLEMS = 1000;
    private static final int CAPACITY = 300;
    private static final long REFERENCE_SUPPLY_LIMIT = 3000;

    /**
     * A common-case problem: one tier (any tier number), no floors, lot 0 or 1, no share limit; absent,
     * zero, tied and huge demands, weights and caps, supplies from 0 to 2^62.
     */
    static Problem common(final Random rnd, final Method method, final int n)
    {
        final String[] id = new String[n];
        final long[] demand = new long[n];
        final long[] weight = new long[n];
        final int[] tier = new int[n];
        final long[] cap = new long[n];
        final long[] floor = new long[n];
        final boolean finite = method.needsFiniteDemand();
        final int regime = rnd.nextInt(4);
        // small values (ties), values around 10^6 and huge values below 2^62 / n
        final long scale = regime == 0 ? 4 : regime == 1 ? 100 : regime == 2 ? 1_000_000 : (Generators.MAX / n) / 4;
        final boolean weights = rnd.nextInt(3) == 0;
        final boolean caps = rnd.nextInt(3) == 0;
        final boolean zeros = rnd.nextInt(4) == 0;
        final int t = rnd.nextInt(3);
        long sumDemand = 0;
        for (int i = 0; i < n; i++)
        {
            id[i] = "c" + i;
            tier[i] = t;
            final boolean absentDemand = !finite && rnd.nextInt(10) == 0;
            demand[i] = absentDemand ? Claims.ABSENT : zeros && rnd.nextInt(8) == 0 ? 0 : 1 + nextLong(rnd, scale);
            weight[i] = Claims.ABSENT;
            if (weights && rnd.nextInt(4) != 0 || absentDemand && method.defaultWeightIsDemand())
            {
                weight[i] = zeros && method != Method.EQUAL_LOSSES && rnd.nextInt(6) == 0 ? 0 :
                    1 + nextLong(rnd, rnd.nextBoolean() ? 3 : scale);
            }
            cap[i] = caps && rnd.nextInt(3) == 0 ? nextLong(rnd, scale + 1) : Claims.ABSENT;
            sumDemand += demand[i] == Claims.ABSENT ? scale : demand[i];
        }
        final long supply;
        switch (rnd.nextInt(6))
        {
            case 0:
                supply = rnd.nextInt(3);
                break;
            case 1:
                supply = Math.min(Generators.MAX, sumDemand + rnd.nextInt(5));
                break;
            case 2:
                supply = Math.min(REFERENCE_SUPPLY_LIMIT, 1 + nextLong(rnd, Math.max(1, sumDemand)));
                break;
            default:
                supply = 1 + nextLong(rnd, Math.min(Generators.MAX - 1, Math.max(1, sumDemand)));
        }
        return new Problem(supply, method, rnd.nextBoolean() ? 0 : 1, 0, id, demand, weight, tier, cap, floor);
    }

    private static long nextLong(final Random rnd, final long bound)
    {
        return (long)(rnd.nextDouble() * bound);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Method.class)
    void commonCaseGivesTheGeneralPathsAwards(final Method method)
    {
        final Random rnd = new Random(0xC0330A5EL + method.ordinal());
        final Allocator allocator = new Allocator(CAPACITY);
        final Claims claims = new Claims(CAPACITY);
        final Violations violations = new Violations();
        final List<String> failures = new ArrayList<>();
        int settled = 0;
        int splitFromColumns = 0;
        int referenced = 0;
        for (int k = 0; k < PROBLEMS && failures.size() < 5; k++)
        {
            final int n = 1 + rnd.nextInt(rnd.nextInt(8) == 0 ? CAPACITY : 12);
            final Problem p = common(rnd, method, n);
            p.fill(claims);
            assertThat(allocator.validate(p.supply, p.method, p.lot, p.ppm, claims, violations))
                .as("valid: %s %s", violations, p).isTrue();
            allocator.commonCase = false;
            final long generalTotal = allocator.allocate(p.supply, p.method, p.lot, p.ppm, claims);
            final long[] general = awards(claims, n);
            Arrays.fill(claims.awardArray(), 0, n, -7);
            final Rule rule = allocator.rule(method);
            if (rule instanceof DivisorMethod)
            {
                ((DivisorMethod)rule).lastFromColumns = false;
            }
            final long fastTotal = CommonCase.allocate(
                p.supply, p.method, claims, n, workspace(allocator, n), allocator.rule(method));
            settled += fastTotal != CommonCase.NOT_APPLICABLE ? 1 : 0;
            splitFromColumns += rule instanceof DivisorMethod && ((DivisorMethod)rule).lastFromColumns ? 1 : 0;
            allocator.commonCase = true;
            final long total = allocator.allocate(p.supply, p.method, p.lot, p.ppm, claims);
            final long[] fast = awards(claims, n);
            if (!Arrays.equals(general, fast) || total != generalTotal ||
                fastTotal != CommonCase.NOT_APPLICABLE && fastTotal != generalTotal)
            {
                failures.add("problem " + k + ": general " + Arrays.toString(general) + " (" + generalTotal +
                    ")\n  common  " + Arrays.toString(fast) + " (" + total + ", fast route " + fastTotal + ")\n" + p);
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
        assertThat(referenced).as("problems compared with the reference").isGreaterThan(PROBLEMS / 5);
        assertThat(settled).as("problems the fast route settled").isGreaterThan(PROBLEMS / 3);
        if (method.kind() == Method.Kind.DIVISOR)
        {
            assertThat(splitFromColumns).as("divisor splits from the claims' columns").isGreaterThan(PROBLEMS / 3);
        }
    }

    /** The allocator's workspace, grown to n claims as allocate() would. */
    private static Workspace workspace(final Allocator allocator, final int n)
    {
        final Workspace ws = allocator.workspace();
        ws.ensureCapacity(n);
        return ws;
    }

    private static long[] awards(final Claims claims, final int n)
    {
        return Arrays.copyOf(claims.awardArray(), n);
    }
}
