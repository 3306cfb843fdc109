package io.tranche.server.metrics;

import static io.tranche.server.TestServer.claim;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.proto.v1.WatchTranchesRequest;
import io.tranche.server.TestServer;
import io.tranche.server.grpc.QueueServiceTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The Prometheus endpoint of a real server: library metric names, tranche's gauges, the exposition format. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public class MetricsEndpointTest
{
    private static final String CREATE = "tranche.v1.QueueService/CreateClaim";
    private static final String WATCH = "tranche.v1.QueueService/WatchTranches";

    /** {@code name{labels} value} or {@code name value}: one sample line of the text format 0.0.4. */
    private static final Pattern SAMPLE = Pattern.compile(
        "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\.)*\",?)*})? " +
        "(-?[0-9.eE+-]+|NaN|[+-]Inf)");

    @TempDir
    public Path dir;

    @Test
    public void shouldExportTheStandardGrpcServerMetricsJvmMetricsAndTrancheGauges() throws Exception
    {
        try (TestServer server = TestServer.start(TestServer.config(dir).metrics("127.0.0.1:0")))
        {
            server.queue().createClaim(CreateClaimRequest.newBuilder().setClaim(claim("a", 100)).build());
            server.queue().createClaim(CreateClaimRequest.newBuilder().setClaim(claim("b", 50)).build());
            QueueServiceTest.catchError(() ->
                server.queue().createClaim(CreateClaimRequest.newBuilder().setClaim(claim("a", 1)).build()));
            server.queue().releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("r").setSupply(30)
                .setPolicy(Policy.newBuilder().setMethod(Method.FIFO)).build());

            final Map<String, Double> samples = parse(scrape(server.server.metricsPort(), "/metrics", "GET").body());
            // gRFC A66 names as the OpenTelemetry Prometheus exporter spells them
            assertThat(samples.get("grpc_server_call_started_total{grpc_method=\"" + CREATE + "\"}")).isEqualTo(3.0);
            assertThat(samples.get(
                "grpc_server_call_duration_seconds_count{grpc_method=\"" + CREATE + "\",grpc_status=\"OK\"}"))
                .isEqualTo(2.0);
            assertThat(samples.get("grpc_server_call_duration_seconds_count{grpc_method=\"" + CREATE +
                "\",grpc_status=\"ALREADY_EXISTS\"}")).isEqualTo(1.0);
            assertThat(samples.keySet()).anyMatch(k -> k.startsWith("grpc_server_call_duration_seconds_bucket{"))
                .anyMatch(k -> k.startsWith("grpc_server_call_sent_total_compressed_message_size_bytes_bucket{"))
                .anyMatch(k -> k.startsWith("jvm_memory_used_bytes{"))
                .anyMatch(k -> k.startsWith("process_cpu_seconds_total"));
            assertThat(samples.get("tranche_queue_length")).isEqualTo(2.0);
            assertThat(samples.get("tranche_outstanding_demand_units")).isEqualTo(120.0);
            assertThat(samples.get("tranche_tranches_released_total")).isEqualTo(1.0);
            assertThat(samples.get("tranche_unservable_claims")).isEqualTo(0.0);
            assertThat(samples.get("tranche_demand_above_caps_units")).isEqualTo(0.0);
            assertThat(samples.get("tranche_writer_up")).isEqualTo(1.0);
            assertThat(samples.keySet()).noneMatch(k -> k.startsWith("tranche_writer_failed"));
            // one fsync per acknowledged mutation here (the calls were sequential)
            assertThat(samples.get("tranche_journal_sync_seconds_count")).isEqualTo(3.0);
            assertThat(samples.get("tranche_journal_sync_seconds_bucket{le=\"+Inf\"}")).isEqualTo(3.0);
        }
    }

    @Test
    public void shouldCountClaimsThatNoTrancheCanServe() throws Exception
    {
        try (TestServer server = TestServer.start(TestServer.config(dir).metrics("127.0.0.1:0")))
        {
            server.queue().createClaim(CreateClaimRequest.newBuilder()
                .setClaim(claim("gamma", 150).toBuilder().setCap(120)).build());
            server.queue().createClaim(CreateClaimRequest.newBuilder().setClaim(claim("open", 40)).build());
            server.queue().releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("r").setSupply(130)
                .setPolicy(Policy.newBuilder().setMethod(Method.FIFO)).build());
            // gamma got its 120: its cap is used up with 30 outstanding; "open" got 10 and waits for 30 more.
            final Map<String, Double> samples = parse(scrape(server.server.metricsPort(), "/metrics", "GET").body());
            assertThat(samples.get("tranche_outstanding_demand_units")).isEqualTo(60.0);
            assertThat(samples.get("tranche_unservable_claims")).isEqualTo(1.0);
            assertThat(samples.get("tranche_demand_above_caps_units")).isEqualTo(30.0);
        }
    }

    @Test
    public void shouldCountAWatchThatEndsAtItsDeadline() throws Exception
    {
        try (TestServer server = TestServer.start(TestServer.config(dir).metrics("127.0.0.1:0")))
        {
            final CompletableFuture<Status> ended = new CompletableFuture<>();
            server.queueAsync().withDeadlineAfter(300, TimeUnit.MILLISECONDS).watchTranches(
                WatchTranchesRequest.getDefaultInstance(), new StreamObserver<Tranche>()
                {
                    @Override
                    public void onNext(final Tranche value)
                    {
                    }

                    @Override
                    public void onError(final Throwable t)
                    {
                        ended.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted()
                    {
                        ended.complete(Status.OK);
                    }
                });
            assertThat(ended.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);

            // The server learns of the deadline on its own clock: poll briefly for the finished call.
            final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            double finished = 0;
            while (finished == 0 && System.nanoTime() < until)
            {
                finished = sum(parse(scrape(server.server.metricsPort(), "/metrics", "GET").body()),
                    "grpc_server_call_duration_seconds_count{grpc_method=\"" + WATCH + "\"");
                if (finished == 0)
                {
                    Thread.sleep(50);
                }
            }
            assertThat(finished).isEqualTo(1.0);
        }
    }

    @Test
    public void shouldAnswer404ForAnyOtherPathAnd405ForAnyOtherMethod() throws Exception
    {
        try (TestServer server = TestServer.start(TestServer.config(dir).metrics("127.0.0.1:0")))
        {
            final int port = server.server.metricsPort();
            assertThat(scrape(port, "/metrics", "GET").statusCode()).isEqualTo(200);
            assertThat(scrape(port, "/metrics", "HEAD").statusCode()).isEqualTo(200);
            assertThat(scrape(port, "/metrics/anything", "GET").statusCode()).isEqualTo(404);
            assertThat(scrape(port, "/metricsx", "GET").statusCode()).isEqualTo(404);
            assertThat(scrape(port, "/", "GET").statusCode()).isEqualTo(404);
            assertThat(scrape(port, "/metrics", "POST").statusCode()).isEqualTo(405);
        }
    }

    @Test
    public void shouldExportTheWriterFailureWithItsReason() throws Exception
    {
        final StateGauges failed = new StateGauges()
        {
            @Override
            public int queueLength()
            {
                return 7;
            }

            @Override
            public double outstandingDemand()
            {
                return 1e20;
            }

            @Override
            public long trancheCount()
            {
                return 3;
            }

            @Override
            public String writerFailure()
            {
                return "journal sync failed: No space left on device";
            }
        };
        try (Metrics metrics = new Metrics();
            MetricsHttpServer http = MetricsHttpServer.start("127.0.0.1", 0, metrics, failed))
        {
            final Map<String, Double> samples = parse(scrape(http.port(), "/metrics", "GET").body());
            assertThat(samples.get("tranche_writer_up")).isEqualTo(0.0);
            assertThat(samples.get("tranche_writer_failed{reason=\"journal sync failed: No space left on device\"}"))
                .isEqualTo(1.0);
            assertThat(samples.get("tranche_queue_length")).isEqualTo(7.0);
            assertThat(samples.get("tranche_outstanding_demand_units")).isEqualTo(1e20);
            assertThat(samples.get("tranche_tranches_released_total")).isEqualTo(3.0);
        }
    }

    @Test
    public void shouldPassPromtoolCheckMetricsWhenPromtoolIsInstalled() throws Exception
    {
        final Path promtool = onPath("promtool");
        if (promtool == null)
        {
            // Say so where the build prints, not only in the report file: a skip here hides a format check.
            final String reason = "promtool is not installed (Debian: apt-get install prometheus; .ci/run installs " +
                "it before the tests), so 'promtool check metrics' did not run";
            System.err.println("MetricsEndpointTest: SKIPPED: " + reason);
            Assumptions.abort(reason);
        }
        try (TestServer server = TestServer.start(TestServer.config(dir).metrics("127.0.0.1:0")))
        {
            server.queue().createClaim(CreateClaimRequest.newBuilder().setClaim(claim("a", 100)).build());
            final Path file = dir.resolve("scrape.txt");
            Files.writeString(file, scrape(server.server.metricsPort(), "/metrics", "GET").body());
            final Process process = new ProcessBuilder(promtool.toString(), "check", "metrics")
                .redirectInput(file.toFile()).redirectErrorStream(true).start();
            final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(out).isEmpty();
            assertThat(process.exitValue()).isZero();
        }
    }

    private static Path onPath(final String program)
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(java.io.File.pathSeparator))
        {
            final Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    public static HttpResponse<String> scrape(final int port, final String path, final String method)
        throws IOException, InterruptedException
    {
        return HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Parses the text format strictly: every line is a HELP or TYPE comment or a sample, every sample
     * belongs to a family whose TYPE came first, and no series appears twice.
     *
     * @return value by series ({@code name{labels}}, labels as printed).
     */
    public static Map<String, Double> parse(final String text)
    {
        final Map<String, Double> samples = new HashMap<>();
        final Set<String> typed = new HashSet<>();
        for (final String line : text.split("\n"))
        {
            if (line.startsWith("# HELP ") || line.isEmpty())
            {
                continue;
            }
            if (line.startsWith("# TYPE "))
            {
                typed.add(line.split(" ")[2]);
                continue;
            }
            final Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("sample line %s", line).isTrue();
            final String name = m.group(1);
            assertThat(typed).as("TYPE before %s", line)
                .anyMatch(family -> name.equals(family) || name.startsWith(family + "_"));
            final String series = name + (m.group(2) == null ? "" : m.group(2));
            assertThat(samples.put(series, Double.valueOf(m.group(3)))).as("duplicate series %s", series).isNull();
        }
        return samples;
    }

    private static double sum(final Map<String, Double> samples, final String prefix)
    {
        double total = 0;
        for (final Map.Entry<String, Double> e : samples.entrySet())
        {
            if (e.getKey().startsWith(prefix))
            {
                total += e.getValue();
            }
        }
        return total;
    }
}
