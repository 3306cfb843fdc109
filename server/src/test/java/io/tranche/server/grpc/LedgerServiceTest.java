package io.tranche.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tranche.proto.v1.AwardRef;
import io.tranche.proto.v1.Checkpoint;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.ClaimLeaf;
import io.tranche.proto.v1.ConsistencyProof;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.DeleteClaimRequest;
import io.tranche.proto.v1.GetCheckpointRequest;
import io.tranche.proto.v1.GetConsistencyProofRequest;
import io.tranche.proto.v1.GetInclusionProofRequest;
import io.tranche.proto.v1.InclusionProof;
import io.tranche.proto.v1.LedgerLeaf;
import io.tranche.proto.v1.LedgerServiceGrpc;
import io.tranche.proto.v1.ListLeafHashesRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.proto.v1.UpdateClaimRequest;
import io.tranche.server.TestServer;
import io.tranche.server.cli.CliRun;
import io.tranche.server.ledger.LedgerFiles;
import io.tranche.server.merkle.NoteVerifier;
import io.tranche.server.merkle.ProofChecks;
import io.tranche.server.merkle.Rfc9162;
import io.tranche.server.merkle.SignedNote;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger's tree through a real server: one leaf per change, signed checkpoints that verify with the key
 * {@code tranche key} prints, award proofs that verify and carry no other firm's award, every leaf's proof and
 * every consistency proof, the same tree after a restart and after a snapshot, and the errors of bad requests.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
public class LedgerServiceTest
{
    private static final Policy PROPORTIONAL = Policy.newBuilder().setMethod(Method.PROPORTIONAL).build();

    @TempDir
    public Path dir;

    public static LedgerServiceGrpc.LedgerServiceBlockingStub ledger(final TestServer server)
    {
        return LedgerServiceGrpc.newBlockingStub(server.channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    /** Five creates, an update, two releases, a delete: nine changes. */
    public static void write(final TestServer server)
    {
        for (final String id : new String[] {"alpha", "beta", "gamma", "delta", "epsilon"})
        {
            server.queue().createClaim(CreateClaimRequest.newBuilder().setClaim(TestServer.claim(id, 1000)).build());
        }
        server.queue().updateClaim(UpdateClaimRequest.newBuilder()
            .setClaim(Claim.newBuilder().setId("beta").setDemand(2000)).build());
        server.queue().releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("r1").setSupply(600)
            .setPolicy(PROPORTIONAL).build());
        server.queue().releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("r2").setSupply(900)
            .setPolicy(PROPORTIONAL).build());
        server.queue().deleteClaim(DeleteClaimRequest.newBuilder().setId("epsilon").build());
    }

    public static io.tranche.server.merkle.Checkpoint verified(final Checkpoint answer, final NoteVerifier key)
    {
        assertThat(SignedNote.problem(answer.getNote(), key)).isNull();
        return io.tranche.server.merkle.Checkpoint.parse(SignedNote.parse(answer.getNote()).text());
    }

    @Test
    public void shouldSignACheckpointOverOneLeafPerChangeWithTheKeyOfTheDataDirectory() throws Exception
    {
        try (TestServer server = TestServer.start(dir))
        {
            write(server);
            final Checkpoint answer = ledger(server).getCheckpoint(GetCheckpointRequest.getDefaultInstance());
            final CliRun key = CliRun.run("key", "--data-dir", dir.toString());
            assertThat(key.status()).as(key.toString()).isZero();
            assertThat(key.out().trim()).isEqualTo(answer.getVerifierKey());
            final NoteVerifier verifier = NoteVerifier.parse(key.out().trim());
            final io.tranche.server.merkle.Checkpoint cp = verified(answer, verifier);
            assertThat(cp.size()).isEqualTo(9).isEqualTo(answer.getTreeSize());
            assertThat(cp.origin()).isEqualTo(verifier.name()).matches("tranche/[0-9a-f]{8}");
            // Leaf 5 is the update: the claim after it, with its time.
            final LedgerLeaf update = LedgerLeaf.parseFrom(ledger(server).getInclusionProof(
                GetInclusionProofRequest.newBuilder().setLeafIndex(5).build()).getLeaf());
            assertThat(update.getClaim().getChange()).isEqualTo(ClaimLeaf.Change.UPDATED);
            assertThat(update.getClaim().getClaim().getDemand()).isEqualTo(2000);
            assertThat(update.getClaim().getTime().getSeconds()).isPositive();
            final LedgerLeaf deleted = LedgerLeaf.parseFrom(ledger(server).getInclusionProof(
                GetInclusionProofRequest.newBuilder().setLeafIndex(8).build()).getLeaf());
            assertThat(deleted.getClaim().getChange()).isEqualTo(ClaimLeaf.Change.DELETED);
            assertThat(deleted.getClaim().getClaim().getId()).isEqualTo("epsilon");
        }
        assertThat(CliRun.run("key", "--data-dir", dir.resolve("nothing").toString()).err())
            .contains("no " + dir.resolve("nothing").resolve("ledger-signing.key"));
    }

