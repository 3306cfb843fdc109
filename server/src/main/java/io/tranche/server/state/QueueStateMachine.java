package io.tranche.server.state;

import com.google.protobuf.Empty;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Timestamp;
import io.tranche.kernel.Allocator;
import io.tranche.kernel.Claims;
import io.tranche.kernel.Method;
import io.tranche.kernel.Violations;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.DeleteClaimRequest;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.proto.v1.UpdateClaimRequest;
import io.tranche.server.allocation.AllocationExplainer;
import io.tranche.server.allocation.AllocationMapper;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.agrona.collections.Object2LongHashMap;
import org.agrona.collections.Object2ObjectHashMap;

/**
 * The queue of claims and the ledger of tranches as a deterministic state machine, in the manner of
 * Aeron Cluster's {@code ClusteredService}: {@link #apply(Command, long)} takes a command and the
 * time as arguments and returns a domain {@link Outcome}; the result depends on nothing else, so
 * replaying the same commands (from the single node's journal or the cluster's replicated log) rebuilds the same
 * state, byte for byte ({@link #snapshot}). It knows nothing of gRPC, files or threads: the log that
 * feeds it owns those. Not thread safe.
 * <p>
 * A mutation is two steps for a log that must record it first: {@link #prepare} validates and
 * computes (the state is untouched), the log records {@link Outcome#logged()}, then {@link #commit}
 * applies it. {@link #apply} does both.
 * <p>
 * A queued claim's demand, floor and cap are outstanding amounts: a release lowers each by the
 * claim's award (not below 0) and removes the claims whose demand reaches 0.
 */
public final class QueueStateMachine
{
    /** Longest accepted claim id or request id, in chars. */
    public static final int MAX_ID_LENGTH = 256;
    /** Length of a tranche digest. */
    public static final int DIGEST_BYTES = 32;

    /**
     * The most claims one release can split: a ceiling on the queue limit ({@code --max-queue} is checked against
     * it), not the limit itself, because a queue recovered under a lower limit may hold more than that limit.
     */
    public static final int QUEUE_CAPACITY = 1 << 26;

    private static final int SNAPSHOT_MAGIC = 0x54525332; // "TRS2"

    private final Object2ObjectHashMap<String, QueuedClaim> byId = new Object2ObjectHashMap<>();
    // Queue order = ascending position; positions only grow, so appending keeps the list sorted.
    private final ArrayList<QueuedClaim> queue = new ArrayList<>();
    private final Object2LongHashMap<String> byRequestId = new Object2LongHashMap<>(-1L);
    private final Ledger ledger;
    private final int maxQueue;
    private final TrancheDigester digester;
    private long nextPosition = 1;
    private byte[] lastDigest = new byte[DIGEST_BYTES];
    // Outstanding demand as an unsigned 128-bit sum (hi, lo): each demand is below 2^62 but the total need not be.
    private long outstandingHi;
    private long outstandingLo;
    // Demand above the claims' caps, which no tranche can serve (same 128-bit sum), and the claims whose cap is used
    // up (cap 0: they stay queued, and no tranche can serve them until their cap is raised).
    private long aboveCapHi;
    private long aboveCapLo;
    private int unservableClaims;

    private final Allocator allocator = new Allocator(1024, QUEUE_CAPACITY);
    private final Claims claims = new Claims(1024);
    private final Violations violations = new Violations();

    /** Computes a tranche's digest from the previous one (SHA-256 chain). */
    @FunctionalInterface
    public interface TrancheDigester
    {
        /**
         * @param previous the previous tranche's digest (zeros before the first).
         * @param tranche  the tranche (its digest field ignored).
         * @return its digest.
         */
        byte[] digest(byte[] previous, Tranche tranche);
    }

    /** A claim in the queue; its fields change only through commands. */
    static final class QueuedClaim
    {
        String id;
        long demand;
        long weight = Claims.ABSENT;
        int tier;
        long cap = Claims.ABSENT;
        long floor;
        long position;
        long awarded;

