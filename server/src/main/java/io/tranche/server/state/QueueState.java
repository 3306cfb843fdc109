package io.tranche.server.state;

import com.google.protobuf.Empty;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
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
import io.tranche.server.Errors;
import io.tranche.server.allocation.AllocationMapper;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.agrona.collections.Object2ObjectHashMap;

/**
 * The queue of claims and the ledger of tranches: a deterministic state machine. Every mutation is
 * a command whose outcome depends only on the state and the command (time travels inside the
 * command), so that replaying the journal rebuilds the same state, and a consensus log could later
 * feed several replicas. Not thread safe: owned by the single writer thread.
 * <p>
 * A queued claim's demand, floor and cap are outstanding amounts: a release lowers each by the
 * claim's award (not below 0) and removes the claims whose demand reaches 0.
 */
public final class QueueState
{
    /** Command: {@link CreateClaimRequest}. */
    public static final byte CREATE_CLAIM = 1;
    /** Command: {@link UpdateClaimRequest}. */
    public static final byte UPDATE_CLAIM = 2;
    /** Command: {@link DeleteClaimRequest}. */
    public static final byte DELETE_CLAIM = 3;
    /** Command: {@link ReleaseTrancheRequest}; journaled as {@link #RECORD_TRANCHE}. */
    public static final byte RELEASE_TRANCHE = 4;
    /** Journal record of a release: the {@link Tranche} it produced, replayed without the kernel. */
    public static final byte RECORD_TRANCHE = 5;

    /** Longest accepted claim id or request id, in chars. */
    public static final int MAX_ID_LENGTH = 256;

    private static final int SNAPSHOT_MAGIC = 0x54525331; // "TRS1"

    private final Object2ObjectHashMap<String, QueuedClaim> byId = new Object2ObjectHashMap<>();
    // Queue order = ascending position; positions only grow, so appending keeps the list sorted.
    private final ArrayList<QueuedClaim> queue = new ArrayList<>();
    private final ArrayList<Tranche> tranches = new ArrayList<>();
    private final Object2ObjectHashMap<String, Tranche> byRequestId = new Object2ObjectHashMap<>();
    private long nextPosition = 1;
    // Outstanding demand as an unsigned 128-bit sum (hi, lo): each demand is below 2^62 but the total need not be.
    private long outstandingHi;
    private long outstandingLo;

    private final Allocator allocator = new Allocator(1024, 1 << 26);
    private final Claims claims = new Claims(1024);
    private final Violations violations = new Violations();

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
     * The result of one command: a response, or an error, and whether the state changed (only
     * then is the command journaled).
     */
    public static final class Outcome
    {
        /** The response when the command succeeded. */
        public final Message response;
        /** The error when it failed. */
        public final com.google.rpc.Status error;
        /** True when the state changed. */
        public final boolean mutated;

        Outcome(final Message response, final com.google.rpc.Status error, final boolean mutated)
        {
            this.response = response;
            this.error = error;
            this.mutated = mutated;
        }

        static Outcome ok(final Message response)
        {
            return new Outcome(response, null, true);
        }

        static Outcome unchanged(final Message response)
        {
            return new Outcome(response, null, false);
        }

        static Outcome failed(final com.google.rpc.Status error)
        {
            return new Outcome(null, error, false);
        }

        /** @param response what a read found. @return a read's outcome. */
        public static Outcome read(final Message response)
        {
            return new Outcome(response, null, false);
        }

        /** @param error why a read failed. @return a read's outcome. */
        public static Outcome failedRead(final com.google.rpc.Status error)
        {
            return new Outcome(null, error, false);
        }
    }

    /**
     * Applies one command.
     *
     * @param type      one of the command constants.
     * @param timeNanos the command's time, nanoseconds since the epoch (used as the release time).
     * @param request   the request message of that type.
     * @return the outcome.
     */
    public Outcome apply(final byte type, final long timeNanos, final Message request)
    {
        switch (type)
        {
            case CREATE_CLAIM:
                return createClaim((CreateClaimRequest)request);
            case UPDATE_CLAIM:
                return updateClaim((UpdateClaimRequest)request);
            case DELETE_CLAIM:
                return deleteClaim((DeleteClaimRequest)request);
            case RELEASE_TRANCHE:
                return releaseTranche((ReleaseTrancheRequest)request, timeNanos);
            case RECORD_TRANCHE:
                return recordTranche((Tranche)request);
            default:
                throw new IllegalArgumentException("unknown command type=" + type);
        }
    }

