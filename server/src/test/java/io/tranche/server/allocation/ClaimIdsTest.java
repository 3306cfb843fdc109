package io.tranche.server.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.tranche.kernel.Violations;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The id rules checked in one loop ({@link ClaimIds#checkAll}) say exactly what they say claim by claim. */
class ClaimIdsTest
{
    @Test
    void shouldCheckAllIdsAsClaimByClaimWithDuplicatesEmptyIdsAndCollisions()
    {
        final SplittableRandom random = new SplittableRandom(21);
        int duplicates = 0;
        int empty = 0;
        for (int t = 0; t < 3000; t++)
        {
            final int n = random.nextInt(0, 300);
            // Few letters and short lengths: duplicates in most problems; lengths past eight take the long hash.
            final int letters = random.nextInt(1, 5);
            final int maxLength = random.nextBoolean() ? 3 : 12;
            final ClaimIds all = new ClaimIds(4);
            final ClaimIds each = new ClaimIds(4);
            for (int i = 0; i < n; i++)
            {
                final int length = random.nextInt(20) == 0 ? 0 : random.nextInt(1, maxLength + 1);
                final StringBuilder id = new StringBuilder();
                for (int k = 0; k < length; k++)
                {
                    id.append((char)('a' + random.nextInt(letters)));
                }
                all.add(id.toString());
                each.add(id.toString());
            }
            final Violations fromAll = new Violations();
            final Violations fromEach = new Violations();
            all.reset();
            all.checkAll(n, fromAll);
            each.reset();
            for (int i = 0; i < n; i++)
            {
                each.check(i, fromEach);
            }
            assertThat(fromAll.toString()).as("problem %d", t).isEqualTo(fromEach.toString());
            duplicates += fromEach.toString().contains("duplicates") ? 1 : 0;
            empty += fromEach.toString().contains("must not be empty") ? 1 : 0;
        }
        assertThat(duplicates).as("problems with a duplicate").isGreaterThan(1000);
        assertThat(empty).as("problems with an empty id").isGreaterThan(1000);
    }
}
