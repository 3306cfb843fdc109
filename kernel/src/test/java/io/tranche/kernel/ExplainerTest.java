package io.tranche.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.tranche.kernel.Explainer.Bound;
import io.tranche.kernel.Explainer.Explanation;
import io.tranche.kernel.Explainer.Fraction;
import io.tranche.kernel.Explainer.Reason;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/**
 * The explanations agree with the awards: checked on thousands of seeded problems from
 * {@link Generators}, against the kernel's awards and the BigInteger {@link ReferenceAllocator}'s
 * exact shares.
 */
class ExplainerTest
{
    private static final int PROBLEMS = 6_000;

    @Test
    void shouldExplainEveryAwardConsistentlyOnSeededProblems()
    {
        final Allocator allocator = new Allocator(4096);
        final Claims claims = new Claims(64);
        final Violations violations = new Violations();
        int split = 0;
        int ties = 0;
        int extras = 0;
        for (long seed = 1; seed <= PROBLEMS; seed++)
        {
            final Problem p = Generators.valid(seed);
            p.fill(claims);
            assertThat(allocator.validate(p.supply, p.method, p.lot, p.ppm, claims, violations)).as("seed %d", seed)
                .isTrue();
            allocator.allocate(p.supply, p.method, p.lot, p.ppm, claims);
            final Explanation e = Explainer.explain(p.supply, p.method, p.lot, p.ppm, claims);
            final ReferenceAllocator.Result reference = ReferenceAllocator.allocate(p);
            check(seed, p, claims, e, reference);
            split += e.splitTier() >= 0 ? 1 : 0;
            extras += e.extraLots() > 0 ? 1 : 0;
            for (int i = 0; i < claims.count(); i++)
            {
                if (e.tieBrokenByPosition(i))
                {
                    ties++;
                    break;
                }
            }
        }
        // The generator must reach the interesting cases, or the checks above prove little.
        assertThat(split).isGreaterThan(PROBLEMS / 3);
        assertThat(extras).isGreaterThan(PROBLEMS / 20);
        assertThat(ties).isGreaterThan(PROBLEMS / 100);
    }

    @Test
    void shouldNameTheLevelAndTheLargestRemaindersInAHamiltonExample()
    {
        // 10 lots by demand 5:3:2 weights... shares 10·{4,3,3}/10 with 7 lots: 2.8, 2.1, 2.1 → one extra lot to the
        // first.
        final Claims claims = new Claims(3);
        claims.add(4, Claims.ABSENT, 0, Claims.ABSENT, 0);
        claims.add(3, Claims.ABSENT, 0, Claims.ABSENT, 0);
        claims.add(3, Claims.ABSENT, 0, Claims.ABSENT, 0);
        final Allocator allocator = new Allocator(8);
        allocator.allocate(7, Method.PROPORTIONAL, 1, 0, claims);
        final Explanation e = Explainer.explain(7, Method.PROPORTIONAL, 1, 0, claims);
        assertThat(e.level()).hasToString("7/10");
        assertThat(e.share(0)).hasToString("14/5");
        assertThat(e.share(1)).hasToString("21/10");
        assertThat(new long[] {claims.award(0), claims.award(1), claims.award(2)}).containsExactly(3, 2, 2);
        assertThat(e.extraLot(0)).isTrue();
        assertThat(e.extraLots()).isEqualTo(1);
        assertThat(e.tieBrokenByPosition(1)).isFalse();

        // Two lots over shares 2/3, 2/3, 2/3: equal remainders, the first two by queue position.
        final Claims equal = new Claims(3);
        equal.add(1, Claims.ABSENT, 0, Claims.ABSENT, 0);
        equal.add(1, Claims.ABSENT, 0, Claims.ABSENT, 0);
        equal.add(1, Claims.ABSENT, 0, Claims.ABSENT, 0);
        allocator.allocate(2, Method.EQUAL, 1, 0, equal);
        final Explanation t = Explainer.explain(2, Method.EQUAL, 1, 0, equal);
        assertThat(t.level()).hasToString("2/3");
        assertThat(t.extraLot(0)).isTrue();
        assertThat(t.extraLot(1)).isTrue();
        assertThat(t.extraLot(2)).isFalse();
        assertThat(t.tieBrokenByPosition(2)).isTrue();
    }

