package io.tranche.server.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.DeleteClaimRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.proto.v1.UpdateClaimRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QueueStateMachineTest
{
    private static final Policy FIFO = Policy.newBuilder().setMethod(Method.FIFO).build();

    private static QueueStateMachine machine()
    {
        return machine(new InMemoryLedger());
    }

    private static QueueStateMachine machine(final Ledger ledger)
    {
        return new QueueStateMachine(ledger, 1000);
    }

    private static Outcome create(final QueueStateMachine m, final String id, final long demand)
    {
        return m.apply(new Command.CreateClaim(
            CreateClaimRequest.newBuilder().setClaim(Claim.newBuilder().setId(id).setDemand(demand)).build()), 0);
    }

    @Test
    void shouldReplayARecordedTrancheWithoutRunningTheKernelAgain()
    {
        final QueueStateMachine m = machine();
        create(m, "a", 100);
        create(m, "b", 100);
        // FIFO would give a:70 b:0; the record says otherwise and the record wins.
        Tranche recorded = Tranche.newBuilder().setNumber(1).setRequestId("r").setSupply(70).setPolicy(FIFO)
            .addAwards(Award.newBuilder().setId("a").setUnits(30).setUnmet(70))
            .addAwards(Award.newBuilder().setId("b").setUnits(40).setUnmet(60))
            .setAllocated(70).build();
        // A tranche recorded by a build before the tree carries its digest: kept as recorded, no longer checked.
        recorded = recorded.toBuilder().setDigest(com.google.protobuf.ByteString.copyFrom(new byte[32])).build();
        assertThat(m.apply(new Command.RecordTranche(recorded), 0).kind()).isEqualTo(Outcome.Kind.RELEASED);
        assertThat(m.claim("a").getDemand()).isEqualTo(70);
        assertThat(m.claim("b").getDemand()).isEqualTo(60);
        assertThat(m.ledger().get(1)).isEqualTo(recorded);
    }

    @Test
    void shouldRefuseARecordThatDoesNotFitTheQueue()
    {
        final QueueStateMachine m = machine();
        create(m, "a", 10);
        final Tranche.Builder base = Tranche.newBuilder().setNumber(1).setRequestId("r").setSupply(5).setPolicy(FIFO)
            .addAwards(Award.newBuilder().setId("a").setUnits(5));
        final Tranche good = base.build();
        assertThat(m.prepare(new Command.RecordTranche(good.toBuilder().setNumber(2).build()), 0).kind())
            .isEqualTo(Outcome.Kind.FAILED_PRECONDITION);
        assertThat(m.prepare(new Command.RecordTranche(good.toBuilder().setAwards(0,
            Award.newBuilder().setId("a").setUnits(11)).build()), 0).kind())
            .isEqualTo(Outcome.Kind.FAILED_PRECONDITION);
        assertThat(m.prepare(new Command.RecordTranche(good), 0).mutates()).isTrue();
    }

    @Test
    void shouldRejectMinusTwoToTheSixtyThreeWithItsTrueValue()
    {
        final QueueStateMachine m = machine();
        final Outcome cap = m.apply(new Command.CreateClaim(CreateClaimRequest.newBuilder().setClaim(
            Claim.newBuilder().setId("a").setDemand(5).setCap(Long.MIN_VALUE).setWeight(Long.MIN_VALUE)).build()), 0);
        assertThat(cap.kind()).isEqualTo(Outcome.Kind.INVALID);
        assertThat(cap.violations()).extracting(Outcome.Violation::field).containsExactly("claim.weight", "claim.cap");
        assertThat(cap.violations().get(1).description()).contains("-9223372036854775808");
        create(m, "a", 5);
        final Outcome update = m.apply(new Command.UpdateClaim(UpdateClaimRequest.newBuilder()
            .setClaim(Claim.newBuilder().setId("a").setCap(Long.MIN_VALUE))
            .setUpdateMask(FieldMask.newBuilder().addPaths("cap")).build()), 0);
        assertThat(update.kind()).isEqualTo(Outcome.Kind.INVALID);
        assertThat(update.violations().get(0).description()).contains("-9223372036854775808");
        assertThat(m.claim("a").hasCap()).isFalse();
    }

    @Test
    void shouldReportOnlyTheRootViolationNotAFloorComparedWithAnInvalidDemandOrCap()
    {
        final QueueStateMachine m = machine();
        final Outcome demand = m.apply(new Command.CreateClaim(CreateClaimRequest.newBuilder().setClaim(
            Claim.newBuilder().setId("omega").setDemand(-5).setFloor(10)).build()), 0);
        assertThat(demand.kind()).isEqualTo(Outcome.Kind.INVALID);
        assertThat(demand.violations()).extracting(Outcome.Violation::field).containsExactly("claim.demand");
        final Outcome cap = m.apply(new Command.CreateClaim(CreateClaimRequest.newBuilder().setClaim(
            Claim.newBuilder().setId("omega").setDemand(50).setCap(-3).setFloor(10)).build()), 0);
        assertThat(cap.violations()).extracting(Outcome.Violation::field).containsExactly("claim.cap");
        // a valid demand and floor still get compared
        final Outcome floor = m.apply(new Command.CreateClaim(CreateClaimRequest.newBuilder().setClaim(
            Claim.newBuilder().setId("omega").setDemand(5).setFloor(10)).build()), 0);
        assertThat(floor.violations()).extracting(Outcome.Violation::description)
            .containsExactly("must be <= demand 5, was 10");
    }

    @Test
    void shouldCountClaimsWhoseCapIsUsedUpAndTheDemandAboveCaps() throws IOException
    {
        final QueueStateMachine m = machine();
        m.apply(new Command.CreateClaim(CreateClaimRequest.newBuilder().setClaim(
            Claim.newBuilder().setId("capped").setDemand(150).setCap(120)).build()), 0);
        create(m, "open", 100);
        assertThat(m.unservableClaims()).isZero();
        assertThat(m.demandAboveCaps()).isEqualTo(java.math.BigInteger.valueOf(30));

        // FIFO serves "capped" up to its cap: 30 outstanding that no tranche can serve.
        assertThat(m.apply(new Command.ReleaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("r1")
            .setSupply(130).setPolicy(FIFO).build()), 0).kind()).isEqualTo(Outcome.Kind.RELEASED);
        assertThat(m.claim("capped").getCap()).isZero();
        assertThat(m.claim("capped").getDemand()).isEqualTo(30);
        assertThat(m.unservableClaims()).isEqualTo(1);
        assertThat(m.demandAboveCaps()).isEqualTo(java.math.BigInteger.valueOf(30));
        assertThat(m.outstandingDemand()).isEqualTo(java.math.BigInteger.valueOf(120));

        // the same after a snapshot and restore
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        m.snapshot(new DataOutputStream(bytes));
        final QueueStateMachine restored = machine(m.ledger());
        restored.restore(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(restored.unservableClaims()).isEqualTo(1);
        assertThat(restored.demandAboveCaps()).isEqualTo(java.math.BigInteger.valueOf(30));

        // raising the cap makes it servable again; deleting it takes it out
        m.apply(new Command.UpdateClaim(UpdateClaimRequest.newBuilder()
            .setClaim(Claim.newBuilder().setId("capped").setCap(10))
            .setUpdateMask(FieldMask.newBuilder().addPaths("cap")).build()), 0);
        assertThat(m.unservableClaims()).isZero();
        assertThat(m.demandAboveCaps()).isEqualTo(java.math.BigInteger.valueOf(20));
        m.apply(new Command.DeleteClaim(DeleteClaimRequest.newBuilder().setId("capped").build()), 0);
        assertThat(m.demandAboveCaps()).isEqualTo(java.math.BigInteger.ZERO);
    }

    @Test
    void shouldPreviewAReleaseWithoutChangingAnything() throws IOException
    {
        final QueueStateMachine m = machine();
        create(m, "a", 10);
        create(m, "b", 10);
        final byte[] before = bytes(m);
        final Outcome preview = m.apply(new Command.ReleaseTranche(ReleaseTrancheRequest.newBuilder()
            .setRequestId("r").setSupply(15).setPolicy(FIFO).setValidateOnly(true).build()), 7);
        assertThat(preview.kind()).isEqualTo(Outcome.Kind.PREVIEW);
        final Tranche t = (Tranche)preview.value();
        assertThat(t.getNumber()).isZero();
        assertThat(t.getAwardsList()).extracting(Award::getUnits).containsExactly(10L, 5L);
        assertThat(bytes(m)).isEqualTo(before);
        assertThat(m.trancheCount()).isZero();
        // The request id is not consumed: the real release gets number 1.
        final Outcome real = m.apply(new Command.ReleaseTranche(ReleaseTrancheRequest.newBuilder()
            .setRequestId("r").setSupply(15).setPolicy(FIFO).build()), 8);
        assertThat(((Tranche)real.value()).getNumber()).isEqualTo(1);
    }

    @Test
    void shouldExplainTheAnswerButRecordTheTrancheWithoutExplanationsAndWithTiers()
    {
        final QueueStateMachine m = machine();
        create(m, "a", 10);
        m.apply(new Command.CreateClaim(CreateClaimRequest.newBuilder().setClaim(
            Claim.newBuilder().setId("b").setDemand(10).setTier(1)).build()), 0);
        final Outcome released = m.apply(new Command.ReleaseTranche(ReleaseTrancheRequest.newBuilder()
            .setRequestId("r").setSupply(15).setPolicy(FIFO).setExplain(true).build()), 8);
        final Tranche answer = (Tranche)released.value();
        assertThat(answer.hasExplanation()).isTrue();
        assertThat(answer.getAwardsList()).allMatch(Award::hasExplanation);
        final Tranche recorded = ((Command.RecordTranche)released.logged()).tranche();
        assertThat(recorded.hasExplanation()).isFalse();
        assertThat(recorded.getAwardsList()).noneMatch(Award::hasExplanation);
        assertThat(recorded.getAwardsList()).extracting(Award::getTier).containsExactly(0, 1);
        assertThat(m.ledger().get(1)).isEqualTo(recorded);
        assertThat(answer.toBuilder().clearExplanation().build().getAwards(0).toBuilder().clearExplanation().build())
            .isEqualTo(recorded.getAwards(0));
    }

    @Test
    void shouldChangeNothingOnPrepareUntilCommit() throws IOException
    {
        final QueueStateMachine m = machine();
        create(m, "a", 10);
        final byte[] before = bytes(m);
        final Outcome[] prepared = {
            m.prepare(new Command.CreateClaim(CreateClaimRequest.newBuilder().setClaim(
                Claim.newBuilder().setId("b").setDemand(3)).build()), 1),
            m.prepare(new Command.UpdateClaim(UpdateClaimRequest.newBuilder().setClaim(
                Claim.newBuilder().setId("a").setDemand(3)).build()), 1),
            m.prepare(new Command.DeleteClaim(DeleteClaimRequest.newBuilder().setId("a").build()), 1),
            m.prepare(new Command.ReleaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("r").setSupply(4)
                .setPolicy(FIFO).build()), 1),
        };
        for (final Outcome o : prepared)
        {
            assertThat(o.mutates()).as(o.toString()).isTrue();
        }
        assertThat(bytes(m)).isEqualTo(before);
        assertThat(m.trancheCount()).isZero();
    }

    /** A seeded random command (ids collide on purpose: creates, updates and deletes of the same claims). */
    static Command randomCommand(final Random random)
    {
        switch (random.nextInt(4))
        {
            case 0:
                return new Command.UpdateClaim(UpdateClaimRequest.newBuilder()
                    .setClaim(Claim.newBuilder().setId("c" + random.nextInt(60)).setDemand(1 + random.nextInt(500))
                        .setTier(random.nextInt(3)))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("demand").addPaths("tier")).build());
            case 1:
                return new Command.DeleteClaim(DeleteClaimRequest.newBuilder().setId("c" + random.nextInt(60)).build());
            case 2:
                return new Command.ReleaseTranche(ReleaseTrancheRequest.newBuilder()
                    .setRequestId("r" + random.nextInt(100)).setSupply(random.nextInt(2000))
                    .setPolicy(Policy.newBuilder().setMethod(Method.forNumber(1 + random.nextInt(10)))
                        .setLot(1 + random.nextInt(3)))
                    .build());
            default:
                return new Command.CreateClaim(CreateClaimRequest.newBuilder().setClaim(Claim.newBuilder()
                    .setId("c" + random.nextInt(60)).setDemand(1 + random.nextInt(1000)).setFloor(random.nextInt(3))
                    .setWeight(random.nextInt(4))).build());
        }
    }

    @Test
    void shouldReachTheSameBytesDirectlyAndThroughSnapshotAndRestoreMidway() throws IOException
    {
        for (long seed = 1; seed <= 20; seed++)
        {
            final int commands = 600;
            final int midway = new Random(seed).nextInt(commands);
            // Once straight through.
            final QueueStateMachine direct = machine();
            final List<Outcome> directOutcomes = drive(direct, new Random(seed), 0, commands);
            // Once through a snapshot at a seeded point, restored into a fresh machine over a copy of the ledger.
            final Random random = new Random(seed);
            final QueueStateMachine first = machine();
            final List<Outcome> outcomes = drive(first, random, 0, midway);
            final InMemoryLedger copy = new InMemoryLedger();
            for (long n = 1; n <= first.trancheCount(); n++)
            {
                copy.append(first.ledger().get(n), first.ledger().leafIndex(n), RecordPlace.NONE);
            }
            for (long i = 0; i < first.ledger().tree().size(); i++)
            {
                copy.appendLeaf(first.ledger().tree().leaf(i), first.ledger().tree().leafHash(i));
            }
            final QueueStateMachine restored = machine(copy);
            restored.restore(new DataInputStream(new ByteArrayInputStream(bytes(first))));
            assertThat(restored.treeProblem()).isNull();
            assertThat(bytes(restored)).isEqualTo(bytes(first));
            outcomes.addAll(drive(restored, random, midway, commands));

            assertThat(bytes(restored)).as("seed %d", seed).isEqualTo(bytes(direct));
            assertThat(restored.ledger().tree().root()).isEqualTo(direct.ledger().tree().root());
            assertThat(direct.ledger().tree().size()).as("one leaf per change").isEqualTo(mutations(directOutcomes));
            assertThat(restored.outstandingDemand()).isEqualTo(direct.outstandingDemand());
            assertThat(restored.trancheCount()).isEqualTo(direct.trancheCount()).isPositive();
            for (long n = 1; n <= direct.trancheCount(); n++)
            {
                assertThat(restored.ledger().get(n)).isEqualTo(direct.ledger().get(n));
            }
            assertThat(outcomes).hasSameSizeAs(directOutcomes);
            for (int i = 0; i < outcomes.size(); i++)
            {
                assertThat(outcomes.get(i).toString()).isEqualTo(directOutcomes.get(i).toString());
                assertThat(outcomes.get(i).value()).isEqualTo(directOutcomes.get(i).value());
            }
        }
    }

    @Test
    void shouldRebuildTheSameStateFromTheLoggedCommands() throws IOException
    {
        final Random random = new Random(42);
        final QueueStateMachine first = machine();
        final List<Command> log = new ArrayList<>();
        final List<Long> times = new ArrayList<>();
        for (int i = 0; i < 400; i++)
        {
            final Outcome outcome = first.apply(randomCommand(random), 1_000_000L * i);
            if (outcome.mutates())
            {
                // As the writer journals it: a release as its recorded tranche.
                log.add(outcome.logged());
                times.add(1_000_000L * i);
            }
        }
        assertThat(first.trancheCount()).isPositive();
        final QueueStateMachine second = machine();
        for (int i = 0; i < log.size(); i++)
        {
            final Command decoded = Command.decode(log.get(i).type(), log.get(i).encode());
            assertThat(second.apply(decoded, times.get(i)).mutates()).isTrue();
        }
        assertThat(bytes(second)).isEqualTo(bytes(first));
        assertThat(second.outstandingDemand()).isEqualTo(first.outstandingDemand());
    }

    private static List<Outcome> drive(final QueueStateMachine m, final Random random, final int from, final int to)
    {
        final List<Outcome> outcomes = new ArrayList<>();
        for (int i = from; i < to; i++)
        {
            outcomes.add(m.apply(randomCommand(random), 1_000_000L * i));
        }
        return outcomes;
    }

    private static long mutations(final List<Outcome> outcomes)
    {
        long n = 0;
        for (final Outcome o : outcomes)
        {
            n += o.mutates() ? 1 : 0;
        }
        return n;
    }

    static byte[] bytes(final QueueStateMachine m) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.snapshot(new DataOutputStream(out));
        return out.toByteArray();
    }
}
