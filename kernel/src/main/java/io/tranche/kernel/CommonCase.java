package io.tranche.kernel;

/**
 * The common problem without the framework's passes: one tier, no floors, lot 1, no share limit (caps
 * and weights allowed). Then every claim's bounds are {@code lo = 0} and {@code hi = min(demand, cap, S)},
 * and a rule can read the claims' own columns and write the awards in units straight into
 * {@link Claims#awardArray()}: no bounds columns, no tier order, no copy of the awards.
 * <p>
 * Each entry point checks that the problem is the common case while it does the method's own first pass
 * (stopping at the first floor or second tier it meets) and returns {@link #NOT_APPLICABLE} when it is not,
 * or when the fast route does not settle it (PROPORTIONAL and weighted EQUAL: a bound binds at the level;
 * EQUAL without weights, EQUAL_LOSSES without weights and TALMUD: the water-filling of
 * {@link LevelSolver#unitLevel} takes more than {@link #UNIT_LEVEL_ROUNDS} passes): the caller then runs the
 * general path, which overwrites every award. The results are the general path's, award for award
 * (CommonCaseTest, UnitLevelRouteTest and OnePassRoundingTest force both paths on the same problems).
 */
final class CommonCase
{
    /** Returned when the general path must run. */
    static final long NOT_APPLICABLE = -1;
    /** {@link #sampledShares}: the awards are written; a bound binds; the band missed the threshold. */
    private static final int SETTLED = 0;
    private static final int BINDS = 1;
    private static final int MISSED = 2;
    /** Claims sampled to place the rounding's band. */
    private static final int SAMPLE = 4096;
    /** Tiers of at most this many claims round PROPORTIONAL's shares by counting ({@link #proportionalTiny}). */
    static final int TINY_TIER = 5;
    /** Water-filling passes tried before the general path takes over (each pass reads one column). */
    static final int UNIT_LEVEL_ROUNDS = 24;

    /**
     * Up to this many claims the divisor methods' pass leaves lo = 0 and the identity order to the rule's routes
     * that read them ({@link DivisorMethod#writeColumns}); the common rounding and its bracket do not, and two
     * stores per claim are about a twentieth of a small tier's time. Past it the routes that read them are the
     * common ones.
     */
    static final int LAZY_COLUMNS = 1 << 16;

    private CommonCase()
    {
    }

    /**
     * @return units allocated, or {@link #NOT_APPLICABLE}.
     */
    static long allocate(
        final long supply, final Method method, final Claims claims, final int n, final Workspace ws, final Rule rule)
    {
        switch (method)
        {
            case FIFO:
                return fifo(supply, claims, n);
            case PROPORTIONAL:
                return level(supply, true, claims, n, ws.solver);
            case EQUAL:
                return level(supply, false, claims, n, ws.solver);
            case EQUAL_LOSSES:
                return lossesOrTalmud(supply, false, claims, n, ws.solver);
            case TALMUD:
                return lossesOrTalmud(supply, true, claims, n, ws.solver);
            default:
                // Every divisor method, by its rule's class: a new one needs no line here.
                return rule instanceof DivisorMethod divisorRule ? divisor(supply, claims, n, ws, divisorRule) :
                    NOT_APPLICABLE;
        }
    }

    /** min(demand, cap, supply), an absent demand or cap being unbounded. */
    private static long bound(final long demand, final long cap, final long supply)
    {
        final long d = demand == Claims.ABSENT ? Long.MAX_VALUE : demand;
        final long c = cap == Claims.ABSENT ? Long.MAX_VALUE : cap;
        return Math.min(Math.min(d, c), supply);
    }

    /**
     * The divisor methods: one pass over the claims' columns writes the columns the rule reads (lo = 0,
     * hi = min(demand, cap, S), 0 without weight; the weight, by default the demand; the identity order: up to
     * {@link #LAZY_COLUMNS} claims, lo and the order are left to the routes that read them) and
     * the sums of the rule's own first pass, instead of the framework's bounds pass, its tier order and that
     * first pass; the rule then splits from the sums ({@link DivisorMethod#splitFromSums}), as the general path
     * would from the same columns.
     */
    static long divisor(
        final long supply, final Claims claims, final int n, final Workspace ws, final DivisorMethod rule)
    {
        final long[] demand = claims.demandArray();
        final long[] weight = claims.weightArray();
        final long[] cap = claims.capArray();
        final long[] floor = claims.floorArray();
        final int[] tier = claims.tierArray();
        final long[] award = claims.awardArray();
        final long[] lo = ws.lo;
        final long[] hi = ws.hi;
        final long[] w = ws.w;
        final int[] order = ws.order;
        final int firstTier = tier[0];
        // a small tier leaves lo = 0 and the identity order to the routes that read them (the common rounding and
        // its bracket do not); a large one writes them here, in the pass, rather than in a pass of their own
        final boolean eager = n > LAZY_COLUMNS;
        if (claims.plain())
        {
            return divisorPlain(supply, claims, n, ws, rule, eager);
        }
        long sumHi = 0;
        long sumW = 0;
        int active = 0;
        long ones = 0;
        boolean loose = true;
        long minW = Long.MAX_VALUE;
        for (int i = 0; i < n; i++)
        {
            if (floor[i] != 0 | tier[i] != firstTier)
            {
                return NOT_APPLICABLE;
            }
            final long d = demand[i];
            final long g = weight[i];
            final long wI = g != Claims.ABSENT ? g : d;
            final long h = wI == 0 ? 0 : bound(d, cap[i], supply);
            if (eager)
            {
                lo[i] = 0;
                order[i] = i;
            }
            hi[i] = h;
            w[i] = wI;
            sumHi = Lots.saturatingAdd(sumHi, h);
            if (wI == 0 || h <= 0)
            {
                award[i] = 0;
            }
            else
            {
                active++;
                sumW += wI;
                ones += wI == 1 ? 1 : 0;
                loose &= h >= Math.min(wI, supply);
                minW = Math.min(minW, wI);
            }
        }
        ws.award = award;
        rule.lastFromPlainColumns = false;
        return splitFromColumns(supply, n, ws, rule, eager, sumHi, active, sumW, ones, loose, minW);
    }