        Claim toProto()
        {
            final Claim.Builder b = Claim.newBuilder()
                .setId(id)
                .setDemand(demand)
                .setTier(tier)
                .setFloor(floor)
                .setPosition(position)
                .setAwarded(awarded);
            if (weight != Claims.ABSENT)
            {
                b.setWeight(weight);
            }
            if (cap != Claims.ABSENT)
            {
                b.setCap(cap);
            }
            return b.build();
        }
    }

    /**
     * @param ledger   where released tranches go.
     * @param maxQueue most claims in the queue (a create beyond it is {@link Outcome.Kind#LIMIT_REACHED}).
     * @param digester the digest chain.
     */
    public QueueStateMachine(final Ledger ledger, final int maxQueue, final TrancheDigester digester)
    {
        this.ledger = ledger;
        this.maxQueue = maxQueue;
        this.digester = digester;
    }

    /**
     * Validates and applies one command.
     *
     * @param command   the command.
     * @param timeNanos its time, nanoseconds since the epoch (the release time).
     * @return the outcome.
     */
    public Outcome apply(final Command command, final long timeNanos)
    {
        final Outcome outcome = prepare(command, timeNanos);
        commit(outcome);
        return outcome;
    }

    /**
     * Validates and computes one command without changing the state.
     *
     * @param command   the command.
     * @param timeNanos its time.
     * @return the outcome; when {@link Outcome#mutates()}, log {@link Outcome#logged()} then {@link #commit}.
     */
    public Outcome prepare(final Command command, final long timeNanos)
    {
        if (command instanceof Command.CreateClaim c)
        {
            return createClaim(c);
        }
        if (command instanceof Command.UpdateClaim c)
        {
            return updateClaim(c);
        }
        if (command instanceof Command.DeleteClaim c)
        {
            return deleteClaim(c);
        }
        if (command instanceof Command.ReleaseTranche c)
        {
            return releaseTranche(c.request(), timeNanos);
        }
        return recordTranche(((Command.RecordTranche)command).tranche());
    }

    /**
     * Applies a prepared outcome; nothing when it does not mutate. Prepare and commit one command at a time.
     *
     * @param outcome from {@link #prepare} on this state.
     */
    public void commit(final Outcome outcome)
    {
        if (outcome.effect != null)
        {
            outcome.effect.apply(this);
        }
    }

    // ---------------------------------------------------------------- claims

    private Outcome createClaim(final Command.CreateClaim command)
    {
        final CreateClaimRequest request = command.request();
        if (!request.hasClaim())
        {
            return Outcome.invalid("claim", "is required");
        }
        final Claim c = request.getClaim();
        final List<Outcome.Violation> bad = new ArrayList<>();
        checkId(bad, "claim.id", c.getId());
        if (!c.hasDemand())
        {
            bad.add(new Outcome.Violation("claim.demand", "is required in the queue (the outstanding demand, > 0)"));
        }
        checkPresent(bad, c);
        checkClaim(bad, c.getDemand(), c.hasWeight() ? c.getWeight() : Claims.ABSENT, c.getTier(),
            c.hasCap() ? c.getCap() : Claims.ABSENT, c.getFloor(), c.hasDemand());
        if (!bad.isEmpty())
        {
            return Outcome.invalid(bad);
        }
        if (byId.containsKey(c.getId()))
        {
            return Outcome.failed(Outcome.Kind.ALREADY_EXISTS, "claim \"" + c.getId() + "\" is already in the queue");
        }
        if (queue.size() >= maxQueue)
        {
            return Outcome.failed(Outcome.Kind.LIMIT_REACHED,
                "the queue holds " + queue.size() + " claims, the limit (--max-queue)");
        }
        final QueuedClaim q = new QueuedClaim();
        q.id = c.getId();
        q.demand = c.getDemand();
        q.weight = c.hasWeight() ? c.getWeight() : Claims.ABSENT;
        q.tier = c.getTier();
        q.cap = c.hasCap() ? c.getCap() : Claims.ABSENT;
        q.floor = c.getFloor();
        q.position = nextPosition;
        return Outcome.mutation(Outcome.Kind.CREATED, q.toProto(), command, m -> m.addClaim(q));
    }