    @Test
    void shouldNameTheCapTheFloorAndTheTiers()
    {
        final Claims claims = new Claims(4);
        claims.add(100, Claims.ABSENT, 0, 40, 0);
        claims.add(500, Claims.ABSENT, 1, Claims.ABSENT, 0);
        claims.add(500, Claims.ABSENT, 1, Claims.ABSENT, 0);
        claims.add(500, Claims.ABSENT, 2, Claims.ABSENT, 10);
        final Allocator allocator = new Allocator(8);
        allocator.allocate(300, Method.DHONDT, 1, 0, claims);
        final Explanation e = Explainer.explain(300, Method.DHONDT, 1, 0, claims);
        assertThat(e.reason(0)).isEqualTo(Reason.TIER_SERVED_IN_FULL);
        assertThat(e.upperBound(0)).isEqualTo(Bound.CAP);
        assertThat(claims.award(0)).isEqualTo(40);
        assertThat(e.splitTier()).isEqualTo(1);
        assertThat(e.reason(1)).isEqualTo(Reason.SPLIT);
        assertThat(e.reason(3)).isEqualTo(Reason.TIER_NOT_REACHED);
        assertThat(claims.award(3)).isEqualTo(10);
        assertThat(e.lastPriority()).isNotNull();
        assertThat(e.lotsLeftOver()).isZero();
    }

    private static void check(
        final long seed, final Problem p, final Claims claims, final Explanation e,
        final ReferenceAllocator.Result reference)
    {
        final String at = "seed " + seed + " " + p;
        final long l = p.lot == 0 ? 1 : p.lot;
        final ReferenceAllocator.Bounds b = ReferenceAllocator.bounds(p);
        final int n = claims.count();
        long allocatedLots = 0;
        for (int i = 0; i < n; i++)
        {
            final long a = claims.award(i) / l;
            allocatedLots += a;
            final long lo = e.loLots(i);
            final long hi = e.hiLots(i);
            assertThat(claims.award(i)).as(at).isEqualTo(reference.awards[i]);
            if (!e.floorsRationed())
            {
                assertThat(lo).as(at).isEqualTo(b.lo[i]);
                assertThat(hi).as(at).isEqualTo(b.hi[i]);
                checkBound(at + " claim " + i, p, i, l, e.upperBound(i), hi);
            }
            else
            {
                assertThat(hi).as(at).isEqualTo(b.lo[i]);
                assertThat(e.upperBound(i)).isEqualTo(Bound.FLOOR_ENTITLEMENT);
            }
            final Reason r = e.reason(i);
            assertThat(r).as(at).isNotNull();
            switch (r)
            {
                case TIER_SERVED_IN_FULL:
                case UPPER_BOUND:
                    assertThat(a).as(at + " claim " + i + " " + r).isEqualTo(hi);
                    break;
                case TIER_NOT_REACHED:
                case FLOOR:
                case WEIGHT_ZERO:
                    assertThat(a).as(at + " claim " + i + " " + r).isEqualTo(lo);
                    break;
                case SPLIT:
                    if (p.method.kind() == Method.Kind.LEVEL)
                    {
                        // The exact share lies strictly inside (checked below); rounding may reach a bound.
                        assertThat(a).as(at + " claim " + i).isBetween(lo, hi);
                        final Fraction x = e.share(i);
                        assertThat(x.compareTo(Fraction.of(lo))).as(at + " claim " + i).isPositive();
                        assertThat(x.compareTo(Fraction.of(hi))).as(at + " claim " + i).isNegative();
                    }
                    else
                    {
                        assertThat(a).as(at + " claim " + i).isGreaterThan(lo).isLessThan(hi);
                    }
                    break;
                default:
                    throw new AssertionError(r);
            }
            if (r == Reason.TIER_SERVED_IN_FULL || r == Reason.TIER_NOT_REACHED)
            {
                assertThat(p.tier[i]).as(at).isNotEqualTo(e.splitTier());
            }
            if (r == Reason.WEIGHT_ZERO)
            {
                assertThat(Validator.effectiveWeight(p.method, p.demand[i], p.weight[i])).as(at).isZero();
            }
            if (r == Reason.FLOOR || r == Reason.UPPER_BOUND || r == Reason.SPLIT)
            {
                assertThat(p.tier[i]).as(at).isEqualTo(e.splitTier());
            }
        }
        assertThat(e.lotsLeftOver()).as(at).isEqualTo(p.supply / l - allocatedLots);
        if (e.splitTier() < 0)
        {
            return;
        }
        if (p.method.kind() == Method.Kind.LEVEL)
        {
            checkLevel(at, p, claims, e, reference, l);
        }
        else if (p.method.kind() == Method.Kind.DIVISOR)
        {
            checkDivisor(at, p, claims, e, l);
        }
    }

