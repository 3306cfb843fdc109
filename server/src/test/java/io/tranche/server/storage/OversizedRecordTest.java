package io.tranche.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.RobustnessSupport;
import io.tranche.server.TestServer;
import io.tranche.server.ledger.LedgerChild;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, item 3: a mutation whose journal record cannot be written. When {@code Journal.append} threw on the
 * first mutation of a batch (a record over the size limit), the writer's "wrote" flag stayed false, so the state
 * was published and the call answered OK with a tranche that was never journaled: gone after SIGKILL. With the
 * largest record lowered to 64 KiB ({@code -Dtranche.journal.maxRecordBytes}), a release over 600 claims with
 * 250-character ids (about 160 KB of awards) must fail alone and leave the queue as it was; a restart after
 * SIGKILL must show exactly what was acknowledged.
 */
@Tag("slow")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OversizedRecordTest
{
    private static final List<String> SMALL_RECORDS = List.of("-Dtranche.journal.maxRecordBytes=65536");

    @TempDir
    Path dir;

    @Test
    void shouldFailAReleaseWhoseRecordIsTooLargeAndLeaveTheStateUnchanged() throws Exception
    {
        final Path data = dir.resolve("data");
        final CrashRecoveryTest.Snapshot acknowledged;
        try (LedgerChild child = LedgerChild.start(dir, data, "write", SMALL_RECORDS))
        {
            final ManagedChannel channel = RobustnessSupport.channel(child.address);
            try
            {
                for (int i = 0; i < 600; i++)
                {
                    RobustnessSupport.queue(channel).createClaim(CreateClaimRequest.newBuilder()
                        .setClaim(TestServer.claim(id(i), 1_000_000)).build());
                }
                final CrashRecoveryTest.Snapshot before = CrashRecoveryTest.Snapshot.read(child.address);
                Tranche answered = null;
                StatusRuntimeException refused = null;
                try
                {
                    answered = RobustnessSupport.queue(channel).releaseTranche(ReleaseTrancheRequest.newBuilder()
                        .setRequestId("too-large").setSupply(600_000)
                            .setPolicy(Policy.newBuilder().setMethod(Method.PROPORTIONAL))
                        .build());
                }
                catch (final StatusRuntimeException ex)
                {
                    refused = ex;
                }
                assertThat(answered == null)
                    .as("ReleaseTranche whose record (%d awards of 250-character ids) exceeds " +
                    "tranche.journal.maxRecordBytes=65536 must not be OK; it answered tranche %s (%d bytes)",
                    600, answered == null ? "-" : answered.getNumber(),
                    answered == null ? 0 : answered.getSerializedSize())
                    .isTrue();
                assertThat(refused.getStatus().getDescription()).as("the refusal says why").isNotBlank();
                assertThat(CrashRecoveryTest.Snapshot.read(child.address))
                    .as("queue and ledger after the failed release")
                    .isEqualTo(before);
                // The failure is the call's alone: the writer goes on.
                final Claim extra = RobustnessSupport.queue(channel).createClaim(CreateClaimRequest.newBuilder()
                    .setClaim(TestServer.claim("after", 5)).build());
                assertThat(extra.getId()).isEqualTo("after");
                acknowledged = CrashRecoveryTest.Snapshot.read(child.address);
            }
            finally
            {
                RobustnessSupport.close(channel);
            }
        }
        try (LedgerChild again = LedgerChild.start(dir, data, "after-sigkill", SMALL_RECORDS))
        {
            final CrashRecoveryTest.Snapshot recovered = CrashRecoveryTest.Snapshot.read(again.address);
            assertThat(recovered.tranches()).as("tranches after SIGKILL and restart")
                .isEqualTo(acknowledged.tranches());
            assertThat(recovered).as("queue and ledger after SIGKILL and restart").isEqualTo(acknowledged);
        }
    }

    private static String id(final int i)
    {
        final String head = String.format("claim-%05d-", i);
        return head + "x".repeat(250 - head.length());
    }
}
