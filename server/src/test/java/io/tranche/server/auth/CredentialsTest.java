package io.tranche.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest
{
    @TempDir
    Path dir;

    private Credentials tokens(final String text) throws IOException
    {
        return Credentials.loadTokens(Files.writeString(dir.resolve("tokens"), text));
    }

    @Test
    void shouldReadPlainAndScopedLines() throws Exception
    {
        final Credentials c = tokens("# the regulator's set-up\n" +
            "t-admin admin\n" +
            "t-audit   auditor name=regulator   # read-only\n" +
            "t-read reader\n" +
            "t-alpha claimant claims=alpha-*,shared-1 name=alpha\n");
        assertThat(c.forToken("t-admin")).isEqualTo(new Principal("admin", Role.ADMIN, Scope.ALL));
        assertThat(c.forToken("t-audit")).isEqualTo(new Principal("regulator", Role.AUDITOR, Scope.ALL));
        assertThat(c.forToken("t-read").name()).isEqualTo("reader");
        final Principal alpha = c.forToken("t-alpha");
        assertThat(alpha.role()).isEqualTo(Role.CLAIMANT);
        assertThat(alpha.name()).isEqualTo("alpha");
        assertThat(alpha.reaches("alpha-7")).isTrue();
        assertThat(alpha.reaches("shared-1")).isTrue();
        assertThat(alpha.reaches("shared-12")).isFalse();
        assertThat(alpha.reaches("beta-1")).isFalse();
        assertThat(alpha.reaches("alpha")).isFalse();
        assertThat(c.forToken("t-alph")).isNull();
        assertThat(c.forToken("")).isNull();
    }

    @Test
    void shouldRefuseEachMistakeNamingTheLineAndNeverTheToken() throws Exception
    {
        final String secret = "s3cret-value";
        final String[][] cases = {
            {secret + " superuser", "role must be admin, auditor, reader or claimant, was \"superuser\""},
            {secret, "expected \"TOKEN ROLE [name=NAME] [claims=ID,PREFIX*,...]\""},
            {secret + " claimant name=alpha", "a claimant needs claims="},
            {secret + " reader claims=alpha-*", "claims= goes with the claimant role only"},
            {secret + " claimant claims=*", "claims=* would reach every firm's claims"},
            {secret + " claimant claims=a*b", "* may only end a prefix"},
            {secret + " claimant claims=a,,b", "claims= entry 2 is empty"},
            {secret + " admin name=has,comma", "name= may hold letters, digits"},
            {secret + " admin name=", "name= must be 1 to 128 characters"},
            {secret + " admin name=" + secret, "name= must not be the token itself"},
            {secret + " admin role=x", "unknown option \"role=\""},
            {secret + " admin name=a name=b", "name= is given twice"},
            {secret + " admin\n" + secret + " reader", "this token is given twice"},
            {"t1 admin name=ops\nt2 reader name=ops", "name \"ops\" is admin on line 1 but reader here"},
        };
        for (final String[] c : cases)
        {
            final int line = c[0].split("\n").length;
            assertThatThrownBy(() -> tokens(c[0])).as(c[0])
                .isInstanceOf(IOException.class)
                .hasMessageContaining("--tokens ")
                .hasMessageContaining(":" + line + ": ")
                .hasMessageContaining(c[1])
                .satisfies(ex -> assertThat(ex.getMessage().replace("name=" + secret, "")).doesNotContain(secret));
        }
        assertThatThrownBy(() -> tokens("# nothing\n\n")).hasMessageContaining("no tokens");
    }

    @Test
    void shouldLetTwoTokensOfOnePrincipalAgree() throws Exception
    {
        final Credentials c = tokens("old claimant name=alpha claims=alpha-*\n" +
            "new claimant name=alpha claims=alpha-*\n");
        assertThat(c.forToken("old")).isEqualTo(c.forToken("new"));
    }

    @Test
    void shouldMapCertificateSubjectsUriFirstThenCommonName() throws Exception
    {
        final Credentials c = Credentials.loadPrincipals(Files.writeString(dir.resolve("principals"),
            "spiffe://regulator.example/firm/alpha claimant name=alpha claims=alpha-*\n" +
            "testclient claimant name=gamma claims=gamma-*\n" +
            "spiffe://regulator.example/ops admin\n"));
        assertThat(c.forSubject(List.of("spiffe://regulator.example/firm/alpha"), "testclient").name())
            .isEqualTo("alpha");
        assertThat(c.forSubject(List.of("spiffe://elsewhere/x"), "testclient").name()).isEqualTo("gamma");
        assertThat(c.forSubject(List.of(), "spiffe://regulator.example/ops"))
            .as("a CN that looks like a URI does not stand for one").isNull();
        assertThat(c.forSubject(List.of("spiffe://regulator.example/ops"), null).name())
            .as("the subject is the default name").isEqualTo("spiffe://regulator.example/ops");
        assertThat(c.forSubject(List.of(), "unknown")).isNull();
    }

    @Test
    void shouldRefuseOneNameForTwoPrincipalsAcrossFiles() throws Exception
    {
        final Credentials tokens = tokens("t claimant name=alpha claims=alpha-*\n");
        final Credentials certificates = Credentials.loadPrincipals(Files.writeString(dir.resolve("principals"),
            "testclient claimant name=alpha claims=beta-*\n"));
        assertThatThrownBy(() -> tokens.checkAgainst(certificates)).hasMessageContaining("name \"alpha\"")
            .hasMessageContaining("--tokens").hasMessageContaining("--principals");
        tokens.checkAgainst(Credentials.loadPrincipals(Files.writeString(dir.resolve("same"),
            "testclient claimant name=alpha claims=alpha-*\n")));
    }
}
