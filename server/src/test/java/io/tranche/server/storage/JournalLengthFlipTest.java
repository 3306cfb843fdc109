package io.tranche.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.server.RobustnessSupport;
import io.tranche.server.TestServer;
import io.tranche.server.ledger.LedgerChild;
import io.tranche.server.ledger.LedgerFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, item 2: one flipped bit in the length field of a record in the middle of the active segment. The
 * length then runs past the end of the file, which recovery used to take for a torn tail: it truncated there and
 * started without the 110 claims and 12 tranches behind it. The restart must either refuse (exit 1, naming the
 * file and the offset, advising nothing that loses records) or recover every acknowledged claim and tranche.
 */
@Tag("slow")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class JournalLengthFlipTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRefuseOrRecoverEverythingWhenALengthFieldHasAFlippedBit() throws Exception
    {
        final Path data = dir.resolve("data");
        final CrashRecoveryTest.Snapshot acknowledged;
        // No snapshot: every record stays in the one active segment.
        final String[] flags = {"--snapshot-every", "100000"};
        final LedgerChild first = LedgerChild.start(dir, data, "write", List.of(), flags);
        try
        {
            final ManagedChannel channel = RobustnessSupport.channel(first.address);
            try
            {
                for (int i = 0; i < 120; i++)
                {
                    RobustnessSupport.queue(channel).createClaim(CreateClaimRequest.newBuilder()
                        .setClaim(TestServer.claim(String.format("claim-%03d", i), 1_000_000)).build());
                    if (i % 10 == 9)
                    {
                        RobustnessSupport.queue(channel).releaseTranche(ReleaseTrancheRequest.newBuilder()
                            .setRequestId("release-" + i).setSupply(50)
                            .setPolicy(Policy.newBuilder().setMethod(Method.PROPORTIONAL)).build());
                    }
                }
            }
            finally
            {
                RobustnessSupport.close(channel);
            }
            acknowledged = CrashRecoveryTest.Snapshot.read(first.address);
            assertThat(first.terminate()).as("exit status after SIGTERM").isZero();
        }
        finally
        {
            first.kill();
        }
        assertThat(acknowledged.claims()).hasSize(120);
        assertThat(acknowledged.tranches()).hasSize(12);

        final Path segment = LedgerFiles.activeSegment(data);
        final List<LedgerFiles.RecordSpan> records = LedgerFiles.records(Files.readAllBytes(segment));
        assertThat(records).as("records in " + segment).hasSize(132);
        final LedgerFiles.RecordSpan tenth = records.get(9);
        // Bit 6 of the length's second byte: the length grows by 4 MiB and runs past the end of the file.
        LedgerFiles.flipBit(segment, tenth.lengthFieldOffset() + 1, 6);

        final LedgerChild.Start restart = LedgerChild.attempt(dir, data, "restart", List.of(), flags);
        if (restart.child() == null)
        {
            assertThat(restart.exitStatus()).as("exit status of a refused start").isEqualTo(1);
            assertThat(LedgerFiles.refusalProblem(restart.stderr(), segment, Files.size(segment)))
                .as("the refusal (record 10 is at offset %d):%n%s", tenth.offset(), restart.stderr()).isNull();
            return;
        }
        try (LedgerChild again = restart.child())
        {
            final CrashRecoveryTest.Snapshot recovered = CrashRecoveryTest.Snapshot.read(again.address);
            assertThat(recovered.claims().size())
                .as("claims after a restart that did not refuse (record 10 at offset %d had its length flipped); " +
                    "stderr:%n%s",
                    tenth.offset(), again.stderr())
                .isEqualTo(120);
            assertThat(recovered.tranches().size()).as("tranches after a restart that did not refuse").isEqualTo(12);
            assertThat(recovered).as("the recovered queue and ledger").isEqualTo(acknowledged);
        }
    }
}
