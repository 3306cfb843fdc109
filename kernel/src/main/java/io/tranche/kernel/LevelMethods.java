package io.tranche.kernel;

/**
 * The level methods (PROPORTIONAL, EQUAL, EQUAL_LOSSES, TALMUD) and FIFO; {@link Method} names the class of each.
 * <p>
 * Every level method reduces to one problem solved exactly by {@link LevelSolver}: find λ with
 * {@code Σ clamp(λ·w, lo, hi) = target}. EQUAL_LOSSES solves it on the losses {@code hi − x}; TALMUD on
 * half units (its half-demands may be half-integers), on the awards or on the losses depending on which
 * side of {@code V = Σ max(lo, hi/2)} the target falls. Each then rounds by largest remainder
 * (SEMANTICS.md "Methods inside a tier").
 */
final class LevelMethods
{
    private LevelMethods()
    {
    }

    /** Rounds the solver's shares by largest remainder into the award column. */
    static void writeRounded(
        final LevelSolver solver, final Workspace ws, final int from, final int m, final long target)
    {
        solver.round(m, target, ws.award, ws.order, from);
    }

    /** Points the workspace's solver at its own columns (for tiers that are not read in place) and returns it. */
    static LevelSolver ownColumns(final Workspace ws)
    {
        final LevelSolver solver = ws.solver;
        solver.lo = solver.ownLo;
        solver.hi = solver.ownHi;
        solver.w = solver.ownW;
        return solver;
    }

    /**
     * Points the workspace's solver at the bounds and weights of claims {@code ws.order[from..to)}: in place
     * when the tier is claims 0..m) in order, else gathered into the solver's own columns.
     */
    static LevelSolver columns(final Workspace ws, final int from, final int to)
    {
        final int[] order = ws.order;
        final long[] lo = ws.lo;
        final long[] hi = ws.hi;
        final long[] w = ws.w;
        final int m = to - from;
        if (from == 0 && order[0] == 0 && order[to - 1] == to - 1)
        {
            // The tier is claims 0..m) in order (ascending and distinct): read the columns in place.
            final LevelSolver solver = ws.solver;
            solver.lo = lo;
            solver.hi = hi;
            solver.w = w;
            return solver;
        }
        final LevelSolver solver = ownColumns(ws);
        final long[] sLo = solver.ownLo;
        final long[] sHi = solver.ownHi;
        final long[] sW = solver.ownW;
        for (int k = 0; k < m; k++)
        {
            final int i = order[from + k];
            sLo[k] = lo[i];
            sHi[k] = hi[i];
            sW[k] = w[i];
        }
        return solver;
    }

    /**
     * {@code x = clamp(λ·w, lo, hi)}: PROPORTIONAL (default w = demand; Hamilton / largest remainder when
     * no bound binds) and EQUAL (default w = 1; constrained equal awards, water-filling).
     */
    static final class Proportional implements Rule
    {
        @Override
        public void split(final Workspace ws, final int from, final int to, final long target)
        {
            final int m = to - from;
            final LevelSolver solver = columns(ws, from, to);
            solver.solve(m, target, true);
            writeRounded(solver, ws, from, m, target);
        }
    }

    /**
     * Constrained equal losses: {@code x = clamp(hi − λ·w, lo, hi)}. Solved on the losses
     * {@code y = hi − x = clamp(λ·w, 0, hi − lo)} with target {@code Σhi − T}, then rounded on x: a loss
     * {@code q + r/d} with {@code r > 0} is an award {@code (hi − q − 1) + (d − r)/d}.
     */
    static final class EqualLosses implements Rule
    {
        @Override
        public void split(final Workspace ws, final int from, final int to, final long target)
        {
            final LevelSolver solver = ownColumns(ws);
            final int[] order = ws.order;
            final long[] lo = ws.lo;
            final long[] hi = ws.hi;
            final long[] w = ws.w;
            final long[] sLo = solver.ownLo;
            final long[] sHi = solver.ownHi;
            final long[] sW = solver.ownW;
            final int m = to - from;
            // Σhi ≤ Σdemand ≤ 2^63 − 1 is guaranteed by validation for this method.
            long sumHi = 0;
            for (int k = 0; k < m; k++)
            {
                final int i = order[from + k];
                sLo[k] = 0;
                sHi[k] = hi[i] - lo[i];
                sW[k] = w[i];
                sumHi += hi[i];
            }
            solver.solve(m, sumHi - target, false);
            final long[] base = solver.base;
            final long[] num = solver.num;
            final long d = solver.den;
            for (int k = 0; k < m; k++)
            {
                final long r = num[k];
                final long h = hi[order[from + k]];
                if (r == 0)
                {
                    base[k] = h - base[k];
                }
                else
                {
                    base[k] = h - base[k] - 1;
                    num[k] = d - r;
                }
            }
            writeRounded(solver, ws, from, m, target);
        }
    }

