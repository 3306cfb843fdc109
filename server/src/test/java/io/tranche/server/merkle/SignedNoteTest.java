package io.tranche.server.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed notes and checkpoints against the published vectors of Go's golang.org/x/mod/sumdb/note (its signer key,
 * verifier key and signed note: Ed25519 signatures are deterministic, so ours must be byte for byte the same), the
 * key file made at a first start, and each refusal with its reason.
 */
class SignedNoteTest
{
    static final String SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    static final String VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    static final String TEXT = "If you think cryptography is the answer to your problem,\n" +
        "then you don't know what your problem is.\n";
    static final String NOTE = TEXT + "\n\u2014 PeterNeumann " +
        "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    static final String OTHER = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";

    @TempDir
    Path dir;

    private LedgerKey peter() throws IOException
    {
        final Path file = dir.resolve("peter.key");
        Files.writeString(file, SIGNER + "\n");
        return LedgerKey.load(file);
    }

    @Test
    void shouldSignAndVerifyLikeGosNotePackage() throws IOException
    {
        final LedgerKey key = peter();
        assertThat(key.verifier().toString()).isEqualTo(VERIFIER);
        assertThat(NoteVerifier.parse(VERIFIER)).isEqualTo(key.verifier());
        assertThat(SignedNote.sign(TEXT, key)).isEqualTo(NOTE);
        assertThat(SignedNote.problem(NOTE, NoteVerifier.parse(VERIFIER))).isNull();
        final SignedNote.Parsed parsed = SignedNote.parse(NOTE);
        assertThat(parsed.text()).isEqualTo(TEXT);
        assertThat(parsed.signatures()).hasSize(1);
        assertThat(parsed.signatures().get(0).keyId()).isEqualTo(0xc74f20a3);
    }

    @Test
    void shouldRefuseAForgedSignatureAnAlteredTextAndTheWrongKeyEachWithItsReason()
    {
        final NoteVerifier peter = NoteVerifier.parse(VERIFIER);
        final String forged = NOTE.replace("ZJkuBS", "ZJkvBS");
        assertThat(SignedNote.problem(forged, peter)).contains("does not verify (forged, or the note was altered)");
        assertThat(SignedNote.problem(NOTE.replace("answer", "answers"), peter)).contains("does not verify");
        assertThat(SignedNote.problem(NOTE, NoteVerifier.parse(OTHER)))
            .isEqualTo("not signed by the trusted key EnochRoot+af0cfe78 (signed by PeterNeumann+c74f20a3: " +
                "the wrong key)");
        assertThat(SignedNote.problem(TEXT, peter)).startsWith("malformed note");
        assertThat(SignedNote.problem("\u0001" + NOTE, peter)).contains("control character");
    }

    @Test
    void shouldRefuseMalformedVerifierKeys()
    {
        assertThatThrownBy(() -> NoteVerifier.parse(VERIFIER.replace("c74f20a3", "c74f20a4")))
            .hasMessageContaining("is not its key's id c74f20a3");
        assertThatThrownBy(() -> NoteVerifier.parse("PeterNeumann+c74f20a3")).hasMessageContaining("three parts");
        assertThatThrownBy(() -> NoteVerifier.parse("PeterNeumann+173116ae+" +
            "ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"))
            .hasMessageContaining("not 0x01 and a 32-byte Ed25519 key");
    }

    @Test
    void shouldCreateTheKeyAtTheFirstStartWithMode600AndKeepItAndItsOrigin() throws IOException
    {
        final LedgerKey created = LedgerKey.loadOrCreate(dir, null);
        final Path file = dir.resolve(LedgerKey.FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(created.name()).matches("tranche/[0-9a-f]{8}");
        assertThat(Files.readString(file)).startsWith("PRIVATE+KEY+" + created.name() + "+");
        final LedgerKey again = LedgerKey.loadOrCreate(dir, null);
        assertThat(again.verifier()).isEqualTo(created.verifier());
        assertThat(LedgerKey.loadOrCreate(dir, created.name()).verifier()).isEqualTo(created.verifier());
        assertThatThrownBy(() -> LedgerKey.loadOrCreate(dir, "example.com/other"))
            .hasMessageContaining("--log-origin example.com/other differs from the origin of the ledger's signing key");
        final Path named = dir.resolve("named");
        Files.createDirectories(named);
        assertThat(LedgerKey.loadOrCreate(named, "example.com/ledger").name()).isEqualTo("example.com/ledger");
    }

    @Test
    void shouldSignACheckpointThatParsesBack() throws IOException
    {
        final LedgerKey key = LedgerKey.loadOrCreate(dir, "example.com/ledger");
        final byte[] root = Rfc9162.emptyRoot();
        final String note = new Checkpoint("example.com/ledger", 0, root).sign(key);
        assertThat(note).startsWith("example.com/ledger\n0\n" + Base64.getEncoder().encodeToString(root) + "\n\n" +
            "\u2014 example.com/ledger ");
        assertThat(SignedNote.problem(note, key.verifier())).isNull();
        final Checkpoint parsed = Checkpoint.parse(SignedNote.parse(note).text());
        assertThat(parsed).isEqualTo(new Checkpoint("example.com/ledger", 0, root));
        assertThatThrownBy(() -> Checkpoint.parse("o\n01\n" + Base64.getEncoder().encodeToString(root) + "\n"))
            .hasMessageContaining("size line");
        assertThatThrownBy(() -> Checkpoint.parse("o\n1\nAAAA\n")).hasMessageContaining("not 32");
        assertThat(note.getBytes(StandardCharsets.UTF_8)).doesNotContain((byte)'\r');
    }
}