    @Test
    public void shouldProveEachAwardWithOnlyHashesOfTheOtherAwards() throws Exception
    {
        try (TestServer server = TestServer.start(dir))
        {
            write(server);
            final NoteVerifier key = NoteVerifier.parse(ledger(server).getCheckpoint(
                GetCheckpointRequest.getDefaultInstance()).getVerifierKey());
            for (long n = 1; n <= 2; n++)
            {
                final Tranche tranche = server.queue().getTranche(
                    io.tranche.proto.v1.GetTrancheRequest.newBuilder().setNumber(n).build());
                for (final io.tranche.proto.v1.Award award : tranche.getAwardsList())
                {
                    assertThat(award.getSalt().size()).as("every recorded award is salted").isEqualTo(16);
                    final InclusionProof proof = ledger(server).getInclusionProof(GetInclusionProofRequest.newBuilder()
                        .setAward(AwardRef.newBuilder().setTranche(n).setClaimId(award.getId())).build());
                    final io.tranche.server.merkle.Checkpoint cp = verified(proof.getCheckpoint(), key);
                    final ProofChecks.AwardResult result = ProofChecks.award(proof, n, award.getId(), cp);
                    assertThat(result.problem()).isNull();
                    assertThat(result.award()).isEqualTo(award);
                    // Nothing of another firm's award travels with this one's proof: not its id, not its salt.
                    final byte[] bytes = proof.toByteArray();
                    for (final io.tranche.proto.v1.Award other : tranche.getAwardsList())
                    {
                        if (!other.getId().equals(award.getId()))
                        {
                            assertThat(new String(bytes, StandardCharsets.ISO_8859_1))
                                .doesNotContain(other.getId())
                                .doesNotContain(new String(other.getSalt().toByteArray(), StandardCharsets.ISO_8859_1));
                        }
                    }
                    // A proof for another claim's award cannot pass for this one.
                    assertThat(ProofChecks.award(proof, n, "someone-else", cp).problem()).contains("not someone-else");
                }
            }
        }
    }

    @Test
    public void shouldProveEveryLeafAndEveryPairOfSizes() throws Exception
    {
        try (TestServer server = TestServer.start(dir))
        {
            write(server);
            final LedgerServiceGrpc.LedgerServiceBlockingStub ledger = ledger(server);
            final List<byte[]> hashes = ProofChecks.hashes(ledger.listLeafHashes(
                ListLeafHashesRequest.getDefaultInstance()).getLeafHashesList());
            assertThat(hashes).hasSize(9);
            final byte[] root = ledger.getCheckpoint(GetCheckpointRequest.getDefaultInstance()).getRootHash()
                .toByteArray();
            assertThat(Rfc9162.root(hashes)).isEqualTo(root);
            for (long size = 1; size <= 9; size++)
            {
                final byte[] rootAt = Rfc9162.root(hashes.subList(0, (int)size));
                for (long i = 0; i < size; i++)
                {
                    final InclusionProof proof = ledger.getInclusionProof(GetInclusionProofRequest.newBuilder()
                        .setLeafIndex(i).setTreeSize(size).build());
                    assertThat(Rfc9162.leafHash(proof.getLeaf().toByteArray())).isEqualTo(hashes.get((int)i));
                    assertThat(Rfc9162.verifyInclusion(i, size, hashes.get((int)i),
                        ProofChecks.hashes(proof.getAuditPathList()), rootAt)).isTrue();
                    assertThat(proof.getCheckpoint().getRootHash().toByteArray()).isEqualTo(rootAt);
                }
                for (long from = 0; from <= size; from++)
                {
                    final ConsistencyProof proof = ledger.getConsistencyProof(GetConsistencyProofRequest.newBuilder()
                        .setFromSize(from).setToSize(size).build());
                    assertThat(Rfc9162.verifyConsistency(from, size, Rfc9162.root(hashes.subList(0, (int)from)),
                        rootAt, ProofChecks.hashes(proof.getPathList()))).as("%d to %d", from, size).isTrue();
                }
            }
            assertStatus(() -> ledger.getInclusionProof(GetInclusionProofRequest.newBuilder().setLeafIndex(9).build()),
                Status.Code.NOT_FOUND, "leaf 9 is not in the tree at size 9");
            assertStatus(() -> ledger.getInclusionProof(GetInclusionProofRequest.newBuilder().setLeafIndex(0)
                .setTreeSize(10).build()), Status.Code.NOT_FOUND, "tree_size 10 is beyond the tree");
            assertStatus(() -> ledger.getInclusionProof(GetInclusionProofRequest.newBuilder().setAward(
                AwardRef.newBuilder().setTranche(3).setClaimId("alpha")).build()), Status.Code.NOT_FOUND,
                "tranche 3 has not been released");
            assertStatus(() -> ledger.getInclusionProof(GetInclusionProofRequest.newBuilder().setAward(
                AwardRef.newBuilder().setTranche(1).setClaimId("zeta")).build()), Status.Code.NOT_FOUND,
                "claim \"zeta\" has no award in tranche 1");
            assertStatus(() -> ledger.getInclusionProof(GetInclusionProofRequest.getDefaultInstance()),
                Status.Code.INVALID_ARGUMENT, "give award");
            assertStatus(() -> ledger.getConsistencyProof(GetConsistencyProofRequest.newBuilder().setFromSize(5)
                .setToSize(3).build()), Status.Code.INVALID_ARGUMENT, "a tree cannot shrink");
        }
    }

