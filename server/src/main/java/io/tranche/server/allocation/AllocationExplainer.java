package io.tranche.server.allocation;

import io.tranche.kernel.Claims;
import io.tranche.kernel.Explainer;
import io.tranche.kernel.Method;
import io.tranche.proto.v1.AllocateResponse;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.AwardExplanation;
import io.tranche.proto.v1.Explanation;
import io.tranche.proto.v1.Fraction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The mapping of the kernel's {@link Explainer} onto {@code tranche.v1} messages: one
 * {@link AwardExplanation} per claim and the tranche-level {@link Explanation}. A cold path, called
 * only when a request asks for {@code explain}.
 */
public final class AllocationExplainer
{
    /** The explanations of one allocation. */
    public static final class Result
    {
        private final List<AwardExplanation> awards;
        private final Explanation explanation;

        Result(final List<AwardExplanation> awards, final Explanation explanation)
        {
            this.awards = awards;
            this.explanation = explanation;
        }

        /** @return one explanation per claim, in queue order. */
        public List<AwardExplanation> awards()
        {
            return awards;
        }

        /** @param i queue position. @return the explanation of claim i. */
        public AwardExplanation award(final int i)
        {
            return awards.get(i);
        }

        /** @return the tranche-level explanation. */
        public Explanation explanation()
        {
            return explanation;
        }
    }

    private AllocationExplainer()
    {
    }

    /**
     * Explains the awards {@code Allocator.allocate} wrote into {@code claims}.
     *
     * @param claims      the allocated claims (awards filled), in queue order.
     * @param supply      units split.
     * @param method      the rule.
     * @param lot         lot size; 0 means 1.
     * @param maxSharePpm concentration limit; 0 = none.
     * @return per-claim and tranche-level explanations.
     */
    public static Result explain(final Claims claims, final long supply, final Method method, final long lot,
        final int maxSharePpm)
    {
        final Explainer.Explanation e = Explainer.explain(supply, method, lot, maxSharePpm, claims);
        final List<AwardExplanation> awards = new ArrayList<>(e.count());
        for (int i = 0; i < e.count(); i++)
        {
            final AwardExplanation.Builder a = AwardExplanation.newBuilder()
                .setReason(AwardExplanation.Reason.valueOf(e.reason(i).name()))
                .setUpperBound(AwardExplanation.Bound.valueOf(e.upperBound(i).name()))
                .setLoLots(e.loLots(i))
                .setHiLots(e.hiLots(i))
                .setExtraLot(e.extraLot(i))
                .setTieBrokenByPosition(e.tieBrokenByPosition(i));
            if (e.share(i) != null)
            {
                a.setShareLots(fraction(e.share(i)));
            }
            if (e.nextPriority(i) != null)
            {
                a.setNextPriority(fraction(e.nextPriority(i)));
            }
            awards.add(a.build());
        }
        final Explanation.Builder x = Explanation.newBuilder()
            .setFloorsRationed(e.floorsRationed())
            .setTalmudLosses(e.talmudLosses())
            .setExtraLots(e.extraLots())
            .setLotsLeftOver(e.lotsLeftOver())
            .setLot(e.lot());
        if (e.splitTier() >= 0)
        {
            x.setSplitTier(e.splitTier());
        }
        if (e.level() != null)
        {
            x.setLevel(fraction(e.level()));
        }
        if (e.lastPriority() != null)
        {
            x.setLastPriority(fraction(e.lastPriority()));
        }
        return new Result(Collections.unmodifiableList(awards), x.build());
    }