    /**
     * @param type    command type.
     * @param payload the serialized request.
     * @return the parsed request.
     * @throws IOException when the payload does not parse.
     */
    public static Message parse(final byte type, final byte[] payload) throws IOException
    {
        switch (type)
        {
            case CREATE_CLAIM:
                return CreateClaimRequest.parseFrom(payload);
            case UPDATE_CLAIM:
                return UpdateClaimRequest.parseFrom(payload);
            case DELETE_CLAIM:
                return DeleteClaimRequest.parseFrom(payload);
            case RELEASE_TRANCHE:
                return ReleaseTrancheRequest.parseFrom(payload);
            case RECORD_TRANCHE:
                return Tranche.parseFrom(payload);
            default:
                throw new IOException("unknown command type=" + type);
        }
    }

    private Outcome createClaim(final CreateClaimRequest request)
    {
        if (!request.hasClaim())
        {
            return Outcome.failed(Errors.invalidArgument("claim", "is required"));
        }
        final Claim c = request.getClaim();
        final BadRequest.Builder bad = BadRequest.newBuilder();
        checkId(bad, "claim.id", c.getId());
        if (!c.hasDemand())
        {
            violation(bad, "claim.demand", "is required in the queue (the outstanding demand, > 0)");
        }
        checkClaim(bad, c.getDemand(), c.hasWeight() ? c.getWeight() : Claims.ABSENT, c.getTier(),
            c.hasCap() ? c.getCap() : Claims.ABSENT, c.getFloor(), c.hasDemand());
        if (bad.getFieldViolationsCount() > 0)
        {
            return Outcome.failed(Errors.invalidArgument(bad.build()));
        }
        if (byId.containsKey(c.getId()))
        {
            return Outcome.failed(Errors.alreadyExists("claim \"" + c.getId() + "\" is already in the queue"));
        }
        final QueuedClaim q = new QueuedClaim();
        q.id = c.getId();
        q.demand = c.getDemand();
        q.weight = c.hasWeight() ? c.getWeight() : Claims.ABSENT;
        q.tier = c.getTier();
        q.cap = c.hasCap() ? c.getCap() : Claims.ABSENT;
        q.floor = c.getFloor();
        q.position = nextPosition++;
        byId.put(q.id, q);
        queue.add(q);
        addOutstanding(q.demand);
        return Outcome.ok(q.toProto());
    }

    private Outcome updateClaim(final UpdateClaimRequest request)
    {
        final Claim c = request.getClaim();
        final BadRequest.Builder bad = BadRequest.newBuilder();
        if (!request.hasClaim())
        {
            violation(bad, "claim", "is required");
        }
        else if (c.getId().isEmpty())
        {
            violation(bad, "claim.id", "must not be empty");
        }
        boolean demand = false;
        boolean weight = false;
        boolean tier = false;
        boolean cap = false;
        boolean floor = false;
        final FieldMask mask = request.getUpdateMask();
        if (mask.getPathsCount() == 0)
        {
            demand = weight = tier = cap = floor = true;
        }
        for (int i = 0; i < mask.getPathsCount(); i++)
        {
            final String path = mask.getPaths(i);
            switch (path)
            {
                case "demand":
                    demand = true;
                    break;
                case "weight":
                    weight = true;
                    break;
                case "tier":
                    tier = true;
                    break;
                case "cap":
                    cap = true;
                    break;
                case "floor":
                    floor = true;
                    break;
                default:
                    violation(bad, "update_mask.paths[" + i + "]", "\"" + path +
                        "\" is not updatable; use demand, weight, tier, cap or floor");
            }
        }
        if (bad.getFieldViolationsCount() > 0)
        {
            return Outcome.failed(Errors.invalidArgument(bad.build()));
        }
        final QueuedClaim q = byId.get(c.getId());
        if (q == null)
        {
            return Outcome.failed(Errors.notFound("claim \"" + c.getId() + "\" is not in the queue"));
        }
        if (demand && !c.hasDemand())
        {
            violation(bad, "claim.demand", "is required in the queue when updated (to withdraw, delete the claim)");
        }
        final long newDemand = demand ? c.getDemand() : q.demand;
        final long newWeight = weight ? (c.hasWeight() ? c.getWeight() : Claims.ABSENT) : q.weight;
        final int newTier = tier ? c.getTier() : q.tier;
        final long newCap = cap ? (c.hasCap() ? c.getCap() : Claims.ABSENT) : q.cap;
        final long newFloor = floor ? c.getFloor() : q.floor;
        checkClaim(bad, newDemand, newWeight, newTier, newCap, newFloor, !demand || c.hasDemand());
        if (bad.getFieldViolationsCount() > 0)
        {
            return Outcome.failed(Errors.invalidArgument(bad.build()));
        }
        subtractOutstanding(q.demand);
        q.demand = newDemand;
        q.weight = newWeight;
        q.tier = newTier;
        q.cap = newCap;
        q.floor = newFloor;
        addOutstanding(q.demand);
        return Outcome.ok(q.toProto());
    }

