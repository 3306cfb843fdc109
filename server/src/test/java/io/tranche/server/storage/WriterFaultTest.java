package io.tranche.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.server.state.Command;
import io.tranche.server.state.CommandLog;
import io.tranche.server.state.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The writer under a full disk, an oversized record, restarts and a stolen lock. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WriterFaultTest
{
    @TempDir
    Path dir;

    private final List<String> log = new CopyOnWriteArrayList<>();

    private Writer.Settings settings()
    {
        return new Writer.Settings().dataDir(dir).log(log::add)
            .maxQueue(100_000).snapshotEvery(10_000).queueCapacity(4096);
    }

    private static Outcome call(final Writer writer, final Command command) throws Exception
    {
        final CompletableFuture<Outcome> answer = new CompletableFuture<>();
        assertThat(writer.submit(command, reply(answer))).isTrue();
        return answer.get(20, TimeUnit.SECONDS);
    }

    private static Outcome read(final Writer writer, final CommandLog.Read read) throws Exception
    {
        final CompletableFuture<Outcome> answer = new CompletableFuture<>();
        assertThat(writer.read(read, reply(answer))).isTrue();
        return answer.get(20, TimeUnit.SECONDS);
    }

    private static CommandLog.Reply reply(final CompletableFuture<Outcome> answer)
    {
        return new CommandLog.Reply()
        {
            @Override
            public Outcome.Kind abandoned()
            {
                return null;
            }

            @Override
            public void complete(final Outcome outcome)
            {
                answer.complete(outcome);
            }
        };
    }

    private static Command create(final String id, final long demand)
    {
        return new Command.CreateClaim(CreateClaimRequest.newBuilder()
            .setClaim(Claim.newBuilder().setId(id).setDemand(demand)).build());
    }

    private static Command release(final String requestId, final long supply)
    {
        return new Command.ReleaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId(requestId).setSupply(supply)
            .setPolicy(Policy.newBuilder().setMethod(Method.PROPORTIONAL)).build());
    }

    private static void awaitTrue(final java.util.function.BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean())
        {
            assertThat(System.nanoTime()).as("waited 15 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void shouldAcknowledgeNothingUnrecordedOnAFullDiskAndResumeWhenSpaceIsFreed() throws Exception
    {
        final FaultyChannels disk = new FaultyChannels();
        final Writer.Settings settings = settings();
        settings.journal().channels(disk);
        final List<String> availability = new CopyOnWriteArrayList<>();
        final Writer writer = Writer.open(settings);
        try
        {
            writer.addListener(new CommandLog.Listener()
            {
                @Override
                public void onTranches(final long durableCount)
                {
                }

                @Override
                public void onAvailability(final String failure)
                {
                    availability.add(String.valueOf(failure));
                }
            });
            for (int i = 0; i < 10; i++)
            {
                assertThat(call(writer, create("a" + i, 100)).kind()).isEqualTo(Outcome.Kind.CREATED);
            }
            assertThat(call(writer, release("r1", 50)).kind()).isEqualTo(Outcome.Kind.RELEASED);
            disk.budget.set(10);
            final Outcome full = call(writer, create("lost", 5));
            assertThat(full.kind()).isEqualTo(Outcome.Kind.UNAVAILABLE);
            assertThat(full.message()).contains("No space left").contains("nothing changed");
            assertThat(writer.failure()).contains("No space left");
            assertThat(availability).hasSize(1);
            // Reads go on, from the durable state: the unrecorded claim is not there.
            assertThat(read(writer, (m, now) -> Outcome.of(Outcome.Kind.READ, m.claim("lost") == null ?
                com.google.protobuf.Empty.getDefaultInstance() : m.claim("lost"))).value())
                .isEqualTo(com.google.protobuf.Empty.getDefaultInstance());
            assertThat(call(writer, release("r2", 50)).kind()).isEqualTo(Outcome.Kind.UNAVAILABLE);
            assertThat(writer.ledger().durableCount()).isEqualTo(1);
            // Space comes back: the writer resumes by itself.
            disk.budget.set(Long.MAX_VALUE);
            awaitTrue(() -> writer.failure() == null);
            assertThat(availability).hasSize(2).last().isEqualTo("null");
            assertThat(call(writer, create("after", 5)).kind()).isEqualTo(Outcome.Kind.CREATED);
            assertThat(call(writer, release("r2", 50)).kind()).isEqualTo(Outcome.Kind.RELEASED);
        }
        finally
        {
            writer.close();
        }
        final Writer again = Writer.open(settings());
        try
        {
            final Outcome claims = read(again, (m, now) -> Outcome.of(Outcome.Kind.READ,
                com.google.protobuf.Int32Value.of(m.queueLength())));
            assertThat(((com.google.protobuf.Int32Value)claims.value()).getValue()).isEqualTo(11);
            assertThat(again.ledger().durableCount()).isEqualTo(2);
            assertThat(again.ledger().get(2).getRequestId()).isEqualTo("r2");
        }
        finally
        {
            again.close();
        }
    }

    @Test
    void shouldFailAnOversizedRecordAloneAndLeaveTheStateUnchanged() throws Exception
    {
        final Writer.Settings settings = settings();
        settings.journal().maxRecordBytes(4000);
        final Writer writer = Writer.open(settings);
        try
        {
            for (int i = 0; i < 30; i++)
            {
                assertThat(call(writer, create(i + "x".repeat(200), 100)).kind()).isEqualTo(Outcome.Kind.CREATED);
            }
            final Outcome big = call(writer, release("big", 1000));
            assertThat(big.kind()).isEqualTo(Outcome.Kind.LIMIT_REACHED);
            assertThat(big.message()).contains(Journal.MAX_RECORD_PROP_NAME).contains("nothing changed");
            assertThat(writer.ledger().count()).isZero();
            assertThat(writer.failure()).isNull();
            assertThat(call(writer, create("small", 1)).kind()).isEqualTo(Outcome.Kind.CREATED);
        }
        finally
        {
            writer.close();
        }
        final Writer again = Writer.open(settings());
        try
        {
            assertThat(again.ledger().durableCount()).isZero();
            assertThat(again.queueLength()).isEqualTo(31);
            assertThat(again.outstandingDemand().longValueExact()).isEqualTo(3001);
        }
        finally
        {
            again.close();
        }
    }

    @Test
    void shouldCountRecordsSinceTheSnapshotOnDiskAcrossRestarts() throws Exception
    {
        for (int round = 0; round < 5; round++)
        {
            final Writer writer = Writer.open(settings().snapshotEvery(100));
            try
            {
                for (int i = 0; i < 60; i++)
                {
                    assertThat(call(writer, create("r" + round + "c" + i, 10)).kind()).isEqualTo(Outcome.Kind.CREATED);
                }
            }
            finally
            {
                writer.close();
            }
            if (round >= 1)
            {
                assertThat(files("snapshot-")).as("round %d", round).hasSize(1);
            }
        }
        final List<String> replays = log.stream().filter(l -> l.startsWith("tranche: recovered snapshot")).toList();
        assertThat(replays).hasSize(5);
        for (final String line : replays)
        {
            final int replayed = Integer.parseInt(line.replaceAll(".*replayed (\\d+) journal.*", "$1"));
            assertThat(replayed).as(line).isLessThan(100);
        }
    }

    @Test
    void shouldStopWritingWhenItsLockIsDeletedAndKeepASecondWriterOut() throws Exception
    {
        final Writer writer = Writer.open(settings());
        try
        {
            assertThat(call(writer, create("a", 1)).kind()).isEqualTo(Outcome.Kind.CREATED);
            Files.delete(dir.resolve("LOCK"));
            assertThatThrownBy(() -> Writer.open(settings())).isInstanceOf(IOException.class)
                .hasMessageContaining("in use");
            awaitTrue(() -> writer.failure() != null);
            assertThat(writer.failure()).contains("LOCK");
            assertThat(call(writer, create("b", 1)).kind()).isEqualTo(Outcome.Kind.UNAVAILABLE);
        }
        finally
        {
            writer.close();
        }
    }

    @Test
    void shouldRemoveTheTemporarySnapshotWhenASnapshotFails() throws Exception
    {
        final FaultyChannels disk = new FaultyChannels();
        final Writer.Settings settings = settings().snapshotEvery(5);
        settings.journal().channels(disk).fsync(false);
        final Writer writer = Writer.open(settings);
        try
        {
            for (int i = 0; i < 4; i++)
            {
                assertThat(call(writer, create("c" + i, 10)).kind()).isEqualTo(Outcome.Kind.CREATED);
            }
            disk.budget.set(Journal.HEADER + 30); // the fifth record fits, its snapshot does not
            assertThat(call(writer, create("c4", 10)).kind()).isEqualTo(Outcome.Kind.CREATED);
            // The snapshot runs after the batch is answered.
            awaitTrue(() -> log.stream().anyMatch(l -> l.contains("snapshot failed")));
            assertThat(files(".snap")).isEmpty();
            assertThat(writer.failure()).isNull();
        }
        finally
        {
            disk.budget.set(Long.MAX_VALUE);
            writer.close();
        }
    }

    private List<Path> files(final String part) throws IOException
    {
        try (Stream<Path> s = Files.list(dir))
        {
            return s.filter(p -> p.getFileName().toString().contains(part)).toList();
        }
    }
}
