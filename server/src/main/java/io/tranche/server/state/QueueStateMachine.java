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
import io.tranche.proto.v1.ClaimChange;
import io.tranche.proto.v1.ClaimHistory;
import io.tranche.proto.v1.ClaimPosition;
import io.tranche.proto.v1.ClaimLeaf;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.DeleteClaimRequest;
import io.tranche.proto.v1.LedgerLeaf;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.proto.v1.UpdateClaimRequest;
import io.tranche.server.allocation.AllocationExplainer;
import io.tranche.server.allocation.AllocationMapper;
import io.tranche.server.merkle.AwardTree;
import io.tranche.server.merkle.LedgerLeaves;
import io.tranche.server.merkle.MerkleLog;
import io.tranche.server.merkle.Rfc9162;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.security.MessageDigest;
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

    /**
     * The most claims one release can split: a ceiling on the queue limit ({@code --max-queue} is checked against
     * it), not the limit itself, because a queue recovered under a lower limit may hold more than that limit.
     */
    public static final int QUEUE_CAPACITY = 1 << 26;

    // "TRS4": the claims with who made and changed them, the tree's size and root, then the claims' histories.
    private static final int SNAPSHOT_MAGIC = 0x54525334;
    // "TRS2" (builds before the tree and attribution): the claims alone, the digest chain's last digest.
    private static final int SNAPSHOT_MAGIC_V2 = 0x54525332;
    /** A time not known. */
    static final long NO_TIME = Long.MIN_VALUE;

    private final Object2ObjectHashMap<String, QueuedClaim> byId = new Object2ObjectHashMap<>();
    // Queue order = ascending position; positions only grow, so appending keeps the list sorted.
    private final ArrayList<QueuedClaim> queue = new ArrayList<>();
    private final Object2LongHashMap<String> byRequestId = new Object2LongHashMap<>(-1L);
    // The same request ids and tranche numbers as a snapshot writes them (writeUTF, writeLong), in the order they
    // were added (by tranche number, unless a snapshot said otherwise): every checkpoint and snapshot copies these
    // bytes in one write instead of sorting and encoding every id again.
    private final RecordBytes requestIdRecords = new RecordBytes();
    private final java.io.DataOutputStream requestIdOut = new java.io.DataOutputStream(requestIdRecords);
    private long lastNumberAdded = Long.MIN_VALUE;
    // Whether those bytes hold each id once with rising numbers, as byRequestId ordered by number.
    private boolean requestIdsInOrder = true;
    private final Ledger ledger;
    private final int maxQueue;
    private long nextPosition = 1;
    private final MessageDigest sha = Rfc9162.newSha256();
    private final AwardTree awardTree = new AwardTree();
    // Why the tree could not be taken from the ledger's store at a restore (null when it was): the log rebuilds it.
    private String treeProblem;
    // The tree's size and root as the restored state recorded them (-1 and null for a state from before the tree).
    private long restoredTreeSize = -1;
    private byte[] restoredTreeRoot;
    // Outstanding demand as an unsigned 128-bit sum (hi, lo): each demand is below 2^62 but the total need not be.
    private long outstandingHi;
    private long outstandingLo;
    // Demand above the claims' caps, which no tranche can serve (same 128-bit sum), and the claims whose cap is used
    // up (cap 0: they stay queued, and no tranche can serve them until their cap is raised).
    private long aboveCapHi;
    private long aboveCapLo;
    private int unservableClaims;
    private ClaimHistories histories = new ClaimHistories();

    private final Allocator allocator = new Allocator(1024, QUEUE_CAPACITY);
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
        String createdBy = "";
        long createdNanos = NO_TIME;
        String updatedBy = "";
        long updatedNanos = NO_TIME;

        QueuedClaim copy()
        {
            final QueuedClaim c = new QueuedClaim();
            c.id = id;
            c.demand = demand;
            c.weight = weight;
            c.tier = tier;
            c.cap = cap;
            c.floor = floor;
            c.position = position;
            c.awarded = awarded;
            c.createdBy = createdBy;
            c.createdNanos = createdNanos;
            c.updatedBy = updatedBy;
            c.updatedNanos = updatedNanos;
            return c;
        }

        void write(final DataOutput out, final boolean attribution) throws IOException
        {
            out.writeUTF(id);
            out.writeLong(demand);
            out.writeLong(weight);
            out.writeInt(tier);
            out.writeLong(cap);
            out.writeLong(floor);
            out.writeLong(position);
            out.writeLong(awarded);
            if (attribution)
            {
                out.writeUTF(createdBy);
                out.writeLong(createdNanos);
                out.writeUTF(updatedBy);
                out.writeLong(updatedNanos);
            }
        }

        static QueuedClaim read(final DataInput in, final boolean attribution) throws IOException
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
            if (attribution)
            {
                q.createdBy = in.readUTF();
                q.createdNanos = in.readLong();
                q.updatedBy = in.readUTF();
                q.updatedNanos = in.readLong();
            }
            return q;
        }

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
            b.setCreatedBy(createdBy).setUpdatedBy(updatedBy);
            if (createdNanos != NO_TIME)
            {
                b.setCreateTime(ClaimHistories.timestamp(createdNanos));
            }
            if (updatedNanos != NO_TIME)
            {
                b.setUpdateTime(ClaimHistories.timestamp(updatedNanos));
            }
            return b.build();
        }
    }

    /**
     * @param ledger   where released tranches go.
     * @param maxQueue most claims in the queue (a create beyond it is {@link Outcome.Kind#LIMIT_REACHED}).
     */
    public QueueStateMachine(final Ledger ledger, final int maxQueue)
    {
        this.ledger = ledger;
        this.maxQueue = maxQueue;
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
        return apply(command, timeNanos, RecordPlace.NONE);
    }

    /**
     * Validates and applies one command the log has recorded.
     *
     * @param command   the command.
     * @param timeNanos its time, nanoseconds since the epoch (the release time).
     * @param place     where the log recorded it.
     * @return the outcome.
     */
    public Outcome apply(final Command command, final long timeNanos, final RecordPlace place)
    {
        final Outcome outcome = prepare(command, timeNanos);
        commit(outcome, place);
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
            return createClaim(c, timeNanos);
        }
        if (command instanceof Command.UpdateClaim c)
        {
            return updateClaim(c, timeNanos);
        }
        if (command instanceof Command.DeleteClaim c)
        {
            return deleteClaim(c, timeNanos);
        }
        if (command instanceof Command.ReleaseTranche c)
        {
            return releaseTranche(c.request(), timeNanos, c.principal());
        }
        return recordTranche((Command.RecordTranche)command);
    }

    /**
     * Applies a prepared outcome; nothing when it does not mutate. Prepare and commit one command at a time.
     *
     * @param outcome from {@link #prepare} on this state.
     * @param place   where the log recorded {@link Outcome#logged()}: a tranche's ledger entry learns it here.
     */
    public void commit(final Outcome outcome, final RecordPlace place)
    {
        if (outcome.effect != null)
        {
            outcome.effect.apply(this, place);
        }
    }

    // ---------------------------------------------------------------- claims

    private Outcome createClaim(final Command.CreateClaim command, final long timeNanos)
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
        q.createdBy = command.principal();
        q.createdNanos = timeNanos;
        q.updatedBy = command.principal();
        q.updatedNanos = timeNanos;
        final Claim created = q.toProto();
        final String principal = command.principal();
        return Outcome.mutation(Outcome.Kind.CREATED, created, command, (m, at) ->
        {
            m.appendLeaf(LedgerLeaves.claimLeaf(ClaimLeaf.Change.CREATED, created, timeNanos, principal));
            m.addClaim(q);
        });
    }

    private void addClaim(final QueuedClaim q)
    {
        nextPosition = q.position + 1;
        byId.put(q.id, q);
        queue.add(q);
        track(q, true);
        histories.record(ClaimChange.Kind.CREATED, q.createdNanos, q.createdBy, ledger.count(), 0, null, q.copy());
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

    private Outcome updateClaim(final Command.UpdateClaim command, final long timeNanos)
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
        u.createdBy = q.createdBy;
        u.createdNanos = q.createdNanos;
        u.updatedBy = command.principal();
        u.updatedNanos = timeNanos;
        checkClaim(bad, u.demand, u.weight, u.tier, u.cap, u.floor, !mask[0] || c.hasDemand());
        if (!bad.isEmpty())
        {
            return Outcome.invalid(bad);
        }
        final Claim updated = u.toProto();
        return Outcome.mutation(Outcome.Kind.UPDATED, updated, command, (m, at) ->
        {
            m.appendLeaf(LedgerLeaves.claimLeaf(ClaimLeaf.Change.UPDATED, updated, timeNanos, u.updatedBy));
            m.replaceClaim(q, u);
        });
    }

    private void replaceClaim(final QueuedClaim q, final QueuedClaim u)
    {
        final QueuedClaim before = q.copy();
        track(q, false);
        q.demand = u.demand;
        q.weight = u.weight;
        q.tier = u.tier;
        q.cap = u.cap;
        q.floor = u.floor;
        q.updatedBy = u.updatedBy;
        q.updatedNanos = u.updatedNanos;
        track(q, true);
        histories.record(ClaimChange.Kind.UPDATED, u.updatedNanos, u.updatedBy, ledger.count(), 0, before, q.copy());
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

    private Outcome deleteClaim(final Command.DeleteClaim command, final long timeNanos)
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
        final String principal = command.principal();
        final Claim deleted = q.toProto();
        return Outcome.mutation(Outcome.Kind.DELETED, Empty.getDefaultInstance(), command, (m, at) ->
        {
            m.appendLeaf(LedgerLeaves.claimLeaf(ClaimLeaf.Change.DELETED, deleted, timeNanos, principal));
            m.removeClaim(q, timeNanos, principal);
        });
    }

    private void removeClaim(final QueuedClaim q, final long timeNanos, final String principal)
    {
        byId.remove(q.id);
        queue.remove(indexOfPosition(q.position));
        track(q, false);
        histories.record(ClaimChange.Kind.DELETED, timeNanos, principal, ledger.count(), 0, q.copy(), null);
    }

    // ---------------------------------------------------------------- tranches

    private Outcome releaseTranche(final ReleaseTrancheRequest request, final long timeNanos,
        final String principal)
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
        return allocateQueue(request, timeNanos, principal);
    }

    // The kernel over the queue as it stands: a preview, or a release to record (the request id checked before).
    private Outcome allocateQueue(final ReleaseTrancheRequest request, final long timeNanos, final String principal)
    {
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
        // Each award's salt makes its leaf unguessable: a proof of one award carries the others' hashes. A release
        // without a seed (a preview, or a command logged before salts) records its awards unsalted.
        final byte[] seed = request.getSaltSeed().toByteArray();
        final byte[] salts = seed.length == 0 ? null : LedgerLeaves.salts(seed, queue.size());
        for (int i = 0, n = queue.size(); i < n; i++)
        {
            final QueuedClaim q = queue.get(i);
            final long units = claims.award(i);
            final Award.Builder award = Award.newBuilder().setId(q.id).setUnits(units).setUnmet(q.demand - units)
                .setTier(q.tier);
            if (salts != null)
            {
                award.setSalt(com.google.protobuf.ByteString.copyFrom(salts, LedgerLeaves.SALT_BYTES * i,
                    LedgerLeaves.SALT_BYTES));
            }
            tranche.addAwards(award);
        }
        if (request.getValidateOnly())
        {
            return Outcome.of(Outcome.Kind.PREVIEW, explained(request, tranche.build(), method));
        }
        tranche.setReleasedBy(principal);
        // A release logged by a build before the tree (no seed: a cluster's log replayed) is recorded as that build
        // answered it, with the digest of its chain.
        final Tranche built = salts != null ? tranche.build() : tranche.setDigest(com.google.protobuf.ByteString
            .copyFrom(LegacyDigest.compute(lastDigest(), tranche.build()))).build();
        return Outcome.mutation(Outcome.Kind.RELEASED, explained(request, built, method),
            new Command.RecordTranche(built, principal),
            (m, at) -> m.applyTranche(built, at));
    }

    // Explanations go on the answer only, never on the recorded tranche (nor into its leaf).
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
    private Outcome recordTranche(final Command.RecordTranche command)
    {
        final Tranche tranche = command.tranche();
        final String problem = recordProblem(tranche);
        if (problem != null)
        {
            return Outcome.failed(Outcome.Kind.FAILED_PRECONDITION, problem);
        }
        return Outcome.mutation(Outcome.Kind.RELEASED, tranche, command, (m, at) -> m.applyTranche(tranche, at));
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
        return null;
    }

    private byte[] lastDigest()
    {
        return ledger.count() == 0 ? new byte[0] : ledger.get(ledger.count()).getDigest().toByteArray();
    }

    private void applyTranche(final Tranche tranche, final RecordPlace place)
    {
        final long leaf = appendLeaf(LedgerLeaves.trancheLeaf(awardTree, tranche));
        int kept = 0;
        for (int i = 0, n = queue.size(); i < n; i++)
        {
            final QueuedClaim q = queue.get(i);
            final long units = tranche.getAwards(i).getUnits();
            if (units == q.demand)
            {
                histories.record(ClaimChange.Kind.SERVED, nanos(tranche.getReleaseTime()), tranche.getReleasedBy(),
                    tranche.getNumber(), units, q.copy(), null);
            }
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
        ledger.append(tranche, leaf, place);
        addRequestId(tranche.getRequestId(), tranche.getNumber());
    }

    private String adoptTree(final long size, final byte[] root)
    {
        final MerkleLog tree = ledger.tree();
        try
        {
            tree.reset(size);
        }
        catch (final IOException ex)
        {
            return ex.getMessage() + " (the state counts " + size + ")";
        }
        final byte[] stored = tree.root();
        if (root != null && !Arrays.equals(stored, root))
        {
            return "the tree's store gives root " + Rfc9162.hex(stored) + " at size " + size + ", the state says " +
                Rfc9162.hex(root);
        }
        return null;
    }

    // The tree is written before the state changes: a store that fails leaves the state as it was.
    private long appendLeaf(final LedgerLeaf leaf)
    {
        final byte[] bytes = leaf.toByteArray();
        return ledger.appendLeaf(bytes, Rfc9162.leafHash(sha, bytes));
    }

    private static long nanos(final Timestamp time)
    {
        return time.getSeconds() * 1_000_000_000L + time.getNanos();
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

    /**
     * The page of the claims that pass a filter (a claimant's scope): the page token stays a queue position, so
     * claims outside the filter never show, not even as a gap.
     *
     * @param afterPosition only claims with a greater position.
     * @param limit         at most this many.
     * @param out           receives the claims that pass, in queue order.
     * @param filter        which claim ids pass.
     * @return true when more claims that pass follow.
     */
    public boolean listClaims(final long afterPosition, final int limit, final List<Claim> out,
        final java.util.function.Predicate<String> filter)
    {
        if (afterPosition == Long.MAX_VALUE)
        {
            return false;
        }
        final int found = indexOfPosition(afterPosition + 1);
        int taken = 0;
        for (int i = found >= 0 ? found : -found - 1, n = queue.size(); i < n; i++)
        {
            final QueuedClaim q = queue.get(i);
            if (filter.test(q.id))
            {
                if (taken == limit)
                {
                    return true;
                }
                out.add(q.toProto());
                taken++;
            }
        }
        return false;
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

    /**
     * @return why the tree could not be taken from the ledger's store at the last {@link #restore} (the store holds
     *         fewer leaves than the snapshot counts, or its root differs), or null when it was: the log that feeds
     *         this machine must then rebuild the tree.
     */
    public String treeProblem()
    {
        return treeProblem;
    }

    /**
     * Takes the tree from the ledger's store again, once the log has rebuilt it from its records.
     *
     * @param size the leaves the log rebuilt: the restored state's tree size, or for a state written before the
     *             tree, one leaf per record it covers.
     * @return null when taken, else why not (the rebuilt root differs from the one the state recorded).
     */
    public String adoptRebuiltTree(final long size)
    {
        if (restoredTreeRoot != null && size != restoredTreeSize)
        {
            treeProblem = "the tree was rebuilt to " + size + " leaves, the state counts " + restoredTreeSize;
        }
        else
        {
            treeProblem = adoptTree(size, restoredTreeRoot);
        }
        return treeProblem;
    }

    /**
     * Takes who made and last changed each claim, and the claims' histories, from a state that applied the same
     * records from the journal's first: a state restored from a snapshot written before attribution has neither,
     * and would otherwise differ from a replay of its journal in every later snapshot.
     *
     * @param replayed the same state, replayed from the first record.
     */
    public void adoptAttribution(final QueueStateMachine replayed)
    {
        for (int i = 0, n = queue.size(); i < n; i++)
        {
            final QueuedClaim q = queue.get(i);
            final QueuedClaim r = replayed.byId.get(q.id);
            if (r != null)
            {
                q.createdBy = r.createdBy;
                q.createdNanos = r.createdNanos;
                q.updatedBy = r.updatedBy;
                q.updatedNanos = r.updatedNanos;
            }
        }
        histories = replayed.histories;
    }

    /**
     * Starts the tree over a state restored without one (a snapshot or seed written before the tree): one leaf per
     * recorded tranche, in order, then one {@link ClaimLeaf.Change#CARRIED_OVER} leaf per queued claim, in queue
     * order. Deterministic: every replica that restored the same state appends the same leaves.
     */
    public void carryOver()
    {
        if (ledger.tree().size() != 0)
        {
            throw new IllegalStateException("the tree already holds " + ledger.tree().size() + " leaves");
        }
        for (long n = 1; n <= ledger.count(); n++)
        {
            appendLeaf(LedgerLeaves.trancheLeaf(awardTree, ledger.get(n)));
        }
        for (int i = 0, n = queue.size(); i < n; i++)
        {
            appendLeaf(LedgerLeaves.claimLeaf(ClaimLeaf.Change.CARRIED_OVER, queue.get(i).toProto(), 0));
        }
        treeProblem = null;
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
     * @return the records a snapshot of this state writes one by one (queued claims, request ids, history changes):
     *         what its cost grows with. The same on every replica of the same state.
     */
    public long records()
    {
        return queue.size() + (long)byRequestId.size() + histories.size();
    }

    /**
     * Writes the whole state but the ledger's tranches and tree (which the ledger keeps), deterministically: two
     * machines that applied the same commands write the same bytes. The claims with who made and last changed them,
     * the tree's size and root, the request ids, then the claims' histories.
     *
     * @param out destination.
     * @throws IOException on write failure.
     */
    public void snapshot(final DataOutput out) throws IOException
    {
        snapshot(out, SnapshotFormat.CURRENT);
    }

    /** How {@link #snapshot(DataOutput, SnapshotFormat)} writes the state. */
    public enum SnapshotFormat
    {
        /** What {@link #snapshot(DataOutput)} writes. */
        CURRENT,
        /**
         * As builds before the tree and attribution wrote it: the claims without attribution, the last tranche's
         * digest, the request ids (to compare with their snapshots).
         */
        BEFORE_TREE,
        /**
         * The queue without attribution, the counts and the request ids: to compare two states whatever their
         * trees (the tree's leaves hold the attribution).
         */
        WITHOUT_HEAD
    }

    /**
     * Writes the state as {@link #snapshot(DataOutput)} does, or in another format.
     *
     * @param out    destination.
     * @param format what to write.
     * @throws IOException on write failure.
     */
    public void snapshot(final DataOutput out, final SnapshotFormat format) throws IOException
    {
        final boolean current = format == SnapshotFormat.CURRENT;
        out.writeInt(format == SnapshotFormat.BEFORE_TREE ? SNAPSHOT_MAGIC_V2 : SNAPSHOT_MAGIC);
        out.writeLong(nextPosition);
        out.writeInt(queue.size());
        for (int i = 0, n = queue.size(); i < n; i++)
        {
            queue.get(i).write(out, current);
        }
        out.writeLong(ledger.count());
        if (format == SnapshotFormat.BEFORE_TREE)
        {
            final byte[] digest =
                ledger.count() == 0 ? new byte[0] : ledger.get(ledger.count()).getDigest().toByteArray();
            out.write(digest.length == Rfc9162.HASH_BYTES ? digest : new byte[Rfc9162.HASH_BYTES]);
        }
        else if (current)
        {
            final MerkleLog tree = ledger.tree();
            out.writeLong(tree.size());
            out.write(tree.root());
        }
        writeRequestIds(out);
        if (current)
        {
            histories.write(out);
        }
    }

    private void addRequestId(final String id, final long number)
    {
        requestIdsInOrder &= !byRequestId.containsKey(id) && lastNumberAdded < number &&
            requestIdRecords.size() < RecordBytes.MAX_KEPT;
        byRequestId.put(id, number);
        lastNumberAdded = number;
        if (!requestIdsInOrder)
        {
            // Out of order once, sorted from then on: the bytes kept so far are of no further use.
            requestIdRecords.release();
            return;
        }
        try
        {
            requestIdOut.writeUTF(id);
            requestIdOut.writeLong(number);
        }
        catch (final IOException ex)
        {
            // An id writeUTF refuses: the sorted path writes (and refuses) it as every build has.
            requestIdsInOrder = false;
            requestIdRecords.release();
        }
    }

    /** Bytes appended in memory and copied out in one write; {@link #release} drops them for good. */
    private static final class RecordBytes extends java.io.ByteArrayOutputStream
    {
        // Past this the ids are sorted at each write instead: the array never nears its 2 GiB limit.
        static final int MAX_KEPT = 1 << 30;

        void copyTo(final DataOutput out) throws IOException
        {
            out.write(buf, 0, count);
        }

        void release()
        {
            if (buf.length != 0)
            {
                buf = new byte[0];
                count = 0;
            }
        }
    }

    // The request ids ordered by their tranche numbers: as added when those rise (always, but after a snapshot that
    // held them in another order or twice), else sorted as every build has written them.
    private void writeRequestIds(final DataOutput out) throws IOException
    {
        out.writeInt(byRequestId.size());
        if (requestIdsInOrder)
        {
            requestIdRecords.copyTo(out);
            return;
        }
        final String[] ids = new String[byRequestId.size()];
        final Object2LongHashMap<String>.KeyIterator keys = byRequestId.keySet().iterator();
        for (int i = 0; keys.hasNext(); i++)
        {
            ids[i] = keys.next();
        }
        Arrays.sort(ids, (a, b) -> Long.compare(byRequestId.getValue(a), byRequestId.getValue(b)));
        for (final String id : ids)
        {
            out.writeUTF(id);
            out.writeLong(byRequestId.getValue(id));
        }
    }

    /**
     * @param bytes a state section written by {@link #snapshot}.
     * @return its format: {@link SnapshotFormat#CURRENT}, {@link SnapshotFormat#BEFORE_TREE}, or null when it is
     *         neither.
     */
    public static SnapshotFormat format(final byte[] bytes)
    {
        if (bytes.length < 4)
        {
            return null;
        }
        final int magic = java.nio.ByteBuffer.wrap(bytes).getInt(0);
        return magic == SNAPSHOT_MAGIC ? SnapshotFormat.CURRENT :
            magic == SNAPSHOT_MAGIC_V2 ? SnapshotFormat.BEFORE_TREE : null;
    }

    /**
     * Replaces an empty state by one written by {@link #snapshot}, in the current format or as builds before the
     * tree wrote it; the ledger must already hold the snapshot's tranches. A state from before the tree has no
     * attribution (its claims' creators are "") and no histories, and no tree ({@link #treeProblem}).
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
        if (magic != SNAPSHOT_MAGIC && magic != SNAPSHOT_MAGIC_V2)
        {
            throw new IOException("not a tranche state snapshot (magic=" + Integer.toHexString(magic) + ")");
        }
        final boolean current = magic == SNAPSHOT_MAGIC;
        nextPosition = in.readLong();
        final int claimCount = in.readInt();
        for (int i = 0; i < claimCount; i++)
        {
            final QueuedClaim q = QueuedClaim.read(in, current);
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
        if (!current)
        {
            // The digest chain's last digest: the tree replaced the chain, and this state has no tree yet.
            in.readFully(new byte[Rfc9162.HASH_BYTES]);
            treeProblem = "the state was written before the ledger's tree";
        }
        else
        {
            restoredTreeSize = in.readLong();
            restoredTreeRoot = new byte[Rfc9162.HASH_BYTES];
            in.readFully(restoredTreeRoot);
            treeProblem = adoptTree(restoredTreeSize, restoredTreeRoot);
        }
        final int requestIds = in.readInt();
        for (int i = 0; i < requestIds; i++)
        {
            addRequestId(in.readUTF(), in.readLong());
        }
        if (current)
        {
            histories.read(in);
        }
    }

    // ---------------------------------------------------------------- positions

    /**
     * Where a claim stands: its tier, the claims and outstanding demand of the tiers served before it and of its
     * own tier, and with {@code ifSupply} its own row of a release computed now (as {@code validate_only}).
     *
     * @param id       a claim id.
     * @param ifSupply the supply of the release to compute, or -1 for none.
     * @param policy   that release's policy.
     * @return {@link Outcome.Kind#READ} with a {@link ClaimPosition}, NOT_FOUND, or the preview's failure.
     */
    public Outcome position(final String id, final long ifSupply, final Policy policy)
    {
        final QueuedClaim claim = byId.get(id);
        if (claim == null)
        {
            return Outcome.failed(Outcome.Kind.NOT_FOUND, "claim \"" + id + "\" is not in the queue");
        }
        long ahead = 0;
        long inTier = 0;
        BigInteger demandAhead = BigInteger.ZERO;
        BigInteger demandInTier = BigInteger.ZERO;
        for (int i = 0, n = queue.size(); i < n; i++)
        {
            final QueuedClaim q = queue.get(i);
            if (q.tier < claim.tier)
            {
                ahead++;
                demandAhead = demandAhead.add(BigInteger.valueOf(q.demand));
            }
            else if (q.tier == claim.tier)
            {
                inTier++;
                demandInTier = demandInTier.add(BigInteger.valueOf(q.demand));
            }
        }
        final ClaimPosition.Builder position = ClaimPosition.newBuilder().setClaim(claim.toProto())
            .setClaimsAhead(ahead).setDemandAhead(demandAhead.toString())
            .setClaimsInTier(inTier).setDemandInTier(demandInTier.toString());
        if (ifSupply >= 0)
        {
            final Outcome preview = allocateQueue(ReleaseTrancheRequest.newBuilder().setSupply(ifSupply)
                .setPolicy(policy).setValidateOnly(true).build(), 0, "");
            if (preview.kind() != Outcome.Kind.PREVIEW)
            {
                return preview;
            }
            for (final Award award : ((Tranche)preview.value()).getAwardsList())
            {
                if (award.getId().equals(id))
                {
                    position.setAward(award);
                }
            }
        }
        return Outcome.of(Outcome.Kind.READ, position.build());
    }

    // ---------------------------------------------------------------- histories

    /**
     * @param id a claim id.
     * @return every kept change to claims with that id, oldest first, without the awards of tranches that did not
     *         serve it in full (add them with {@link #withAwards}); null when the id was never queued.
     */
    public ClaimHistory history(final String id)
    {
        return histories.get(id);
    }

    /**
     * @param kept     from {@link #history}.
     * @param ledger   the ledger.
     * @param tranches the tranches that may be read (durable ones).
     * @return the history with the awards read from the ledger; call it off the log's thread.
     */
    public static ClaimHistory withAwards(final ClaimHistory kept, final Ledger ledger, final long tranches)
    {
        return ClaimHistories.withAwards(kept, ledger, tranches);
    }

    /** @return changes kept in the claims' histories. */
    public long historySize()
    {
        return histories.size();
    }
}
