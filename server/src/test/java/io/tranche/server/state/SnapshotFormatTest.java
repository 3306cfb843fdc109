package io.tranche.server.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.ClaimChange;
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
import org.junit.jupiter.api.Test;

/**
 * The state's snapshot formats: the one builds before the ledger's tree and attribution wrote ("TRS2") is still
 * read, and still written byte for byte for comparison with their snapshots; the current one carries attribution,
 * the tree's head and the histories, and restores to the same bytes.
 */
class SnapshotFormatTest
{
    private static final Policy EQUAL = Policy.newBuilder().setMethod(Method.EQUAL).build();

    private static QueueStateMachine machine(final InMemoryLedger ledger)
    {
        return new QueueStateMachine(ledger, 1000);
    }

    // Unnamed commands without salt seeds: what a journal or a cluster log written before names and the tree holds.
    private static void playUnnamed(final QueueStateMachine m)
    {
        m.apply(new Command.CreateClaim(create("a", 100)), 1_000L);
        m.apply(new Command.CreateClaim(create("b", 40)), 2_000L);
        m.apply(new Command.ReleaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("r1").setSupply(30)
            .setPolicy(EQUAL).build()), 3_000L);
        m.apply(new Command.UpdateClaim(UpdateClaimRequest.newBuilder().setClaim(Claim.newBuilder().setId("b")
            .setDemand(20)).setUpdateMask(com.google.protobuf.FieldMask.newBuilder().addPaths("demand")).build()),
            4_000L);
    }

    private static CreateClaimRequest create(final String id, final long demand)
    {
        return CreateClaimRequest.newBuilder().setClaim(Claim.newBuilder().setId(id).setDemand(demand)).build();
    }

    @Test
    void shouldWriteTheOldFormatByteForByte() throws Exception
    {
        final InMemoryLedger ledger = new InMemoryLedger();
        final QueueStateMachine m = machine(ledger);
        playUnnamed(m);
        m.apply(new Command.CreateClaim(create("c", 5), "alpha"), 5_000L);
        final byte[] old = snapshot(m, QueueStateMachine.SnapshotFormat.BEFORE_TREE);
        assertThat(old).as("the layout builds before the tree wrote").isEqualTo(format2(m, ledger));
        assertThat(QueueStateMachine.format(old)).isEqualTo(QueueStateMachine.SnapshotFormat.BEFORE_TREE);
        assertThat(QueueStateMachine.format(snapshot(m))).isEqualTo(QueueStateMachine.SnapshotFormat.CURRENT);
    }

    @Test
    void shouldRestoreTheOldFormatWithNoAttributionAndGoOnFromIt() throws Exception
    {
        final InMemoryLedger ledger = new InMemoryLedger();
        final QueueStateMachine old = machine(ledger);
        playUnnamed(old);
        final QueueStateMachine restored = machine(ledger);
        restored.restore(new DataInputStream(new ByteArrayInputStream(format2(old, ledger))));
        assertThat(restored.treeProblem()).contains("before the ledger's tree");
        assertThat(restored.claim("a").getCreatedBy()).isEmpty();
        assertThat(restored.claim("a").hasCreateTime()).isFalse();
        assertThat(restored.history("a")).as("no history in a snapshot from before").isNull();
        assertThat(snapshot(restored, QueueStateMachine.SnapshotFormat.BEFORE_TREE))
            .isEqualTo(snapshot(old, QueueStateMachine.SnapshotFormat.BEFORE_TREE));

        restored.apply(new Command.DeleteClaim(DeleteClaimRequest.newBuilder().setId("a").build(), "ops"), 6_000L);
        assertThat(restored.history("a").getChangesList()).extracting(ClaimChange::getKind, ClaimChange::getPrincipal)
            .containsExactly(org.assertj.core.groups.Tuple.tuple(ClaimChange.Kind.DELETED, "ops"));
    }

    @Test
    void shouldTakeAttributionAndHistoriesFromAReplayOfTheJournal() throws Exception
    {
        final InMemoryLedger ledger = new InMemoryLedger();
        final QueueStateMachine replayed = machine(ledger);
        playUnnamed(replayed);
        replayed.apply(new Command.CreateClaim(create("c", 5), "alpha"), 5_000L);
        final QueueStateMachine restored = machine(ledger);
        restored.restore(new DataInputStream(new ByteArrayInputStream(
            snapshot(replayed, QueueStateMachine.SnapshotFormat.BEFORE_TREE))));
        assertThat(snapshot(restored)).as("without attribution").isNotEqualTo(snapshot(replayed));
        restored.adoptAttribution(replayed);
        assertThat(snapshot(restored)).isEqualTo(snapshot(replayed));
        assertThat(restored.claim("c").getCreatedBy()).isEqualTo("alpha");
    }

    @Test
    void shouldRestoreTheCurrentFormatToTheSameBytesWithHistoriesAndNames() throws Exception
    {
        final InMemoryLedger ledger = new InMemoryLedger();
        final QueueStateMachine m = machine(ledger);
        playUnnamed(m);
        m.apply(new Command.CreateClaim(create("c", 5), "alpha"), 5_000L);
        m.apply(new Command.ReleaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("r2").setSupply(500)
            .setPolicy(EQUAL).build(), "ops"), 7_000L);
        final Tranche second = ledger.get(2);
        assertThat(second.getReleasedBy()).isEqualTo("ops");
        final byte[] bytes = snapshot(m);
        final QueueStateMachine restored = machine(ledger);
        restored.restore(new DataInputStream(new ByteArrayInputStream(bytes)));
        assertThat(restored.treeProblem()).isNull();
        assertThat(snapshot(restored)).isEqualTo(bytes);
        assertThat(restored.history("c")).isEqualTo(m.history("c"));
        assertThat(restored.history("c").getChangesList()).extracting(ClaimChange::getKind)
            .containsExactly(ClaimChange.Kind.CREATED, ClaimChange.Kind.SERVED);
        assertThat(restored.history("a").getChanges(0).getTime().getNanos()).isEqualTo(1_000);
    }

    @Test
    void shouldWriteTheRequestIdsInTrancheOrderAfterManyReleases() throws Exception
    {
        final InMemoryLedger ledger = new InMemoryLedger();
        final QueueStateMachine m = machine(ledger);
        m.apply(new Command.CreateClaim(create("a", Long.MAX_VALUE / 2)), 1_000L);
        final java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 300; i++)
        {
            // Ids whose hash order is not their tranche order.
            m.apply(new Command.ReleaseTranche(ReleaseTrancheRequest.newBuilder()
                .setRequestId(Long.toString(random.nextLong(), 36)).setSupply(1).setPolicy(EQUAL).build()),
                2_000L + i);
        }
        assertThat(ledger.count()).isEqualTo(300);
        assertThat(snapshot(m, QueueStateMachine.SnapshotFormat.BEFORE_TREE)).isEqualTo(format2(m, ledger, false));
        final QueueStateMachine restored = machine(ledger);
        restored.restore(new DataInputStream(new ByteArrayInputStream(snapshot(m))));
        assertThat(snapshot(restored)).isEqualTo(snapshot(m));
    }

    @Test
    void shouldWriteTheHistoriesInIdOrderWhenIdsArriveBetweenSnapshots() throws Exception
    {
        final InMemoryLedger ledger = new InMemoryLedger();
        final QueueStateMachine m = new QueueStateMachine(ledger, 100_000);
        final java.util.Random random = new java.util.Random(11);
        final java.util.TreeSet<String> ids = new java.util.TreeSet<>();
        byte[] last = null;
        for (int round = 0; round < 6; round++)
        {
            for (int i = 0; i < 50 * round; i++)
            {
                // Twelve digits each: no id is a part of another, so an id's first place in the bytes is its key's.
                final String id = "c" + (100_000_000_000L + random.nextLong(900_000_000_000L));
                ids.add(id);
                m.apply(new Command.CreateClaim(create(id, 5)), 1_000L + i);
            }
            last = snapshot(m);
            final QueueStateMachine restored = new QueueStateMachine(ledger, 100_000);
            restored.restore(new DataInputStream(new ByteArrayInputStream(last)));
            assertThat(snapshot(restored)).isEqualTo(last);
        }
        final String text = new String(last, java.nio.charset.StandardCharsets.ISO_8859_1);
        // Each id is written twice: in the queue (in creation order), then as its history's key.
        int histories = 0;
        for (final String id : ids)
        {
            histories = Math.max(histories, text.indexOf(id) + 1);
        }
        int at = histories;
        for (final String id : ids)
        {
            final int next = text.indexOf(id, histories);
            assertThat(next).as("history of " + id + " after the one before it").isGreaterThanOrEqualTo(at);
            at = next;
        }
    }

    @Test
    void shouldSortRequestIdsThatASnapshotHeldOutOfOrder() throws Exception
    {
        final InMemoryLedger ledger = new InMemoryLedger();
        final QueueStateMachine old = machine(ledger);
        playUnnamed(old);
        old.apply(new Command.ReleaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("r0").setSupply(3)
            .setPolicy(EQUAL).build()), 5_000L);
        final QueueStateMachine restored = machine(ledger);
        restored.restore(new DataInputStream(new ByteArrayInputStream(format2(old, ledger, true))));
        assertThat(snapshot(restored, QueueStateMachine.SnapshotFormat.BEFORE_TREE))
            .as("tranche 2's id first in the snapshot, still written after tranche 1's")
            .isEqualTo(format2(old, ledger, false));
    }

    private static byte[] snapshot(final QueueStateMachine m) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        m.snapshot(new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    private static byte[] snapshot(final QueueStateMachine m, final QueueStateMachine.SnapshotFormat format)
        throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        m.snapshot(new DataOutputStream(bytes), format);
        return bytes.toByteArray();
    }

    /** The format-2 layout as the builds before attribution wrote it, written out field by field here. */
    private static byte[] format2(final QueueStateMachine m, final InMemoryLedger ledger) throws IOException
    {
        return format2(m, ledger, false);
    }

    private static byte[] format2(final QueueStateMachine m, final InMemoryLedger ledger, final boolean reversed)
        throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x54525332);
        final java.util.List<Claim> claims = new java.util.ArrayList<>();
        m.listClaims(0, 1000, claims);
        long next = 0;
        for (final Claim c : claims)
        {
            next = Math.max(next, c.getPosition() + 1);
        }
        out.writeLong(next);
        out.writeInt(claims.size());
        for (final Claim c : claims)
        {
            out.writeUTF(c.getId());
            out.writeLong(c.getDemand());
            out.writeLong(c.hasWeight() ? c.getWeight() : Long.MIN_VALUE);
            out.writeInt(c.getTier());
            out.writeLong(c.hasCap() ? c.getCap() : Long.MIN_VALUE);
            out.writeLong(c.getFloor());
            out.writeLong(c.getPosition());
            out.writeLong(c.getAwarded());
        }
        out.writeLong(ledger.count());
        out.write(ledger.get(ledger.count()).getDigest().toByteArray());
        out.writeInt((int)ledger.count());
        for (long i = 1; i <= ledger.count(); i++)
        {
            final long n = reversed ? ledger.count() + 1 - i : i;
            out.writeUTF(ledger.get(n).getRequestId());
            out.writeLong(n);
        }
        return bytes.toByteArray();
    }
}