    @Test
    public void shouldKeepTheSameTreeAcrossARestartAndASnapshot() throws Exception
    {
        final List<byte[]> before;
        final Checkpoint first;
        try (TestServer server = TestServer.start(TestServer.config(dir).snapshotEvery(4)))
        {
            write(server);
            first = ledger(server).getCheckpoint(GetCheckpointRequest.getDefaultInstance());
            before = ProofChecks.hashes(ledger(server).listLeafHashes(ListLeafHashesRequest.getDefaultInstance())
                .getLeafHashesList());
        }
        assertThat(LedgerFiles.snapshots(dir)).as("a snapshot was taken").isNotEmpty();
        try (TestServer server = TestServer.start(TestServer.config(dir).snapshotEvery(4)))
        {
            final Checkpoint again = ledger(server).getCheckpoint(GetCheckpointRequest.getDefaultInstance());
            assertThat(again.getTreeSize()).isEqualTo(first.getTreeSize());
            assertThat(again.getRootHash()).isEqualTo(first.getRootHash());
            server.queue().createClaim(CreateClaimRequest.newBuilder().setClaim(TestServer.claim("zeta", 5)).build());
            final Checkpoint later = ledger(server).getCheckpoint(GetCheckpointRequest.getDefaultInstance());
            assertThat(later.getTreeSize()).isEqualTo(10);
            final ConsistencyProof proof = ledger(server).getConsistencyProof(GetConsistencyProofRequest.newBuilder()
                .setFromSize(9).setToSize(10).build());
            assertThat(Rfc9162.verifyConsistency(9, 10, first.getRootHash().toByteArray(),
                later.getRootHash().toByteArray(), ProofChecks.hashes(proof.getPathList()))).isTrue();
            final List<byte[]> after = ProofChecks.hashes(ledger(server).listLeafHashes(
                ListLeafHashesRequest.getDefaultInstance()).getLeafHashesList());
            assertThat(after.subList(0, 9)).containsExactlyElementsOf(before);
        }
        // The tree files lost: rebuilt from the journal at the next start, to the same root.
        java.nio.file.Files.delete(dir.resolve("ledger.tree"));
        java.nio.file.Files.delete(dir.resolve("ledger.leaves"));
        try (TestServer server = TestServer.start(TestServer.config(dir).snapshotEvery(4)))
        {
            final Checkpoint rebuilt = ledger(server).getCheckpoint(GetCheckpointRequest.getDefaultInstance());
            assertThat(rebuilt.getTreeSize()).isEqualTo(10);
            final List<byte[]> hashes = new ArrayList<>(ProofChecks.hashes(ledger(server).listLeafHashes(
                ListLeafHashesRequest.getDefaultInstance()).getLeafHashesList()));
            assertThat(hashes.subList(0, 9)).containsExactlyElementsOf(before);
        }
    }

    public static void assertStatus(final Runnable call, final Status.Code code, final String message)
    {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, ex ->
        {
            assertThat(ex.getStatus().getCode()).isEqualTo(code);
            assertThat(ex.getStatus().getDescription()).contains(message);
        });
    }
}
