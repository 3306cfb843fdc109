package io.tranche.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.tranche.proto.v1.AllocateRequest;
import io.tranche.proto.v1.AllocateResponse;
import io.tranche.proto.v1.AllocationServiceGrpc;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.ListClaimsResponse;
import io.tranche.proto.v1.ListTranchesResponse;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.ServerConfig;
import io.tranche.server.TrancheServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue client commands ({@code claim}, {@code release}, {@code tranches}) run through {@link Main#execute}
 * against a real server on an ephemeral loopback port, including the README's seed walkthrough.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QueueClientCommandsTest
{
    private static final String[][] SEED = {
        {"alpha-cloud", "300,000", "0", null},
        {"beta-search", "200,000", "0", null},
        {"gamma-social", "150,000", "0", "120,000"},
        {"delta-labs", "40,000", "1", null},
        {"epsilon-ai", "25,000", "1", null},
        {"zeta-robotics", "12,000", "1", null},
    };

    @TempDir
    Path dir;

    private TrancheServer server;
    private String address;

    @BeforeEach
    void start() throws Exception
    {
        server = TrancheServer.start(new ServerConfig().listen("127.0.0.1", 0).dataDir(dir.resolve("data")));
        address = "127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop()
    {
        if (server != null)
        {
            server.close();
        }
    }

    @Test
    void shouldWalkThroughSeedScenarioWithTwoTranchesReachingWaitingList() throws Exception
    {
        for (final String[] c : SEED)
        {
            final List<String> args = new ArrayList<>(List.of("claim", "add", "--server", address,
                "--id", c[0], "--demand", c[1], "--tier", c[2]));
            if (c[3] != null)
            {
                args.add("--cap");
                args.add(c[3]);
            }
            final CliRun run = run(args.toArray(new String[0]));
            assertThat(run.status()).as(run.toString()).isZero();
            assertThat(run.err()).isEmpty();
            assertThat(run.out().split("\n")[0])
                .matches("position\\s+id\\s+tier\\s+demand\\s+awarded\\s+weight\\s+cap\\s+floor");
            assertThat(run.out().split("\n")[1]).contains(c[0]).contains(c[1]);
        }

        final CliRun list = run("claim", "list", "--server", address);
        assertThat(list.status()).isZero();
        final String[] rows = list.out().split("\n");
        assertThat(rows).hasSize(SEED.length + 1);
        for (int i = 0; i < SEED.length; i++)
        {
            assertThat(rows[i + 1]).contains(SEED[i][0]);
        }

        // What the stateless Allocate says for the same claims in queue order is what the first tranche must award.
        final AllocateResponse expectedFirst = allocate(400_000, Method.PROPORTIONAL, 8, queue());

        final CliRun first = run("release", "--server", address, "--supply", "400000", "--method", "proportional",
            "--lot", "8", "--request-id", "seed-1");
        assertThat(first.status()).as(first.toString()).isZero();
        final String[] lines = first.out().split("\n");
        assertThat(lines[0]).startsWith("tranche 1  request seed-1  supply 400,000  PROPORTIONAL lot 8  released ");
        assertThat(lines[1]).matches("id\\s+award\\s+unmet\\s+share");
        for (int i = 0; i < SEED.length; i++)
        {
            assertThat(lines[i + 2]).startsWith(SEED[i][0])
                .contains(Table.group(expectedFirst.getAwards(i).getUnits()));
        }
        assertThat(lines[SEED.length + 2]).isEqualTo("allocated " + Table.group(expectedFirst.getAllocated()) +
            " of 400,000, unallocated " + Table.group(expectedFirst.getUnallocated()));
        // The waiting list gets nothing from the first tranche: tier 0 wants 620,000 within its caps.
        assertThat(expectedFirst.getAwards(3).getUnits() + expectedFirst.getAwards(4).getUnits() +
            expectedFirst.getAwards(5).getUnits()).isZero();

        // Outstanding demand went down by the awards; awarded went up.
        final List<Claim> afterFirst = queue();
        for (int i = 0; i < SEED.length; i++)
        {
            final Claim c = afterFirst.get(i);
            assertThat(c.getAwarded()).isEqualTo(expectedFirst.getAwards(i).getUnits());
            assertThat(c.getDemand() + c.getAwarded()).isEqualTo(Long.parseLong(SEED[i][1].replace(",", "")));
        }

        final AllocateResponse expectedSecond = allocate(300_000, Method.PROPORTIONAL, 8, afterFirst);
        final CliRun second = run("release", "--server", address, "--supply", "300,000", "--method", "PROPORTIONAL",
            "--lot", "8", "--request-id", "seed-2", "--json");
        assertThat(second.status()).as(second.toString()).isZero();
        final Tranche.Builder t2 = Tranche.newBuilder();
        JsonFormat.parser().merge(second.out(), t2);
        assertThat(t2.getNumber()).isEqualTo(2);
        assertThat(t2.getAwardsCount()).isEqualTo(expectedSecond.getAwardsCount());
        long waitingList = 0;
        for (int i = 0; i < t2.getAwardsCount(); i++)
        {
            assertThat(t2.getAwards(i).getId()).isEqualTo(afterFirst.get(i).getId());
            assertThat(t2.getAwards(i).getUnits()).isEqualTo(expectedSecond.getAwards(i).getUnits());
            if (afterFirst.get(i).getTier() == 1)
            {
                waitingList += t2.getAwards(i).getUnits();
            }
        }
        assertThat(waitingList).as("the second tranche reaches the tier-1 waiting list").isPositive();

        // The ledger: two rows; the retried release returns tranche 1 again and allocates nothing.
        final CliRun retry = run("release", "--server", address, "--supply", "400000", "--method", "PROPORTIONAL",
            "--lot", "8", "--request-id", "seed-1");
        assertThat(retry.status()).isZero();
        assertThat(retry.out()).isEqualTo(first.out());
        final CliRun ledger = run("tranches", "--server", address);
        assertThat(ledger.status()).isZero();
        final String[] ledgerRows = ledger.out().split("\n");
        assertThat(ledgerRows).hasSize(3);
        assertThat(ledgerRows[0])
            .matches("number\\s+request\\s+supply\\s+policy\\s+served\\s+allocated\\s+unallocated\\s+released");
        assertThat(ledgerRows[1])
            .matches("\\s*1\\s+seed-1\\s+400,000\\s+PROPORTIONAL lot 8\\s+3\\s+400,000\\s+0\\s+\\S+");
        assertThat(ledgerRows[2]).matches("\\s*2\\s+seed-2\\s.*");
        final CliRun one = run("tranches", "2", "--server", address);
        assertThat(one.out()).isEqualTo(run("tranches", "--server", address, "2").out());
        assertThat(one.out().split("\n")[0]).startsWith("tranche 2  request seed-2  supply 300,000");
    }

    @Test
    void shouldPrintProtoJsonThatParsesBack() throws Exception
    {
        final CliRun add =
            run("claim", "add", "--server", address, "--json", "--id", "a", "--demand", "10", "--weight", "3",
            "--cap", "7", "--floor", "1", "--tier", "2");
        assertThat(add.status()).as(add.toString()).isZero();
        final Claim.Builder claim = Claim.newBuilder();
        JsonFormat.parser().merge(add.out(), claim);
        assertThat(claim.build())
            .isEqualTo(Claim.newBuilder().setId("a").setDemand(10).setWeight(3).setCap(7).setFloor(1)
            .setTier(2).setPosition(claim.getPosition()).setCreatedBy("anonymous").setUpdatedBy("anonymous")
            .setCreateTime(claim.getCreateTime()).setUpdateTime(claim.getCreateTime()).build());
        assertThat(claim.getCreateTime().getSeconds()).isPositive();

        final CliRun get = run("claim", "get", "a", "--server", address, "--json");
        assertThat(get.out()).isEqualTo(add.out());

        assertThat(run("claim", "add", "--server", address, "--id", "b", "--demand", "5").status()).isZero();
        final CliRun list = run("claim", "list", "--server", address, "--json");
        final ListClaimsResponse.Builder page = ListClaimsResponse.newBuilder();
        JsonFormat.parser().merge(list.out(), page);
        assertThat(page.getClaimsList()).extracting(Claim::getId).containsExactly("a", "b");

        final CliRun tranches = run("tranches", "--server", address, "--json");
        final ListTranchesResponse.Builder ledger = ListTranchesResponse.newBuilder();
        JsonFormat.parser().merge(tranches.out(), ledger);
        assertThat(ledger.getTranchesCount()).isZero();
    }

    @Test
    void shouldUpdateOnlyTheGivenFieldsAndKeepThePosition() throws Exception
    {
        assertThat(run("claim", "add", "--server", address, "--id", "a", "--demand", "100", "--weight", "4", "--cap",
            "50").status())
            .isZero();
        assertThat(run("claim", "add", "--server", address, "--id", "b", "--demand", "100").status()).isZero();
        final Claim before = claim("a");

        final CliRun update = run("claim", "update", "a", "--server", address, "--tier", "3", "--no-cap");
        assertThat(update.status()).as(update.toString()).isZero();
        final Claim after = claim("a");
        assertThat(after).isEqualTo(before.toBuilder().setTier(3).clearCap().setUpdateTime(after.getUpdateTime())
            .build());
        assertThat(com.google.protobuf.util.Timestamps.compare(after.getUpdateTime(), before.getUpdateTime()))
            .isNotNegative();

        assertThat(run("claim", "update", "a", "--server", address, "--demand", "70", "--no-weight").status()).isZero();
        final Claim last = claim("a");
        assertThat(last).isEqualTo(after.toBuilder().setDemand(70).clearWeight().setUpdateTime(last.getUpdateTime())
            .build());

        final CliRun nothing = run("claim", "update", "a", "--server", address);
        assertThat(nothing.status()).isEqualTo(2);
        assertThat(nothing.err()).contains("nothing to update");

        final CliRun list = run("claim", "list", "--server", address);
        assertThat(list.out().split("\n")[1]).contains(" a ");
        assertThat(list.out().split("\n")[2]).contains(" b ");
    }

    @Test
    void shouldNoteAClaimThatNoTrancheCanServe()
    {
        assertThat(run("claim", "add", "--server", address, "--id", "gamma", "--demand", "150", "--cap", "120")
            .status()).isZero();
        assertThat(run("release", "--server", address, "--supply", "500", "--method", "FIFO", "--request-id", "r1")
            .status()).isZero();
        final CliRun list = run("claim", "list", "--server", address);
        assertThat(list.status()).isZero();
        assertThat(list.out()).endsWith("\nnote: gamma's cap is used up: no tranche can serve its 30 outstanding; " +
            "raise the cap (claim update gamma --cap N) or remove it (claim rm gamma)\n");
    }

    @Test
    void shouldPageThroughTheQueueWithPageTokens()
    {
        for (int i = 0; i < 5; i++)
        {
            assertThat(run("claim", "add", "--server", address, "--id", "c" + i, "--demand", "9").status()).isZero();
        }
        final CliRun page1 = run("claim", "list", "--server", address, "--page-size", "2");
        assertThat(page1.status()).isZero();
        final String[] lines = page1.out().split("\n");
        assertThat(lines).hasSize(4);
        assertThat(lines[3]).startsWith("next page: --page-token ");
        final String token = lines[3].substring("next page: --page-token ".length());
        final CliRun page2 = run("claim", "list", "--server", address, "--page-size", "3", "--page-token", token);
        assertThat(page2.out().split("\n")).hasSize(4);
        assertThat(page2.out()).contains("c2").contains("c3").contains("c4").doesNotContain("next page");
        assertThat(run("claim", "list", "--server", address).out().split("\n")).hasSize(6);
    }

    @Test
    void shouldWithdrawClaimsAndReportMissingOnesAsNotFound()
    {
        assertThat(run("claim", "add", "--server", address, "--id", "a", "--demand", "1").status()).isZero();
        final CliRun rm = run("claim", "rm", "a", "--server", address);
        assertThat(rm.status()).isZero();
        assertThat(rm.out()).isEqualTo("withdrew a\n");

        final CliRun again = run("claim", "rm", "a", "--server", address);
        assertThat(again.status()).isEqualTo(2);
        assertThat(again.out()).isEmpty();
        assertThat(again.err()).startsWith("tranche claim rm: NOT_FOUND").doesNotContain("Exception")
            .doesNotContain("\tat ");
        assertThat(again.err().split("\n")).hasSize(1);

        final CliRun get = run("claim", "get", "nobody", "--server", address);
        assertThat(get.status()).isEqualTo(2);
        assertThat(get.err()).startsWith("tranche claim get: NOT_FOUND");
    }

    @Test
    void shouldPrintFieldViolationsAndExitTwoForInvalidInput()
    {
        final CliRun bad = run("claim", "add", "--server", address, "--id", "x", "--demand", "-5", "--floor", "-1");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.out()).isEmpty();
        final String[] lines = bad.err().split("\n");
        assertThat(lines[0]).startsWith("tranche claim add: INVALID_ARGUMENT");
        assertThat(bad.err()).contains("\n  claim.demand: ").contains("\n  claim.floor: ")
            .doesNotContain("Exception").doesNotContain("\tat ");

        assertThat(run("claim", "add", "--server", address, "--id", "x", "--demand", "5").status()).isZero();
        final CliRun dup = run("claim", "add", "--server", address, "--id", "x", "--demand", "5");
        assertThat(dup.status()).isEqualTo(2);
        assertThat(dup.err()).startsWith("tranche claim add: ALREADY_EXISTS");

        final CliRun usage = run("release", "--server", address, "--supply", "lots", "--method", "EQUAL");
        assertThat(usage.status()).isEqualTo(2);
        assertThat(usage.err()).contains("'lots' is not a whole number");
        final CliRun method = run("release", "--server", address, "--supply", "5", "--method", "fair");
        assertThat(method.status()).isEqualTo(2);
        assertThat(method.err()).contains("'fair' is not a method; one of: PROPORTIONAL, EQUAL");
    }

    @Test
    void shouldRejectSameRequestIdWithOtherParametersAndGenerateIdsWhenAbsent() throws Exception
    {
        assertThat(run("claim", "add", "--server", address, "--id", "a", "--demand", "100").status()).isZero();
        final CliRun generated = run("release", "--server", address, "--supply", "10", "--method", "EQUAL", "--json");
        assertThat(generated.status()).as(generated.toString()).isZero();
        final Tranche.Builder t = Tranche.newBuilder();
        JsonFormat.parser().merge(generated.out(), t);
        assertThat(t.getRequestId()).matches("[0-9a-f-]{36}");
        assertThat(t.getAwards(0).getUnits()).isEqualTo(10);

        final CliRun conflict = run("release", "--server", address, "--supply", "11", "--method", "EQUAL",
            "--request-id", t.getRequestId());
        assertThat(conflict.status()).isEqualTo(2);
        assertThat(conflict.err()).startsWith("tranche release: ALREADY_EXISTS");
        assertThat(claim("a").getDemand()).isEqualTo(90);
    }

    @Test
    void shouldExitOneWithOneLineAndRetryAdviceWhenServerIsUnreachable() throws Exception
    {
        final int port;
        try (ServerSocket socket = new ServerSocket(0))
        {
            port = socket.getLocalPort();
        }
        final CliRun down = run("release", "--server", "127.0.0.1:" + port, "--supply", "10", "--method", "EQUAL");
        assertThat(down.status()).isEqualTo(1);
        assertThat(down.out()).isEmpty();
        final String[] lines = down.err().split("\n");
        assertThat(lines[0]).startsWith("tranche release: UNAVAILABLE: cannot reach 127.0.0.1:" + port);
        assertThat(lines[1]).matches("  the request id was [0-9a-f-]{36}; retry with --request-id [0-9a-f-]{36} .*");
        assertThat(down.err()).doesNotContain("Exception").doesNotContain("\tat ");

        final CliRun list = run("claim", "list", "--server", "127.0.0.1:" + port, "--timeout", "2s");
        assertThat(list.status()).isEqualTo(1);
        assertThat(list.err().split("\n")).hasSize(1);
    }

    @Test
    void shouldExitTwoForConnectionOptionsThatCannotWork()
    {
        final CliRun ca = run("claim", "list", "--server", address, "--ca", dir.resolve("missing.pem").toString());
        assertThat(ca.status()).isEqualTo(2);
        assertThat(ca.err()).startsWith("tranche claim list: cannot set up the connection to " + address + ": ")
            .contains("missing.pem").doesNotContain("\tat ");
        final CliRun timeout = run("claim", "list", "--server", address, "--timeout", "0s");
        assertThat(timeout.status()).isEqualTo(2);
        assertThat(timeout.err()).contains("'0s' is not a positive duration");
    }

    @Test
    void shouldStreamReleasedTranchesWithWatch() throws Exception
    {
        assertThat(run("claim", "add", "--server", address, "--id", "a", "--demand", "1000").status()).isZero();
        assertThat(run("release", "--server", address, "--supply", "10", "--method", "EQUAL", "--request-id", "r1")
            .status())
            .isZero();

        final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        final PrintStream previous = System.out;
        final int[] status = {-1};
        final Thread watcher;
        System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
        try
        {
            watcher = new Thread(() -> status[0] = Main.execute("tranches", "--watch", "--limit", "3", "--json",
                "--server", address, "--timeout", "60s"));
            watcher.start();
            // Recorded tranches come first, then the live ones: r1 is already there, r2 and r3 arrive while watching.
            waitFor(outBytes, 1);
            final ManagedChannel channel = ManagedChannelBuilder.forTarget(address).usePlaintext().build();
            try
            {
                for (final String id : new String[] {"r2", "r3"})
                {
                    io.tranche.proto.v1.QueueServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .releaseTranche(io.tranche.proto.v1.ReleaseTrancheRequest.newBuilder().setRequestId(id)
                            .setSupply(10)
                            .setPolicy(Policy.newBuilder().setMethod(Method.EQUAL)).build());
                }
            }
            finally
            {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            watcher.join(30_000);
        }
        finally
        {
            System.setOut(previous);
        }
        assertThat(watcher.isAlive()).isFalse();
        assertThat(status[0]).isZero();
        final String[] lines = outBytes.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(3);
        for (int i = 0; i < 3; i++)
        {
            final Tranche.Builder t = Tranche.newBuilder();
            JsonFormat.parser().merge(lines[i], t);
            assertThat(t.getNumber()).isEqualTo(i + 1);
            assertThat(t.getRequestId()).isEqualTo("r" + (i + 1));
        }

        final CliRun after = run("tranches", "--watch", "--after", "2", "--limit", "1", "--server", address);
        assertThat(after.status()).isZero();
        assertThat(after.out()).startsWith("tranche 3  request r3  supply 10  EQUAL");
    }

    @Test
    void shouldSendBearerTokenAndReportAuthFailuresAsClientMistakes() throws Exception
    {
        server.close();
        final Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "admin-secret admin\nreader-secret reader\n");
        server = TrancheServer.start(new ServerConfig().listen("127.0.0.1", 0).dataDir(dir.resolve("data2"))
            .tokensFile(tokens));
        address = "127.0.0.1:" + server.port();

        final CliRun none = run("claim", "list", "--server", address);
        assertThat(none.status()).isEqualTo(2);
        assertThat(none.err()).startsWith("tranche claim list: UNAUTHENTICATED")
            .endsWith("; the server wants a token: pass --token TOKEN, or set $TRANCHE_TOKEN\n");
        final CliRun wrong = run("claim", "list", "--server", address, "--token", "guess");
        assertThat(wrong.status()).isEqualTo(2);
        assertThat(wrong.err())
            .endsWith("; the token given (--token or $TRANCHE_TOKEN) is not one of the server's --tokens\n");

        final CliRun reader =
            run("claim", "add", "--server", address, "--token", "reader-secret", "--id", "a", "--demand", "1");
        assertThat(reader.status()).isEqualTo(2);
        assertThat(reader.err()).startsWith("tranche claim add: PERMISSION_DENIED");

        assertThat(run("claim", "add", "--server", address, "--token", "admin-secret", "--id", "a", "--demand", "1")
            .status())
            .isZero();
        final CliRun read = run("claim", "list", "--server", address, "--token", "reader-secret");
        assertThat(read.status()).isZero();
        assertThat(read.out()).contains(" a ");
    }

    @Test
    void shouldTalkTlsWhenGivenTheCertificateAuthority() throws Exception
    {
        server.close();
        final Path cert = copy("server1.pem");
        final Path key = copy("server1.key");
        final Path ca = copy("ca.pem");
        server = TrancheServer.start(new ServerConfig().listen("127.0.0.1", 0).dataDir(dir.resolve("data3"))
            .tls(cert, key));
        address = "127.0.0.1:" + server.port();

        // The test certificate names *.test.google.fr, not 127.0.0.1.
        final CliRun tls =
            run("claim", "add", "--server", address, "--ca", ca.toString(), "--authority", "x.test.google.fr",
            "--id", "a", "--demand", "1");
        assertThat(tls.status()).as(tls.toString()).isZero();

        final CliRun plain = run("claim", "list", "--server", address, "--timeout", "3s");
        assertThat(plain.status()).isEqualTo(1);
        assertThat(plain.err().split("\n")).hasSize(1);
        assertThat(plain.err()).doesNotContain("\tat ");
    }

    private Path copy(final String name) throws Exception
    {
        final Path file = dir.resolve(name);
        try (InputStream in = io.grpc.testing.TlsTesting.loadCert(name))
        {
            Files.copy(in, file);
        }
        return file;
    }

    private List<Claim> queue() throws Exception
    {
        final CliRun list = run("claim", "list", "--server", address, "--json");
        assertThat(list.status()).as(list.toString()).isZero();
        final ListClaimsResponse.Builder page = ListClaimsResponse.newBuilder();
        JsonFormat.parser().merge(list.out(), page);
        return page.getClaimsList();
    }

    private Claim claim(final String id) throws Exception
    {
        final CliRun get = run("claim", "get", id, "--server", address, "--json");
        assertThat(get.status()).as(get.toString()).isZero();
        final Claim.Builder claim = Claim.newBuilder();
        JsonFormat.parser().merge(get.out(), claim);
        return claim.build();
    }

    private AllocateResponse allocate(final long supply, final Method method, final long lot, final List<Claim> claims)
        throws Exception
    {
        final ManagedChannel channel = ManagedChannelBuilder.forTarget(address).usePlaintext().build();
        try
        {
            final AllocateRequest.Builder request = AllocateRequest.newBuilder().setSupply(supply)
                .setPolicy(Policy.newBuilder().setMethod(method).setLot(lot));
            for (final Claim c : claims)
            {
                request.addClaims(c.toBuilder().clearPosition().clearAwarded());
            }
            return AllocationServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .allocate(request.build());
        }
        finally
        {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static void waitFor(final ByteArrayOutputStream out, final int lines) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (out.toString(StandardCharsets.UTF_8).split("\n", -1).length <= lines && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
    }

    static CliRun run(final String... args)
    {
        return CliRun.run(args);
    }
}