    private void addClaim(final QueuedClaim q)
    {
        nextPosition = q.position + 1;
        byId.put(q.id, q);
        queue.add(q);
        track(q, true);
    }

    // -2^63 is the kernel's "absent": a client that sends it as a value gets it rejected with its true value.
    private static void checkPresent(final List<Outcome.Violation> bad, final Claim c)
    {
        if (c.hasWeight() && c.getWeight() == Claims.ABSENT)
        {
            bad.add(new Outcome.Violation("claim.weight", "must be >= 0, was " + c.getWeight()));
        }
        if (c.hasCap() && c.getCap() == Claims.ABSENT)
        {
            bad.add(new Outcome.Violation("claim.cap", "must be >= 0, was " + c.getCap()));
        }
    }

    private Outcome updateClaim(final Command.UpdateClaim command)
    {
        final UpdateClaimRequest request = command.request();
        final Claim c = request.getClaim();
        final List<Outcome.Violation> bad = new ArrayList<>();
        if (!request.hasClaim())
        {
            bad.add(new Outcome.Violation("claim", "is required"));
        }
        else if (c.getId().isEmpty())
        {
            bad.add(new Outcome.Violation("claim.id", "must not be empty"));
        }
        final boolean[] mask = updateMask(request.getUpdateMask(), bad);
        if (!bad.isEmpty())
        {
            return Outcome.invalid(bad);
        }
        final QueuedClaim q = byId.get(c.getId());
        if (q == null)
        {
            return Outcome.failed(Outcome.Kind.NOT_FOUND, "claim \"" + c.getId() + "\" is not in the queue");
        }
        if (mask[0] && !c.hasDemand())
        {
            bad.add(new Outcome.Violation("claim.demand",
                "is required in the queue when updated (to withdraw, delete the claim)"));
        }
        if (mask[1] && c.hasWeight() && c.getWeight() == Claims.ABSENT)
        {
            bad.add(new Outcome.Violation("claim.weight", "must be >= 0, was " + c.getWeight()));
        }
        if (mask[3] && c.hasCap() && c.getCap() == Claims.ABSENT)
        {
            bad.add(new Outcome.Violation("claim.cap", "must be >= 0, was " + c.getCap()));
        }
        final QueuedClaim u = new QueuedClaim();
        u.id = q.id;
        u.position = q.position;
        u.awarded = q.awarded;
        u.demand = mask[0] ? c.getDemand() : q.demand;
        u.weight = mask[1] ? (c.hasWeight() ? c.getWeight() : Claims.ABSENT) : q.weight;
        u.tier = mask[2] ? c.getTier() : q.tier;
        u.cap = mask[3] ? (c.hasCap() ? c.getCap() : Claims.ABSENT) : q.cap;
        u.floor = mask[4] ? c.getFloor() : q.floor;
        checkClaim(bad, u.demand, u.weight, u.tier, u.cap, u.floor, !mask[0] || c.hasDemand());
        if (!bad.isEmpty())
        {
            return Outcome.invalid(bad);
        }
        return Outcome.mutation(Outcome.Kind.UPDATED, u.toProto(), command, m -> m.replaceClaim(q, u));
    }

    private void replaceClaim(final QueuedClaim q, final QueuedClaim u)
    {
        track(q, false);
        q.demand = u.demand;
        q.weight = u.weight;
        q.tier = u.tier;
        q.cap = u.cap;
        q.floor = u.floor;
        track(q, true);
    }