    private Outcome deleteClaim(final DeleteClaimRequest request)
    {
        if (request.getId().isEmpty())
        {
            return Outcome.failed(Errors.invalidArgument("id", "must not be empty"));
        }
        final QueuedClaim q = byId.remove(request.getId());
        if (q == null)
        {
            return Outcome.failed(Errors.notFound("claim \"" + request.getId() + "\" is not in the queue"));
        }
        queue.remove(indexOfPosition(q.position));
        subtractOutstanding(q.demand);
        return Outcome.ok(Empty.getDefaultInstance());
    }

    private Outcome releaseTranche(final ReleaseTrancheRequest request, final long timeNanos)
    {
        final BadRequest.Builder bad = BadRequest.newBuilder();
        checkId(bad, "request_id", request.getRequestId());
        if (bad.getFieldViolationsCount() > 0)
        {
            return Outcome.failed(Errors.invalidArgument(bad.build()));
        }
        final Tranche recorded = byRequestId.get(request.getRequestId());
        if (recorded != null)
        {
            if (recorded.getSupply() == request.getSupply() && recorded.getPolicy().equals(request.getPolicy()))
            {
                return Outcome.unchanged(recorded);
            }
            return Outcome.failed(Errors.alreadyExists("request_id \"" + request.getRequestId() +
                "\" was already used by tranche " + recorded.getNumber() + " with supply " + recorded.getSupply() +
                " and a different policy or supply; use a new request_id for a new tranche"));
        }

        final Policy policy = request.getPolicy();
        final Method method = AllocationMapper.method(policy.getMethod());
        final long supply = request.getSupply();
        claims.clear();
        claims.ensureCapacity(queue.size());
        for (int i = 0, n = queue.size(); i < n; i++)
        {
            final QueuedClaim q = queue.get(i);
            claims.add(q.id, q.demand, q.weight, q.tier, q.cap, q.floor);
        }
        if (!allocator.validate(supply, method, policy.getLot(), policy.getMaxSharePpm(), claims, violations))
        {
            final BadRequest.Builder requestFields = BadRequest.newBuilder();
            final StringBuilder queueProblems = new StringBuilder();
            for (int i = 0; i < violations.count(); i++)
            {
                final String field = violations.field(i);
                if (field.startsWith("claims"))
                {
                    queueProblems.append(queueProblems.length() == 0 ? "" : "; ")
                        .append(queueField(field)).append(' ').append(violations.description(i));
                }
                else
                {
                    violation(requestFields, field, violations.description(i));
                }
            }
            if (requestFields.getFieldViolationsCount() > 0)
            {
                return Outcome.failed(Errors.invalidArgument(requestFields.build()));
            }
            return Outcome.failed(Errors.failedPrecondition(
                "the queue cannot be allocated under this policy: " + queueProblems));
        }
        final long allocated;
        try
        {
            allocated = allocator.allocate(supply, method, policy.getLot(), policy.getMaxSharePpm(), claims);
        }
        catch (final UnsupportedOperationException ex)
        {
            return Outcome.failed(Errors.status(Code.UNIMPLEMENTED, "policy.method " + policy.getMethod() +
                " is not available in this build: " + ex.getMessage()));
        }

        final Tranche.Builder tranche = Tranche.newBuilder()
            .setNumber(tranches.size() + 1L)
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
            tranche.addAwards(Award.newBuilder().setId(q.id).setUnits(units).setUnmet(q.demand - units));
        }
        final Tranche built = tranche.build();
        applyTranche(built);
        return Outcome.ok(built);
    }

    // Replays a tranche as recorded: the kernel is not run again, so a later build whose kernel
    // rounds differently cannot rewrite history that clients have already been told.
    private Outcome recordTranche(final Tranche tranche)
    {
        if (tranche.getNumber() != tranches.size() + 1L)
        {
            return Outcome.failed(Errors.failedPrecondition("recorded tranche " + tranche.getNumber() +
                " does not follow tranche " + tranches.size()));
        }
        if (tranche.getAwardsCount() != queue.size())
        {
            return Outcome.failed(Errors.failedPrecondition("recorded tranche " + tranche.getNumber() + " has " +
                tranche.getAwardsCount() + " awards for a queue of " + queue.size()));
        }
        for (int i = 0, n = queue.size(); i < n; i++)
        {
            final QueuedClaim q = queue.get(i);
            final Award award = tranche.getAwards(i);
            if (!award.getId().equals(q.id) || award.getUnits() < 0 || award.getUnits() > q.demand)
            {
                return Outcome.failed(Errors.failedPrecondition("recorded tranche " + tranche.getNumber() +
                    " award " + i + " (" + award.getId() + ", " + award.getUnits() + ") does not fit queued claim " +
                    q.id + " with demand " + q.demand));
            }
        }
        applyTranche(tranche);
        return Outcome.ok(tranche);
    }

    private void applyTranche(final Tranche tranche)
    {
        int kept = 0;
        for (int i = 0, n = queue.size(); i < n; i++)
        {
            final QueuedClaim q = queue.get(i);
            final long units = tranche.getAwards(i).getUnits();
            subtractOutstanding(units);
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
                queue.set(kept++, q);
            }
        }
        for (int i = queue.size() - 1; i >= kept; i--)
        {
            queue.remove(i);
        }
        tranches.add(tranche);
        byRequestId.put(tranche.getRequestId(), tranche);
    }

    private String queueField(final String field)
    {
        // claims[7].floor -> claim "id".floor: the client knows its claims by id, not by index.
        final int open = field.indexOf('[');
        final int close = field.indexOf(']');
        if (open > 0 && close > open)
        {
            try
            {
                final int i = Integer.parseInt(field.substring(open + 1, close));
                if (i >= 0 && i < queue.size())
                {
                    return "claim \"" + queue.get(i).id + "\"" + field.substring(close + 1);
                }
            }
            catch (final NumberFormatException ignore)
            {
                // fall through to the raw path
            }
        }
        return field;
    }

    private static void checkId(final BadRequest.Builder bad, final String field, final String id)
    {
        if (id.isEmpty())
        {
            violation(bad, field, "must not be empty");
        }
        else if (id.length() > MAX_ID_LENGTH)
        {
            violation(bad, field, "must be at most " + MAX_ID_LENGTH + " characters, was " + id.length());
        }
        else
        {
            for (int i = 0; i < id.length(); i++)
            {
                if (Character.isISOControl(id.charAt(i)))
                {
                    violation(bad, field, "must not contain control characters (at index " + i + ")");
                    break;
                }
            }
        }
    }

    private static void checkClaim(
        final BadRequest.Builder bad,
        final long demand,
        final long weight,
        final int tier,
        final long cap,
        final long floor,
        final boolean hasDemand)
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
            violation(bad, "claim.tier", "must be >= 0, was " + tier);
        }
        if (cap != Claims.ABSENT)
        {
            range(bad, "claim.cap", cap, 0);
        }
        range(bad, "claim.floor", floor, 0);
        if (hasDemand && floor > demand && floor <= Claims.MAX_VALUE)
        {
            violation(bad, "claim.floor", "must be <= demand " + demand + ", was " + floor);
        }
        else if (cap != Claims.ABSENT && cap >= 0 && floor > cap && floor <= Claims.MAX_VALUE)
        {
            violation(bad, "claim.floor", "must be <= cap " + cap + ", was " + floor);
        }
    }

    private static void range(final BadRequest.Builder bad, final String field, final long value, final long min)
    {
        if (value < min)
        {
            violation(bad, field, "must be >= " + min + ", was " + value);
        }
        else if (value > Claims.MAX_VALUE)
        {
            violation(bad, field, "must be <= 2^62 (4611686018427387904), was " + value);
        }
    }

    private static void violation(final BadRequest.Builder bad, final String field, final String description)
    {
        bad.addFieldViolations(BadRequest.FieldViolation.newBuilder().setField(field).setDescription(description));
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
    public int trancheCount()
    {
        return tranches.size();
    }

    /** @param number 1-based. @return the tranche. */
    public Tranche tranche(final long number)
    {
        return tranches.get((int)(number - 1));
    }

    /** @return the sum of the outstanding demands (exact, may exceed a long). */
    public java.math.BigInteger outstandingDemand()
    {
        return new java.math.BigInteger(Long.toUnsignedString(outstandingHi)).shiftLeft(64)
            .add(new java.math.BigInteger(Long.toUnsignedString(outstandingLo)));
    }

    // ---------------------------------------------------------------- snapshots

    /**
     * Writes the whole state.
     *
     * @param out destination.
     * @throws IOException on write failure.
     */
    public void writeTo(final DataOutput out) throws IOException
    {
        out.writeInt(SNAPSHOT_MAGIC);
        out.writeLong(nextPosition);
        out.writeInt(queue.size());
        for (int i = 0, n = queue.size(); i < n; i++)
        {
            writeMessage(out, queue.get(i).toProto());
        }
        out.writeInt(tranches.size());
        for (int i = 0, n = tranches.size(); i < n; i++)
        {
            writeMessage(out, tranches.get(i));
        }
    }

    /**
     * Replaces an empty state by the one written by {@link #writeTo}.
     *
     * @param in source.
     * @throws IOException on read failure or a bad format.
     */
    public void readFrom(final DataInput in) throws IOException
    {
        if (!queue.isEmpty() || !tranches.isEmpty())
        {
            throw new IllegalStateException("readFrom needs an empty state");
        }
        final int magic = in.readInt();
        if (magic != SNAPSHOT_MAGIC)
        {
            throw new IOException("not a tranche snapshot (magic=" + Integer.toHexString(magic) + ")");
        }
        nextPosition = in.readLong();
        final int claimCount = in.readInt();
        for (int i = 0; i < claimCount; i++)
        {
            final Claim c = Claim.parseFrom(readMessage(in));
            final QueuedClaim q = new QueuedClaim();
            q.id = c.getId();
            q.demand = c.getDemand();
            q.weight = c.hasWeight() ? c.getWeight() : Claims.ABSENT;
            q.tier = c.getTier();
            q.cap = c.hasCap() ? c.getCap() : Claims.ABSENT;
            q.floor = c.getFloor();
            q.position = c.getPosition();
            q.awarded = c.getAwarded();
            queue.add(q);
            byId.put(q.id, q);
            addOutstanding(q.demand);
        }
        final int trancheCount = in.readInt();
        for (int i = 0; i < trancheCount; i++)
        {
            final Tranche t = Tranche.parseFrom(readMessage(in));
            tranches.add(t);
            byRequestId.put(t.getRequestId(), t);
        }
    }

    private static void writeMessage(final DataOutput out, final Message message) throws IOException
    {
        final byte[] bytes = message.toByteArray();
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readMessage(final DataInput in) throws IOException
    {
        final int length = in.readInt();
        if (length < 0 || length > (1 << 30))
        {
            throw new IOException("bad message length " + length);
        }
        final byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }
}
