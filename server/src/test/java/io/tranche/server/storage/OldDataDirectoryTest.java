package io.tranche.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.ledger.LedgerChild;
import io.tranche.server.ledger.LedgerFiles;
import io.tranche.server.ledger.OfflineVerifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory written by the build before the journal mark (the committed fixture
 * {@code fixtures/datadir-e42a845}: 3 creates, 2 tranches, 1 create, SIGTERM) still opens, with every record, and
 * says once that it had no mark; from then on it has one, and a truncation below it is refused.
 */
@Tag("slow")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OldDataDirectoryTest
{
    @TempDir
    Path dir;

    @Test
    void shouldOpenADirectoryWrittenBeforeTheMarkAndProtectItFromThenOn() throws Exception
    {
        final Path data = dir.resolve("data");
        LedgerFiles.copy(fixture(), data);
        assertThat(data.resolve("journal.mark")).doesNotExist();
        assertThat(OfflineVerifier.verify(data, 100_000).problem).as("verify on the old directory").isNull();

        final CrashRecoveryTest.Snapshot state;
        final LedgerChild child = LedgerChild.start(dir, data, "old", List.of());
        try
        {
            state = CrashRecoveryTest.Snapshot.read(child.address);
            assertThat(child.recoveryLine()[1]).as("replayed records").isEqualTo(6);
            assertThat(child.stderr()).contains("tranche: no journal mark " + data.resolve("journal.mark") +
                " (a data directory written before the mark)").doesNotContain("dropping");
            assertThat(child.terminate()).isZero();
        }
        finally
        {
            child.kill();
        }
        assertThat(state.claims()).extracting(Claim::getId).containsExactly("a", "b", "c", "d");
        assertThat(state.claims()).extracting(Claim::getDemand).containsExactly(76L, 77L, 77L, 50L);
        assertThat(state.tranches()).extracting(Tranche::getRequestId).containsExactly("r1", "r2");
        assertThat(state.tranches()).extracting(Tranche::getAllocated).containsExactly(30L, 40L);
        assertThat(data.resolve("journal.mark")).exists();
        assertThat(OfflineVerifier.verify(data, 100_000).problem).as("verify with the mark").isNull();

        final Path segment = data.resolve("journal-00000000000000000001.log");
        TruncatedJournalTest.truncate(segment, 300);
        final LedgerChild.Start refused = LedgerChild.attempt(dir, data, "old-truncated", List.of());
        assertThat(refused.child()).as("a start on the truncated journal").isNull();
        assertThat(refused.exitStatus()).isEqualTo(1);
        assertThat(refused.stderr()).contains("journal file " + segment + " is cut short at offset 247",
            "synced to 407 bytes", "up to record 6");
        assertThatThrownBy(() -> OfflineVerifier.verify(data, 100_000)).as("verify on the truncated journal")
            .hasMessageContaining("is cut short at offset 247");
    }

    private static Path fixture() throws URISyntaxException
    {
        final Path path = Path.of(OldDataDirectoryTest.class.getClassLoader()
            .getResource("fixtures/datadir-e42a845/journal-00000000000000000001.log").toURI()).getParent();
        assertThat(Files.isDirectory(path)).isTrue();
        return path;
    }
}
