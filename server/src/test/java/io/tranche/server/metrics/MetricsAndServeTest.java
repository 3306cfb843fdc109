package io.tranche.server.metrics;

import static io.tranche.server.TestServer.claim;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.ListClaimsRequest;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.server.TestServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetricsAndServeTest
{
    @TempDir
    Path dir;

    @Test
    void shouldAcknowledgeConcurrentWritersExactlyOnce() throws Exception
    {
        try (TestServer server = TestServer.start(dir))
        {
            final int threads = 8;
            final int perThread = 50;
            final ExecutorService pool = Executors.newFixedThreadPool(threads);
            final List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                futures.add(pool.submit(() ->
                {
                    final QueueServiceGrpc.QueueServiceBlockingStub queue = server.queue();
                    for (int i = 0; i < perThread; i++)
                    {
                        queue.createClaim(CreateClaimRequest.newBuilder().setClaim(claim("t" + thread + "-" + i, 1 + i))
                            .build());
                    }
                }));
            }
            for (final Future<?> f : futures)
            {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertThat(server.queue().listClaims(ListClaimsRequest.newBuilder().setPageSize(1000).build())
                .getClaimsCount())
                .isEqualTo(threads * perThread);
            // Group commit: no more syncs than records.
            assertThat(server.server.metrics().journalSyncs()).isBetween(1L, (long)threads * perThread);
        }
    }

    @Test
    void shouldPrintOneReadyLineAndExitZeroOnSigterm() throws Exception
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process process = new ProcessBuilder(java, "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"), "io.tranche.server.cli.Main",
            "serve", "--listen", "127.0.0.1:0", "--data-dir", dir.toString(), "--grace-period", "2s")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
        try
        {
            final BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            final String line = out.readLine();
            final Matcher m = Pattern.compile("tranche: listening on 127\\.0\\.0\\.1:(\\d+)").matcher(line);
            assertThat(m.matches()).as(line).isTrue();
            final int port = Integer.parseInt(m.group(1));
            assertThat(port).isPositive();
            final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            try
            {
                QueueServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                    .createClaim(CreateClaimRequest.newBuilder().setClaim(claim("child", 3)).build());
            }
            finally
            {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            process.toHandle().destroy(); // SIGTERM, keeping our end of the pipes open
            // Standard output ends when the process does: nothing more than the ready line was printed.
            assertThat(out.readLine()).as("exactly one line on standard output").isNull();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isZero();
        }
        finally
        {
            process.destroyForcibly();
        }
        try (TestServer server = TestServer.start(dir))
        {
            assertThat(server.queue().listClaims(ListClaimsRequest.getDefaultInstance()).getClaims(0).getId())
                .isEqualTo("child");
        }
    }
}
