package io.tranche.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.DeleteClaimRequest;
import io.tranche.proto.v1.GetClaimRequest;
import io.tranche.proto.v1.ListClaimsRequest;
import io.tranche.proto.v1.ListClaimsResponse;
import io.tranche.proto.v1.UpdateClaimRequest;
import io.tranche.server.RobustnessSupport;
import io.tranche.server.ServerConfig;
import io.tranche.server.TrancheServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrent writers: several threads, each on its own connection, create, update and delete claims drawn from one
 * small shared set of ids, so that they collide all the time, while readers list and get. Afterwards, for every id:
 * acknowledged creates minus acknowledged deletes is 1 exactly when it is queued and 0 otherwise (a create succeeds
 * only on an absent id, a delete only on a present one); a queued claim keeps the position of its last acknowledged
 * create; each field holds a value that an acknowledged write gave it; the queue lists each claim once in strictly
 * increasing positions, during the run and after it, and after a restart the state is the same.
 */
@Tag("slow")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConcurrentWritersTest
{
    private static final int WRITERS = 5;
    private static final int OPS = 120;
    private static final int IDS = 24;

    @TempDir
    Path dir;

    @Test
    void shouldKeepAConsistentQueueUnderCollidingWriters() throws Exception
    {
        TrancheServer server = TrancheServer.start(new ServerConfig().listen("127.0.0.1", 0).dataDir(dir));
        final Map<String, IdLog> logs = new ConcurrentHashMap<>();
        for (int i = 0; i < IDS; i++)
        {
            logs.put("id-" + i, new IdLog());
        }
        final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
        final AtomicBoolean writing = new AtomicBoolean(true);
        final AtomicInteger reads = new AtomicInteger();
        final String address = "127.0.0.1:" + server.port();
        try
        {
            final Thread[] writers = new Thread[WRITERS];
            for (int w = 0; w < WRITERS; w++)
            {
                final int writer = w;
                writers[w] = new Thread(() -> write(address, writer, logs, unexpected), "writer-" + w);
            }
            final Thread reader = new Thread(() -> read(address, writing, reads, unexpected), "reader");
            for (final Thread t : writers)
            {
                t.start();
            }
            reader.start();
            for (final Thread t : writers)
            {
                t.join(90_000);
            }
            writing.set(false);
            reader.join(30_000);
            assertThat(unexpected).isEmpty();

            final List<Claim> queue = check(address, logs);
            server.close();
            server = TrancheServer.start(new ServerConfig().listen("127.0.0.1", 0).dataDir(dir));
            assertThat(check("127.0.0.1:" + server.port(), logs)).isEqualTo(queue);
            int creates = 0;
            for (final IdLog log : logs.values())
            {
                creates += log.creates.size();
            }
            assertThat(creates).as("acknowledged creates").isGreaterThan(IDS);
            assertThat(reads.get()).as("consistent reads during the run").isPositive();
        }
        finally
        {
            server.close();
        }
    }

    private static List<Claim> check(final String address, final Map<String, IdLog> logs)
    {
        final ManagedChannel channel = RobustnessSupport.channel(address);
        try
        {
            final List<Claim> queue = RobustnessSupport.allClaims(channel);
            final Map<String, Claim> present = new HashMap<>();
            long previous = Long.MIN_VALUE;
            for (final Claim c : queue)
            {
                assertThat(present.put(c.getId(), c)).as("listed once: " + c.getId()).isNull();
                assertThat(c.getPosition()).as("queue order").isGreaterThan(previous);
                previous = c.getPosition();
                assertThat(RobustnessSupport.queue(channel)
                    .getClaim(GetClaimRequest.newBuilder().setId(c.getId()).build()))
                    .isEqualTo(c);
            }
            for (final Map.Entry<String, IdLog> e : logs.entrySet())
            {
                final IdLog log = e.getValue();
                final int balance = log.creates.size() - log.deletes.get();
                final Claim c = present.get(e.getKey());
                assertThat(balance).as(e.getKey() + ": creates " + log.creates.size() + " deletes " + log.deletes.get())
                    .isEqualTo(c == null ? 0 : 1);
                if (c != null)
                {
                    long lastCreate = Long.MIN_VALUE;
                    for (final Claim created : log.creates)
                    {
                        lastCreate = Math.max(lastCreate, created.getPosition());
                    }
                    assertThat(c.getPosition()).as(e.getKey() + " keeps the position of its create")
                        .isEqualTo(lastCreate);
                    assertThat(log.demands).as(e.getKey() + " demand").contains(c.getDemand());
                    assertThat(log.tiers).as(e.getKey() + " tier").contains(c.getTier());
                    assertThat(log.weights).as(e.getKey() + " weight").contains(c.hasWeight() ? c.getWeight() : -1);
                }
            }
            return queue;
        }
        finally
        {
            RobustnessSupport.close(channel);
        }
    }

    private static void write(final String address, final int writer, final Map<String, IdLog> logs,
        final List<String> unexpected)
    {
        final ManagedChannel channel = RobustnessSupport.channel(address);
        final Random random = new Random(1000 + writer);
        try
        {
            for (int op = 0; op < OPS; op++)
            {
                final String id = "id-" + random.nextInt(IDS);
                final IdLog log = logs.get(id);
                // Unique values per write, so that the final state names the write it came from.
                final long demand = 1 + writer * 1_000_000L + op;
                final int tier = random.nextInt(1000);
                final long weight = random.nextBoolean() ? -1 : 1 + random.nextInt(1000);
                final int dice = random.nextInt(10);
                try
                {
                    if (dice < 4)
                    {
                        final Claim.Builder claim = Claim.newBuilder().setId(id).setDemand(demand).setTier(tier);
                        if (weight >= 0)
                        {
                            claim.setWeight(weight);
                        }
                        // Record the values before sending: a later write's check must see them once acknowledged.
                        log.demands.add(demand);
                        log.tiers.add(tier);
                        log.weights.add(weight);
                        final Claim created = RobustnessSupport.queue(channel).createClaim(
                            CreateClaimRequest.newBuilder().setClaim(claim).build());
                        log.creates.add(created);
                    }
                    else if (dice < 8)
                    {
                        final Claim.Builder claim = Claim.newBuilder().setId(id);
                        final FieldMask.Builder mask = FieldMask.newBuilder();
                        if (random.nextBoolean())
                        {
                            claim.setDemand(demand);
                            mask.addPaths("demand");
                            log.demands.add(demand);
                        }
                        if (random.nextBoolean() || mask.getPathsCount() == 0)
                        {
                            claim.setTier(tier);
                            mask.addPaths("tier");
                            log.tiers.add(tier);
                        }
                        if (random.nextBoolean())
                        {
                            if (weight >= 0)
                            {
                                claim.setWeight(weight);
                            }
                            mask.addPaths("weight");
                            log.weights.add(weight);
                        }
                        RobustnessSupport.queue(channel).updateClaim(
                            UpdateClaimRequest.newBuilder().setClaim(claim).setUpdateMask(mask).build());
                    }
                    else
                    {
                        RobustnessSupport.queue(channel).deleteClaim(DeleteClaimRequest.newBuilder().setId(id).build());
                        log.deletes.incrementAndGet();
                    }
                }
                catch (final StatusRuntimeException ex)
                {
                    final Status.Code code = ex.getStatus().getCode();
                    if (code != Status.Code.ALREADY_EXISTS && code != Status.Code.NOT_FOUND)
                    {
                        unexpected.add(id + ": " + ex.getStatus());
                    }
                }
            }
        }
        finally
        {
            RobustnessSupport.close(channel);
        }
    }

    private static void read(final String address, final AtomicBoolean writing, final AtomicInteger reads,
        final List<String> unexpected)
    {
        final ManagedChannel channel = RobustnessSupport.channel(address);
        try
        {
            while (writing.get())
            {
                // Paging while writers work: strictly increasing positions across pages, so no claim is listed twice
                // (an id may come back at a new position when it was deleted and created again meanwhile).
                long previous = Long.MIN_VALUE;
                String token = "";
                do
                {
                    final ListClaimsResponse page = RobustnessSupport.queue(channel).listClaims(
                        ListClaimsRequest.newBuilder().setPageSize(5).setPageToken(token).build());
                    final Set<String> seen = new HashSet<>();
                    for (final Claim c : page.getClaimsList())
                    {
                        if (c.getPosition() <= previous || !seen.add(c.getId()))
                        {
                            unexpected.add("listing out of order or repeated at " + c);
                        }
                        previous = c.getPosition();
                    }
                    token = page.getNextPageToken();
                }
                while (!token.isEmpty());
                reads.incrementAndGet();
            }
        }
        catch (final StatusRuntimeException ex)
        {
            unexpected.add("reader: " + ex.getStatus());
        }
        finally
        {
            RobustnessSupport.close(channel);
        }
    }

    /** What the writers did to one id. */
    static final class IdLog
    {
        final List<Claim> creates = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger deletes = new AtomicInteger();
        final Set<Long> demands = ConcurrentHashMap.newKeySet();
        final Set<Integer> tiers = ConcurrentHashMap.newKeySet();
        /** -1 for absent. */
        final Set<Long> weights = ConcurrentHashMap.newKeySet();
    }
}
