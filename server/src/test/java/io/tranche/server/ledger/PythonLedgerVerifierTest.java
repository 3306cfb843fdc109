package io.tranche.server.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.util.JsonFormat;
import io.tranche.proto.v1.AwardCheck;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.ConsistencyCheck;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.InclusionProof;
import io.tranche.proto.v1.LedgerProofs;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.UpdateClaimRequest;
import io.tranche.server.TestServer;
import io.tranche.server.cli.CliRun;
import io.tranche.server.merkle.Checkpoint;
import io.tranche.server.merkle.NoteVerifier;
import io.tranche.server.merkle.ProofChecks;
import io.tranche.server.merkle.Rfc9162;
import io.tranche.server.merkle.SignedNote;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The second implementation, scripts/tranche_ledger.py (Python standard library only), and this one both check
 * what a real server proves: 1,000 seeded inclusion proofs at seeded tree sizes and 200 seeded consistency proofs
 * over a ledger of 1,100 changes, every award of its 20 tranches, and every checkpoint's signature; the script
 * refuses the same document with one hash of one audit path changed, or checked with another server's key.
 */
@Tag("slow")
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class PythonLedgerVerifierTest
{
    private static final Path SCRIPT = Path.of("..", "scripts", "tranche_ledger.py");

    @TempDir
    Path dir;

    @Test
    void shouldVerifyWhatTheServerProvesAndRefuseAnAlteredProof() throws Exception
    {
        Files.createDirectories(dir.resolve("other"));
        assumeTrue(python("--version").status() == 0, "python3 is not installed");
        final CliRun selfTest = python("self-test");
        assertThat(selfTest.status()).as(selfTest.toString()).isZero();
        assertThat(selfTest.out())
            .contains("tranche leaf hash 6480d31ac7cfcf61150aaf3ab059c8aaf65cae5ebe5ef1422b29c8c9ef62ae72")
            .contains("named claim leaf hash dad42b574a7b828f89ec80d3a829eb726d7fcd021259f4088a235c5961dd64e6");
        final String document;
        final String key;
        try (TestServer server = TestServer.start(dir.resolve("data")))
        {
            for (int i = 0; i < 50; i++)
            {
                server.queue().createClaim(CreateClaimRequest.newBuilder()
                    .setClaim(TestServer.claim("firm-" + i, 1_000_000)).build());
            }
            for (int k = 0; k < 1030; k++)
            {
                if (k % 52 == 0)
                {
                    server.queue().releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("r" + k)
                        .setSupply(1000 + k).setPolicy(Policy.newBuilder().setMethod(Method.SAINTE_LAGUE)).build());
                }
                else
                {
                    server.queue().updateClaim(UpdateClaimRequest.newBuilder().setClaim(Claim.newBuilder()
                        .setId("firm-" + k % 50).setDemand(1_000_000 - k)).build());
                }
            }
            final String address = "127.0.0.1:" + server.server.port();
            final CliRun dump = CliRun.run("ledger", "--server", address, "--inclusion", "1000", "--consistency",
                "200", "--awards", "--seed", "20261206");
            assertThat(dump.status()).as(dump.err()).isZero();
            document = dump.out();
            key = CliRun.run("key", "--data-dir", dir.resolve("data").toString()).out().trim();
        }
        // The same proofs through the Java implementation.
        final LedgerProofs.Builder proofs = LedgerProofs.newBuilder();
        JsonFormat.parser().merge(document, proofs);
        assertThat(proofs.getInclusionCount()).isEqualTo(1000);
        assertThat(proofs.getConsistencyCount()).isEqualTo(200);
        final NoteVerifier verifier = NoteVerifier.parse(key);
        for (final InclusionProof p : proofs.getInclusionList())
        {
            final Checkpoint cp = checkpoint(p.getCheckpoint(), verifier);
            assertThat(Rfc9162.verifyInclusion(p.getLeafIndex(), cp.size(),
                Rfc9162.leafHash(p.getLeaf().toByteArray()), ProofChecks.hashes(p.getAuditPathList()), cp.root()))
                .isTrue();
        }
        for (final ConsistencyCheck c : proofs.getConsistencyList())
        {
            final Checkpoint from = checkpoint(c.getFrom(), verifier);
            final Checkpoint to = checkpoint(c.getProof().getCheckpoint(), verifier);
            assertThat(Rfc9162.verifyConsistency(from.size(), to.size(), from.root(), to.root(),
                ProofChecks.hashes(c.getProof().getPathList()))).isTrue();
        }
        for (final AwardCheck a : proofs.getAwardsList())
        {
            final Checkpoint cp = checkpoint(a.getProof().getCheckpoint(), verifier);
            assertThat(ProofChecks.award(a.getProof(), a.getTranche(), a.getClaimId(), cp).problem()).isNull();
        }
        final CliRun verified = withInput(document, "verify", "--key", key);
        assertThat(verified.status()).as(verified.toString()).isZero();
        assertThat(verified.out())
            .contains("1000 inclusion proof(s), 200 consistency proof(s) and 1000 award proof(s)");

        // One hash of the first proof's audit path changed: refused, naming the proof.
        final int at = document.indexOf("\"auditPath\":[\"") + 14;
        final String altered = document.substring(0, at) + (document.charAt(at) == 'A' ? 'B' : 'A') +
            document.substring(at + 1);
        final CliRun refused = withInput(altered, "verify", "--key", key);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("inclusion proof 0: leaf ").contains("do not lead to the root");

        // Another server's key: what a server that was replaced would sign with.
        final String otherKey = io.tranche.server.merkle.LedgerKey.loadOrCreate(dir.resolve("other"), null).verifier()
            .toString();
        final CliRun wrongKey = withInput(document, "verify", "--key", otherKey);
        assertThat(wrongKey.status()).as(wrongKey.toString()).isEqualTo(1);
        // name+hash: the base64 key after the second '+' may hold '+' itself.
        assertThat(wrongKey.err()).contains("not signed by " +
            otherKey.substring(0, otherKey.indexOf('+', otherKey.indexOf('+') + 1)));
    }

    private static Checkpoint checkpoint(final io.tranche.proto.v1.Checkpoint signed, final NoteVerifier key)
    {
        assertThat(SignedNote.problem(signed.getNote(), key)).isNull();
        return Checkpoint.parse(SignedNote.parse(signed.getNote()).text());
    }

    private CliRun python(final String... args) throws IOException, InterruptedException
    {
        return withInput(null, args);
    }

    private CliRun withInput(final String stdin, final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new java.util.ArrayList<>(List.of("python3", SCRIPT.toString()));
        if (args.length == 1 && args[0].equals("--version"))
        {
            command.remove(1);
        }
        command.addAll(List.of(args));
        final Path in = dir.resolve("stdin.json");
        Files.writeString(in, stdin == null ? "" : stdin);
        final Path out = dir.resolve("stdout");
        final Path err = dir.resolve("stderr");
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectInput(in.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        }
        catch (final IOException ex)
        {
            return new CliRun(127, "", ex.getMessage());
        }
        assertThat(process.waitFor(300, TimeUnit.SECONDS)).isTrue();
        return new CliRun(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    }
}
