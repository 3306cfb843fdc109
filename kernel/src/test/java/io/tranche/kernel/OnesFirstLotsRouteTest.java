package io.tranche.kernel;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The route for a block of tied first lots (D'Hondt and Sainte-Laguë, whose first lot has a finite priority): many
 * claims of weight 1 take their first lot at one priority, and a target inside that jump is reached by rounding
 * exactly there and giving the ties up from the last queue position. Seeded problems with a share of weight-1
 * claims between a quarter and nine tenths, the supply anywhere from below the jump to above it (so the estimate
 * that decides the route is right, wrong on either side, or not tried), through the whole allocator (the common
 * problem's columns) and through the rule's own split with floors of zero and bounds; each is checked against the
 * reference where the per-lot greedy is affordable and by the prefix certificate always. The route must be seen
 * taken, so the test cannot pass on the other routes alone.
 */
class OnesFirstLotsRouteTest
{
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Method.class, names = {"DHONDT", "SAINTE_LAGUE"})
    void tiedFirstLotsGiveTheGreedyAwards(final Method method)
    {
        final Random rnd = new Random(0x0E5L + method.ordinal());
        final int capacity = 3000;
        final Allocator allocator = new Allocator(capacity);
        final Claims claims = new Claims(capacity);
        final Violations violations = new Violations();
        final DivisorMethod rule = (DivisorMethod)allocator.rule(method);
        int taken = 0;
        int referenced = 0;
        final int problems = 300;
        for (int t = 0; t < problems; t++)
        {
            final Problem p = problem(rnd, method, 300 + rnd.nextInt(capacity - 300));
            p.fill(claims);
            assertThat(allocator.validate(p.supply, p.method, p.lot, p.ppm, claims, violations)).isTrue();
            assertThat(allocator.allocate(p.supply, p.method, p.lot, p.ppm, claims)).isEqualTo(p.supply);
            taken += rule.lastCorrectionAtOnes ? 1 : 0;
            final int n = p.size();
            final long[] actual = Arrays.copyOf(claims.awardArray(), n);
            final long[] hi = new long[n];
            final long[] w = new long[n];
            for (int i = 0; i < n; i++)
            {
                hi[i] = Math.min(p.demand[i], p.supply);
                w[i] = p.weight[i] == Claims.ABSENT ? p.demand[i] : p.weight[i];
            }
            final int[] all = new int[n];
            Arrays.setAll(all, i -> i);
            DivisorMethodsTest.assertGreedyPrefix(method, new long[n], hi, w, actual, all);
            if (p.supply * n <= 20_000_000L)
            {
                referenced++;
                assertThat(actual).as("problem %d", t).containsExactly(ReferenceAllocator.allocate(p).awards);
            }
        }
        assertThat(taken).as("problems that rounded at the tied first lots").isGreaterThan(problems / 6);
        assertThat(referenced).as("problems compared with the reference").isGreaterThan(problems / 10);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Method.class, names = {"DHONDT", "SAINTE_LAGUE"})
    void ruleSplitTakesTheRouteInShuffledOrder(final Method method)
    {
        final Random rnd = new Random(0x5E5L + method.ordinal());
        final DivisorMethod rule = (DivisorMethod)method.newRule();
        final int capacity = 3000;
        final Workspace ws = new Workspace(capacity);
        int taken = 0;
        final int problems = 200;
        for (int t = 0; t < problems; t++)
        {
            final Problem p = problem(rnd, method, 300 + rnd.nextInt(capacity - 300));
            final int n = p.size();
            final long[] hi = new long[n];
            final long[] w = new long[n];
            for (int i = 0; i < n; i++)
            {
                hi[i] = p.demand[i];
                w[i] = p.weight[i] == Claims.ABSENT ? p.demand[i] : p.weight[i];
            }
            // a sub-range of the order, shuffled: queue position is the index, the order only lists the tier
            final int from = rnd.nextInt(4);
            final int[] members = new int[n];
            Arrays.setAll(members, i -> i);
            for (int i = 0; i < n; i++)
            {
                final int j = i + rnd.nextInt(n - i);
                final int x = members[i];
                members[i] = members[j];
                members[j] = x;
            }
            Arrays.sort(members, 0, n);
            for (int k = 0; k < n; k++)
            {
                ws.order[from + k] = members[k];
            }
            for (int i = 0; i < n; i++)
            {
                ws.lo[i] = 0;
                ws.hi[i] = hi[i];
                ws.w[i] = w[i];
                ws.award[i] = -1;
            }
            rule.split(ws, from, from + n, p.supply);
            taken += rule.lastCorrectionAtOnes ? 1 : 0;
            final long[] actual = Arrays.copyOf(ws.award, n);
            assertThat(Arrays.stream(actual).sum()).as("total of problem %d", t).isEqualTo(p.supply);
            DivisorMethodsTest.assertGreedyPrefix(method, new long[n], hi, w, actual, members);
        }
        assertThat(taken).as("splits that rounded at the tied first lots").isGreaterThan(problems / 6);
    }

    /**
     * One tier, no floors or caps: a share of claims of weight 1 (demand 1, or a larger demand with weight 1, so
     * their later lots come into play), the rest a heavy tail, and the supply anywhere up to the total demand.
     */
    private static Problem problem(final Random rnd, final Method method, final int n)
    {
        final String[] id = new String[n];
        final long[] demand = new long[n];
        final long[] weight = new long[n];
        final double share = 0.25 + 0.65 * rnd.nextDouble();
        final boolean deepOnes = rnd.nextInt(3) == 0;
        long total = 0;
        for (int i = 0; i < n; i++)
        {
            id[i] = "c" + i;
            if (rnd.nextDouble() < share)
            {
                demand[i] = deepOnes ? 1 + rnd.nextInt(4) : 1;
                weight[i] = deepOnes ? 1 : Claims.ABSENT;
            }
            else
            {
                final double u = 1.0 - rnd.nextDouble();
                demand[i] = 2 + (long)Math.min(5e3, Math.pow(u, -1.0 / 1.16));
                weight[i] = Claims.ABSENT;
            }
            total += demand[i];
        }
        // half the time inside the jump by the relaxed estimate: the others' weight times t(0), plus the block
        long others = 0;
        long ones = 0;
        for (int i = 0; i < n; i++)
        {
            final long w = weight[i] == Claims.ABSENT ? demand[i] : weight[i];
            ones += w == 1 ? 1 : 0;
            others += w == 1 ? 0 : w;
        }
        final long below = method == Method.DHONDT ? others : others / 2;
        final long supply = rnd.nextBoolean() ? Math.min(total, below + 1 + (long)(rnd.nextDouble() * ones)) :
            1 + (long)(rnd.nextDouble() * (total - 1));
        final long[] cap = new long[n];
        Arrays.fill(cap, Claims.ABSENT);
        return new Problem(supply, method, 0, 0, id, demand, weight, new int[n], cap, new long[n]);
    }
}
