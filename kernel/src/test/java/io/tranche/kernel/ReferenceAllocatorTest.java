package io.tranche.kernel;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Checks the test oracle on its own, without the kernel: {@link ReferenceAllocator} keeps
 * conservation, bounds and priority on the generated problems, and is monotone in the supply where
 * SPEC.md says the method is.
 */
class ReferenceAllocatorTest
{
    @ParameterizedTest(name = "{0}")
    @EnumSource(Method.class)
    void referenceKeepsConservationBoundsAndPriority(final Method method)
    {
        final long start = System.nanoTime();
        final int count = 3_000;
        for (int k = 0; k < count; k++)
        {
            final long seed = 0xC0FFEEL + method.ordinal() * 7_919L + k;
            final Problem p = Generators.valid(seed, method);
            final long[] awards = ReferenceAllocator.allocate(p).awards;
            AllocationPropertiesTest.checkConservation(p, awards);
            AllocationPropertiesTest.checkBounds(p, awards);
            AllocationPropertiesTest.checkPriority(p, awards);
            if (method.kind() != Method.Kind.LEVEL)
            {
                final Problem[] pair = AllocationPropertiesTest.monotonePair(p, seed);
                AllocationPropertiesTest.checkMonotone(
                    pair, ReferenceAllocator.allocate(pair[0]).awards, ReferenceAllocator.allocate(pair[1]).awards);
            }
        }
        System.out.printf("ReferenceAllocatorTest %s: %d problems in %.1f ms%n", method, count,
            (System.nanoTime() - start) / 1e6);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Method.class)
    void scalableVariantsEqualThePlainOnes(final Method method)
    {
        for (int k = 0; k < 1_500; k++)
        {
            final Problem p = Generators.valid(0xFACADEL + method.ordinal() * 104_729L + k, method);
            final ReferenceAllocator.Result plain = ReferenceAllocator.allocate(p, Integer.MAX_VALUE);
            final ReferenceAllocator.Result scalable = ReferenceAllocator.allocate(p, 0);
            org.assertj.core.api.Assertions.assertThat(scalable.awards).as("%s", p).containsExactly(plain.awards);
            org.assertj.core.api.Assertions.assertThat(scalable.shareLots).as("%s", p).containsExactly(plain.shareLots);
        }
    }
}
