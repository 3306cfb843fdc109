package io.tranche.kernel;

import org.junit.jupiter.api.Test;

import static io.tranche.kernel.Claims.ABSENT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Worked examples from the literature, each computed by hand in the comments. Every example is
 * checked against the kernel and against {@link ReferenceAllocator} (so the oracle is tested on
 * numbers a person verified).
 */
class LiteratureExamplesTest
{
    private final Allocator allocator = new Allocator(16);
    private final Claims claims = new Claims(16);
    private final Violations violations = new Violations();

    /** A problem of claims with the given (demand, weight, tier, cap, floor) rows. */
    private static Problem problem(final long supply, final Method method, final long lot, final long[]... rows)
    {
        final int n = rows.length;
        final String[] id = new String[n];
        final long[] demand = new long[n];
        final long[] weight = new long[n];
        final int[] tier = new int[n];
        final long[] cap = new long[n];
        final long[] floor = new long[n];
        for (int i = 0; i < n; i++)
        {
            id[i] = String.valueOf((char)('A' + i));
            demand[i] = rows[i][0];
            weight[i] = rows[i][1];
            tier[i] = (int)rows[i][2];
            cap[i] = rows[i][3];
            floor[i] = rows[i][4];
        }
        return new Problem(supply, method, lot, 0, id, demand, weight, tier, cap, floor);
    }

    /** demand only (weight default, tier 0, no cap, no floor). */
    private static long[] d(final long demand)
    {
        return new long[] {demand, ABSENT, 0, ABSENT, 0};
    }

    /** weight only (unbounded demand). */
    private static long[] w(final long weight)
    {
        return new long[] {ABSENT, weight, 0, ABSENT, 0};
    }

    private void checkRejected(final Problem p, final String field)
    {
        assertThat(ReferenceAllocator.violations(p, 16)).as("reference on %s", p).containsExactly(field);
        p.fill(claims);
        assertThat(allocator.validate(p.supply, p.method, p.lot, p.ppm, claims, violations)).as("kernel on %s", p)
            .isFalse();
        assertThat(violations.count()).isEqualTo(1);
        assertThat(violations.field(0)).isEqualTo(field);
    }

    private void check(final Problem p, final long... expected)
    {
        assertThat(ReferenceAllocator.allocate(p).awards).as("reference on %s", p).containsExactly(expected);
        assertThat(AllocationPropertiesTest.kernel(allocator, claims, violations, p)).as("kernel on %s", p)
            .containsExactly(expected);
    }

    // ---------------------------------------------------------------------------------------------
    // Aumann & Maschler (1985), "Game theoretic analysis of a bankruptcy problem from the Talmud":
    // claims 100, 200, 300 (Kethubot 93a).

    @Test
    void talmudEstate100GivesEqualThirdsRoundedByPosition()
    {
        // T = 100 <= Σd/2 = 300: equal awards on the half-claims (50, 100, 150): λ = 33⅓ for all three.
        // Whole units: ⌊33⅓⌋ = 33 each (99), one extra unit; equal fractional parts ⅓, so the earliest
        // claim takes it: (34, 33, 33).
        check(problem(100, Method.TALMUD, 1, d(100), d(200), d(300)), 34, 33, 33);
        // In units of thirds (claims 300, 600, 900, estate 300) the row is exact: (100, 100, 100).
        check(problem(300, Method.TALMUD, 1, d(300), d(600), d(900)), 100, 100, 100);
    }

    @Test
    void talmudEstate200Gives50_75_75()
    {
        // T = 200 <= 300: equal awards on halves (50, 100, 150): 50 caps the first, then the other two
        // share 150 at λ = 75 (< 100): (50, 75, 75).
        check(problem(200, Method.TALMUD, 1, d(100), d(200), d(300)), 50, 75, 75);
    }

    @Test
    void talmudEstate300GivesHalfClaims50_100_150()
    {
        // T = 300 = Σd/2: exactly the half-claims.
        check(problem(300, Method.TALMUD, 1, d(100), d(200), d(300)), 50, 100, 150);
        // Past the half: T = 400 > 300: each gets d/2 plus equal losses μ on the halves:
        // x = max(h, d − μ): 100 − μ <= 50 for μ >= 50; 200 − μ + 300 − μ + 50 = 400 gives μ = 75,
        // both above their halves: (50, 125, 225).
        check(problem(400, Method.TALMUD, 1, d(100), d(200), d(300)), 50, 125, 225);
    }