    /**
     * {@link #divisor} on plain claims ({@link Claims#plain()}: demands only, one tier), reading the demand column
     * alone: the weight is the demand and the bound min(demand, S), which the claim's weight reaches whenever it is
     * below S, so no bound can bind before the level reaches 1 ("loose").
     */
    private static long divisorPlain(
        final long supply, final Claims claims, final int n, final Workspace ws, final DivisorMethod rule,
        final boolean eager)
    {
        final long[] demand = claims.demandArray();
        final long[] award = claims.awardArray();
        final long[] lo = ws.lo;
        final long[] hi = ws.hi;
        final long[] w = ws.w;
        final int[] order = ws.order;
        long sumHi = 0;
        long sumW = 0;
        int active = 0;
        long ones = 0;
        long minW = Long.MAX_VALUE;
        for (int i = 0; i < n; i++)
        {
            final long d = demand[i];
            if (d < 0)
            {
                // no demand: the general pass reads the weight (validation leaves none here under these methods)
                return NOT_APPLICABLE;
            }
            final long h = Math.min(d, supply);
            if (eager)
            {
                lo[i] = 0;
                order[i] = i;
            }
            hi[i] = h;
            w[i] = d;
            sumHi = Lots.saturatingAdd(sumHi, h);
            if (h == 0)
            {
                award[i] = 0;
            }
            else
            {
                active++;
                sumW += d;
                ones += d == 1 ? 1 : 0;
                minW = Math.min(minW, d);
            }
        }
        ws.award = award;
        rule.lastFromPlainColumns = true;
        return splitFromColumns(supply, n, ws, rule, eager, sumHi, active, sumW, ones, true, minW);
    }

    /**
     * The end of {@link #divisor}'s and {@link #divisorPlain}'s pass: every claim its bound when the bounds fit the
     * supply, else the rule's split from the pass's sums.
     *
     * @return units allocated.
     */
    private static long splitFromColumns(
        final long supply, final int n, final Workspace ws, final DivisorMethod rule, final boolean eager,
        final long sumHi, final int active, final long sumW, final long ones, final boolean loose, final long minW)
    {
        final long[] award = ws.award;
        if (sumHi <= supply)
        {
            final long[] hi = ws.hi;
            for (int i = 0; i < n; i++)
            {
                award[i] = hi[i];
            }
            return sumHi;
        }
        rule.lastFromColumns = true;
        rule.columnsPending = !eager;
        rule.splitFromSums(ws, 0, n, supply, 0, sumHi, 0, active, active, sumW, ones, loose, minW);
        return supply;
    }

    /** FIFO in one pass: each claim in queue order takes its bound while units remain. */
    static long fifo(final long supply, final Claims claims, final int n)
    {
        final long[] demand = claims.demandArray();
        final long[] cap = claims.capArray();
        final long[] floor = claims.floorArray();
        final int[] tier = claims.tierArray();
        final long[] award = claims.awardArray();
        final int firstTier = tier[0];
        long rest = supply;
        for (int i = 0; i < n; i++)
        {
            if (floor[i] != 0 | tier[i] != firstTier)
            {
                return NOT_APPLICABLE;
            }
            final long add = Math.min(bound(demand[i], cap[i], supply), rest);
            award[i] = add;
            rest -= add;
        }
        return supply - rest;
    }

