package io.tranche.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.server.RobustnessSupport;
import io.tranche.server.TestServer;
import io.tranche.server.ledger.LedgerChild;
import io.tranche.server.ledger.LedgerFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, item 4: the records since the last snapshot used to be counted from 0 on every start, so a server
 * restarted more often than {@code --snapshot-every} records never wrote a snapshot and replayed its whole
 * history at each start. Five rounds of 60 creates and SIGTERM with {@code --snapshot-every 100}: a snapshot must
 * exist after the second round, and no start may replay 160 records or more (a snapshot every 100 plus one
 * round of 60 at most).
 */
@Tag("slow")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SnapshotCountTest
{
    @TempDir
    Path dir;

    @Test
    void shouldCountRecordsSinceTheSnapshotOnDiskAcrossRestarts() throws Exception
    {
        final Path data = dir.resolve("data");
        final List<String> problems = new ArrayList<>();
        final List<String> lines = new ArrayList<>();
        int created = 0;
        for (int round = 1; round <= 5; round++)
        {
            try (LedgerChild child =
                LedgerChild.start(dir, data, "round-" + round, List.of(), "--snapshot-every", "100"))
            {
                final java.util.regex.Matcher m = LedgerChild.RECOVERED.matcher(child.stderr());
                if (!m.find())
                {
                    problems.add("round " + round + ": no recovery line ('" + LedgerChild.RECOVERED.pattern() +
                        "') on stderr");
                }
                else
                {
                    lines.add(m.group());
                    if (Long.parseLong(m.group(2)) >= 160)
                    {
                        problems.add("round " + round + ": replayed " + m.group(2) + " records (" + m.group() + ")");
                    }
                }
                final ManagedChannel channel = RobustnessSupport.channel(child.address);
                try
                {
                    assertThat(RobustnessSupport.allClaims(channel)).as("claims at the start of round " + round)
                        .hasSize(created);
                    for (int i = 0; i < 60; i++)
                    {
                        RobustnessSupport.queue(channel).createClaim(CreateClaimRequest.newBuilder()
                            .setClaim(TestServer.claim("r" + round + "-" + i, 1_000)).build());
                        created++;
                    }
                }
                finally
                {
                    RobustnessSupport.close(channel);
                }
                assertThat(child.terminate()).as("exit status after SIGTERM").isZero();
            }
            if (round >= 2 && LedgerFiles.snapshots(data).isEmpty())
            {
                problems.add("after round " + round + " (" + created + " records): no snapshot-*.snap, " +
                    LedgerFiles.segments(data).size() + " journal segments");
            }
        }
        System.out.println("SnapshotCountTest: " + lines);
        assertThat(problems).as("snapshots across five restarts").isEmpty();
    }
}
