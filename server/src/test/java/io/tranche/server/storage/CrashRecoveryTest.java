package io.tranche.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.DeleteClaimRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.proto.v1.UpdateClaimRequest;
import io.tranche.server.RobustnessSupport;
import io.tranche.server.ledger.LedgerChild;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety with a real child process: the server runs as a separate JVM on one data directory; several client
 * threads drive claim mutations and releases, recording every acknowledged result; the child is killed with
 * SIGKILL at a seeded random moment and restarted on the same directory, a few times over. After every restart:
 * every acknowledged mutation is there, no tranche is lost or doubled (numbers 1..N, each request id once, each
 * acknowledged tranche recorded exactly as it was acknowledged), and for every claim the demand it was created
 * with equals its outstanding demand plus what the ledger awarded it (claims fully served are gone from the queue
 * and are accounted for by the ledger alone). The in-flight calls at the kill are uncertain: each may or may not
 * have happened, and the check accepts exactly those two outcomes; in-flight releases are then retried with the
 * same request id. Seed: {@code -Dtranche.crash.seed=N}; rounds: {@code -Dtranche.crash.kills=N} (4).
 */
@Tag("slow")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CrashRecoveryTest
{
    private static final long SEED = Long.getLong("tranche.crash.seed", 0x7_2026_1129L);
    /** SIGKILL rounds; more than 4 need {@code -Djunit.jupiter.execution.timeout.mode=disabled}. */
    private static final int KILLS = Integer.getInteger("tranche.crash.kills", 4);
    private static final int THREADS = 4;
    private static final Method[] METHODS =
        {Method.PROPORTIONAL, Method.EQUAL, Method.FIFO, Method.DHONDT, Method.SAINTE_LAGUE};

    @TempDir
    Path dir;

    @Test
    void shouldKeepEveryAcknowledgedMutationAndNeverLoseOrDoubleATrancheAcrossSigkill() throws Exception
    {
        final Random random = new Random(SEED);
        final Path data = dir.resolve("data");
        final Model model = new Model();
        final List<String> summary = new ArrayList<>();
        for (int kill = 0; kill < KILLS; kill++)
        {
            final Child child = Child.start(dir, data, "run-" + kill);
            try
            {
                model.verifyAndResolve(child.address, "after restart " + kill);
                final int killAfter = 350 + random.nextInt(500);
                final int before = model.acknowledged.get();
                final Workload workload = new Workload(model, child, kill, random.nextLong(), killAfter);
                workload.runUntilKilled();
                summary.add("run " + kill + ": killed after " + (model.acknowledged.get() - before) +
                    " acknowledged calls " +
                    "(target " + killAfter + "), " + workload.uncertain.get() + " in flight");
                assertThat(workload.unexpected).as("unexpected failures while running").isEmpty();
            }
            finally
            {
                child.kill();
            }
        }
        // A last restart checks the final state, then a graceful stop (SIGTERM) must flush and exit 0,
        // and a restart after it must show the same state again.
        final Child last = Child.start(dir, data, "final");
        model.verifyAndResolve(last.address, "after the last kill");
        final Snapshot before = Snapshot.read(last.address);
        assertThat(last.terminate()).as("exit status after SIGTERM").isZero();
        final Child again = Child.start(dir, data, "after-sigterm");
        try
        {
            model.verifyAndResolve(again.address, "after a graceful stop");
            assertThat(Snapshot.read(again.address)).isEqualTo(before);
        }
        finally
        {
            again.kill();
        }
        System.out.println("CrashRecoveryTest seed " + SEED + ": " + String.join("; ", summary) + "; total " +
            model.acknowledged.get() + " acknowledged calls (" + model.byKind.get(0) + " creates, " +
            model.byKind.get(1) +
            " updates, " + model.byKind.get(2) + " deletes, " + model.byKind.get(3) + " releases), " +
            model.claims.size() + " claims, " +
            model.releases.size() + " tranches checked");
        assertThat(model.releases).as("releases happened").isNotEmpty();
    }

    /** Everything the clients know: acknowledged results and the calls whose outcome the kill left open. */
    static final class Model
    {
        final Map<String, ClaimModel> claims = new ConcurrentHashMap<>();
        /** Acknowledged releases by request id, as they were acknowledged. */
        final Map<String, Tranche> releases = new ConcurrentHashMap<>();
        /** Releases sent but not answered before the kill. */
        final Map<String, ReleaseTrancheRequest> uncertainReleases = new ConcurrentHashMap<>();
        final AtomicInteger acknowledged = new AtomicInteger();
        /** Acknowledged creates, updates, deletes and releases. */
        final java.util.concurrent.atomic.AtomicIntegerArray byKind =
            new java.util.concurrent.atomic.AtomicIntegerArray(4);

        void verifyAndResolve(final String address, final String when)
        {
            final List<String> problems = new ArrayList<>();
            final ManagedChannel channel = RobustnessSupport.channel(address);
            try
            {
                final List<Tranche> ledger = RobustnessSupport.allTranches(channel);
                final Map<String, Long> awarded = new HashMap<>();
                final Map<String, Tranche> byRequest = new HashMap<>();
                checkLedger(ledger, awarded, byRequest, problems);
                checkReleases(ledger, byRequest, problems);

                final Map<String, Claim> present = checkQueue(RobustnessSupport.allClaims(channel), problems);
                for (final ClaimModel m : claims.values())
                {
                    m.resolve(present.get(m.id), awarded.getOrDefault(m.id, 0L), awarded.containsKey(m.id), problems);
                }
                claims.values().removeIf(m -> m.state == State.NEVER);

                if (!problems.isEmpty())
                {
                    throw new AssertionError(when + ": " + problems.size() + " problem(s):\n  " +
                        String.join("\n  ", problems.subList(0, Math.min(30, problems.size()))));
                }
                retryUncertainReleases(channel, ledger, byRequest);
            }
            finally
            {
                RobustnessSupport.close(channel);
            }
        }

        /** Numbers without gaps, one tranche per request id, awards to known claims that add up. */
        private void checkLedger(
            final List<Tranche> ledger, final Map<String, Long> awarded, final Map<String, Tranche> byRequest,
            final List<String> problems)
        {
            for (int i = 0; i < ledger.size(); i++)
            {
                final Tranche t = ledger.get(i);
                if (t.getNumber() != i + 1)
                {
                    problems.add("tranche at index " + i + " has number " + t.getNumber() + " (lost or doubled)");
                }
                if (byRequest.put(t.getRequestId(), t) != null)
                {
                    problems.add("request id " + t.getRequestId() + " recorded twice (tranche " + t.getNumber() + ")");
                }
                long sum = 0;
                final Set<String> ids = new HashSet<>();
                for (final Award a : t.getAwardsList())
                {
                    sum += a.getUnits();
                    awarded.merge(a.getId(), a.getUnits(), Long::sum);
                    if (!ids.add(a.getId()))
                    {
                        problems.add("tranche " + t.getNumber() + " awards " + a.getId() + " twice");
                    }
                    if (!claims.containsKey(a.getId()))
                    {
                        problems.add("tranche " + t.getNumber() + " awards unknown claim " + a.getId());
                    }
                }
                if (sum != t.getAllocated() || t.getAllocated() + t.getUnallocated() != t.getSupply())
                {
                    problems.add("tranche " + t.getNumber() + " does not add up: awards " + sum + ", allocated " +
                        t.getAllocated() + ", unallocated " + t.getUnallocated() + ", supply " + t.getSupply());
                }
            }
        }

        /** Every acknowledged release recorded unchanged; an unanswered one, if recorded, with its parameters. */
        private void checkReleases(
            final List<Tranche> ledger, final Map<String, Tranche> byRequest, final List<String> problems)
        {
            for (final Tranche acked : releases.values())
            {
                final Tranche recorded = byRequest.get(acked.getRequestId());
                if (recorded == null)
                {
                    problems.add("acknowledged tranche " + acked.getNumber() + " (" + acked.getRequestId() + ") lost");
                }
                else if (!recorded.equals(acked))
                {
                    problems.add("tranche " + acked.getRequestId() + " changed: acknowledged " + acked +
                        " recorded " + recorded);
                }
            }
            for (final ReleaseTrancheRequest r : uncertainReleases.values())
            {
                final Tranche recorded = byRequest.get(r.getRequestId());
                if (recorded != null &&
                    (recorded.getSupply() != r.getSupply() || !recorded.getPolicy().equals(r.getPolicy())))
                {
                    problems.add("tranche " + r.getRequestId() + " recorded with other parameters: " + recorded);
                }
            }
            if (byRequest.size() != ledger.size() || ledger.size() < releases.size())
            {
                problems.add("ledger of " + ledger.size() + " tranches for " + releases.size() +
                    " acknowledged releases");
            }
        }

        /** @return the queued claims by id, after checking each is listed once, in order, and should be there. */
        private Map<String, Claim> checkQueue(final List<Claim> queue, final List<String> problems)
        {
            final Map<String, Claim> present = new HashMap<>();
            long previousPosition = Long.MIN_VALUE;
            for (final Claim c : queue)
            {
                if (present.put(c.getId(), c) != null)
                {
                    problems.add("claim " + c.getId() + " listed twice");
                }
                if (c.getPosition() <= previousPosition)
                {
                    problems.add("queue order broken at " + c.getId() + ": position " + c.getPosition() + " after " +
                        previousPosition);
                }
                previousPosition = c.getPosition();
                final ClaimModel m = claims.get(c.getId());
                if (m == null || m.state == State.DELETED || m.state == State.SERVED || m.state == State.NEVER)
                {
                    problems.add("claim " + c.getId() + " is queued but should not be: " +
                        (m == null ? "never created" : m.state));
                }
            }
            return present;
        }

        /**
         * Retrying an unanswered release with the same request id is what a client does: it must either return
         * the recorded tranche or release it now, once.
         */
        private void retryUncertainReleases(
            final ManagedChannel channel, final List<Tranche> ledger, final Map<String, Tranche> byRequest)
        {
            for (final ReleaseTrancheRequest r : new ArrayList<>(uncertainReleases.values()))
            {
                final Tranche recorded = byRequest.get(r.getRequestId());
                final Tranche answer = RobustnessSupport.queue(channel).releaseTranche(r);
                if (recorded != null)
                {
                    assertThat(answer).as("retried release " + r.getRequestId()).isEqualTo(recorded);
                }
                else
                {
                    assertThat(answer.getNumber()).as("retried release " + r.getRequestId())
                        .isEqualTo(ledger.size() + 1);
                    ledger.add(answer);
                }
                releases.put(r.getRequestId(), answer);
                uncertainReleases.remove(r.getRequestId());
            }
        }
    }

    enum State
    {
        /** Create sent, no answer. */
        CREATING,
        /** Acknowledged, in the queue as far as the client knows. */
        LIVE,
        /** Delete sent, no answer. */
        DELETING,
        /** Delete acknowledged. */
        DELETED,
        /** Fully served by releases: gone from the queue, accounted for by the ledger. */
        SERVED,
        /** Its create was lost with the kill (never acknowledged): as if never sent. */
        NEVER
    }

    /** One claim as its owning thread knows it; only that thread changes it while the workload runs. */
    static final class ClaimModel
    {
        final String id;
        final long demand;
        State state = State.CREATING;
        /** The updatable fields as last acknowledged: tier, weight, cap (null = absent), floor. */
        Fields fields;
        /** An update sent but not answered, or null. */
        Fields pending;
        /** Update or delete answered NOT_FOUND: the claim must have been fully served. */
        boolean suspectedServed;

        ClaimModel(final String id, final long demand, final Fields fields)
        {
            this.id = id;
            this.demand = demand;
            this.fields = fields;
        }

        void resolve(final Claim c, final long awarded, final boolean mentioned, final List<String> problems)
        {
            if (awarded > demand)
            {
                problems.add(id + ": awarded " + awarded + " > demand " + demand);
            }
            switch (state)
            {
                case CREATING:
                    if (c != null)
                    {
                        state = State.LIVE;
                        checkLive(c, awarded, problems);
                    }
                    else if (awarded == demand)
                    {
                        state = State.SERVED;
                    }
                    else if (awarded == 0 && !mentioned)
                    {
                        state = State.NEVER;
                    }
                    else
                    {
                        problems.add(id + ": unacknowledged create is in the ledger (" + awarded + " awarded of " +
                            demand +
                            ") but not in the queue");
                    }
                    break;
                case LIVE:
                    if (c != null)
                    {
                        if (suspectedServed)
                        {
                            problems.add(id + ": NOT_FOUND was answered for it, but it is queued");
                        }
                        checkLive(c, awarded, problems);
                    }
                    else if (awarded == demand)
                    {
                        state = State.SERVED;
                    }
                    else
                    {
                        problems.add(id + ": acknowledged claim lost (ledger awarded " + awarded + " of " + demand +
                            ")");
                    }
                    break;
                case DELETING:
                    if (c != null)
                    {
                        state = State.LIVE;
                        checkLive(c, awarded, problems);
                    }
                    else
                    {
                        state = State.DELETED;
                    }
                    break;
                case DELETED:
                case SERVED:
                case NEVER:
                    if (c != null)
                    {
                        problems.add(id + ": " + state + " but queued: " + c);
                    }
                    break;
                default:
                    throw new IllegalStateException(state.name());
            }
            pending = null;
            suspectedServed = false;
        }

        private void checkLive(final Claim c, final long awarded, final List<String> problems)
        {
            if (c.getDemand() + awarded != demand)
            {
                problems.add(id + ": created with demand " + demand + " but outstanding " + c.getDemand() +
                    " + ledger awards " +
                    awarded);
            }
            if (c.getAwarded() != awarded)
            {
                problems.add(id + ": awarded field " + c.getAwarded() + " but the ledger awarded " + awarded);
            }
            final Fields now = Fields.of(c);
            if (now.matches(fields))
            {
                return;
            }
            if (pending != null && now.matches(pending))
            {
                fields = pending;
                return;
            }
            problems.add(id + ": fields " + now + " are neither the acknowledged " + fields + " nor the unanswered " +
                pending);
        }
    }

    /**
     * The updatable fields other than demand. The server keeps a queued claim's cap (like its demand and floor) as
     * an outstanding amount that each award lowers, so a cap is compared as "present, and at most the value set".
     */
    record Fields(int tier, Long weight, Long cap, long floor)
    {
        static Fields of(final Claim c)
        {
            return new Fields(c.getTier(), c.hasWeight() ? c.getWeight() : null, c.hasCap() ? c.getCap() : null,
                c.getFloor());
        }

        /** @param set the fields as last set. @return true when this state can follow from them through awards. */
        boolean matches(final Fields set)
        {
            return tier == set.tier && java.util.Objects.equals(weight, set.weight) && floor == set.floor &&
                (cap == null ? set.cap == null : set.cap != null && cap >= 0 && cap <= set.cap);
        }
    }

    /** The client threads of one run, until the kill. */
    static final class Workload
    {
        final Model model;
        final Child child;
        final int run;
        final long seed;
        final int killAfter;
        final AtomicBoolean killed = new AtomicBoolean();
        final AtomicInteger uncertain = new AtomicInteger();
        final List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());

        Workload(final Model model, final Child child, final int run, final long seed, final int killAfter)
        {
            this.model = model;
            this.child = child;
            this.run = run;
            this.seed = seed;
            this.killAfter = killAfter;
        }

        void runUntilKilled() throws Exception
        {
            final int start = model.acknowledged.get();
            final Thread[] threads = new Thread[THREADS];
            final ManagedChannel[] channels = new ManagedChannel[THREADS];
            for (int t = 0; t < THREADS; t++)
            {
                // One channel per thread: separate connections, as separate clients would have.
                channels[t] = RobustnessSupport.channel(child.address);
                final int thread = t;
                final Random random = new Random(seed + t);
                threads[t] = new Thread(() -> work(thread, channels[thread], random), "crash-client-" + t);
                threads[t].start();
            }
            try
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (model.acknowledged.get() - start < killAfter && System.nanoTime() < deadline &&
                    anyAlive(threads))
                {
                    Thread.onSpinWait();
                    Thread.sleep(0, 100_000);
                }
                killed.set(true);
                child.kill();
                for (final Thread t : threads)
                {
                    t.join(60_000);
                    assertThat(t.isAlive()).as(t.getName() + " still running after the kill").isFalse();
                }
            }
            finally
            {
                for (final ManagedChannel c : channels)
                {
                    RobustnessSupport.close(c);
                }
            }
        }

        private static boolean anyAlive(final Thread[] threads)
        {
            for (final Thread t : threads)
            {
                if (t.isAlive())
                {
                    return true;
                }
            }
            return false;
        }

        private void work(final int thread, final ManagedChannel channel, final Random random)
        {
            final List<ClaimModel> mine = new ArrayList<>();
            int n = 0;
            while (true)
            {
                final String prefix = "t" + thread + "-r" + run + "-" + (n++);
                final int dice = random.nextInt(100);
                final List<ClaimModel> live = new ArrayList<>();
                for (final ClaimModel m : mine)
                {
                    if (m.state == State.LIVE && !m.suspectedServed)
                    {
                        live.add(m);
                    }
                }
                try
                {
                    final int kind;
                    if (dice < 40 || live.isEmpty() && dice < 85)
                    {
                        create(channel, random, prefix, mine);
                        kind = 0;
                    }
                    else if (dice < 65 && !live.isEmpty())
                    {
                        update(channel, random, live.get(random.nextInt(live.size())));
                        kind = 1;
                    }
                    else if (dice < 80 && !live.isEmpty())
                    {
                        delete(channel, live.get(random.nextInt(live.size())));
                        kind = 2;
                    }
                    else
                    {
                        release(channel, random, prefix);
                        kind = 3;
                    }
                    model.byKind.incrementAndGet(kind);
                    model.acknowledged.incrementAndGet();
                }
                catch (final StatusRuntimeException ex)
                {
                    if (killed.get())
                    {
                        uncertain.incrementAndGet();
                        return;
                    }
                    unexpected.add(prefix + ": " + ex.getStatus());
                    return;
                }
            }
        }

        private void create(final ManagedChannel channel, final Random random, final String id,
            final List<ClaimModel> mine)
        {
            final long demand = 1 + random.nextInt(20_000);
            final Fields fields = randomFields(random, demand);
            final ClaimModel m = new ClaimModel(id, demand, fields);
            mine.add(m);
            model.claims.put(id, m);
            final Claim.Builder claim =
                Claim.newBuilder().setId(id).setDemand(demand).setTier(fields.tier()).setFloor(fields.floor());
            if (fields.weight() != null)
            {
                claim.setWeight(fields.weight());
            }
            if (fields.cap() != null)
            {
                claim.setCap(fields.cap());
            }
            final Claim created =
                RobustnessSupport.queue(channel).createClaim(CreateClaimRequest.newBuilder().setClaim(claim).build());
            if (!Fields.of(created).equals(fields) || created.getDemand() != demand || !created.getId().equals(id) ||
                created.getAwarded() != 0)
            {
                unexpected.add(id + ": create answered " + created);
            }
            m.state = State.LIVE;
        }

        private void update(final ManagedChannel channel, final Random random, final ClaimModel m)
        {
            final Fields next = randomFields(random, m.demand);
            final FieldMask.Builder mask = FieldMask.newBuilder();
            final Claim.Builder claim = Claim.newBuilder().setId(m.id);
            // A random subset of the fields; those outside the mask keep their value.
            final Fields merged = new Fields(
                random.nextBoolean() ? next.tier() : m.fields.tier(),
                random.nextBoolean() ? next.weight() : m.fields.weight(),
                random.nextBoolean() ? next.cap() : m.fields.cap(),
                m.fields.floor());
            if (merged.tier() != m.fields.tier() || random.nextInt(4) == 0)
            {
                mask.addPaths("tier");
                claim.setTier(merged.tier());
            }
            if (!java.util.Objects.equals(merged.weight(), m.fields.weight()) || random.nextInt(4) == 0)
            {
                mask.addPaths("weight");
                if (merged.weight() != null)
                {
                    claim.setWeight(merged.weight());
                }
            }
            if (!java.util.Objects.equals(merged.cap(), m.fields.cap()) || mask.getPathsCount() == 0)
            {
                mask.addPaths("cap");
                if (merged.cap() != null)
                {
                    claim.setCap(merged.cap());
                }
            }
            m.pending = merged;
            try
            {
                final Claim updated = RobustnessSupport.queue(channel).updateClaim(
                    UpdateClaimRequest.newBuilder().setClaim(claim).setUpdateMask(mask).build());
                // A cap in the mask is set exactly; one outside it may have been lowered by awards since.
                final boolean capSet = mask.getPathsList().contains("cap");
                if (capSet ? !Fields.of(updated).equals(merged) : !Fields.of(updated).matches(merged))
                {
                    unexpected.add(m.id + ": update to " + merged + " answered " + updated);
                }
                m.fields = merged;
                m.pending = null;
            }
            catch (final StatusRuntimeException ex)
            {
                if (ex.getStatus().getCode() != Status.Code.NOT_FOUND)
                {
                    throw ex;
                }
                // Fully served by a release from another thread since we last looked.
                m.pending = null;
                m.suspectedServed = true;
            }
        }

        private void delete(final ManagedChannel channel, final ClaimModel m)
        {
            m.state = State.DELETING;
            try
            {
                RobustnessSupport.queue(channel).deleteClaim(DeleteClaimRequest.newBuilder().setId(m.id).build());
                m.state = State.DELETED;
            }
            catch (final StatusRuntimeException ex)
            {
                if (ex.getStatus().getCode() != Status.Code.NOT_FOUND)
                {
                    throw ex;
                }
                m.state = State.LIVE;
                m.suspectedServed = true;
            }
        }

        private void release(final ManagedChannel channel, final Random random, final String requestId)
        {
            final ReleaseTrancheRequest request = ReleaseTrancheRequest.newBuilder()
                .setRequestId(requestId)
                .setSupply(1_000 + random.nextInt(60_000))
                .setPolicy(Policy.newBuilder().setMethod(METHODS[random.nextInt(METHODS.length)])
                    .setLot(random.nextInt(3) == 0 ? 8 : 1))
                .build();
            model.uncertainReleases.put(requestId, request);
            final Tranche t = RobustnessSupport.queue(channel).releaseTranche(request);
            model.releases.put(requestId, t);
            model.uncertainReleases.remove(requestId);
        }

        private static Fields randomFields(final Random random, final long demand)
        {
            // Floors stay 0: a floor above the cap would make every later release invalid for the whole queue.
            return new Fields(
                random.nextInt(3),
                random.nextBoolean() ? null : (long)(1 + random.nextInt(100)),
                random.nextBoolean() ? null :
                (long)(1 + random.nextInt((int)Math.min(Integer.MAX_VALUE - 1, 2 * demand))),
                0);
        }
    }

    /** The queue and ledger as read, for comparing before and after a graceful restart. */
    record Snapshot(List<Claim> claims, List<Tranche> tranches)
    {
        static Snapshot read(final String address)
        {
            final ManagedChannel channel = RobustnessSupport.channel(address);
            try
            {
                return new Snapshot(RobustnessSupport.allClaims(channel), RobustnessSupport.allTranches(channel));
            }
            finally
            {
                RobustnessSupport.close(channel);
            }
        }
    }

    /** {@code tranche serve} in a child JVM. */
    static final class Child
    {
        final Process process;
        final String address;

        private Child(final Process process, final String address)
        {
            this.process = process;
            this.address = address;
        }

        static Child start(final Path dir, final Path data, final String name) throws IOException, InterruptedException
        {
            final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            final Path err = dir.resolve(name + ".err");
            final ProcessBuilder builder = new ProcessBuilder(
                java, "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "io.tranche.server.cli.Main", "serve", "--listen", "127.0.0.1:0", "--data-dir", data.toString(),
                // Frequent snapshots: recovery then reads a snapshot plus a journal tail, as a long-running server
                // would.
                "--snapshot-every", "400")
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE);
            final Process process = builder.start();
            final CompletableFuture<String> listening = LedgerChild.listeningAddress(process, "child-stdout-" + name);
            final String address;
            try
            {
                address = listening.get(90, TimeUnit.SECONDS);
            }
            catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex)
            {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(name + ": no listening line; stderr:\n" + Files.readString(err), ex);
            }
            if (address == null)
            {
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(name + ": the server exited (" +
                    (process.isAlive() ? "?" : process.exitValue()) +
                    ") before listening; stderr:\n" + Files.readString(err));
            }
            return new Child(process, address);
        }

        /** SIGKILL on Linux: no shutdown hook, no flush. */
        void kill() throws InterruptedException
        {
            if (process.isAlive())
            {
                process.destroyForcibly();
            }
            process.waitFor(30, TimeUnit.SECONDS);
        }

        /** SIGTERM: a graceful stop. @return the exit status. */
        int terminate() throws InterruptedException
        {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("no exit within 60 s of SIGTERM");
            }
            return process.exitValue();
        }
    }
}