    // demand, weight, tier, cap, floor; an empty mask updates them all.
    private static boolean[] updateMask(final FieldMask mask, final List<Outcome.Violation> bad)
    {
        final boolean[] fields = new boolean[5];
        if (mask.getPathsCount() == 0)
        {
            Arrays.fill(fields, true);
        }
        for (int i = 0; i < mask.getPathsCount(); i++)
        {
            final String path = mask.getPaths(i);
            final int field = switch (path)
            {
                case "demand" -> 0;
                case "weight" -> 1;
                case "tier" -> 2;
                case "cap" -> 3;
                case "floor" -> 4;
                default -> -1;
            };
            if (field < 0)
            {
                bad.add(new Outcome.Violation("update_mask.paths[" + i + "]", "\"" + path +
                    "\" is not updatable; use demand, weight, tier, cap or floor"));
            }
            else
            {
                fields[field] = true;
            }
        }
        return fields;
    }

    private Outcome deleteClaim(final Command.DeleteClaim command)
    {
        final DeleteClaimRequest request = command.request();
        if (request.getId().isEmpty())
        {
            return Outcome.invalid("id", "must not be empty");
        }
        final QueuedClaim q = byId.get(request.getId());
        if (q == null)
        {
            return Outcome.failed(Outcome.Kind.NOT_FOUND, "claim \"" + request.getId() + "\" is not in the queue");
        }
        return Outcome.mutation(Outcome.Kind.DELETED, Empty.getDefaultInstance(), command, m -> m.removeClaim(q));
    }

    private void removeClaim(final QueuedClaim q)
    {
        byId.remove(q.id);
        queue.remove(indexOfPosition(q.position));
        track(q, false);
    }

    // ---------------------------------------------------------------- tranches

    private Outcome releaseTranche(final ReleaseTrancheRequest request, final long timeNanos)
    {
        final List<Outcome.Violation> bad = new ArrayList<>();
        checkId(bad, "request_id", request.getRequestId());
        if (!bad.isEmpty())
        {
            return Outcome.invalid(bad);
        }
        final long recordedNumber = byRequestId.getValue(request.getRequestId());
        if (recordedNumber != -1L)
        {
            final Tranche recorded = ledger.get(recordedNumber);
            if (recorded.getSupply() == request.getSupply() && recorded.getPolicy().equals(request.getPolicy()))
            {
                return Outcome.of(Outcome.Kind.ALREADY_RELEASED, recorded);
            }
            return Outcome.failed(Outcome.Kind.ALREADY_EXISTS, "request_id \"" + request.getRequestId() +
                "\" was already used by tranche " + recorded.getNumber() + " with supply " + recorded.getSupply() +
                " and a different policy or supply; use a new request_id for a new tranche");
        }
        final Policy policy = request.getPolicy();
        final Method method = AllocationMapper.method(policy.getMethod());
        final long supply = request.getSupply();
        claims.clear();
        claims.ensureCapacity(queue.size());
        for (int i = 0, n = queue.size(); i < n; i++)
        {
            final QueuedClaim q = queue.get(i);
            // Ids are unique in the queue: the kernel checks the claims by index alone.
            claims.add(q.demand, q.weight, q.tier, q.cap, q.floor);
        }
        if (!allocator.validate(supply, method, policy.getLot(), policy.getMaxSharePpm(), claims, violations))
        {
            return rejectPolicy();
        }
        final long allocated = allocator.allocate(supply, method, policy.getLot(), policy.getMaxSharePpm(), claims);
        final Tranche.Builder tranche = Tranche.newBuilder()
            .setNumber(request.getValidateOnly() ? 0 : ledger.count() + 1)
            .setRequestId(request.getRequestId())
            .setSupply(supply)
            .setPolicy(policy)
            .setAllocated(allocated)
            .setUnallocated(supply - allocated)
            .setReleaseTime(Timestamp.newBuilder()
                .setSeconds(Math.floorDiv(timeNanos, 1_000_000_000L))
                .setNanos((int)Math.floorMod(timeNanos, 1_000_000_000L)));
        for (int i = 0, n = queue.size(); i < n; i++)
        {
            final QueuedClaim q = queue.get(i);
            final long units = claims.award(i);
            tranche.addAwards(Award.newBuilder().setId(q.id).setUnits(units).setUnmet(q.demand - units)
                .setTier(q.tier));
        }
        if (request.getValidateOnly())
        {
            return Outcome.of(Outcome.Kind.PREVIEW, explained(request, tranche.build(), method));
        }
        final Tranche built = withDigest(tranche);
        return Outcome.mutation(Outcome.Kind.RELEASED, explained(request, built, method),
            new Command.RecordTranche(built),
            m -> m.applyTranche(built));
    }