    /**
     * PROPORTIONAL ({@code demandWeight}) and EQUAL: the first pass checks the case and sums the weights and
     * bounds of the claims that compete; when no bound binds at λ = S / Σw (PROPORTIONAL on a rationed
     * problem without caps: λ &lt; 1 and w = demand), a second pass writes each share's integer part and
     * histograms the remainders, and the rounding pass adds the extra lots ({@link #sharesBelowOne} when
     * λ &lt; 1); on {@link LevelSolver#SAMPLE_THRESHOLD} claims or more, {@link #sampledShares} writes the shares
     * and rounds them in one pass. EQUAL without weights needs no division per claim: every competing claim gets
     * ⌊S / m⌋ and the first S mod m one more. Plain claims ({@link Claims#plain()}) take
     * {@link #proportionalPlain} and {@link #equalPlain}, which read the demand column alone.
     */
    static long level(
        final long supply, final boolean demandWeight, final Claims claims, final int n, final LevelSolver solver)
    {
        if (claims.plain())
        {
            return demandWeight ? proportionalPlain(supply, claims, n, solver) : equalPlain(supply, claims, n, solver);
        }
        final long[] demand = claims.demandArray();
        final long[] weight = claims.weightArray();
        final long[] cap = claims.capArray();
        final long[] floor = claims.floorArray();
        final int[] tier = claims.tierArray();
        final int firstTier = tier[0];
        long sumW = 0;
        long sumH = 0;
        long minH = Long.MAX_VALUE;
        int competing = 0;
        boolean weights = false;
        boolean caps = false;
        for (int i = 0; i < n; i++)
        {
            if (floor[i] != 0 | tier[i] != firstTier)
            {
                return NOT_APPLICABLE;
            }
            final long d = demand[i];
            final long g = weight[i];
            final long h = bound(d, cap[i], supply);
            final long w = g != Claims.ABSENT ? g : demandWeight ? d : 1;
            weights |= g != Claims.ABSENT;
            caps |= cap[i] != Claims.ABSENT;
            if (w != 0 & h != 0)
            {
                sumW += w;
                sumH = Lots.saturatingAdd(sumH, h);
                minH = Math.min(minH, h);
                competing++;
            }
        }
        final long[] award = claims.awardArray();
        if (sumH <= supply || supply == 0)
        {
            // Every competing claim gets its bound (or, with no supply, every claim gets 0).
            final boolean full = supply != 0;
            for (int i = 0; i < n; i++)
            {
                final long g = weight[i];
                final long d = demand[i];
                final long w = g != Claims.ABSENT ? g : demandWeight ? d : 1;
                award[i] = full && w != 0 ? bound(d, cap[i], supply) : 0;
            }
            return full ? sumH : 0;
        }
        if (!demandWeight && !weights)
        {
            return equalShares(supply, claims, n, competing, minH, solver);
        }
        if (supply < sumW && n >= solver.sampledFrom)
        {
            final int settled = sampledShares(supply, sumW, demandWeight, demandWeight & !weights & !caps, claims, n,
                solver);
            if (settled != MISSED)
            {
                return settled == SETTLED ? supply : NOT_APPLICABLE;
            }
        }
        final boolean fits = supply < sumW ?
            sharesBelowOne(supply, sumW, demandWeight, claims, n, solver) :
            shares(supply, sumW, demandWeight, claims, n, solver);
        if (!fits)
        {
            return NOT_APPLICABLE;
        }
        solver.roundInPlace(n, supply, award);
        return supply;
    }

    /**
     * PROPORTIONAL when {@link Claims#plain()} (no floor, weight or cap, one tier): w = d and h = min(d, S), so
     * the first pass reads the demands alone, for Σd and Σh; the shares follow as in {@link #level}.
     */
    private static long proportionalPlain(final long supply, final Claims claims, final int n, final LevelSolver solver)
    {
        final long[] demand = claims.demandArray();
        final long[] award = claims.awardArray();
        long sumD = 0;
        long sumH = 0;
        long maxD = 0;
        for (int i = 0; i < n; i++)
        {
            final long d = demand[i];
            sumD += d;
            maxD = Math.max(maxD, d);
            // Each term is at most 2^62, so clamping at 2^62 + 1 keeps the sum from overflowing and above S.
            sumH = Math.min(sumH + Math.min(d, supply), Claims.MAX_VALUE + 1);
        }
        solver.plainRoutes++;
        if (sumH <= supply || supply == 0)
        {
            for (int i = 0; i < n; i++)
            {
                award[i] = supply != 0 ? Math.min(demand[i], supply) : 0;
            }
            return supply != 0 ? sumH : 0;
        }
        // Rationed: S < Σh ≤ Σd, so λ = S / Σd is below 1.
        if (n <= TINY_TIER)
        {
            proportionalTiny(supply, sumD, maxD, claims, n, solver);
            return supply;
        }
        if (n >= solver.sampledFrom)
        {
            final int settled = sampledShares(supply, sumD, true, true, claims, n, solver);
            if (settled != MISSED)
            {
                return supply;
            }
        }
        sharesBelowOnePlain(supply, sumD, claims, n, solver);
        solver.roundInPlace(n, supply, award);
        return supply;
    }