    @Test
    void constrainedEqualLossesOnTheTalmudClaims()
    {
        // Estate 200, claims 100, 200, 300: equal losses λ with x = max(0, d − λ): 600 − 3λ = 200 gives
        // λ = 133⅓ > 100, so the first claim is at 0; then 500 − 2λ = 200, λ = 150: (0, 50, 150).
        check(problem(200, Method.EQUAL_LOSSES, 1, d(100), d(200), d(300)), 0, 50, 150);
    }

    // ---------------------------------------------------------------------------------------------
    // Highest averages: the example of Wikipedia's "D'Hondt method" article, 8 seats, votes
    // A 100,000, B 80,000, C 30,000, D 20,000.

    @Test
    void dhondtWikipediaExample()
    {
        // Quotients v/1, v/2, ...: A 100000 50000 33333 25000 20000; B 80000 40000 26667 20000;
        // C 30000 15000; D 20000. The 8 largest: A100000 B80000 A50000 B40000 A33333 C30000 B26667
        // A25000 -> A 4, B 3, C 1, D 0 (the 9th would be a three-way tie at 20000).
        check(problem(8, Method.DHONDT, 1, w(100_000), w(80_000), w(30_000), w(20_000)), 4, 3, 1, 0);
        // Default weight = demand gives the same seats.
        check(problem(8, Method.DHONDT, 1, d(100_000), d(80_000), d(30_000), d(20_000)), 4, 3, 1, 0);
    }

    @Test
    void sainteLagueWikipediaExample()
    {
        // Quotients v/1, v/3, v/5, ...: A 100000 33333 20000 14286; B 80000 26667 16000; C 30000 10000;
        // D 20000. The 8 largest: A100000 B80000 A33333 C30000 B26667 A20000 D20000 B16000 -> 3, 3, 1, 1.
        // (A's third and D's first tie at 20000; both are inside the 8.)
        check(problem(8, Method.SAINTE_LAGUE, 1, w(100_000), w(80_000), w(30_000), w(20_000)), 3, 3, 1, 1);
    }

    /*
     * A small example that separates the divisor methods: weights 62, 25, 13 and 6 seats.
     *   D'Hondt (t = n+1):  A 62 31 20.7 15.5 12.4; B 25 12.5; C 13          -> 62A 31A 25B 20.7A 15.5A 13C = (4, 1, 1)
     * Sainte-Laguë (t = n+½): A 124 41.3 24.8 17.7; B 50 16.7; C 26          -> 124A 50B 41.3A 26C 24.8A 17.7A = (4, 1,
     * 1) Adams (t = n): every claim's first seat is infinite (1, 1, 1); then A 62, A 31, then B 25 beats A 20.7        
     * -> (3, 2, 1) Dean (t = n(n+1)/(n+½)): (1, 1, 1); A 62/(4/3) = 46.5, A 62/2.4 = 25.8; 6th seat: A's next is
     * 62·7/24 = 18.083 and B's is 25·3/4 = 18.75: B                          -> (3, 2, 1)
     *   Huntington–Hill (t = √(n(n+1))): (1, 1, 1); A 62/√2 = 43.8, A 62/√6 = 25.3; 6th seat, squared:
     *   A 62²/12 = 320.3 against B 25²/2 = 312.5: A                            -> (4, 1, 1)
     */
    @Test
    void divisorMethodsSeparateOnA62_25_13SixSeatExample()
    {
        final long[][] rows = {w(62), w(25), w(13)};
        check(problem(6, Method.DHONDT, 1, rows), 4, 1, 1);
        check(problem(6, Method.SAINTE_LAGUE, 1, rows), 4, 1, 1);
        check(problem(6, Method.ADAMS, 1, rows), 3, 2, 1);
        check(problem(6, Method.DEAN, 1, rows), 3, 2, 1);
        check(problem(6, Method.HUNTINGTON_HILL, 1, rows), 4, 1, 1);
        // One more seat: Adams A 62/3 = 20.7 > C 13 > B 12.5; Dean A 18.08 > B 10.4; Huntington–Hill
        // B 25/√2 = 17.7 > A 62/√20 = 13.9: all three reach (4, 2, 1).
        check(problem(7, Method.ADAMS, 1, rows), 4, 2, 1);
        check(problem(7, Method.DEAN, 1, rows), 4, 2, 1);
        check(problem(7, Method.HUNTINGTON_HILL, 1, rows), 4, 2, 1);
    }