    // Explanations go on the answer only, never on the recorded tranche (nor into its digest).
    private Tranche explained(final ReleaseTrancheRequest request, final Tranche tranche, final Method method)
    {
        if (!request.getExplain())
        {
            return tranche;
        }
        final Policy policy = request.getPolicy();
        final AllocationExplainer.Result result =
            AllocationExplainer.explain(claims, request.getSupply(), method, policy.getLot(), policy.getMaxSharePpm());
        final Tranche.Builder b = tranche.toBuilder().setExplanation(result.explanation());
        for (int i = 0; i < b.getAwardsCount(); i++)
        {
            b.setAwards(i, b.getAwards(i).toBuilder().setExplanation(result.award(i)));
        }
        return b.build();
    }

    private Tranche withDigest(final Tranche.Builder tranche)
    {
        tranche.clearDigest();
        final byte[] digest = digester.digest(lastDigest, tranche.build());
        return tranche.setDigest(com.google.protobuf.ByteString.copyFrom(digest)).build();
    }

    private Outcome rejectPolicy()
    {
        final List<Outcome.Violation> requestFields = new ArrayList<>();
        final StringBuilder queueProblems = new StringBuilder();
        for (int i = 0; i < violations.count(); i++)
        {
            final int claim = violations.claim(i);
            if (claim != Violations.PROBLEM || violations.code(i) == Violations.Field.CLAIMS)
            {
                // claims[7].floor -> claim "id".floor: the client knows its claims by id, not by index.
                queueProblems.append(queueProblems.length() == 0 ? "" : "; ")
                    .append(claim == Violations.PROBLEM ? violations.field(i) :
                        "claim \"" + queue.get(claim).id + "\"." + violations.code(i).wireName())
                    .append(' ').append(violations.description(i));
            }
            else
            {
                requestFields.add(new Outcome.Violation(violations.field(i), violations.description(i)));
            }
        }
        if (!requestFields.isEmpty())
        {
            return Outcome.invalid(requestFields);
        }
        return Outcome.failed(Outcome.Kind.FAILED_PRECONDITION,
            "the queue cannot be allocated under this policy: " + queueProblems);
    }

    // Replays a tranche as recorded: the kernel is not run again, so a later build whose kernel
    // rounds differently cannot rewrite history that clients have already been told.
    private Outcome recordTranche(final Tranche tranche)
    {
        final String problem = recordProblem(tranche);
        if (problem != null)
        {
            return Outcome.failed(Outcome.Kind.FAILED_PRECONDITION, problem);
        }
        return Outcome.mutation(Outcome.Kind.RELEASED, tranche, new Command.RecordTranche(tranche),
            m -> m.applyTranche(tranche));
    }

