package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tranche.server.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} refuses, with exit status 2 and one line, to run a cluster member whose UDP ports would take
 * unauthenticated commands (a non-loopback member without {@code --cluster-secret}, or {@code --tokens} beside
 * an unauthenticated ingress) unless {@code --insecure}, and refuses a secret file that is short or readable by
 * others. Nothing is started: every refusal comes before the data directory is touched.
 */
class ClusterTrustConfigTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRefuseANonLoopbackMemberWithoutASecret()
    {
        final CliRun run = CliRun.run("serve", "--data-dir", dir.resolve("d").toString(),
            "--cluster-members", "0=127.0.0.1:40110,1=192.0.2.7:40120,2=127.0.0.1:40130", "--node-id", "0");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).startsWith("tranche serve: refusing --cluster-members on 192.0.2.7 without " +
            "--cluster-secret").contains("--insecure").hasLineCount(1);
        assertThat(dir.resolve("d")).doesNotExist();
    }

    @Test
    void shouldRefuseTokensBesideAnUnauthenticatedIngress() throws Exception
    {
        final Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "s3cret-admin-token-0123456789 admin\n");
        final CliRun run = CliRun.run("serve", "--data-dir", dir.resolve("d").toString(), "--tokens",
            tokens.toString(), "--cluster-members", ClusterProcesses.loopbackMembers(40110), "--node-id", "0");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).startsWith("tranche serve: refusing --tokens with --cluster-members and no " +
            "--cluster-secret").hasLineCount(1);
    }

    @Test
    void shouldRefuseASecretFileOthersCanReadOrThatIsTooShortOrMissing() throws Exception
    {
        final Path open = dir.resolve("open");
        Files.write(open, new byte[32]);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(serveWithSecret(open).err()).contains("is readable by others").contains("chmod 600");
        final Path shortSecret = dir.resolve("short");
        Files.write(shortSecret, new byte[31]);
        Files.setPosixFilePermissions(shortSecret, PosixFilePermissions.fromString("rw-------"));
        assertThat(serveWithSecret(shortSecret).err()).contains("holds 31 bytes, fewer than 32");
        assertThat(serveWithSecret(dir.resolve("missing")).err()).contains("does not exist");
        for (final Path file : new Path[] {open, shortSecret, dir.resolve("missing")})
        {
            final CliRun run = serveWithSecret(file);
            assertThat(run.status()).isEqualTo(2);
            assertThat(run.err()).startsWith("tranche serve: --cluster-secret " + file).hasLineCount(1);
        }
    }

    private CliRun serveWithSecret(final Path secret)
    {
        return CliRun.run("serve", "--data-dir", dir.resolve("d").toString(), "--cluster-secret", secret.toString(),
            "--cluster-members", ClusterProcesses.loopbackMembers(40110), "--node-id", "0");
    }
}