    /**
     * {@link #proportionalPlain} on a rationed tier of at most {@link #TINY_TIER} claims, where a histogram of the
     * remainders costs more than it saves: each share's integer part and remainder exactly (a 64-bit division per
     * claim while every d·S fits in 63 bits, else {@link #quotientBelowOne}), then the S − Σ⌊share⌋ lots left (fewer
     * than n, all to positive remainders) to the largest remainders, ties to the earlier claim, each claim counting
     * the claims ahead of it. No bound binds: ⌊d·S / Σd⌋ &lt; d and ⌊d·S / Σd⌋ &lt; S when S &lt; Σd.
     */
    private static void proportionalTiny(
        final long supply, final long sumD, final long maxD, final Claims claims, final int n, final LevelSolver solver)
    {
        final long[] demand = claims.demandArray();
        final long[] award = claims.awardArray();
        final long[] rem = solver.num;
        final long d = sumD;
        solver.tinyRoutes++;
        long sum = 0;
        if (Math.multiplyHigh(maxD, supply) == 0 && maxD * supply >= 0)
        {
            for (int i = 0; i < n; i++)
            {
                final long p = demand[i] * supply;
                final long q = p / d;
                award[i] = q;
                rem[i] = p - q * d;
                sum += q;
            }
        }
        else
        {
            final long f = Int128.quotientUnsigned(supply, 0, d);
            for (int i = 0; i < n; i++)
            {
                final long v = demand[i];
                final long q = quotientBelowOne(v, supply, d, f);
                award[i] = q;
                rem[i] = v * supply - q * d;
                sum += q;
            }
        }
        final long left = supply - sum;
        if (left == 0)
        {
            return;
        }
        for (int i = 0; i < n; i++)
        {
            final long r = rem[i];
            int ahead = 0;
            for (int j = 0; j < n; j++)
            {
                final long other = rem[j];
                ahead += other > r | other == r & j < i ? 1 : 0;
            }
            award[i] += ahead < left ? 1 : 0;
        }
    }

    /**
     * ⌊v·S / d⌋ for v ≤ d and S &lt; d, from {@code f = ⌊S·2^64 / d⌋}: {@code ⌊v·f / 2^64⌋} is the quotient or one
     * less, and the remainder's sign (it is below 2d &lt; 2^64) tells which.
     */
    private static long quotientBelowOne(final long v, final long supply, final long d, final long f)
    {
        final long estimate = Math.multiplyHigh(v, f) + (v & f >> 63);
        final long t = v * supply - estimate * d - d;
        return estimate + 1 + (t >> 63);
    }

    /**
     * EQUAL when {@link Claims#plain()}: every weight 1 and h = min(d, S). The first pass reads the demands alone;
     * when a bound binds, the next one computes the bounds again and makes the water-filling's first round at
     * once ({@link #equalLevelPlain}).
     */
    private static long equalPlain(final long supply, final Claims claims, final int n, final LevelSolver solver)
    {
        final long[] demand = claims.demandArray();
        final long[] award = claims.awardArray();
        long sumH = 0;
        long minH = Long.MAX_VALUE;
        int competing = 0;
        for (int i = 0; i < n; i++)
        {
            final long h = plainBound(demand[i], supply);
            competing += h != 0 ? 1 : 0;
            minH = Math.min(minH, h != 0 ? h : Long.MAX_VALUE);
            sumH = Math.min(sumH + h, Claims.MAX_VALUE + 1);
        }
        solver.plainRoutes++;
        if (sumH <= supply || supply == 0)
        {
            for (int i = 0; i < n; i++)
            {
                award[i] = supply != 0 ? plainBound(demand[i], supply) : 0;
            }
            return supply != 0 ? sumH : 0;
        }
        final long q = supply / competing;
        if (minH < q || (minH == q && supply - q * competing != 0))
        {
            return equalLevelPlain(supply, claims, n, competing, solver);
        }
        return equalShares(supply, claims, n, competing, minH, solver);
    }

    /** min(demand, supply), an absent demand being unbounded: a plain claim's bound. */
    private static long plainBound(final long demand, final long supply)
    {
        return demand == Claims.ABSENT ? supply : Math.min(demand, supply);
    }

    /**
     * {@link #equalLevel} for plain claims: one pass computes each bound and makes the first round of
     * {@link LevelSolver#unitLevel} (λ = S / m: the bounds at or below it are summed, the others listed), the
     * other rounds go over the listed bounds alone, and the last pass computes the bounds again as it writes the
     * awards. The same rounds as {@link #equalLevel}, so the same level and awards.
     */
    private static long equalLevelPlain(
        final long supply, final Claims claims, final int n, final int competing, final LevelSolver solver)
    {
        final long[] demand = claims.demandArray();
        final long[] award = claims.awardArray();
        final long[] live = solver.ownHi;
        final long first = supply / competing;
        long clamped = 0;
        int kept = 0;
        for (int i = 0; i < n; i++)
        {
            final long h = plainBound(demand[i], supply);
            final boolean atBound = h <= first;
            clamped += atBound ? h : 0;
            live[kept] = h;
            kept += atBound ? 0 : 1;
        }
        if (kept == 0 || !solver.waterFill(kept, clamped, (supply - clamped) / kept, supply, UNIT_LEVEL_ROUNDS - 1))
        {
            return NOT_APPLICABLE;
        }
        final long d = solver.den;
        final long level = solver.levelNumerator();
        final long q = level / d;
        long extra = level - q * d;
        for (int i = 0; i < n; i++)
        {
            final long h = plainBound(demand[i], supply);
            final boolean above = h > q;
            final long one = above & extra > 0 ? 1 : 0;
            award[i] = above ? q + one : h;
            extra -= one;
        }
        return supply;
    }