    private String recordProblem(final Tranche tranche)
    {
        if (tranche.getNumber() != ledger.count() + 1)
        {
            return "recorded tranche " + tranche.getNumber() + " does not follow tranche " + ledger.count();
        }
        if (byRequestId.containsKey(tranche.getRequestId()))
        {
            return "recorded tranche " + tranche.getNumber() + " reuses request_id \"" + tranche.getRequestId() + "\"";
        }
        if (tranche.getAwardsCount() != queue.size())
        {
            return "recorded tranche " + tranche.getNumber() + " has " + tranche.getAwardsCount() +
                " awards for a queue of " + queue.size();
        }
        for (int i = 0, n = queue.size(); i < n; i++)
        {
            final QueuedClaim q = queue.get(i);
            final Award award = tranche.getAwards(i);
            if (!award.getId().equals(q.id) || award.getUnits() < 0 || award.getUnits() > q.demand ||
                award.hasTier() && award.getTier() != q.tier)
            {
                return "recorded tranche " + tranche.getNumber() + " award " + i + " (" + award.getId() + ", " +
                    award.getUnits() + ") does not fit queued claim " + q.id + " with demand " + q.demand;
            }
        }
        final byte[] expected = digester.digest(lastDigest, tranche.toBuilder().clearDigest().build());
        if (!Arrays.equals(expected, tranche.getDigest().toByteArray()))
        {
            return "recorded tranche " + tranche.getNumber() + " breaks the digest chain";
        }
        return null;
    }

    private void applyTranche(final Tranche tranche)
    {
        int kept = 0;
        for (int i = 0, n = queue.size(); i < n; i++)
        {
            final QueuedClaim q = queue.get(i);
            final long units = tranche.getAwards(i).getUnits();
            track(q, false);
            q.awarded += units;
            q.demand -= units;
            q.floor = Math.max(0, q.floor - units);
            if (q.cap != Claims.ABSENT)
            {
                q.cap = Math.max(0, q.cap - units);
            }
            if (q.demand == 0)
            {
                byId.remove(q.id);
            }
            else
            {
                track(q, true);
                queue.set(kept++, q);
            }
        }
        for (int i = queue.size() - 1; i >= kept; i--)
        {
            queue.remove(i);
        }
        ledger.append(tranche);
        byRequestId.put(tranche.getRequestId(), tranche.getNumber());
        lastDigest = tranche.getDigest().toByteArray();
    }

    // ---------------------------------------------------------------- validation

    private static void checkId(final List<Outcome.Violation> bad, final String field, final String id)
    {
        if (id.isEmpty())
        {
            bad.add(new Outcome.Violation(field, "must not be empty"));
        }
        else if (id.length() > MAX_ID_LENGTH)
        {
            bad.add(new Outcome.Violation(field, "must be at most " + MAX_ID_LENGTH + " characters, was " +
                id.length()));
        }
        else
        {
            for (int i = 0; i < id.length(); i++)
            {
                if (Character.isISOControl(id.charAt(i)))
                {
                    bad.add(new Outcome.Violation(field, "must not contain control characters (at index " + i + ")"));
                    break;
                }
            }
        }
    }

    private static void checkClaim(
        final List<Outcome.Violation> bad, final long demand, final long weight, final int tier, final long cap,
        final long floor, final boolean hasDemand)
    {
        if (hasDemand)
        {
            range(bad, "claim.demand", demand, 1);
        }
        if (weight != Claims.ABSENT)
        {
            range(bad, "claim.weight", weight, 0);
        }
        if (tier < 0)
        {
            bad.add(new Outcome.Violation("claim.tier", "must be >= 0, was " + tier));
        }
        if (cap != Claims.ABSENT)
        {
            range(bad, "claim.cap", cap, 0);
        }
        range(bad, "claim.floor", floor, 0);
        // Floor against demand and cap only when both sides are valid: a bad demand or cap is its own violation,
        // and "floor must be <= demand -5" would only repeat it.
        final boolean floorValid = floor >= 0 && floor <= Claims.MAX_VALUE;
        if (hasDemand && floorValid && demand >= 1 && demand <= Claims.MAX_VALUE && floor > demand)
        {
            bad.add(new Outcome.Violation("claim.floor", "must be <= demand " + demand + ", was " + floor));
        }
        else if (floorValid && cap != Claims.ABSENT && cap >= 0 && cap <= Claims.MAX_VALUE && floor > cap)
        {
            bad.add(new Outcome.Violation("claim.floor", "must be <= cap " + cap + ", was " + floor));
        }
    }

