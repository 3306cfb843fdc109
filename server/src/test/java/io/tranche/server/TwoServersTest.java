package io.tranche.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.server.ledger.LedgerChild;
import io.tranche.server.ledger.LedgerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, item 6: two servers on one data directory. Deleting {@code LOCK} under a running server used to let a
 * second one start; and recovery skipped a record whose index it had already seen, so the second server's
 * acknowledged writes vanished at the next restart without a word. A second server must be refused while the
 * first runs, whatever happened to {@code LOCK}, and a journal holding a duplicate record index must be refused
 * at start with the file and the offset.
 */
@Tag("slow")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TwoServersTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRefuseASecondServerAfterLockIsDeletedUnderTheFirst() throws Exception
    {
        final Path data = dir.resolve("data");
        try (LedgerChild a = LedgerChild.start(dir, data, "a", List.of()))
        {
            Files.delete(data.resolve("LOCK"));
            final LedgerChild.Start b = LedgerChild.attempt(dir, data, "b", List.of());
            if (b.child() != null)
            {
                b.child().kill();
            }
            assertThat(b.child()).as("a second server on %s, started after LOCK was deleted under the first one " +
                "(it listens on %s)", data, b.child() == null ? "-" : b.child().address).isNull();
            assertThat(b.exitStatus()).as("exit status of the second server").isEqualTo(1);
            assertThat(b.stderr()).as("the second server's refusal").contains("in use");
            assertThat(a.process.isAlive()).as("the first server is still running").isTrue();
        }
    }

    @Test
    void shouldRefuseAJournalHoldingADuplicateRecordIndex() throws Exception
    {
        final Path x = dir.resolve("x");
        final Path common = dir.resolve("common");
        final Path y = dir.resolve("y");
        try (TestServer server = TestServer.start(x))
        {
            server.queue().createClaim(CreateClaimRequest.newBuilder().setClaim(TestServer.claim("a", 10)).build());
        }
        LedgerFiles.copy(x, common);
        LedgerFiles.copy(x, y);
        try (TestServer server = TestServer.start(x))
        {
            server.queue().createClaim(CreateClaimRequest.newBuilder().setClaim(TestServer.claim("b", 20)).build());
        }
        try (TestServer server = TestServer.start(y))
        {
            server.queue().createClaim(CreateClaimRequest.newBuilder().setClaim(TestServer.claim("c", 30)).build());
        }
        // Y's bytes written since the common copy go to the end of X's active segment: what two servers appending
        // to one directory leave behind.
        final Path target = LedgerFiles.activeSegment(x);
        long appended = 0;
        for (final Path segment : LedgerFiles.segments(y))
        {
            final byte[] bytes = Files.readAllBytes(segment);
            final Path before = common.resolve(segment.getFileName());
            final int from = Files.exists(before) ? (int)Files.size(before) : 0;
            if (bytes.length > from)
            {
                Files.write(target, java.util.Arrays.copyOfRange(bytes, from, bytes.length), StandardOpenOption.APPEND);
                appended += bytes.length - from;
            }
        }
        assertThat(appended).as("bytes the second server journaled").isPositive();

        try (TestServer server = TestServer.start(x))
        {
            final List<Claim> claims = RobustnessSupport.allClaims(server.channel);
            throw new AssertionError("started on a journal with two records of the same index (" + appended +
                " bytes " +
                "appended to " + target + "); the queue holds " + claims.stream().map(Claim::getId).toList() +
                ", the acknowledged creates were a, b and c");
        }
        catch (final IOException ex)
        {
            assertThat(LedgerFiles.refusalProblem(ex.getMessage(), target, Files.size(target)))
                .as("the refusal: %s", ex.getMessage()).isNull();
        }
    }
}
