package io.tranche.server.state;

import com.google.protobuf.Timestamp;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.ClaimChange;
import io.tranche.proto.v1.ClaimHistory;
import io.tranche.proto.v1.Tranche;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.agrona.collections.Object2ObjectHashMap;

/**
 * Who changed each claim id, when, and what it was before and after: part of the replicated state (and of its
 * snapshots), so that every replay, restore and cluster member holds the same history.
 * <p>
 * Kept per change: creates, updates, deletes, and the release that served a claim in full (at most one per
 * claim's life). Not kept: the other awards, one per claim per tranche, which would grow the state with the
 * ledger; {@link #withAwards} reads them back from the ledger when a history is asked for.
 */
final class ClaimHistories
{
    private final Object2ObjectHashMap<String, ArrayList<Change>> byId = new Object2ObjectHashMap<>();
    // One String per principal name however many changes carry it.
    private final Object2ObjectHashMap<String, String> names = new Object2ObjectHashMap<>();
    private long changes;
    // The ids in byId sorted, as of the last write, and those added since: a write merges them (ids are never
    // removed) instead of sorting every id at every checkpoint.
    private String[] sortedIds = new String[0];
    private final ArrayList<String> idsSinceWrite = new ArrayList<>();

    /** One kept change: its kind is a {@link ClaimChange.Kind} number. */
    private static final class Change
    {
        int kind;
        long timeNanos;
        String principal;
        long tranche;
        long units;
        QueueStateMachine.QueuedClaim before;
        QueueStateMachine.QueuedClaim after;
    }

    /**
     * @param kind      what happened.
     * @param timeNanos when.
     * @param principal who did it ("" when unknown).
     * @param tranche   SERVED: the tranche; otherwise the tranches released so far.
     * @param units     SERVED: its award.
     * @param before    the claim before (a copy), or null.
     * @param after     the claim after (a copy), or null.
     */
    void record(final ClaimChange.Kind kind, final long timeNanos, final String principal, final long tranche,
        final long units, final QueueStateMachine.QueuedClaim before, final QueueStateMachine.QueuedClaim after)
    {
        final Change change = new Change();
        change.kind = kind.getNumber();
        change.timeNanos = timeNanos;
        change.principal = intern(principal);
        change.tranche = tranche;
        change.units = units;
        change.before = before;
        change.after = after;
        final String id = before != null ? before.id : after.id;
        ArrayList<Change> list = byId.get(id);
        if (list == null)
        {
            list = new ArrayList<>(2);
            byId.put(id, list);
            idsSinceWrite.add(id);
        }
        list.add(change);
        changes++;
    }

    private String intern(final String name)
    {
        final String known = names.get(name);
        if (known != null)
        {
            return known;
        }
        names.put(name, name);
        return name;
    }

    /** @return changes kept. */
    long size()
    {
        return changes;
    }

    /**
     * @param id a claim id.
     * @return its kept changes, oldest first (no AWARDED ones: see {@link #withAwards}), or null when the id was
     *         never queued.
     */
    ClaimHistory get(final String id)
    {
        final ArrayList<Change> list = byId.get(id);
        if (list == null)
        {
            return null;
        }
        final ClaimHistory.Builder history = ClaimHistory.newBuilder().setId(id);
        for (final Change c : list)
        {
            final ClaimChange.Builder change = ClaimChange.newBuilder()
                .setKind(ClaimChange.Kind.forNumber(c.kind))
                .setPrincipal(c.principal)
                .setTime(timestamp(c.timeNanos))
                .setTrancheNumber(c.tranche)
                .setUnits(c.units);
            if (c.before != null)
            {
                change.setBefore(c.before.toProto());
            }
            if (c.after != null)
            {
                change.setAfter(c.after.toProto());
            }
            history.addChanges(change);
        }
        return history.build();
    }

    /**
     * Adds to a history its AWARDED changes, read from the ledger: between two kept changes (and after the last,
     * while the claim is queued) every tranche that gave the claim units. Runs on any thread: it reads durable
     * tranches only.
     *
     * @param kept      from {@link #get}.
     * @param ledger    the ledger.
     * @param tranches  the tranches to read up to (durable ones).
     * @return the whole history, oldest first.
     * @throws Ledger.LedgerException when a tranche cannot be read back.
     */
    static ClaimHistory withAwards(final ClaimHistory kept, final Ledger ledger, final long tranches)
    {
        final ClaimHistory.Builder full = ClaimHistory.newBuilder().setId(kept.getId());
        final List<ClaimChange> changes = kept.getChangesList();
        for (int i = 0; i < changes.size(); i++)
        {
            final ClaimChange change = changes.get(i);
            full.addChanges(change);
            if (!change.hasAfter())
            {
                continue;
            }
            // The claim lives on after this change: the tranches up to the next change (or now) may award it.
            final long to = i + 1 < changes.size() ? lastTrancheBefore(changes.get(i + 1)) : tranches;
            Claim claim = change.getAfter();
            for (long n = change.getTrancheNumber() + 1; n <= to; n++)
            {
                final Tranche tranche = ledger.get(n);
                final long units = units(tranche, claim.getId());
                if (units > 0)
                {
                    final Claim after = awarded(claim, units);
                    full.addChanges(ClaimChange.newBuilder().setKind(ClaimChange.Kind.AWARDED)
                        .setPrincipal(tranche.getReleasedBy()).setTime(tranche.getReleaseTime()).setBefore(claim)
                        .setAfter(after).setTrancheNumber(n).setUnits(units));
                    claim = after;
                }
            }
        }
        return full.build();
    }