    private static void range(final List<Outcome.Violation> bad, final String field, final long value, final long min)
    {
        if (value < min)
        {
            bad.add(new Outcome.Violation(field, "must be >= " + min + ", was " + value));
        }
        else if (value > Claims.MAX_VALUE)
        {
            bad.add(new Outcome.Violation(field, "must be <= 2^62 (4611686018427387904), was " + value));
        }
    }

    private int indexOfPosition(final long position)
    {
        int lo = 0;
        int hi = queue.size() - 1;
        while (lo <= hi)
        {
            final int mid = (lo + hi) >>> 1;
            final long p = queue.get(mid).position;
            if (p < position)
            {
                lo = mid + 1;
            }
            else if (p > position)
            {
                hi = mid - 1;
            }
            else
            {
                return mid;
            }
        }
        return -(lo + 1);
    }

    // Adds a queued claim to (or takes it from) the sums the operators see: outstanding demand, demand above caps,
    // and the claims that no tranche can serve.
    private void track(final QueuedClaim q, final boolean add)
    {
        final long aboveCap = q.cap == Claims.ABSENT ? 0 : Math.max(0, q.demand - q.cap);
        if (add)
        {
            addOutstanding(q.demand);
            final long lo = aboveCapLo + aboveCap;
            aboveCapHi += Long.compareUnsigned(lo, aboveCapLo) < 0 ? 1 : 0;
            aboveCapLo = lo;
            unservableClaims += q.cap == 0 ? 1 : 0;
        }
        else
        {
            subtractOutstanding(q.demand);
            final long lo = aboveCapLo - aboveCap;
            aboveCapHi -= Long.compareUnsigned(lo, aboveCapLo) > 0 ? 1 : 0;
            aboveCapLo = lo;
            unservableClaims -= q.cap == 0 ? 1 : 0;
        }
    }

    private void addOutstanding(final long units)
    {
        final long lo = outstandingLo + units;
        if (Long.compareUnsigned(lo, outstandingLo) < 0)
        {
            outstandingHi++;
        }
        outstandingLo = lo;
    }

    private void subtractOutstanding(final long units)
    {
        final long lo = outstandingLo - units;
        if (Long.compareUnsigned(lo, outstandingLo) > 0)
        {
            outstandingHi--;
        }
        outstandingLo = lo;
    }

    // ---------------------------------------------------------------- reads

    /** @param id claim id. @return the queued claim, or null. */
    public Claim claim(final String id)
    {
        final QueuedClaim q = byId.get(id);
        return q == null ? null : q.toProto();
    }

    /**
     * @param afterPosition only claims with a greater position.
     * @param limit         at most this many.
     * @param out           receives the claims in queue order.
     * @return true when more claims follow.
     */
    public boolean listClaims(final long afterPosition, final int limit, final List<Claim> out)
    {
        if (afterPosition == Long.MAX_VALUE)
        {
            return false;
        }
        final int found = indexOfPosition(afterPosition + 1);
        final int from = found >= 0 ? found : -found - 1;
        final int to = (int)Math.min(queue.size(), (long)from + limit);
        for (int i = from; i < to; i++)
        {
            out.add(queue.get(i).toProto());
        }
        return to < queue.size();
    }

    /** @return claims in the queue. */
    public int queueLength()
    {
        return queue.size();
    }

    /** @return tranches released. */
    public long trancheCount()
    {
        return ledger.count();
    }

    /** @return the ledger. */
    public Ledger ledger()
    {
        return ledger;
    }

    /** @return the last tranche's digest (zeros before the first). */
    public byte[] lastDigest()
    {
        return lastDigest.clone();
    }

