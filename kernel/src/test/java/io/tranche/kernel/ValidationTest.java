package io.tranche.kernel;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.tranche.kernel.Claims.ABSENT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every rule of SPEC.md "Invalid input is rejected..." and SEMANTICS.md "Validation": each broken
 * rule yields a violation with the right field path and a message naming the problem, and several
 * broken rules are all reported at once.
 */
class ValidationTest
{
    private static final long MAX = 1L << 62;

    private final Allocator allocator = new Allocator(8);
    private final Violations violations = new Violations();

    /** A small builder: header first, then claims. */
    private static final class P
    {
        long supply = 100;
        Method method = Method.PROPORTIONAL;
        long lot = 1;
        int ppm = 0;
        final Claims claims = new Claims(16);
        final List<String> ids = new ArrayList<>();

        P supply(final long v)
        {
            supply = v;
            return this;
        }

        P method(final Method m)
        {
            method = m;
            return this;
        }

        P lot(final long v)
        {
            lot = v;
            return this;
        }

        P ppm(final int v)
        {
            ppm = v;
            return this;
        }

        P claim(final String id, final long demand, final long weight, final int tier, final long cap, final long floor)
        {
            claims.add(demand, weight, tier, cap, floor);
            ids.add(id);
            return this;
        }

        /** a plain valid claim */
        P ok(final String id)
        {
            return claim(id, 10, 1, 0, ABSENT, 0);
        }
    }

    private static P p()
    {
        return new P();
    }

    /** @return "field: description" per violation, in the validator's order. */
    private List<String> check(final P p)
    {
        final boolean valid = allocator.validate(
            p.supply, p.method, p.lot, p.ppm, p.claims, new TestIds(p.ids.toArray(new String[0])), violations);
        final List<String> out = new ArrayList<>();
        for (int i = 0; i < violations.count(); i++)
        {
            assertThat(violations.description(i)).as("message for %s", violations.field(i)).isNotBlank();
            out.add(violations.field(i) + ": " + violations.description(i));
        }
        assertThat(valid).as("validate() result agrees with %s", out).isEqualTo(out.isEmpty());
        return out;
    }

    private List<String> fields(final P p)
    {
        final List<String> out = new ArrayList<>();
        for (final String v : check(p))
        {
            out.add(v.substring(0, v.indexOf(':')));
        }
        return out;
    }

    /** Exactly one violation, on {@code field}, whose message contains every {@code words}. */
    private void assertOnly(final P p, final String field, final String... words)
    {
        final List<String> all = check(p);
        assertThat(all).as("violations").hasSize(1);
        assertThat(all.get(0)).startsWith(field + ": ");
        for (final String w : words)
        {
            assertThat(all.get(0)).contains(w);
        }
    }

    @Test
    void aValidProblemHasNoViolations()
    {
        assertThat(check(p().ok("a").ok("b"))).isEmpty();
        // zero claims and zero supply are fine
        assertThat(check(p().supply(0))).isEmpty();
    }

    // --- header ----------------------------------------------------------------------------------

    @Test
    void negativeSupply()
    {
        assertOnly(p().supply(-1).ok("a"), "supply", "-1");
    }

    @Test
    void supplyAbove2To62()
    {
        assertOnly(p().supply(MAX + 1).ok("a"), "supply", String.valueOf(MAX + 1));
        assertThat(check(p().supply(MAX).ok("a"))).isEmpty();
    }

    @Test
    void negativeOrTooLargeLot()
    {
        assertOnly(p().lot(-8).ok("a"), "policy.lot", "-8");
        assertOnly(p().lot(MAX + 1).ok("a"), "policy.lot");
        assertThat(check(p().lot(0).ok("a"))).as("0 means 1").isEmpty();
    }

    @Test
    void maxSharePpmOutsideZeroToAMillion()
    {
        assertOnly(p().ppm(1_000_001).ok("a"), "policy.max_share_ppm", "1000001");
        assertOnly(p().ppm(-1).ok("a"), "policy.max_share_ppm", "-1");
        assertThat(check(p().ppm(1_000_000).claim("a", 10, 1, 0, ABSENT, 0))).isEmpty();
    }

    @Test
    void methodUnspecifiedOrUnknown()
    {
        assertOnly(p().method(null).ok("a"), "policy.method", "METHOD_UNSPECIFIED");
    }

    @Test
    void moreClaimsThanTheConfiguredLimit()
    {
        final P p = p();
        for (int i = 0; i < 9; i++)
        {
            p.ok("c" + i);
        }
        assertOnly(p, "claims", "9", "8");
    }

    // --- ids -------------------------------------------------------------------------------------

    @Test
    void emptyId()
    {
        assertOnly(p().ok("a").ok(""), "claims[1].id", "empty");
        assertOnly(p().ok(null).ok("b"), "claims[0].id", "empty");
    }

    @Test
    void duplicateIdIsReportedOnTheLaterClaimNamingTheFirst()
    {
        assertOnly(p().ok("a").ok("b").ok("a"), "claims[2].id", "claims[0]", "a");
    }