    // The last tranche that may have awarded the claim before this change: a SERVED change is its own tranche.
    private static long lastTrancheBefore(final ClaimChange next)
    {
        return next.getKind() == ClaimChange.Kind.SERVED ? next.getTrancheNumber() - 1 : next.getTrancheNumber();
    }

    private static long units(final Tranche tranche, final String id)
    {
        for (int i = 0, n = tranche.getAwardsCount(); i < n; i++)
        {
            final Award award = tranche.getAwards(i);
            if (award.getId().equals(id))
            {
                return award.getUnits();
            }
        }
        return 0;
    }

    // What a release does to a queued claim (QueueStateMachine.applyTranche): its outstanding amounts go down.
    private static Claim awarded(final Claim claim, final long units)
    {
        final Claim.Builder after = claim.toBuilder()
            .setDemand(claim.getDemand() - units)
            .setFloor(Math.max(0, claim.getFloor() - units))
            .setAwarded(claim.getAwarded() + units);
        if (claim.hasCap())
        {
            after.setCap(Math.max(0, claim.getCap() - units));
        }
        return after.build();
    }

    static Timestamp timestamp(final long nanos)
    {
        return Timestamp.newBuilder().setSeconds(Math.floorDiv(nanos, 1_000_000_000L))
            .setNanos((int)Math.floorMod(nanos, 1_000_000_000L)).build();
    }

    /**
     * Writes every change, ids in order, deterministically.
     *
     * @param out destination.
     * @throws IOException on write failure.
     */
    void write(final DataOutput out) throws IOException
    {
        final String[] ids = sortedIds();
        out.writeInt(ids.length);
        for (final String id : ids)
        {
            final ArrayList<Change> list = byId.get(id);
            out.writeUTF(id);
            out.writeInt(list.size());
            for (final Change c : list)
            {
                out.writeByte(c.kind);
                out.writeLong(c.timeNanos);
                out.writeUTF(c.principal);
                out.writeLong(c.tranche);
                out.writeLong(c.units);
                writeClaim(out, c.before);
                writeClaim(out, c.after);
            }
        }
    }

    private String[] sortedIds()
    {
        if (idsSinceWrite.isEmpty())
        {
            return sortedIds;
        }
        final String[] added = idsSinceWrite.toArray(new String[0]);
        Arrays.sort(added);
        final String[] merged = new String[sortedIds.length + added.length];
        int i = 0;
        int j = 0;
        for (int k = 0; k < merged.length; k++)
        {
            merged[k] = j == added.length || i < sortedIds.length && sortedIds[i].compareTo(added[j]) < 0 ?
                sortedIds[i++] : added[j++];
        }
        idsSinceWrite.clear();
        sortedIds = merged;
        return merged;
    }

    /**
     * Reads what {@link #write} wrote into an empty history.
     *
     * @param in source.
     * @throws IOException on read failure or a bad kind.
     */
    void read(final DataInput in) throws IOException
    {
        final int ids = in.readInt();
        for (int i = 0; i < ids; i++)
        {
            final String id = in.readUTF();
            final int count = in.readInt();
            final ArrayList<Change> list = new ArrayList<>(count);
            for (int j = 0; j < count; j++)
            {
                final Change c = new Change();
                c.kind = in.readByte();
                if (ClaimChange.Kind.forNumber(c.kind) == null || c.kind == 0)
                {
                    throw new IOException("claim history of \"" + id + "\": unknown change kind=" + c.kind);
                }
                c.timeNanos = in.readLong();
                c.principal = intern(in.readUTF());
                c.tranche = in.readLong();
                c.units = in.readLong();
                c.before = readClaim(in, id);
                c.after = readClaim(in, id);
                list.add(c);
            }
            if (byId.put(id, list) == null)
            {
                idsSinceWrite.add(id);
            }
            changes += count;
        }
    }

    private static void writeClaim(final DataOutput out, final QueueStateMachine.QueuedClaim claim) throws IOException
    {
        out.writeBoolean(claim != null);
        if (claim != null)
        {
            claim.write(out, true);
        }
    }

    private QueueStateMachine.QueuedClaim readClaim(final DataInput in, final String id) throws IOException
    {
        if (!in.readBoolean())
        {
            return null;
        }
        final QueueStateMachine.QueuedClaim claim = QueueStateMachine.QueuedClaim.read(in, true);
        if (!claim.id.equals(id))
        {
            throw new IOException("claim history of \"" + id + "\" holds claim \"" + claim.id + "\"");
        }
        claim.createdBy = intern(claim.createdBy);
        claim.updatedBy = intern(claim.updatedBy);
        return claim;
    }

    /** @return true when no change is kept. */
    boolean isEmpty()
    {
        return byId.isEmpty();
    }
}