    /**
     * @return the outstanding demand above the claims' caps (exact, may exceed a long): no tranche can serve it.
     * A claim whose cap is used up counts here with its whole outstanding demand.
     */
    public BigInteger demandAboveCaps()
    {
        return new BigInteger(Long.toUnsignedString(aboveCapHi)).shiftLeft(64)
            .add(new BigInteger(Long.toUnsignedString(aboveCapLo)));
    }

    /** @return queued claims whose cap is used up (0): no tranche can serve them until the cap is raised. */
    public int unservableClaims()
    {
        return unservableClaims;
    }

    /** @return the sum of the outstanding demands (exact, may exceed a long). */
    public BigInteger outstandingDemand()
    {
        return new BigInteger(Long.toUnsignedString(outstandingHi)).shiftLeft(64)
            .add(new BigInteger(Long.toUnsignedString(outstandingLo)));
    }

    // ---------------------------------------------------------------- snapshots

    /**
     * Writes the whole state but the ledger's tranches (which the ledger keeps), deterministically:
     * two machines that applied the same commands write the same bytes.
     *
     * @param out destination.
     * @throws IOException on write failure.
     */
    public void snapshot(final DataOutput out) throws IOException
    {
        out.writeInt(SNAPSHOT_MAGIC);
        out.writeLong(nextPosition);
        out.writeInt(queue.size());
        for (int i = 0, n = queue.size(); i < n; i++)
        {
            final QueuedClaim q = queue.get(i);
            out.writeUTF(q.id);
            out.writeLong(q.demand);
            out.writeLong(q.weight);
            out.writeInt(q.tier);
            out.writeLong(q.cap);
            out.writeLong(q.floor);
            out.writeLong(q.position);
            out.writeLong(q.awarded);
        }
        out.writeLong(ledger.count());
        out.write(lastDigest);
        final String[] ids = new String[byRequestId.size()];
        final Object2LongHashMap<String>.KeyIterator keys = byRequestId.keySet().iterator();
        for (int i = 0; keys.hasNext(); i++)
        {
            ids[i] = keys.next();
        }
        Arrays.sort(ids, (a, b) -> Long.compare(byRequestId.getValue(a), byRequestId.getValue(b)));
        out.writeInt(ids.length);
        for (final String id : ids)
        {
            out.writeUTF(id);
            out.writeLong(byRequestId.getValue(id));
        }
    }

    /**
     * Replaces an empty state by one written by {@link #snapshot}; the ledger must already hold the
     * snapshot's tranches.
     *
     * @param in source.
     * @throws IOException on read failure or a bad format.
     */
    public void restore(final DataInput in) throws IOException
    {
        if (!queue.isEmpty() || nextPosition != 1)
        {
            throw new IllegalStateException("restore needs an empty state");
        }
        final int magic = in.readInt();
        if (magic != SNAPSHOT_MAGIC)
        {
            throw new IOException("not a tranche state snapshot (magic=" + Integer.toHexString(magic) + ")");
        }
        nextPosition = in.readLong();
        final int claimCount = in.readInt();
        for (int i = 0; i < claimCount; i++)
        {
            final QueuedClaim q = new QueuedClaim();
            q.id = in.readUTF();
            q.demand = in.readLong();
            q.weight = in.readLong();
            q.tier = in.readInt();
            q.cap = in.readLong();
            q.floor = in.readLong();
            q.position = in.readLong();
            q.awarded = in.readLong();
            queue.add(q);
            byId.put(q.id, q);
            track(q, true);
        }
        final long tranches = in.readLong();
        if (tranches != ledger.count())
        {
            throw new IOException("the snapshot counts " + tranches + " tranches but the ledger holds " +
                ledger.count());
        }
        in.readFully(lastDigest);
        final int requestIds = in.readInt();
        for (int i = 0; i < requestIds; i++)
        {
            byRequestId.put(in.readUTF(), in.readLong());
        }
    }
}