    /**
     * Aumann–Maschler (1985) Talmud rule with floors. With {@code h = hi/2} and
     * {@code V = Σ max(lo, h)}: if {@code T ≤ V}, equal awards on the half-demands,
     * {@code x = clamp(λ, lo, max(lo, h))}; else each gets h plus equal losses on the half-demands, the
     * loss {@code y = hi − x = clamp(μ, 0, min(h, hi − lo))}. Both are solved in half units (values
     * doubled, unsigned: up to 2^63 for bounds and 2^64 − 2 for targets) so that h is an integer.
     */
    static final class Talmud implements Rule
    {
        /** True when the last split gave equal losses on the half-demands (T &gt; V), for explanations. */
        boolean lastOnLosses;

        @Override
        public void split(final Workspace ws, final int from, final int to, final long target)
        {
            final LevelSolver solver = ownColumns(ws);
            final int[] order = ws.order;
            final long[] lo = ws.lo;
            final long[] hi = ws.hi;
            final long[] sLo = solver.ownLo;
            final long[] sHi = solver.ownHi;
            final long[] sW = solver.ownW;
            final int m = to - from;
            long twiceV = 0;
            long sumHi = 0;
            for (int k = 0; k < m; k++)
            {
                final int i = order[from + k];
                final long twiceLo = lo[i] << 1;
                twiceV += Long.compareUnsigned(twiceLo, hi[i]) > 0 ? twiceLo : hi[i];
                sumHi += hi[i];
            }
            final long twiceTarget = target << 1;
            final boolean awards = Long.compareUnsigned(twiceTarget, twiceV) <= 0;
            lastOnLosses = !awards;
            for (int k = 0; k < m; k++)
            {
                final int i = order[from + k];
                final long h = hi[i];
                final long l = lo[i];
                sW[k] = 1;
                if (awards)
                {
                    final long twiceLo = l << 1;
                    sLo[k] = twiceLo;
                    sHi[k] = Long.compareUnsigned(twiceLo, h) > 0 ? twiceLo : h;
                }
                else
                {
                    final long twiceRoom = (h - l) << 1;
                    sLo[k] = 0;
                    sHi[k] = Long.compareUnsigned(twiceRoom, h) < 0 ? twiceRoom : h;
                }
            }
            solver.solve(m, awards ? twiceTarget : (sumHi - target) << 1, false);
            // Halve: (q + r/d) / 2 = ⌊q/2⌋ + ((q mod 2)·d + r) / 2d; d counts claims, so 2d cannot overflow.
            final long[] base = solver.base;
            final long[] num = solver.num;
            final long d = solver.den;
            final long twiceD = d << 1;
            for (int k = 0; k < m; k++)
            {
                final long q = base[k];
                final long half = q >>> 1;
                final long frac = (q & 1) * d + num[k];
                if (awards)
                {
                    base[k] = half;
                    num[k] = frac;
                }
                else
                {
                    final long h = hi[order[from + k]];
                    if (frac == 0)
                    {
                        base[k] = h - half;
                        num[k] = 0;
                    }
                    else
                    {
                        base[k] = h - half - 1;
                        num[k] = twiceD - frac;
                    }
                }
            }
            solver.den = twiceD;
            writeRounded(solver, ws, from, m, target);
        }
    }

    /** Queue order: each claim is raised from lo to hi while lots remain. */
    static final class Fifo implements Rule
    {
        @Override
        public void split(final Workspace ws, final int from, final int to, final long target)
        {
            final int[] order = ws.order;
            final long[] lo = ws.lo;
            final long[] hi = ws.hi;
            final long[] award = ws.award;
            long rest = target;
            for (int k = from; k < to; k++)
            {
                rest -= lo[order[k]];
            }
            for (int k = from; k < to; k++)
            {
                final int i = order[k];
                final long room = hi[i] - lo[i];
                final long add = room < rest ? room : rest;
                award[i] = lo[i] + add;
                rest -= add;
            }
        }
    }
}
