package io.tranche.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tranche.proto.v1.Checkpoint;
import io.tranche.proto.v1.GetCheckpointRequest;
import io.tranche.proto.v1.LedgerServiceGrpc;
import io.tranche.proto.v1.ListTranchesRequest;
import io.tranche.proto.v1.ListTranchesResponse;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.server.TestServer;
import io.tranche.server.grpc.LedgerServiceTest;
import io.tranche.server.ledger.LedgerFiles;
import io.tranche.server.merkle.LedgerKey;
import io.tranche.server.merkle.SignedNote;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify --checkpoint} and {@code proof} against real servers: the first use saves the checkpoint, its key
 * and its leaf hashes, a later run extends it; a forged signature, the wrong key, a smaller tree (a rollback) and a
 * checkpoint of another origin are each refused with its reason, and FILE is left as it was.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LedgerCliTest
{
    @TempDir
    Path dir;

    private static String address(final TestServer server)
    {
        return "127.0.0.1:" + server.server.port();
    }

    @Test
    void shouldSaveOnFirstUseThenExtendAndProveAFirmsAward() throws Exception
    {
        final Path checkpoint = dir.resolve("firm.ckpt");
        try (TestServer server = TestServer.start(dir.resolve("data")))
        {
            LedgerServiceTest.write(server);
            final String key = CliRun.run("key", "--data-dir", dir.resolve("data").toString()).out().trim();
            final CliRun first = CliRun.run("verify", "--server", address(server), "--checkpoint",
                checkpoint.toString(), "--log-key", key);
            assertThat(first.status()).as(first.toString()).isZero();
            assertThat(first.out()).contains("verified 2 tranche(s)").contains("size 9")
                .contains("tranches   2 found in the tree").doesNotContain("trusted on first use");
            assertThat(Files.readString(checkpoint)).startsWith(key.substring(0, key.indexOf('+')) + "\n9\n");
            assertThat(Files.readString(dir.resolve("firm.ckpt.vkey")).trim()).isEqualTo(key);
            assertThat(Files.size(dir.resolve("firm.ckpt.leaves"))).isEqualTo(9 * 32);

            server.queue().createClaim(io.tranche.proto.v1.CreateClaimRequest.newBuilder()
                .setClaim(TestServer.claim("zeta", 10)).build());
            final CliRun second = CliRun.run("verify", "--server", address(server), "--checkpoint",
                checkpoint.toString());
            assertThat(second.status()).as(second.toString()).isZero();
            assertThat(second.out()).contains("size 10").contains("extends    the saved checkpoint (size 9)");

            final CliRun proof = CliRun.run("proof", "--server", address(server), "--tranche", "2", "--claim", "beta",
                "--checkpoint", checkpoint.toString());
            assertThat(proof.status()).as(proof.toString()).isZero();
            assertThat(proof.out()).startsWith("tranche 2, claim beta: ").contains("award      1 of ")
                .contains("in the ledger's tree").contains("extends    the checkpoint saved in").endsWith("proven\n");
            final CliRun unknown = CliRun.run("proof", "--server", address(server), "--tranche", "2", "--claim",
                "nobody");
            assertThat(unknown.status()).isEqualTo(2);
            assertThat(unknown.err()).contains("claim \"nobody\" has no award in tranche 2");
        }
    }

    @Test
    void shouldRefuseTheWrongKeyAndARollbackEachWithItsReason() throws Exception
    {
        final Path checkpoint = dir.resolve("a.ckpt");
        final Path data = dir.resolve("a");
        final Path earlier = dir.resolve("a-earlier");
        try (TestServer a = TestServer.start(data))
        {
            LedgerServiceTest.write(a);
        }
        LedgerFiles.copy(data, earlier);
        try (TestServer a = TestServer.start(data))
        {
            a.queue().createClaim(io.tranche.proto.v1.CreateClaimRequest.newBuilder()
                .setClaim(TestServer.claim("zeta", 10)).build());
            assertThat(CliRun.run("verify", "--server", address(a), "--checkpoint", checkpoint.toString()).status())
                .isZero();
        }
        final String saved = Files.readString(checkpoint);
        try (TestServer b = TestServer.start(dir.resolve("b")))
        {
            final CliRun wrong = CliRun.run("verify", "--server", address(b), "--checkpoint", checkpoint.toString());
            assertThat(wrong.status()).as(wrong.toString()).isEqualTo(1);
            assertThat(wrong.err()).contains("the server's checkpoint: not signed by the trusted key tranche/")
                .contains("the wrong key");
        }
        // The same server's key, an earlier copy of its directory: a smaller tree.
        Files.deleteIfExists(earlier.resolve("LOCK"));
        try (TestServer rolledBack = TestServer.start(earlier))
        {
            final CliRun rollback = CliRun.run("verify", "--server", address(rolledBack), "--checkpoint",
                checkpoint.toString());
            assertThat(rollback.status()).as(rollback.toString()).isEqualTo(1);
            assertThat(rollback.err()).contains("has size 9, smaller than the saved checkpoint's 10: history was cut " +
                "(a rollback)").contains("leaves 9 to 9 are gone");
        }
        assertThat(Files.readString(checkpoint)).as("a refused checkpoint is not saved").isEqualTo(saved);
    }

    @Test
    void shouldRefuseAForgedSignatureAndACheckpointOfAnotherOrigin() throws Exception
    {
        final Path checkpoint = dir.resolve("c.ckpt");
        final Path data = dir.resolve("c");
        final String genuine;
        try (TestServer server = TestServer.start(data))
        {
            LedgerServiceTest.write(server);
            assertThat(CliRun.run("verify", "--server", address(server), "--checkpoint", checkpoint.toString())
                .status()).isZero();
            genuine = LedgerServiceTest.ledger(server).getCheckpoint(GetCheckpointRequest.getDefaultInstance())
                .getNote();
        }
        final LedgerKey key = LedgerKey.load(data.resolve(LedgerKey.FILE));
        // A signature with one byte changed past the key id.
        final int sig = genuine.lastIndexOf(' ') + 12;
        final String forged = genuine.substring(0, sig) + (genuine.charAt(sig) == 'A' ? 'B' : 'A') +
            genuine.substring(sig + 1);
        final CliRun forgedRun = runAgainst(forged, key.verifier().toString(), checkpoint);
        assertThat(forgedRun.status()).as(forgedRun.toString()).isEqualTo(1);
        assertThat(forgedRun.err()).contains("does not verify (forged, or the note was altered)");
        // Signed with the pinned key itself, but for another log.
        final String other = SignedNote.sign("example.com/other\n9\n" +
            Base64.getEncoder().encodeToString(new byte[32]) + "\n", key);
        final CliRun otherRun = runAgainst(other, key.verifier().toString(), checkpoint);
        assertThat(otherRun.status()).as(otherRun.toString()).isEqualTo(1);
        assertThat(otherRun.err()).contains("is of origin example.com/other, not " + key.name())
            .contains("a checkpoint of another log");
    }

    // A server that serves one crafted checkpoint and no tranches.
    private CliRun runAgainst(final String note, final String verifierKey, final Path checkpoint) throws Exception
    {
        final Server fake = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(new QueueServiceGrpc.QueueServiceImplBase()
            {
                @Override
                public void listTranches(final ListTranchesRequest request,
                    final StreamObserver<ListTranchesResponse> observer)
                {
                    observer.onNext(ListTranchesResponse.getDefaultInstance());
                    observer.onCompleted();
                }
            })
            .addService(new LedgerServiceGrpc.LedgerServiceImplBase()
            {
                @Override
                public void getCheckpoint(final GetCheckpointRequest request, final StreamObserver<Checkpoint> observer)
                {
                    observer.onNext(Checkpoint.newBuilder().setNote(note).setVerifierKey(verifierKey).build());
                    observer.onCompleted();
                }
            })
            .build().start();
        try
        {
            return CliRun.run("verify", "--server", "127.0.0.1:" + fake.getPort(), "--checkpoint",
                checkpoint.toString());
        }
        finally
        {
            fake.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
