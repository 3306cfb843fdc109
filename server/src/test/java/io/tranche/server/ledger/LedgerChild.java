package io.tranche.server.ledger;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code tranche serve} in a child JVM for the ledger fault-injection suite: any extra flags and system
 * properties, stderr kept in a file (the recovery line, refusals), the metrics port read from stderr, and a
 * start that may end in a refusal (exit status and stderr) instead of a listening line.
 */
public final class LedgerChild implements AutoCloseable
{
    /** The line the contract asks for on every start: {@code tranche: recovered snapshot at record S, ...}. */
    public static final Pattern RECOVERED = Pattern.compile(
        "tranche: recovered snapshot at record (\\d+), replayed (\\d+) journal records in (\\d+) ms");
    private static final Pattern METRICS = Pattern.compile("metrics on http://[^:]+:(\\d+)/metrics");

    public final Process process;
    public final String address;
    public final Path err;

    private LedgerChild(final Process process, final String address, final Path err)
    {
        this.process = process;
        this.address = address;
        this.err = err;
    }

    /** What a start came to: a running child, or an exit before the listening line. */
    public record Start(LedgerChild child, int exitStatus, String stderr)
    {
        LedgerChild running()
        {
            if (child == null)
            {
                throw new AssertionError("the server exited with " + exitStatus + " before listening; stderr:\n" +
                    stderr);
            }
            return child;
        }
    }

    /**
     * @param dir        scratch directory for the stderr file.
     * @param data       the data directory.
     * @param name       names the stderr file.
     * @param properties {@code -Dkey=value} for the child JVM.
     * @param flags      extra {@code serve} flags.
     * @return the running child; fails the test when it exits before listening.
     */
    public static LedgerChild start(final Path dir, final Path data, final String name, final List<String> properties,
        final String... flags) throws IOException, InterruptedException
    {
        return attempt(dir, data, name, properties, flags).running();
    }

    /** Starts a child and waits for its listening line or its exit, whichever comes first (90 s at most). */
    public static Start attempt(final Path dir, final Path data, final String name, final List<String> properties,
        final String... flags) throws IOException, InterruptedException
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Path err = dir.resolve(name + ".err");
        final List<String> command = new ArrayList<>(List.of(
            java, "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx256m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1"));
        command.addAll(properties);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
            "io.tranche.server.cli.Main", "serve", "--listen", "127.0.0.1:0", "--data-dir", data.toString()));
        command.addAll(List.of(flags));
        final Process process = new ProcessBuilder(command)
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
        final CompletableFuture<String> listening = listeningAddress(process, "ledger-child-stdout-" + name);
        final String address;
        try
        {
            address = listening.get(90, TimeUnit.SECONDS);
        }
        catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex)
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(name + ": neither a listening line nor an exit within 90 s; stderr:\n" +
                Files.readString(err), ex);
        }
        if (address == null)
        {
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(name + ": stdout closed but the process did not exit");
            }
            return new Start(null, process.exitValue(), Files.readString(err));
        }
        return new Start(new LedgerChild(process, address, err), -1, null);
    }

    public String stderr() throws IOException
    {
        return Files.readString(err);
    }

    /** @return the recovery line's snapshot index and replayed record count, failing when it is missing. */
    public long[] recoveryLine() throws IOException
    {
        final String text = stderr();
        final Matcher m = RECOVERED.matcher(text);
        if (!m.find())
        {
            throw new AssertionError("no line matching '" + RECOVERED.pattern() + "' on stderr:\n" + text);
        }
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
    }

    /** @return the metrics port printed on stderr (the child must run with {@code --metrics 127.0.0.1:0}). */
    public int metricsPort() throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            final Matcher m = METRICS.matcher(stderr());
            if (m.find())
            {
                return Integer.parseInt(m.group(1));
            }
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("no metrics line on stderr:\n" + stderr());
            }
            Thread.sleep(50);
        }
    }

    /** @return the body of {@code GET /metrics}. */
    public String scrapeMetrics() throws IOException, InterruptedException
    {
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        final HttpResponse<String> response = http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    /** @return the health status of {@code service} ("" for the server as a whole). */
    public static HealthCheckResponse.ServingStatus health(final ManagedChannel channel, final String service)
    {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
            .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
    }

    /** SIGKILL: no shutdown hook, no flush. */
    public void kill() throws InterruptedException
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
        }
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: a graceful stop. @return the exit status. */
    public int terminate() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("no exit within 60 s of SIGTERM");
        }
        return process.exitValue();
    }

    /**
     * Reads a child server's standard output on a daemon thread.
     *
     * @param process the child.
     * @param thread  the reader thread's name.
     * @return completes with the address of its {@code tranche: listening on} line, or null once it ends without one.
     */
    public static CompletableFuture<String> listeningAddress(final Process process, final String thread)
    {
        final CompletableFuture<String> listening = new CompletableFuture<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = in.readLine()) != null)
                {
                    if (line.startsWith("tranche: listening on "))
                    {
                        listening.complete(line.substring("tranche: listening on ".length()).trim());
                    }
                }
            }
            catch (final IOException ignore)
            {
                // The child ended: nothing more to read.
            }
            listening.complete(null);
        }, thread);
        reader.setDaemon(true);
        reader.start();
        return listening;
    }

    @Override
    public void close()
    {
        try
        {
            kill();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