    /**
     * Adds the explanations to a response built from the same claims.
     *
     * @param response    the response, awards in claim order.
     * @param claims      the allocated claims.
     * @param supply      units split.
     * @param method      the rule.
     * @param lot         lot size.
     * @param maxSharePpm concentration limit.
     * @return the response with {@code Award.explanation} and {@code explanation} set.
     */
    public static AllocateResponse explainResponse(
        final AllocateResponse response, final Claims claims, final long supply, final Method method, final long lot,
        final int maxSharePpm)
    {
        final Result result = explain(claims, supply, method, lot, maxSharePpm);
        final AllocateResponse.Builder b = response.toBuilder().setExplanation(result.explanation());
        for (int i = 0; i < b.getAwardsCount(); i++)
        {
            final Award.Builder award = b.getAwardsBuilder(i);
            award.setExplanation(result.award(i));
        }
        return b.build();
    }

    /**
     * @param f a kernel fraction.
     * @return the wire fraction (decimal strings; infinity is 1/0).
     */
    public static Fraction fraction(final Explainer.Fraction f)
    {
        return Fraction.newBuilder().setNumerator(f.numerator().toString()).setDenominator(f.denominator().toString())
            .build();
    }

    /**
     * A short human text for one award's explanation, as the CLI's "why" column shows it.
     *
     * @param a   the award's explanation.
     * @param lot units per lot.
     * @return for example {@code cap}, {@code split 14/5 +1}, {@code tier 2 not reached}.
     */
    public static String why(final AwardExplanation a, final long lot)
    {
        final StringBuilder sb = new StringBuilder();
        switch (a.getReason())
        {
            case TIER_SERVED_IN_FULL:
                sb.append("tier in full: ").append(bound(a.getUpperBound()));
                break;
            case TIER_NOT_REACHED:
                sb.append("tier not reached: floor");
                break;
            case WEIGHT_ZERO:
                sb.append("weight 0: floor");
                break;
            case FLOOR:
                sb.append("floor");
                break;
            case UPPER_BOUND:
                sb.append(bound(a.getUpperBound()));
                break;
            case SPLIT:
                sb.append("split");
                break;
            default:
                sb.append(a.getReason());
                break;
        }
        if (a.hasShareLots() && a.getReason() != AwardExplanation.Reason.UPPER_BOUND &&
            a.getReason() != AwardExplanation.Reason.FLOOR)
        {
            sb.append(", exact share ").append(mixed(a.getShareLots())).append(lot == 1 ? " units" : " lots");
            if (a.getExtraLot())
            {
                sb.append(", +1 lot by remainder");
            }
        }
        if (a.hasNextPriority())
        {
            sb.append(", next priority ").append(text(a.getNextPriority()));
        }
        if (a.getTieBrokenByPosition())
        {
            sb.append(", tie broken by queue position");
        }
        return sb.toString();
    }

    /**
     * @param f a wire fraction.
     * @return {@code n/d}, {@code n} when d = 1, {@code inf} when d = 0.
     */
    public static String text(final Fraction f)
    {
        if ("0".equals(f.getDenominator()))
        {
            return "inf";
        }
        return "1".equals(f.getDenominator()) ? f.getNumerator() : f.getNumerator() + "/" + f.getDenominator();
    }

    /**
     * @param f a finite wire fraction.
     * @return a mixed number, for example {@code 23076 12/13}.
     */
    public static String mixed(final Fraction f)
    {
        final java.math.BigInteger n = new java.math.BigInteger(f.getNumerator());
        final java.math.BigInteger d = new java.math.BigInteger(f.getDenominator());
        if (d.signum() == 0)
        {
            return "inf";
        }
        final java.math.BigInteger[] qr = n.divideAndRemainder(d);
        return qr[1].signum() == 0 ? qr[0].toString() : qr[0] + " " + qr[1] + "/" + d;
    }

    private static String bound(final AwardExplanation.Bound bound)
    {
        switch (bound)
        {
            case DEMAND:
                return "demand";
            case CAP:
                return "cap";
            case SHARE_LIMIT:
                return "share limit";
            case SUPPLY:
                return "whole supply";
            case FLOOR_ENTITLEMENT:
                return "floor (floors rationed)";
            default:
                return bound.name();
        }
    }
}