    private static void checkBound(final String at, final Problem p, final int i, final long l, final Bound bound,
        final long hi)
    {
        final long share = p.ppm == 0 ? Long.MAX_VALUE : Lots.shareLimit(p.supply, p.ppm);
        final long named;
        switch (bound)
        {
            case DEMAND:
                named = p.demand[i];
                break;
            case CAP:
                named = p.cap[i];
                break;
            case SHARE_LIMIT:
                named = share;
                break;
            case SUPPLY:
                return;
            default:
                throw new AssertionError(at + " " + bound);
        }
        final boolean held = p.method.holdsZeroWeightAtFloor() &&
            Validator.effectiveWeight(p.method, p.demand[i], p.weight[i]) == 0;
        if (!held)
        {
            assertThat(hi).as(at + " " + bound).isEqualTo(named / l);
        }
        final long d = p.demand[i] == Claims.ABSENT ? Long.MAX_VALUE : p.demand[i];
        final long c = p.cap[i] == Claims.ABSENT ? Long.MAX_VALUE : p.cap[i];
        assertThat(named).as(at + " the named bound is the least").isEqualTo(Math.min(d, Math.min(c, share)));
    }

    private static void checkLevel(
        final String at, final Problem p, final Claims claims, final Explanation e,
        final ReferenceAllocator.Result reference, final long l)
    {
        final int n = claims.count();
        Fraction cutoffWith = null;
        Fraction bestWithout = null;
        int lastWinner = -1;
        long extras = 0;
        for (int i = 0; i < n; i++)
        {
            if (p.tier[i] != e.splitTier())
            {
                assertThat(e.share(i)).as(at).isNull();
                continue;
            }
            final Fraction x = e.share(i);
            assertThat(x).as(at + " claim " + i).isNotNull();
            // The exact share is the reference's, computed independently.
            assertThat(x.numerator()).as(at + " claim " + i).isEqualTo(reference.shareLots[i].num);
            assertThat(x.denominator()).as(at + " claim " + i).isEqualTo(reference.shareLots[i].den);
            final long a = claims.award(i) / l;
            final BigInteger floor = x.floor();
            assertThat(a - floor.longValueExact()).as(at + " claim " + i).isBetween(0L, 1L);
            assertThat(e.extraLot(i)).as(at).isEqualTo(a == floor.longValueExact() + 1);
            final Fraction r = x.fractionalPart();
            if (e.extraLot(i))
            {
                extras++;
                assertThat(r.numerator().signum()).as(at + " an extra lot needs a remainder").isPositive();
                cutoffWith = cutoffWith == null ? r : Fraction.min(cutoffWith, r);
            }
            else if (!e.extraLot(i) && a < e.hiLots(i))
            {
                bestWithout = bestWithout == null ? r : Fraction.max(bestWithout, r);
            }
            // The level reproduces the share through the method's formula.
            assertThat(shareAtLevel(p, e, i).compareTo(x)).as(at + " claim " + i + " share at level " + e.level())
                .isZero();
        }
        assertThat(e.extraLots()).as(at).isEqualTo(extras);
        // The extra lots are exactly the largest remainders: every one with an extra lot has at least the
        // remainder of every one without; at equal remainders the earlier queue position has it.
        if (cutoffWith != null && bestWithout != null)
        {
            assertThat(cutoffWith.compareTo(bestWithout)).as(at).isGreaterThanOrEqualTo(0);
            if (cutoffWith.compareTo(bestWithout) == 0)
            {
                for (int i = 0; i < n; i++)
                {
                    if (p.tier[i] == e.splitTier() && e.share(i).fractionalPart().equals(cutoffWith))
                    {
                        assertThat(e.tieBrokenByPosition(i)).as(at + " claim " + i).isTrue();
                        if (e.extraLot(i))
                        {
                            lastWinner = i;
                        }
                    }
                }
                for (int i = 0; i < n; i++)
                {
                    if (p.tier[i] == e.splitTier() && !e.extraLot(i) && e.share(i).fractionalPart().equals(cutoffWith))
                    {
                        assertThat(i).as(at + " the tie goes to the earlier position").isGreaterThan(lastWinner);
                    }
                }
            }
        }
    }