    // --- numbers ---------------------------------------------------------------------------------

    @Test
    void negativeDemandWeightCapFloorTier()
    {
        assertOnly(p().ok("a").claim("b", -3, 1, 0, ABSENT, 0), "claims[1].demand", "-3");
        assertOnly(p().ok("a").claim("b", 10, -4, 0, ABSENT, 0), "claims[1].weight", "-4");
        assertOnly(p().ok("a").claim("b", 10, 1, 0, -5, 0), "claims[1].cap", "-5");
        assertOnly(p().ok("a").claim("b", 10, 1, 0, ABSENT, -6), "claims[1].floor", "-6");
        assertOnly(p().ok("a").claim("b", 10, 1, -7, ABSENT, 0), "claims[1].tier", "-7");
    }

    @Test
    void valuesAbove2To62()
    {
        assertOnly(p().claim("a", MAX + 1, 1, 0, ABSENT, 0), "claims[0].demand");
        assertOnly(p().claim("a", 10, MAX + 1, 0, ABSENT, 0), "claims[0].weight");
        assertOnly(p().claim("a", 10, 1, 0, MAX + 1, 0), "claims[0].cap");
        assertOnly(p().method(Method.FIFO).claim("a", ABSENT, ABSENT, 0, ABSENT, MAX + 1), "claims[0].floor");
        assertThat(check(p().claim("a", MAX, MAX, 0, MAX, 0))).isEmpty();
    }

    // --- method-specific requirements ------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Method.class, names = {"EQUAL_LOSSES", "TALMUD"})
    void unboundedDemandUnderEqualLossesAndTalmud(final Method method)
    {
        assertOnly(p().method(method).ok("a").claim("b", ABSENT, 1, 0, 50, 0), "claims[1].demand", method.name());
    }