    @Test
    void firstUnitsGoByWeightThenQueuePositionWhenScarce()
    {
        // Fewer units than claims: every first unit has infinite priority, so the larger weights win:
        // with 2 units among weights 62, 25, 13 -> (1, 1, 0).
        check(problem(2, Method.ADAMS, 1, w(62), w(25), w(13)), 1, 1, 0);
        // Equal weights 9 and 9 behind a 5: both 9s first, the earlier one when only one unit is left.
        check(problem(2, Method.HUNTINGTON_HILL, 1, w(5), w(9), w(9)), 0, 1, 1);
        check(problem(1, Method.DEAN, 1, w(5), w(9), w(9)), 0, 1, 0);
    }

    // ---------------------------------------------------------------------------------------------
    // Fair share (EQUAL: constrained equal awards, weighted max-min fairness, water-filling).

    @Test
    void fairShareWithWeightsFloorsAndCaps()
    {
        // Supply 100. Tier 0: A demand 10; B unbounded; C weight 2 capped at 40; D floor 30; E unbounded.
        // Tier 1: F floor 5. Floors fit (35 <= 100); tier 0 headroom is far above the 65 left, so the
        // tier splits T = 30 + 65 = 95 with x = clamp(λw, lo, hi):
        //   A min(λ, 10), B λ, C min(2λ, 40), D max(λ, 30), E λ. For 10 <= λ < 20:
        //   10 + λ + 2λ + 30 + λ = 95 -> λ = 13.75 -> (10, 13.75, 27.5, 30, 13.75).
        // Rounding: floors 10 13 27 30 13 = 93, 2 extra lots to the largest fractions: B .75 and E .75
        // (C has .5) -> (10, 14, 27, 30, 14); F keeps its floor 5.
        check(problem(100, Method.EQUAL, 1,
            new long[] {10, ABSENT, 0, ABSENT, 0},
            new long[] {ABSENT, ABSENT, 0, ABSENT, 0},
            new long[] {ABSENT, 2, 0, 40, 0},
            new long[] {ABSENT, ABSENT, 0, ABSENT, 30},
            new long[] {ABSENT, 1, 0, ABSENT, 0},
            new long[] {ABSENT, 1, 1, ABSENT, 5}),
            10, 14, 27, 30, 14, 5);
        // Supply 200: tier 0 still does not fit (its headroom is unbounded); λ >= 30 now:
        // 10 + λ + 40 + λ + λ = 195 -> λ = 48⅓ -> (10, 48⅓, 40, 48⅓, 48⅓): floors 10 48 40 48 48 = 194,
        // one extra to the first of the equal fractions (B) -> (10, 49, 40, 48, 48); F 5.
        check(problem(200, Method.EQUAL, 1,
            new long[] {10, ABSENT, 0, ABSENT, 0},
            new long[] {ABSENT, ABSENT, 0, ABSENT, 0},
            new long[] {ABSENT, 2, 0, 40, 0},
            new long[] {ABSENT, ABSENT, 0, ABSENT, 30},
            new long[] {ABSENT, 1, 0, ABSENT, 0},
            new long[] {ABSENT, 1, 1, ABSENT, 5}),
            10, 49, 40, 48, 48, 5);
    }

