package io.tranche.kernel;

import java.math.BigInteger;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC.md's bounds guarantee, stated over the raw input rather than over the kernel's own bounds:
 * no award ever exceeds min(demand, cap, share limit), so {@code unmet = demand − award} is never
 * negative. Issue 8: a zero-weight claim with a floor above that bound was accepted and handed its
 * floor. The problems here are seeded random valid problems, a third of them given an adversarial
 * claim (weight 0 or a demand-default weight of 0, floor above its bound) that must be rejected on
 * {@code claims[i].floor} by the kernel and the reference alike.
 */
class AwardBoundPropertyTest
{
    private static final int PROBLEMS_PER_METHOD = 600;
    private static final long MAX = 1L << 62;

    private final Allocator allocator = new Allocator(1024);
    private final Claims claims = new Claims(1024);
    private final Violations violations = new Violations();

    @ParameterizedTest
    @EnumSource(Method.class)
    void noAwardExceedsMinOfDemandCapAndShareLimitAndUnmetIsNeverNegative(final Method method)
    {
        final Random rnd = new Random(0x8B0_0000L + method.ordinal());
        int accepted = 0;
        int rejected = 0;
        for (int k = 0; k < PROBLEMS_PER_METHOD; k++)
        {
            final long seed = rnd.nextLong();
            final Problem base = Generators.valid(seed, method);
            final int raised = rnd.nextInt(3) == 0 ? raiseAZeroWeightFloor(base, new Random(seed ^ 0x5EED)) : -1;
            final Problem p = raised < 0 ? base : withRaisedFloor(base, raised);
            p.fill(claims);
            final boolean valid = allocator.validate(p.supply, p.method, p.lot, p.ppm, claims, violations);
            final List<String> reference = ReferenceAllocator.violations(p, 1024);
            assertThat(valid).as("kernel validity agrees with the reference (%s) on %s", reference, p)
                .isEqualTo(reference.isEmpty());
            if (valid)
            {
                accepted++;
                allocator.allocate(p.supply, p.method, p.lot, p.ppm, claims);
                final long[] referenceAwards = ReferenceAllocator.allocate(p).awards;
                for (int i = 0; i < p.size(); i++)
                {
                    checkBound(p, i, claims.award(i), "kernel");
                    checkBound(p, i, referenceAwards[i], "reference");
                }
            }
            else
            {
                rejected++;
            }
            if (raised >= 0 && floorAboveBound(p, raised))
            {
                assertThat(valid).as("floor above the bound of claims[%d] rejected in %s", raised, p).isFalse();
                assertThat(fieldsOf(violations)).as("violations of %s", p).contains("claims[" + raised + "].floor");
                assertThat(reference).contains("claims[" + raised + "].floor");
            }
        }
        // the property is not vacuous: most problems are allocated, and the adversarial ones occur
        assertThat(accepted).as("problems allocated under %s", method).isGreaterThan(PROBLEMS_PER_METHOD / 2);
        if (method.holdsZeroWeightAtFloor())
        {
            assertThat(rejected).as("problems rejected under %s", method).isGreaterThan(PROBLEMS_PER_METHOD / 10);
        }
    }

    private static void checkBound(final Problem p, final int i, final long award, final String who)
    {
        final long bound = bound(p, i);
        assertThat(award).as("%s: claims[%d] award >= 0 in %s", who, i, p).isGreaterThanOrEqualTo(0);
        if (bound != Long.MAX_VALUE)
        {
            assertThat(award).as("%s: claims[%d] award <= min(demand, cap, share limit) = %d in %s", who, i, bound, p)
                .isLessThanOrEqualTo(bound);
        }
        if (p.demand[i] != Claims.ABSENT)
        {
            assertThat(p.demand[i] - award).as("%s: claims[%d] unmet in %s", who, i, p).isGreaterThanOrEqualTo(0);
        }
    }

    /** min(demand, cap, ⌊S·ppm/10⁶⌋) in units over the present ones; Long.MAX_VALUE when none is. */
    static long bound(final Problem p, final int i)
    {
        long bound = Long.MAX_VALUE;
        if (p.demand[i] != Claims.ABSENT)
        {
            bound = p.demand[i];
        }
        if (p.cap[i] != Claims.ABSENT)
        {
            bound = Math.min(bound, p.cap[i]);
        }
        if (p.ppm > 0)
        {
            final long share = BigInteger.valueOf(p.supply).multiply(BigInteger.valueOf(p.ppm))
                .divide(BigInteger.valueOf(1_000_000)).longValueExact();
            bound = Math.min(bound, share);
        }
        return bound;
    }

    private static boolean floorAboveBound(final Problem p, final int i)
    {
        final long l = p.lot == 0 ? 1 : p.lot;
        final long bound = bound(p, i);
        return bound != Long.MAX_VALUE && (p.floor[i] + l - 1) / l > bound / l;
    }

    /**
     * Picks a claim to make zero-weight with a floor above its bound, where the method reads weights.
     *
     * @return its index, or -1 when the method has no zero weight or no claim has a finite bound.
     */
    private static int raiseAZeroWeightFloor(final Problem p, final Random rnd)
    {
        if (!p.method.holdsZeroWeightAtFloor())
        {
            return -1;
        }
        final int start = rnd.nextInt(p.size());
        for (int k = 0; k < p.size(); k++)
        {
            final int i = (start + k) % p.size();
            if (bound(p, i) < MAX / 2)
            {
                return i;
            }
        }
        return -1;
    }

    /** A copy of {@code p} where claim {@code i} weighs 0 and its floor is one lot or more above its bound. */
    private static Problem withRaisedFloor(final Problem p, final int i)
    {
        final long l = p.lot == 0 ? 1 : p.lot;
        final long[] weight = p.weight.clone();
        final long[] demand = p.demand.clone();
        final long[] floor = p.floor.clone();
        // weight 0 given, or (where the default weight is the demand) demand 0 and weight absent: the case
        if (p.method.defaultWeightIsDemand() && (i & 1) == 0)
        {
            demand[i] = 0;
            weight[i] = Claims.ABSENT;
        }
        else
        {
            weight[i] = 0;
        }
        final Problem zero = new Problem(
            p.supply, p.method, p.lot, p.ppm, p.id, demand, weight, p.tier, p.cap, floor);
        final long bound = bound(zero, i);
        long others = 0;
        for (int j = 0; j < floor.length; j++)
        {
            others += j == i ? 0 : floor[j];
        }
        floor[i] = Math.min(MAX, Math.min(Long.MAX_VALUE - others, (bound / l + 1) * l + (i % 3)));
        return new Problem(p.supply, p.method, p.lot, p.ppm, p.id, demand, weight, p.tier, p.cap, floor);
    }

    private static List<String> fieldsOf(final Violations v)
    {
        final String[] out = new String[v.count()];
        for (int k = 0; k < out.length; k++)
        {
            out[k] = v.field(k);
        }
        return List.of(out);
    }
}
