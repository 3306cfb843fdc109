package io.tranche.kernel;

import java.util.HashMap;
import java.util.Map;

/** The id rules the server checks (non-empty, unique), over test ids, as a {@link ClaimCheck}. */
final class TestIds implements ClaimCheck
{
    private final String[] ids;
    private final Map<String, Integer> seen = new HashMap<>();

    TestIds(final String[] ids)
    {
        this.ids = ids;
    }

    @Override
    public void reset()
    {
        seen.clear();
    }

    @Override
    public void check(final int claim, final Violations out)
    {
        final String id = ids[claim];
        if (id == null || id.isEmpty())
        {
            out.add(claim, Violations.Field.ID, 0, "must not be empty");
            return;
        }
        final Integer first = seen.putIfAbsent(id, claim);
        if (first != null)
        {
            out.add(claim, Violations.Field.ID, 0, "duplicates claims[" + first + "].id \"" + id + "\"");
        }
    }
}