    @Test
    void fairShareInLotsOfEight()
    {
        // Supply 100 in lots of 8: 12 lots, 4 units unallocated. A demand 20 -> hi = 2 lots; B floor 9 ->
        // lo = 2 lots (rounded up); C unbounded. λ: min(λ, 2) + max(λ, 2) + λ = 12 -> λ = 5 for B and C:
        // (2, 5, 5) lots = (16, 40, 40) units.
        check(problem(100, Method.EQUAL, 8,
            new long[] {20, ABSENT, 0, ABSENT, 0},
            new long[] {ABSENT, ABSENT, 0, ABSENT, 9},
            new long[] {ABSENT, ABSENT, 0, ABSENT, 0}),
            16, 40, 40);
    }

    // ---------------------------------------------------------------------------------------------
    // Proportional (Hamilton / largest remainder) and floors.

    @Test
    void hamiltonLargestRemainder()
    {
        // Weights 6, 6, 2 (sum 14), 10 units: quotas 4.29, 4.29, 1.43 -> floors 4 4 1, the extra unit to
        // the largest fraction (C .43) -> (4, 4, 2).
        check(problem(10, Method.PROPORTIONAL, 1, w(6), w(6), w(2)), 4, 4, 2);
    }

    @Test
    void floorsAboveTheSupplyAreRationedTierByTier()
    {
        // Supply 10, floors 6 (tier 0), 6 and 3 (tier 1): Σ = 15 > 10, so the floors are rationed with the
        // floors as demands and weights. Tier 0 (headroom 6) fits; tier 1 splits 4 by 6:3 ->
        // 2.67, 1.33 -> floors 2, 1, extra to the larger fraction -> (6, 3, 1).
        check(problem(10, Method.PROPORTIONAL, 1,
            new long[] {100, ABSENT, 0, ABSENT, 6},
            new long[] {100, ABSENT, 1, ABSENT, 6},
            new long[] {100, 99, 1, ABSENT, 3}),
            6, 3, 1);
        // The same floors all in tier 0: 10 split 6:6:3 -> exactly (4, 4, 2).
        check(problem(10, Method.PROPORTIONAL, 1,
            new long[] {100, ABSENT, 0, ABSENT, 6},
            new long[] {100, ABSENT, 0, ABSENT, 6},
            new long[] {100, 99, 0, ABSENT, 3}),
            4, 4, 2);
    }

    @Test
    void aZeroWeightFloorAboveItsDemandIsRejectedNotAwarded()
    {
        // Issue 8: supply 10, A demand 5, B demand 0 floor 1. B weighs its demand, 0, and would be "held at its
        // floor" of 1 unit: more than its demand, unmet -1. SPEC.md: no award exceeds min(demand, cap, share
        // limit), so the floor is above its bound and rejected, as for any other weight.
        final long[] b = {0, ABSENT, 0, ABSENT, 1};
        for (final Method m : new Method[] {Method.PROPORTIONAL, Method.DHONDT, Method.SAINTE_LAGUE, Method.ADAMS,
            Method.DEAN, Method.HUNTINGTON_HILL})
        {
            checkRejected(problem(10, m, 1, d(5), b), "claims[1].floor");
        }
        // A given weight 0 under EQUAL, floor 4 above the cap of 3.
        checkRejected(problem(10, Method.EQUAL, 1, d(5), new long[] {ABSENT, 0, 0, 3, 4}), "claims[1].floor");
        // Within its bound the zero-weight claim is held at its floor: B demand 5, weight 0, floor 2 keeps 2 and
        // A (demand 20) takes the other 8.
        check(problem(10, Method.PROPORTIONAL, 1, d(20), new long[] {5, 0, 0, ABSENT, 2}), 8, 2);
    }

    @Test
    void fifoFillsInQueueOrderWithinATier()
    {
        // Supply 25: tier 0 holds B (demand 10) and C (demand 30, floor 5); A (tier 1, demand 10) waits.
        // Floors: C 5. Tier 0 headroom 10 + 25 = 35 > 20 left: B filled to 10, C gets 5 + 10 = 15; A 0.
        check(problem(25, Method.FIFO, 1,
            new long[] {10, ABSENT, 1, ABSENT, 0},
            new long[] {10, ABSENT, 0, ABSENT, 0},
            new long[] {30, ABSENT, 0, ABSENT, 5}),
            0, 10, 15);
    }
}
