package io.tranche.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.server.state.Command;
import io.tranche.server.state.CommandLog;
import io.tranche.server.state.Outcome;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WriterTest
{
    @TempDir
    Path dir;

    /** Counts answers. */
    static final class Answers implements CommandLog.Reply
    {
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final CountDownLatch done;

        Answers(final int expected)
        {
            done = new CountDownLatch(expected);
        }

        @Override
        public Outcome.Kind abandoned()
        {
            return null;
        }

        @Override
        public void complete(final Outcome outcome)
        {
            (outcome.ok() ? ok : failed).incrementAndGet();
            done.countDown();
        }
    }

    /** Holds the writer thread inside a read until released. */
    private static CountDownLatch block(final Writer writer) throws InterruptedException
    {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        assertThat(writer.read((state, now) ->
        {
            entered.countDown();
            try
            {
                release.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            return Outcome.of(Outcome.Kind.READ, com.google.protobuf.Empty.getDefaultInstance());
        }, new Answers(1))).isTrue();
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        return release;
    }

    private Writer.Settings settings()
    {
        return new Writer.Settings().dataDir(dir).maxQueue(100_000).snapshotEvery(10_000).queueCapacity(4096);
    }

    @Test
    void shouldRefuseSettingsWithALimitLeftUnset()
    {
        assertThatThrownBy(() -> Writer.open(new Writer.Settings().dataDir(dir).snapshotEvery(10).queueCapacity(8)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("Writer.Settings maxQueue=0 must be > 0");
    }

    @Test
    void shouldGroupCommitOneBatchWithOneFsync() throws Exception
    {
        final AtomicInteger syncs = new AtomicInteger();
        final Writer writer = Writer.open(settings().syncNanos(n -> syncs.incrementAndGet()));
        try
        {
            final CountDownLatch release = block(writer);
            final Answers answers = new Answers(50);
            for (int i = 0; i < 50; i++)
            {
                assertThat(writer.submit(new Command.CreateClaim(CreateClaimRequest.newBuilder()
                    .setClaim(Claim.newBuilder().setId("c" + i).setDemand(1)).build()), answers)).isTrue();
            }
            assertThat(answers.ok.get()).as("nothing is acknowledged before its fsync").isZero();
            release.countDown();
            assertThat(answers.done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(answers.ok.get()).isEqualTo(50);
            assertThat(syncs.get()).isEqualTo(1);
            assertThat(writer.queueLength()).isEqualTo(50);
        }
        finally
        {
            writer.close();
        }
    }

    @Test
    void shouldRefuseOpsWhenItsQueueIsFullInsteadOfBlocking() throws Exception
    {
        final Writer writer = Writer.open(settings().queueCapacity(8));
        try
        {
            final CountDownLatch release = block(writer);
            final Answers answers = new Answers(0);
            int accepted = 0;
            while (writer.submit(new Command.CreateClaim(CreateClaimRequest.newBuilder()
                .setClaim(Claim.newBuilder().setId("c" + accepted).setDemand(1)).build()), answers))
            {
                accepted++;
                assertThat(accepted).isLessThanOrEqualTo(64);
            }
            assertThat(accepted).isGreaterThanOrEqualTo(8);
            release.countDown();
        }
        finally
        {
            writer.close();
        }
        assertThat(writer.read((s, now) -> null, new Answers(0))).as("closed").isFalse();
        assertThat(writer.isClosing()).isTrue();
    }

    @Test
    void shouldHandAReadTheTimeItWouldStampOnACommandNeverBeforeTheLastCommands() throws Exception
    {
        // A journal whose last command is stamped in 2100 (written under a clock that ran ahead): a preview read
        // now must not be released before it, as the next command would not be.
        final long future = 4_102_444_800L * 1_000_000_000L;
        final Command.CreateClaim create = new Command.CreateClaim(CreateClaimRequest.newBuilder()
            .setClaim(Claim.newBuilder().setId("early").setDemand(5)).build());
        try (Journal journal = Journal.recover(dir, 0, new Journal.Options(), (a, b, c, d, e, f) -> { }, note -> { }))
        {
            journal.append(create.type(), future, create.encode());
            journal.sync();
        }
        final Writer writer = Writer.open(settings());
        try
        {
            final long[] handed = new long[1];
            final Answers answers = new Answers(1);
            assertThat(writer.read((state, now) ->
            {
                handed[0] = now;
                return Outcome.of(Outcome.Kind.READ, com.google.protobuf.Empty.getDefaultInstance());
            }, answers)).isTrue();
            assertThat(answers.done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(handed[0]).isGreaterThanOrEqualTo(future);
        }
        finally
        {
            writer.close();
        }
    }
}