    @Test
    void zeroWeightUnderEqualLosses()
    {
        assertOnly(p().method(Method.EQUAL_LOSSES).ok("a").claim("b", 10, 0, 0, ABSENT, 0), "claims[1].weight", "0");
        // weight 0 is fine where it means "held at the floor"
        assertThat(check(p().method(Method.EQUAL).claim("b", 10, 0, 0, ABSENT, 0))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = Method.class,
        names = {"PROPORTIONAL", "DHONDT", "SAINTE_LAGUE", "ADAMS", "DEAN", "HUNTINGTON_HILL"})
    void neitherWeightNorDemandWhereTheDefaultWeightIsTheDemand(final Method method)
    {
        assertOnly(p().method(method).ok("a").claim("b", ABSENT, ABSENT, 0, 40, 0), "claims[1].weight", "demand");
    }

    @ParameterizedTest
    @EnumSource(value = Method.class, names = {"EQUAL", "FIFO"})
    void neitherWeightNorDemandIsFineWhereTheDefaultWeightIsOne(final Method method)
    {
        assertThat(check(p().method(method).claim("b", ABSENT, ABSENT, 0, ABSENT, 0))).isEmpty();
    }

    // --- floor above the bound -------------------------------------------------------------------

    @Test
    void floorAboveDemandCapOrShareLimit()
    {
        assertOnly(p().ok("a").claim("b", 10, 1, 0, ABSENT, 11), "claims[1].floor", "11");
        assertOnly(p().ok("a").claim("b", 10, 1, 0, 5, 6), "claims[1].floor", "6");
        // share limit: 25% of 100 = 25 units
        assertOnly(p().ppm(250_000).ok("a").claim("b", 100, 1, 0, ABSENT, 26), "claims[1].floor");
        assertThat(check(p().ppm(250_000).ok("a").claim("b", 100, 1, 0, ABSENT, 25))).isEmpty();
    }

    @Test
    void floorAboveTheBoundOnlyAfterRoundingToLots()
    {
        // lot 8: demand 15 -> hi = 1 lot; floor 9 -> lo = 2 lots > 1; floor 8 -> 1 lot is fine
        assertOnly(p().lot(8).claim("b", 15, 1, 0, ABSENT, 9), "claims[0].floor");
        assertThat(check(p().lot(8).claim("b", 15, 1, 0, ABSENT, 8))).isEmpty();
    }

    @Test
    void zeroWeightFloorAboveTheBoundIsRejectedToo()
    {
        // Issue 8: a zero-weight claim is held at its floor, so a floor above min(demand, cap, share limit) would
        // be awarded beyond the demand (unmet < 0). It is rejected like any other floor above its bound.
        assertOnly(p().method(Method.DHONDT).claim("b", 10, 0, 0, ABSENT, 30), "claims[0].floor", "30");
        assertOnly(p().method(Method.PROPORTIONAL).ok("a").claim("b", 0, ABSENT, 0, ABSENT, 1), "claims[1].floor");
        assertOnly(p().method(Method.EQUAL).claim("b", ABSENT, 0, 0, 3, 4), "claims[0].floor");
        assertOnly(p().method(Method.FIFO).claim("b", 10, 0, 0, ABSENT, 30), "claims[0].floor");
        // at the bound it is valid
        assertThat(check(p().method(Method.DHONDT).claim("b", 10, 0, 0, ABSENT, 10))).isEmpty();
    }

    // --- totals ----------------------------------------------------------------------------------

    @Test
    void totalOfFloorsBeyond2To63()
    {
        assertOnly(p().method(Method.FIFO).supply(MAX).claim("a", ABSENT, ABSENT, 0, ABSENT, MAX)
            .claim("b", ABSENT, ABSENT, 0, ABSENT, MAX), "claims", "floor");
    }

    @Test
    void totalOfWeightsBeyond2To63()
    {
        assertOnly(p().method(Method.EQUAL).claim("a", 10, MAX, 0, ABSENT, 0).claim("b", 10, MAX, 0, ABSENT, 0),
            "claims", "weight");
        // default weights count: the demands under PROPORTIONAL
        assertOnly(p().claim("a", MAX, ABSENT, 0, ABSENT, 0).claim("b", MAX, ABSENT, 0, ABSENT, 0), "claims", "weight");
        // TALMUD and FIFO use no weight
        assertThat(check(p().method(Method.FIFO).claim("a", 10, MAX, 0, ABSENT, 0).claim("b", 10, MAX, 0, ABSENT, 0)))
            .isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = Method.class, names = {"EQUAL_LOSSES", "TALMUD"})
    void totalOfDemandsBeyond2To63UnderEqualLossesAndTalmud(final Method method)
    {
        assertOnly(p().method(method).claim("a", MAX, 1, 0, ABSENT, 0).claim("b", MAX, 1, 0, ABSENT, 0),
            "claims", "demand");
    }

    // --- plain claims (no weight, cap or floor, one tier): checked by one pass over the demands ---------------

    /** A claim as most requests send it: a demand and nothing else. */
    private static P plain(final P p, final String id, final long demand)
    {
        return p.claim(id, demand, ABSENT, 0, ABSENT, 0);
    }

    @Test
    void plainClaimsReportWhatAnyClaimWould()
    {
        assertThat(check(plain(plain(p(), "a", 10), "b", MAX))).isEmpty();
        assertThat(fields(plain(plain(plain(p(), "a", 10), "b", -1), "c", MAX + 1)))
            .containsExactly("claims[1].demand", "claims[2].demand");
        assertThat(fields(plain(plain(p().method(Method.TALMUD), "a", 10), "b", ABSENT)))
            .containsExactly("claims[1].demand");
        assertThat(fields(plain(plain(p(), "a", ABSENT), "b", 10))).containsExactly("claims[0].weight");
        assertThat(check(plain(plain(p().method(Method.EQUAL), "a", ABSENT), "b", 10))).isEmpty();
        assertThat(fields(plain(plain(p(), "a", 10), "a", 20))).containsExactly("claims[1].id");
        assertThat(fields(plain(plain(p(), "", 10), "b", -5))).containsExactly("claims[0].id", "claims[1].demand");
        // every claim in one tier below 0 is still plain
        assertThat(fields(p().claim("a", 10, ABSENT, -1, ABSENT, 0).claim("b", 10, ABSENT, -1, ABSENT, 0)))
            .containsExactly("claims[0].tier", "claims[1].tier");
        // the demands' total past 2^63 - 1 where a method adds it up, and not where none does
        assertOnly(plain(plain(plain(p().method(Method.TALMUD), "a", MAX), "b", MAX), "c", 1), "claims", "demand");
        assertThat(check(plain(plain(p().method(Method.FIFO), "a", MAX), "b", MAX))).isEmpty();
        // a bad header still reports the claims' own violations
        assertThat(fields(plain(p().supply(-1), "a", -1))).containsExactly("supply", "claims[0].demand");
    }

    // --- several at once -------------------------------------------------------------------------

    @Test
    void everyViolationIsReportedAtOnce()
    {
        final P p = p().supply(-1).lot(-2).ppm(2_000_000).method(Method.EQUAL_LOSSES)
            .claim("", 10, 1, 0, ABSENT, 0)
            .claim("x", ABSENT, 0, -1, -3, -4)
            .claim("x", 10, 1, 0, ABSENT, 0);
        assertThat(fields(p)).containsExactlyInAnyOrder(
            "supply", "policy.lot", "policy.max_share_ppm",
            "claims[0].id",
            "claims[1].demand", "claims[1].weight", "claims[1].cap", "claims[1].floor", "claims[1].tier",
            "claims[2].id");
    }

    @Test
    void floorViolationsOnSeveralClaimsAreAllReported()
    {
        final P p = p().method(null).claim("a", 10, 1, 0, ABSENT, 0);
        assertThat(fields(p)).containsExactly("policy.method");
        final P q = p().claim("a", 10, 1, 0, ABSENT, 20).ok("b").claim("c", 5, 1, 0, 3, 4).claim("d", ABSENT, ABSENT, 0,
            ABSENT, 0);
        assertThat(fields(q)).containsExactly("claims[0].floor", "claims[2].floor", "claims[3].weight");
    }
}
