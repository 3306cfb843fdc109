package io.tranche.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Claims#addDemands} against {@link Claims#add} claim by claim, on reused columns full of other values. */
class ClaimsTest
{
    @Test
    void shouldAddDemandsAsAddingEachWithItsDemandAlone()
    {
        final SplittableRandom random = new SplittableRandom(5);
        final Claims columns = new Claims(1);
        final Claims oneByOne = new Claims(1);
        for (int round = 0; round < 2_000; round++)
        {
            // Yesterday's claims first: weights, caps, floors, tiers and awards where today's demands will go.
            columns.clear();
            for (int i = random.nextInt(40); i > 0; i--)
            {
                columns.add(random.nextLong(100), random.nextLong(1, 9), random.nextInt(3), random.nextLong(50),
                    random.nextLong(5), Claims.DEMAND | Claims.WEIGHT | Claims.CAP);
                columns.awardArray()[columns.count() - 1] = random.nextLong(1, 50);
            }
            columns.clear();
            oneByOne.clear();
            final long[] demands = new long[50];
            for (int run = random.nextInt(5); run >= 0; run--)
            {
                if (random.nextBoolean())
                {
                    // A claim with more than a demand between runs: a weight, or another tier (sometimes first).
                    final int tier = random.nextInt(2);
                    final int present = Claims.DEMAND | (random.nextBoolean() ? Claims.WEIGHT : 0);
                    columns.add(7, 2, tier, Claims.ABSENT, 0, present);
                    oneByOne.add(7, 2, tier, Claims.ABSENT, 0, present);
                }
                final int from = random.nextInt(10);
                final int n = random.nextInt(demands.length - from);
                for (int k = 0; k < n; k++)
                {
                    demands[from + k] = random.nextInt(4) == 0 ? Claims.ABSENT : random.nextLong(Claims.MAX_VALUE);
                    oneByOne.add(demands[from + k], 0, 0, 0, 0, Claims.DEMAND);
                }
                columns.addDemands(demands, from, n);
            }
            assertThat(columns.count()).isEqualTo(oneByOne.count());
            assertThat(columns.plain()).as("round %d", round).isEqualTo(oneByOne.plain());
            for (int i = 0; i < columns.count(); i++)
            {
                for (final int bit : new int[] {Claims.DEMAND, Claims.WEIGHT, Claims.CAP})
                {
                    assertThat(columns.has(i, bit)).isEqualTo(oneByOne.has(i, bit));
                }
                assertThat(columns.demand(i)).isEqualTo(oneByOne.demand(i));
                assertThat(columns.weight(i)).isEqualTo(oneByOne.weight(i));
                assertThat(columns.tier(i)).isEqualTo(oneByOne.tier(i));
                assertThat(columns.cap(i)).isEqualTo(oneByOne.cap(i));
                assertThat(columns.floor(i)).isEqualTo(oneByOne.floor(i));
                assertThat(columns.award(i)).isEqualTo(oneByOne.award(i));
            }
        }
    }
}
