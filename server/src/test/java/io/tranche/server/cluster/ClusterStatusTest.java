package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.grpc.ServerServiceDefinition;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.ClusterStatus;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.GetClaimRequest;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.util.concurrent.atomic.AtomicReference;
import io.tranche.server.TrancheServer;
import io.tranche.server.cli.CliRun;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tranche cluster status} and the {@code tranche_cluster_*} metrics on three real members: one
 * leader, the same term everywhere, commit and applied positions that agree once the members have applied
 * a write; the single-node server says it is not a cluster member.
 */
@Tag("slow")
class ClusterStatusTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldReportOneLeaderTheSameTermAndAgreeingPositionsInTheCliAndTheMetrics() throws Exception
    {
        final int base = 27000 + (int)(ProcessHandle.current().pid() % 400) * 10;
        try (ClusterServers cluster = ClusterServers.start(dir, base))
        {
            cluster.queue(1).createClaim(CreateClaimRequest.newBuilder()
                .setClaim(Claim.newBuilder().setId("a").setDemand(10)).build());
            final long target = cluster.service(1).appliedPosition();
            assertThat(target).isGreaterThan(0);
            // The read after an acknowledged write on the same member says it includes the write's position.
            final AtomicReference<Metadata> headers = new AtomicReference<>();
            final Claim read = cluster.queue(1)
                .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, new AtomicReference<>()))
                .getClaim(GetClaimRequest.newBuilder().setId("a").build());
            assertThat(read.getDemand()).isEqualTo(10);
            assertThat(Long.parseLong(headers.get().get(AppliedPositionHeader.KEY))).isGreaterThanOrEqualTo(target);

            final List<ClusterStatus> statuses = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                statuses.add(awaitApplied(cluster.servers.get(i), target));
            }
            int leader = -1;
            for (int i = 0; i < 3; i++)
            {
                final ClusterStatus s = statuses.get(i);
                assertThat(s.getNodeId()).isEqualTo(i);
                assertThat(s.getMembers()).isEqualTo(3);
                assertThat(s.getRole()).isIn(ClusterStatus.Role.LEADER, ClusterStatus.Role.FOLLOWER);
                leader = s.getRole() == ClusterStatus.Role.LEADER ? i : leader;
                assertThat(s.getLeadershipTermId()).isEqualTo(statuses.get(0).getLeadershipTermId())
                    .isGreaterThanOrEqualTo(0);
                assertThat(s.getAppliedPosition()).isGreaterThanOrEqualTo(target);
                assertThat(s.getCommitPosition()).isGreaterThanOrEqualTo(target);
                assertThat(s.getTranches()).isZero();
                assertThat(s.getFailure()).isEmpty();
            }
            assertThat(statuses).filteredOn(s -> s.getRole() == ClusterStatus.Role.LEADER).hasSize(1);

            final TrancheServer leading = cluster.servers.get(leader);
            final CliRun table = CliRun.run("cluster", "status", "--server",
                leading.listenAddress());
            assertThat(table.status()).as(table.err()).isZero();
            assertThat(table.out()).contains("node      " + leader + " of 3", "role      LEADER", "writes    taken")
                .containsPattern("(?m)^applied   \\d+$");

            for (int i = 0; i < 3; i++)
            {
                final String metrics = scrape(cluster.servers.get(i).metricsPort());
                final ClusterStatus s = statuses.get(i);
                assertThat(metrics).contains("tranche_cluster_role{role=\"" + s.getRole().name() + "\"} 1");
                assertThat(sample(metrics, "tranche_cluster_term")).isEqualTo(s.getLeadershipTermId());
                assertThat(sample(metrics, "tranche_cluster_applied_position")).isGreaterThanOrEqualTo(target);
                assertThat(sample(metrics, "tranche_cluster_commit_position")).isGreaterThanOrEqualTo(target);
            }
            final List<String> names = new ArrayList<>();
            for (final ServerServiceDefinition service : leading.services())
            {
                names.add(service.getServiceDescriptor().getName());
            }
            assertThat(names).contains("tranche.v1.ClusterService");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldSayASingleNodeServerIsNotAClusterMember() throws Exception
    {
        try (TrancheServer single = TrancheServer.start(new io.tranche.server.ServerConfig().listen("127.0.0.1", 0)
            .metrics("127.0.0.1:0").dataDir(dir.resolve("single")).gracePeriod(Duration.ofSeconds(1))))
        {
            final CliRun run = CliRun.run("cluster", "status", "--server", single.listenAddress());
            assertThat(run.status()).isEqualTo(2);
            assertThat(run.err()).contains("not a cluster member").doesNotContain("Exception");
            assertThat(scrape(single.metricsPort())).doesNotContain("tranche_cluster_role{");
        }
    }

    private static ClusterStatus awaitApplied(final TrancheServer server, final long target) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            final CliRun run = CliRun.run("cluster", "status", "--json", "--server",
                server.listenAddress());
            assertThat(run.status()).as(run.err()).isZero();
            final ClusterStatus.Builder status = ClusterStatus.newBuilder();
            JsonFormat.parser().merge(run.out(), status);
            if (status.getAppliedPosition() >= target || System.nanoTime() > deadline)
            {
                return status.build();
            }
            Thread.sleep(50);
        }
    }

    private static String scrape(final int port) throws Exception
    {
        final HttpClient http = HttpClient.newHttpClient();
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(20)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static long sample(final String metrics, final String name)
    {
        final Matcher m = Pattern.compile("(?m)^" + name + " ([0-9.eE+-]+)$").matcher(metrics);
        assertThat(m.find()).as(name + " in\n" + metrics).isTrue();
        return (long)Double.parseDouble(m.group(1));
    }
}