    /** EQUAL, every weight 1: ⌊S / m⌋ each and one more for the first S mod m, unless a bound binds there. */
    private static long equalShares(
        final long supply, final Claims claims, final int n, final int competing, final long minH,
        final LevelSolver solver)
    {
        final long q = supply / competing;
        final long r = supply - q * competing;
        if (minH < q || (minH == q && r != 0))
        {
            return equalLevel(supply, claims, n, solver);
        }
        final long[] demand = claims.demandArray();
        final long[] cap = claims.capArray();
        final long[] award = claims.awardArray();
        long extra = r;
        for (int i = 0; i < n; i++)
        {
            final boolean competes = demand[i] != 0 & cap[i] != 0;
            final long one = competes & extra > 0 ? 1 : 0;
            award[i] = competes ? q + one : 0;
            extra -= one;
        }
        return supply;
    }

    /**
     * EQUAL, every weight 1, when a bound binds: the level λ = N / m by {@link LevelSolver#unitLevel} (the
     * bounds are parked in the award column meanwhile). A claim whose bound is at most ⌊λ⌋ gets its bound, every
     * other one ⌊λ⌋ and, for the first N mod m of them in queue order, one more: their exact shares all have the
     * remainder N mod m, the clamped claims none, so that is the largest remainder's rounding.
     */
    private static long equalLevel(final long supply, final Claims claims, final int n, final LevelSolver solver)
    {
        final long[] demand = claims.demandArray();
        final long[] cap = claims.capArray();
        final long[] award = claims.awardArray();
        for (int i = 0; i < n; i++)
        {
            award[i] = bound(demand[i], cap[i], supply);
        }
        if (!solver.unitLevel(award, n, supply, UNIT_LEVEL_ROUNDS))
        {
            return NOT_APPLICABLE;
        }
        final long d = solver.den;
        final long level = solver.levelNumerator();
        final long q = level / d;
        long extra = level - q * d;
        for (int i = 0; i < n; i++)
        {
            final long h = award[i];
            final boolean above = h > q;
            final long one = above & extra > 0 ? 1 : 0;
            award[i] = above ? q + one : h;
            extra -= one;
        }
        return supply;
    }

    /**
     * EQUAL_LOSSES without weights ({@code talmud} false) and TALMUD, when the problem is the common case: the
     * bounds are {@code h = min(demand, cap)} (not capped at the supply: these methods read the demand), the
     * level is found by {@link LevelSolver#unitLevel} on the losses (EQUAL_LOSSES: target Σh − S), or for
     * TALMUD in half units on the awards (target 2S when 2S ≤ Σh) or on the losses (target 2(Σh − S)), as
     * {@link LevelMethods} solves them; then the exact awards are rounded by largest remainder in closed form
     * ({@link #talmudRound}, {@link #lossesRound}).
     */
    static long lossesOrTalmud(
        final long supply, final boolean talmud, final Claims claims, final int n, final LevelSolver solver)
    {
        final long[] demand = claims.demandArray();
        final long[] weight = claims.weightArray();
        final long[] cap = claims.capArray();
        final long[] floor = claims.floorArray();
        final int[] tier = claims.tierArray();
        final long[] award = claims.awardArray();
        final int firstTier = tier[0];
        // Σh ≤ Σdemand ≤ 2^63 − 1 is guaranteed by validation for these methods. TALMUD does not use weights.
        long sumH = 0;
        for (int i = 0; i < n; i++)
        {
            if (floor[i] != 0 | tier[i] != firstTier | (!talmud & weight[i] != Claims.ABSENT))
            {
                return NOT_APPLICABLE;
            }
            final long c = cap[i];
            final long h = Math.min(demand[i], c == Claims.ABSENT ? Long.MAX_VALUE : c);
            award[i] = h;
            sumH += h;
        }
        if (sumH <= supply)
        {
            // Every claim gets its bound, already in place.
            return sumH;
        }
        if (supply == 0)
        {
            java.util.Arrays.fill(award, 0, n, 0);
            return 0;
        }
        final long losses = sumH - supply;
        // TALMUD on the awards when 2S ≤ Σh (S ≤ Σh − S: no overflow at S = 2^62).
        final boolean onAwards = talmud && supply <= losses;
        if (onAwards && supply == losses)
        {
            // 2S = Σh: every claim takes exactly half its bound, no level above them all; the general path.
            return NOT_APPLICABLE;
        }
        final long target = !talmud ? losses : onAwards ? supply << 1 : losses << 1;
        if (!solver.unitLevel(award, n, target, UNIT_LEVEL_ROUNDS))
        {
            return NOT_APPLICABLE;
        }
        if (talmud)
        {
            talmudRound(supply, onAwards, award, n, solver);
        }
        else
        {
            lossesRound(award, n, solver);
        }
        return supply;
    }

    /**
     * EQUAL_LOSSES: a claim at or below the loss level loses its bound; every other one loses λ = q + r/d, an
     * award of {@code h − q}, or {@code h − q − 1} with the remainder {@code (d − r)/d} when r &gt; 0; the
     * {@code d − r} extra lots go to the first of those (their remainders tie) in queue order.
     */
    private static void lossesRound(final long[] award, final int n, final LevelSolver solver)
    {
        final long d = solver.den;
        final long level = solver.levelNumerator();
        final long q = level / d;
        final long r = level - q * d;
        final long down = r == 0 ? q : q + 1;
        long extra = r == 0 ? 0 : d - r;
        for (int i = 0; i < n; i++)
        {
            final long h = award[i];
            final boolean above = h > q;
            final long one = above & extra > 0 ? 1 : 0;
            award[i] = above ? h - down + one : 0;
            extra -= one;
        }
    }