    /** x_i from the level by SEMANTICS.md's formula for the method, independently of the explainer's solver. */
    private static Fraction shareAtLevel(final Problem p, final Explanation e, final int i)
    {
        final Fraction lambda = e.level();
        final Fraction lo = Fraction.of(e.loLots(i));
        final Fraction hi = Fraction.of(e.hiLots(i));
        final long weight = e.floorsRationed() ?
            (p.method == Method.PROPORTIONAL ? e.hiLots(i) : 1) :
            Validator.effectiveWeight(p.method, p.demand[i], p.weight[i]);
        final BigInteger w = BigInteger.valueOf(weight);
        final Fraction g;
        switch (p.method)
        {
            case PROPORTIONAL:
            case EQUAL:
                if (weight == 0)
                {
                    return lo;
                }
                g = lambda.multiply(w);
                break;
            case EQUAL_LOSSES:
                g = hi.subtract(lambda.multiply(w));
                break;
            case TALMUD:
            {
                final Fraction half = Fraction.of(BigInteger.valueOf(e.hiLots(i)), BigInteger.TWO);
                g = e.talmudLosses() ? Fraction.max(half, hi.subtract(lambda)) : Fraction.min(lambda, half);
                break;
            }
            default:
                throw new AssertionError(p.method);
        }
        return Fraction.min(Fraction.max(g, lo), hi);
    }

    private static void checkDivisor(final String at, final Problem p, final Claims claims, final Explanation e,
        final long l)
    {
        final Fraction last = e.lastPriority();
        if (last == null)
        {
            return;
        }
        long minServedWeight = Long.MAX_VALUE;
        final int n = claims.count();
        for (int i = 0; i < n; i++)
        {
            if (p.tier[i] == e.splitTier() && claims.award(i) / l > e.loLots(i))
            {
                final long w = weight(p, e, i);
                final Fraction served = Explainer.priority(p.method, w, claims.award(i) / l - 1);
                // No lot served had a lower priority than the last one.
                assertThat(served.compareTo(last)).as(at).isGreaterThanOrEqualTo(0);
                if (served.compareTo(last) == 0)
                {
                    minServedWeight = Math.min(minServedWeight, w);
                }
            }
        }
        for (int i = 0; i < n; i++)
        {
            if (p.tier[i] != e.splitTier() || e.nextPriority(i) == null)
            {
                continue;
            }
            final Fraction next = e.nextPriority(i);
            assertThat(next).isEqualTo(Explainer.priority(p.method, weight(p, e, i), claims.award(i) / l));
            // The greedy: no claim left below its bound had a higher priority than the last lot served.
            assertThat(next.compareTo(last)).as(at + " claim " + i + " next " + next + " last " + last)
                .isLessThanOrEqualTo(0);
            if (next.isInfinite())
            {
                assertThat(weight(p, e, i)).as(at + " larger weight first").isLessThanOrEqualTo(minServedWeight);
            }
            if (next.compareTo(last) == 0 && (!next.isInfinite() || weight(p, e, i) == minServedWeight))
            {
                assertThat(e.tieBrokenByPosition(i)).as(at + " claim " + i).isTrue();
                // A claim's priorities fall lot by lot, so each winner has one lot at the margin and the greedy
                // took those lots in queue order: every loser comes after every winner.
                assertThat(i).as(at + " loser after the winners")
                    .isGreaterThan(lastWinner(p, claims, e, l, last, minServedWeight));
            }
        }
    }

    private static int lastWinner(
        final Problem p, final Claims claims, final Explanation e, final long l, final Fraction last,
        final long lastWeight)
    {
        int winner = -1;
        for (int j = 0; j < claims.count(); j++)
        {
            if (p.tier[j] == e.splitTier() && claims.award(j) / l > e.loLots(j) && weight(p, e, j) != 0 &&
                Explainer.priority(p.method, weight(p, e, j), claims.award(j) / l - 1).compareTo(last) == 0 &&
                (!last.isInfinite() || weight(p, e, j) == lastWeight))
            {
                assertThat(e.tieBrokenByPosition(j)).as("winner " + j).isTrue();
                winner = j;
            }
        }
        return winner;
    }

    private static long weight(final Problem p, final Explanation e, final int i)
    {
        return e.floorsRationed() ? e.hiLots(i) : Validator.effectiveWeight(p.method, p.demand[i], p.weight[i]);
    }
}