    /**
     * TALMUD in half units, level λ = q + r/d: as {@link LevelMethods.Talmud} halves them, a claim at or below
     * the level (half units: its share or loss is h) has the award ⌊h/2⌋ and the remainder {@code (h mod 2)·d}
     * over 2d, on the awards and on the losses alike; every claim above it has the award ⌊q/2⌋ with the
     * remainder {@code f = (q mod 2)·d + r} (on the awards), or {@code h − ⌊q/2⌋} (f = 0) or
     * {@code h − ⌊q/2⌋ − 1} with the remainder {@code 2d − f} (on the losses). So the remainders take two
     * positive values at most, and the extra lots go to the larger one first, ties in queue order, as
     * {@link LevelSolver#round} gives them.
     */
    private static void talmudRound(
        final long supply, final boolean onAwards, final long[] award, final int n, final LevelSolver solver)
    {
        final long d = solver.den;
        final long level = solver.levelNumerator();
        final long q = level / d;
        final long r = level - q * d;
        final long half = q >>> 1;
        final long f = (q & 1) * d + r;
        final long aboveNum = onAwards || f == 0 ? f : (d << 1) - f;
        final long aboveDown = onAwards ? 0 : f == 0 ? half : half + 1;
        final long[] num = solver.num;
        long sum = 0;
        int odd = 0;
        for (int i = 0; i < n; i++)
        {
            final long h = award[i];
            final boolean above = h > q;
            final long oddBound = h & 1;
            final long base = above ? (onAwards ? half : h - aboveDown) : h >>> 1;
            award[i] = base;
            num[i] = above ? aboveNum : oddBound * d;
            odd += above ? 0 : (int)oddBound;
            sum += base;
        }
        // d claims hold aboveNum, `odd` claims hold d; the others 0.
        final long top = Math.max(aboveNum, d);
        final long second = Math.min(aboveNum, d);
        final long topCount = aboveNum == d ? d + odd : aboveNum > d ? d : odd;
        final long extra = supply - sum;
        long first = Math.min(extra, topCount);
        long rest = extra - first;
        for (int i = 0; i < n && (first | rest) > 0; i++)
        {
            final long v = num[i];
            if (v == top & first > 0)
            {
                award[i]++;
                first--;
            }
            else if (v == second & rest > 0 & v != 0)
            {
                award[i]++;
                rest--;
            }
        }
    }

    /**
     * The exact shares {@code w·S / Σw} of every claim: integer part into {@code award}, remainder into the
     * solver's {@code num}, remainders histogrammed for {@link LevelSolver#roundInPlace}, as the solver's
     * strict evaluation does.
     *
     * @return false as soon as a bound binds.
     */
    private static boolean shares(
        final long supply, final long sumW, final boolean demandWeight, final Claims claims, final int n,
        final LevelSolver solver)
    {
        final long[] demand = claims.demandArray();
        final long[] weight = claims.weightArray();
        final long[] cap = claims.capArray();
        final long[] award = claims.awardArray();
        final long[] num = solver.num;
        final int[] histogram = solver.histogram;
        final Int128 div = solver.div;
        final long d = sumW;
        final int shift = LevelSolver.histogramShift(n, d);
        java.util.Arrays.fill(histogram, 0, (int)((d - 1) >>> shift) + 1, 0);
        final long reciprocal = Long.divideUnsigned(-1L, d);
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            final long g = weight[i];
            final long w = g != Claims.ABSENT ? g : demandWeight ? demand[i] : 1;
            final long h = bound(demand[i], cap[i], supply);
            long q = 0;
            long r = 0;
            if (w != 0 & h != 0)
            {
                final long pLo = w * supply;
                final long pHi = Int128.multiplyHighUnsigned(w, supply);
                if (pHi == 0)
                {
                    q = Int128.quotientByReciprocal(pLo, d, reciprocal);
                    r = pLo - q * d;
                }
                else
                {
                    // w ≤ Σw, so w·S / Σw ≤ S < 2^64: the high part is below d.
                    q = div.divideByInvariant(pHi, pLo, d);
                    r = div.remainder;
                }
                if (q > h || (q == h && r != 0))
                {
                    return false;
                }
            }
            award[i] = q;
            num[i] = r;
            sum += q;
            histogram[(int)(r >>> shift)]++;
        }
        solver.sharesWritten(d, supply, sum);
        return true;
    }

    /**
     * The shares of {@link #shares} when λ = S / Σw is below 1, by a multiply instead of a division per claim:
     * with {@code F = ⌊S·2^64 / Σw⌋} (one 128-bit division per call), {@code ⌊w·F / 2^64⌋} is the quotient
     * {@code ⌊w·S / Σw⌋} or one less (the error w·(S·2^64/Σw − F)/2^64 is below w/2^64 &lt; 1), and the remainder
     * {@code w·S − q·Σw}, below 2Σw &lt; 2^64, is exact in 64-bit arithmetic, so one compare corrects both.
     */
    private static boolean sharesBelowOne(
        final long supply, final long sumW, final boolean demandWeight, final Claims claims, final int n,
        final LevelSolver solver)
    {
        final long[] demand = claims.demandArray();
        final long[] weight = claims.weightArray();
        final long[] cap = claims.capArray();
        final long[] award = claims.awardArray();
        final long[] num = solver.num;
        final int[] histogram = solver.histogram;
        final long d = sumW;
        final int shift = LevelSolver.histogramShift(n, d);
        java.util.Arrays.fill(histogram, 0, (int)((d - 1) >>> shift) + 1, 0);
        final long f = Int128.quotientUnsigned(supply, 0, d);
        final long fHigh = f >> 63;
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            final long g = weight[i];
            final long dm = demand[i];
            final long w = g != Claims.ABSENT ? g : demandWeight ? dm : 1;
            final long h = bound(dm, cap[i], supply);
            // A claim that does not compete (w = 0 or h = 0) computes q = r = 0.
            final long v = h != 0 ? w : 0;
            final long estimate = Math.multiplyHigh(v, f) + (v & fHigh);
            final long t = v * supply - estimate * d - d;
            final long low = t >> 63;
            final long q = estimate + 1 + low;
            final long r = t + (d & low);
            if (q > h || (q == h && r != 0))
            {
                return false;
            }
            award[i] = q;
            num[i] = r;
            sum += q;
            histogram[(int)(r >>> shift)]++;
        }
        solver.sharesWritten(d, supply, sum);
        return true;
    }

    /**
     * {@link #sharesBelowOne} for {@link #proportionalPlain}: the demand column alone (w = d), and no bound to check,
     * since none binds on a rationed plain tier.
     */
    private static void sharesBelowOnePlain(
        final long supply, final long sumD, final Claims claims, final int n, final LevelSolver solver)
    {
        final long[] demand = claims.demandArray();
        final long[] award = claims.awardArray();
        final long[] num = solver.num;
        final int[] histogram = solver.histogram;
        final long d = sumD;
        final int shift = LevelSolver.histogramShift(n, d);
        java.util.Arrays.fill(histogram, 0, (int)((d - 1) >>> shift) + 1, 0);
        final long f = Int128.quotientUnsigned(supply, 0, d);
        final long fHigh = f >> 63;
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            final long v = demand[i];
            final long estimate = Math.multiplyHigh(v, f) + (v & fHigh);
            final long t = v * supply - estimate * d - d;
            final long low = t >> 63;
            final long q = estimate + 1 + low;
            final long r = t + (d & low);
            award[i] = q;
            num[i] = r;
            sum += q;
            histogram[(int)(r >>> shift)]++;
        }
        solver.sharesWritten(d, supply, sum);
    }

    /**
     * PROPORTIONAL and weighted EQUAL on a large tier with λ = S / Σw below 1: the shares and their rounding in
     * one pass. A sample of {@link #SAMPLE} claims places a band of remainders [tLow, tHigh] that holds the
     * k-th largest remainder (k = S − Σ⌊share⌋) unless the sample misleads by more than
     * {@link LevelSolver#bandSigmas} standard deviations; the pass writes ⌊share⌋ + 1 for remainders above the
     * band and ⌊share⌋ below it, and lists the claims inside it, among which a selection places the lots left.
     * Only the award column is written (no remainder column, no histogram, no second pass). When the band turns
     * out not to hold the threshold, {@link #MISSED}: the caller runs the two-pass rounding, which overwrites
     * every award.
     *
     * @param plain PROPORTIONAL without weights or caps: the pass reads the demands alone, and no bound can
     *              bind (S &lt; Σd gives ⌊d·S / Σd⌋ &lt; d, and d ≤ Σd gives ⌊d·S / Σd⌋ ≤ S).
     * @return {@link #SETTLED}, {@link #BINDS} or {@link #MISSED}.
     */
    private static int sampledShares(
        final long supply, final long sumW, final boolean demandWeight, final boolean plain, final Claims claims,
        final int n, final LevelSolver solver)
    {
        final long f = Int128.quotientUnsigned(supply, 0, sumW);
        placeBand(supply, sumW, f, demandWeight, claims, n, solver);
        final int c = plain ?
            bandPassPlain(supply, sumW, f, claims, n, solver) :
            bandPass(supply, sumW, f, demandWeight, claims, n, solver);
        if (c < 0)
        {
            return BINDS;
        }
        final long need = supply - solver.bandSum - solver.bandAbove;
        if (need < 0 || need > c)
        {
            solver.bandMisses++;
            return MISSED;
        }
        solver.settleBand(c, need, solver.bandLow == solver.bandHigh, claims.awardArray());
        return SETTLED;
    }

    /**
     * The pass of {@link #sampledShares}: writes each claim's ⌊share⌋, plus one above the band, lists the claims
     * inside the band in {@link LevelSolver#indexScratch()} and their remainders in {@link LevelSolver#num}
     * (every store to slot 0 when the band is one remainder), and leaves Σ⌊share⌋ and the claims above the band
     * in the solver.
     *
     * @return the claims in the band, or −1 as soon as a bound binds.
     */
    private static int bandPass(
        final long supply, final long d, final long f, final boolean demandWeight, final Claims claims, final int n,
        final LevelSolver solver)
    {
        final long[] demand = claims.demandArray();
        final long[] weight = claims.weightArray();
        final long[] cap = claims.capArray();
        final long[] award = claims.awardArray();
        final int[] band = solver.indexScratch();
        final long[] bandRemainder = solver.num;
        final long tLow = solver.bandLow;
        final long tHigh = solver.bandHigh;
        final int keep = tLow == tHigh ? 0 : -1;
        final long fHigh = f >> 63;
        long sum = 0;
        long above = 0;
        int c = 0;
        for (int i = 0; i < n; i++)
        {
            final long g = weight[i];
            final long dm = demand[i];
            final long w = g != Claims.ABSENT ? g : demandWeight ? dm : 1;
            final long h = bound(dm, cap[i], supply);
            // A claim that does not compete (w = 0 or h = 0) computes q = r = 0.
            final long v = h != 0 ? w : 0;
            final long estimate = Math.multiplyHigh(v, f) + (v & fHigh);
            final long t = v * supply - estimate * d - d;
            final long low = t >> 63;
            final long q = estimate + 1 + low;
            final long r = t + (d & low);
            if (q > h || (q == h && r != 0))
            {
                return -1;
            }
            final long up = (tHigh - r) >>> 63;
            award[i] = q + up;
            sum += q;
            above += up;
            band[c] = i;
            bandRemainder[c & keep] = r;
            c += (int)(((r - tLow) | (tHigh - r)) >>> 63) ^ 1;
        }
        solver.bandSum = sum;
        solver.bandAbove = above;
        return c;
    }

    /** {@link #bandPass} for PROPORTIONAL without weights or caps: w = d, and no bound binds. */
    private static int bandPassPlain(
        final long supply, final long d, final long f, final Claims claims, final int n, final LevelSolver solver)
    {
        final long[] demand = claims.demandArray();
        final long[] award = claims.awardArray();
        final int[] band = solver.indexScratch();
        final long[] bandRemainder = solver.num;
        final long tLow = solver.bandLow;
        final long tHigh = solver.bandHigh;
        final int keep = tLow == tHigh ? 0 : -1;
        final long fHigh = f >> 63;
        long sum = 0;
        long above = 0;
        int c = 0;
        for (int i = 0; i < n; i++)
        {
            final long v = demand[i];
            final long estimate = Math.multiplyHigh(v, f) + (v & fHigh);
            final long t = v * supply - estimate * d - d;
            final long low = t >> 63;
            final long q = estimate + 1 + low;
            final long r = t + (d & low);
            final long up = (tHigh - r) >>> 63;
            award[i] = q + up;
            sum += q;
            above += up;
            band[c] = i;
            bandRemainder[c & keep] = r;
            c += (int)(((r - tLow) | (tHigh - r)) >>> 63) ^ 1;
        }
        solver.bandSum = sum;
        solver.bandAbove = above;
        return c;
    }

    /**
     * Sets {@link LevelSolver#bandLow} and {@link LevelSolver#bandHigh} from the remainders of a stratified
     * sample (one claim at a pseudo-random offset in each of s equal strides): the expected count of the
     * sample's remainders above the threshold is Σ r / Σw over the sample (the extra lots are Σ r / Σw over
     * all claims), and the band spans the sample's order statistics {@link LevelSolver#bandSigmas} standard
     * deviations (at most √s / 2) either side. {@code double} only places the band; the pass checks it exactly.
     */
    private static void placeBand(
        final long supply, final long d, final long f, final boolean demandWeight, final Claims claims,
        final int n, final LevelSolver solver)
    {
        final long[] demand = claims.demandArray();
        final long[] weight = claims.weightArray();
        final long[] cap = claims.capArray();
        final int s = Math.max(1, Math.min(SAMPLE, n >> 3));
        final int stride = n / s;
        final long[] sample = solver.ownW;
        final long fHigh = f >> 63;
        final double perUnit = 1.0 / d;
        double expected = 0;
        for (int j = 0; j < s; j++)
        {
            final long mix = (j + 1) * 0x9E37_79B9_7F4A_7C15L;
            final int i = j * stride + (int)(((mix >>> 32) * stride) >>> 32);
            final long g = weight[i];
            final long dm = demand[i];
            final long w = g != Claims.ABSENT ? g : demandWeight ? dm : 1;
            final long v = bound(dm, cap[i], supply) != 0 ? w : 0;
            final long estimate = Math.multiplyHigh(v, f) + (v & fHigh);
            final long t = v * supply - estimate * d - d;
            final long r = t + (d & (t >> 63));
            sample[j] = r;
            expected += r * perUnit;
        }
        final double margin = solver.bandSigmas * 0.5 * Math.sqrt(s);
        final long highRank = (long)Math.floor(expected - margin);
        final long lowRank = (long)Math.ceil(expected + margin);
        solver.bandHigh = highRank >= 1 ? LongSort.kthLargest(sample, solver.ownLo, s, (int)highRank) : Long.MAX_VALUE;
        solver.bandLow = lowRank <= s ? LongSort.kthLargest(sample, solver.ownLo, s, (int)lowRank) : 0;
    }
}
