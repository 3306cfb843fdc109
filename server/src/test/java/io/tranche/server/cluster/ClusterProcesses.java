package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.ListClaimsRequest;
import io.tranche.proto.v1.ListClaimsResponse;
import io.tranche.proto.v1.ListTranchesRequest;
import io.tranche.proto.v1.ListTranchesResponse;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.Tranche;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Three {@code tranche serve --cluster-members --cluster-secret} child JVMs on loopback for the cluster suites: start,
 * SIGKILL, restart, find the leader (from the {@code role} lines each node prints), and read a node's
 * applied state over gRPC (ListTranches, ListClaims) with a SHA-256 of it.
 * <p>
 * The leader heartbeat timeout is {@code serve}'s default unless {@code -Dtranche.cluster.heartbeatTimeout}
 * (for example {@code 3s} on a very loaded machine) sets another.
 */
final class ClusterProcesses implements AutoCloseable
{
    static final int NODES = 3;
    static final String HEARTBEAT_TIMEOUT = System.getProperty("tranche.cluster.heartbeatTimeout");
    /** Extra options for every child JVM, space-separated (a profiler's, say): {@code -Dtranche.child.jvmArgs}. */
    static final String CHILD_JVM_ARGS = System.getProperty("tranche.child.jvmArgs", "");
    private static final String LISTENING = "tranche: listening on ";

    private final Path dir;
    private final String members;
    private final boolean quickStart;
    private final List<String> extraArgs = new ArrayList<>();
    private final Process[] processes = new Process[NODES];
    // Read by writer threads while the test kills and restarts nodes.
    private final AtomicReferenceArray<ManagedChannel> channels = new AtomicReferenceArray<>(NODES);

    /** A node's applied state as its gRPC reads return it. */
    record State(List<Tranche> tranches, List<Claim> claims, String sha256)
    {
    }

    /**
     * @param dir       data directories and logs go here.
     * @param portShift  added to this JVM's port base, so that suites in one JVM never meet a port still closing.
     * @param quickStart C1 only: see {@link #serve}.
     */
    ClusterProcesses(final Path dir, final int portShift, final boolean quickStart)
    {
        this.dir = dir;
        this.quickStart = quickStart;
        // Below Linux's ephemeral range (32768-60999): a port there can be taken at any moment by any socket bound
        // to port 0 (an Aeron egress endpoint, a gRPC client), which once kept a restarted member from binding.
        final int base = 12000 + (int)(ProcessHandle.current().pid() % 40) * 250 + portShift;
        members = loopbackMembers(base);
    }

    /**
     * @param base the first member's port; the others take base + 10 and base + 20 (each member uses six).
     * @return the {@code --cluster-members} value of three members on 127.0.0.1.
     */
    static String loopbackMembers(final int base)
    {
        return "0=127.0.0.1:" + base + ",1=127.0.0.1:" + (base + 10) + ",2=127.0.0.1:" + (base + 20);
    }

    /**
     * Starts the three nodes together and waits until each says it is listening (a leader was elected). Each must
     * start at its first launch, also right after a SIGKILL of all three: serve clears the Aeron mark files a dead
     * process left (it holds the data directory's lock), so none is launched twice.
     *
     * @return milliseconds from the launch until all three listen.
     */
    long startAll() throws Exception
    {
        final long started = System.nanoTime();
        final List<CompletableFuture<String>> ready = new ArrayList<>();
        for (int i = 0; i < NODES; i++)
        {
            ready.add(launch(i));
        }
        for (int i = 0; i < NODES; i++)
        {
            String first;
            try
            {
                first = ready.get(i).get(300, TimeUnit.SECONDS);
            }
            catch (final java.util.concurrent.TimeoutException ex)
            {
                first = null;
            }
            assertThat(first).as("node " + i + " listening at its first launch; log: " + Files.readString(log(i)))
                .isNotNull().startsWith(LISTENING);
            channels.set(i, NettyChannelBuilder.forTarget(first.substring(LISTENING.length())).usePlaintext()
                .build());
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    /**
     * Starts one node (again) and waits until it is listening: it has joined and caught up.
     *
     * @param node its id.
     */
    void start(final int node) throws Exception
    {
        // At the first launch, even right after a SIGKILL: serve clears the mark files the dead process left.
        assertThat(await(node, launch(node))).as("node " + node + " starts at the first launch; log: " +
            Files.readString(log(node))).isTrue();
    }

    /**
     * @return the "role LEADER" lines in all the members' logs so far: one per leader elected (the first included).
     */
    long leaderLines() throws IOException
    {
        long lines = 0;
        for (int node = 0; node < NODES; node++)
        {
            for (final String line : Files.readAllLines(log(node), StandardCharsets.UTF_8))
            {
                if (line.startsWith("tranche: cluster node " + node + " role LEADER"))
                {
                    lines++;
                }
            }
        }
        return lines;
    }

    /**
     * Sends a signal to the node's process (SIGSTOP, SIGCONT).
     *
     * @param node   its id.
     * @param signal the name, such as {@code STOP}.
     */
    void signal(final int node, final String signal) throws Exception
    {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(processes[node].pid()))
            .inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -" + signal).isTrue();
    }

    /**
     * SIGTERM, and waits for the node's graceful stop.
     *
     * @param node its id.
     */
    void stop(final int node) throws InterruptedException
    {
        final ManagedChannel channel = channels.getAndSet(node, null);
        processes[node].destroy();
        if (!processes[node].waitFor(60, TimeUnit.SECONDS))
        {
            processes[node].destroyForcibly();
            processes[node].waitFor(30, TimeUnit.SECONDS);
        }
        if (channel != null)
        {
            channel.shutdownNow();
        }
    }

    /**
     * Launches a node once: it either listens, or ends (a refused start) within the time.
     *
     * @param node its id.
     * @return true when it listens, false when it ended first (its log says why).
     * @throws AssertionError when it does neither within 150 s.
     */
    boolean startOrRefuse(final int node) throws Exception
    {
        final CompletableFuture<String> line = launch(node);
        String first = null;
        try
        {
            first = line.get(150, TimeUnit.SECONDS);
        }
        catch (final java.util.concurrent.TimeoutException ex)
        {
            processes[node].destroyForcibly();
            throw new AssertionError("node " + node + " neither listened nor ended within 150 s; log: " +
                Files.readString(log(node)));
        }
        if (first != null && first.startsWith(LISTENING))
        {
            channels.set(node, NettyChannelBuilder.forTarget(first.substring(LISTENING.length())).usePlaintext()
                .build());
            return true;
        }
        assertThat(processes[node].waitFor(60, TimeUnit.SECONDS)).as("a refused node ends; log: " +
            Files.readString(log(node))).isTrue();
        return false;
    }

    /**
     * SIGKILL.
     *
     * @param node its id.
     */
    void kill(final int node) throws InterruptedException
    {
        final ManagedChannel channel = channels.getAndSet(node, null);
        processes[node].destroyForcibly();
        processes[node].waitFor(30, TimeUnit.SECONDS);
        if (channel != null)
        {
            channel.shutdownNow();
        }
    }

    /**
     * @param node its id.
     * @return its channel, null while it is down.
     */
    ManagedChannel channel(final int node)
    {
        return channels.get(node);
    }

    /**
     * @param node its id.
     * @return its process (null before its first launch).
     */
    Process process(final int node)
    {
        return processes[node];
    }

    /**
     * @param node its id.
     * @return whether it is running.
     */
    boolean live(final int node)
    {
        return channels.get(node) != null;
    }

    /** @return the live nodes' ids. */
    List<Integer> liveNodes()
    {
        final List<Integer> live = new ArrayList<>();
        for (int i = 0; i < NODES; i++)
        {
            if (live(i))
            {
                live.add(i);
            }
        }
        return live;
    }

    /**
     * The one live node whose last {@code role} line says LEADER.
     *
     * @return its id.
     */
    int leader() throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline)
        {
            int leader = -1;
            for (int i = 0; i < NODES; i++)
            {
                if (!live(i))
                {
                    continue;
                }
                String role = null;
                for (final String line : Files.readAllLines(log(i), StandardCharsets.UTF_8))
                {
                    if (line.startsWith("tranche: cluster node " + i + " role "))
                    {
                        role = line.substring(line.lastIndexOf(' ') + 1);
                    }
                }
                if ("LEADER".equals(role))
                {
                    leader = leader == -1 ? i : -2;
                }
            }
            if (leader >= 0)
            {
                return leader;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no single leader in the logs within 60 s");
    }

    /**
     * @param node its id.
     * @return its applied state: every tranche, every claim, and a SHA-256 over their encodings.
     */
    State state(final int node)
    {
        final MessageDigest sha = sha256();
        final List<Tranche> tranches = new ArrayList<>();
        String token = "";
        do
        {
            final ListTranchesResponse page = QueueServiceGrpc.newBlockingStub(channels.get(node))
                .withDeadlineAfter(20, TimeUnit.SECONDS)
                .listTranches(ListTranchesRequest.newBuilder().setPageSize(500).setPageToken(token).build());
            for (final Tranche t : page.getTranchesList())
            {
                tranches.add(t);
                sha.update(t.toByteArray());
            }
            token = page.getNextPageToken();
        }
        while (!token.isEmpty());
        final List<Claim> claims = new ArrayList<>();
        token = "";
        do
        {
            final ListClaimsResponse page = QueueServiceGrpc.newBlockingStub(channels.get(node))
                .withDeadlineAfter(20, TimeUnit.SECONDS)
                .listClaims(ListClaimsRequest.newBuilder().setPageSize(500).setPageToken(token).build());
            for (final Claim c : page.getClaimsList())
            {
                claims.add(c);
                sha.update(c.toByteArray());
            }
            token = page.getNextPageToken();
        }
        while (!token.isEmpty());
        return new State(tranches, claims, HexFormat.of().formatHex(sha.digest()));
    }

    private static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Waits until every live node returns the same state with at least {@code tranches} tranches.
     *
     * @param tranches the count every node must reach (the acknowledged releases).
     * @return the live nodes' states, in id order, once the same (or as they are after 90 s).
     */
    List<State> awaitSameState(final int tranches) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true)
        {
            final List<State> states = new ArrayList<>();
            boolean same = true;
            for (final int node : liveNodes())
            {
                try
                {
                    final State s = state(node);
                    same &= s.tranches().size() >= tranches && (states.isEmpty() ||
                        s.sha256().equals(states.get(0).sha256()));
                    states.add(s);
                }
                catch (final io.grpc.StatusRuntimeException ex)
                {
                    same = false;
                    if (System.nanoTime() > deadline)
                    {
                        throw ex;
                    }
                }
            }
            if (same || System.nanoTime() > deadline)
            {
                return states;
            }
            Thread.sleep(200);
        }
    }

    /**
     * @param args more {@code serve} arguments for every later launch.
     * @return this.
     */
    ClusterProcesses with(final String... args)
    {
        extraArgs.addAll(List.of(args));
        return this;
    }

    /** @return the {@code --cluster-members} value. */
    String members()
    {
        return members;
    }

    /**
     * @return the members' shared secret (made once per suite): every suite runs the authenticated, signed path.
     */
    Path secret() throws IOException
    {
        final Path file = dir.resolve("cluster-secret");
        if (!Files.exists(file))
        {
            Files.createDirectories(dir);
            final byte[] bytes = new byte[32];
            new java.security.SecureRandom().nextBytes(bytes);
            Files.write(file, bytes);
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
        return file;
    }

    /**
     * @param node its id.
     * @return its log file (stderr: role lines and errors).
     */
    Path log(final int node)
    {
        return dir.resolve("node-" + node + ".log");
    }

    private boolean await(final int node, final CompletableFuture<String> line) throws Exception
    {
        String ready;
        try
        {
            ready = line.get(150, TimeUnit.SECONDS);
        }
        catch (final java.util.concurrent.TimeoutException ex)
        {
            ready = null;
        }
        if (ready != null && ready.startsWith(LISTENING))
        {
            channels.set(node, NettyChannelBuilder.forTarget(ready.substring(LISTENING.length()))
                .usePlaintext().build());
            return true;
        }
        processes[node].destroyForcibly();
        processes[node].waitFor(30, TimeUnit.SECONDS);
        return false;
    }

    private CompletableFuture<String> launch(final int node) throws IOException
    {
        // Truncate the log: the role lines of this incarnation only.
        Files.createDirectories(dir);
        Files.writeString(log(node), "");
        final List<String> args = new ArrayList<>(List.of("--cluster-members", members, "--node-id",
            Integer.toString(node), "--listen", "127.0.0.1:0", "--data-dir", dir.resolve("node-" + node).toString(),
            "--cluster-secret", secret().toString()));
        args.addAll(extraArgs);
        final Process process = serve(args, log(node), quickStart);
        processes[node] = process;
        return firstLine(process);
    }

    /**
     * Starts {@code tranche serve} in a child JVM (the heartbeat timeout property passed on).
     *
     * @param serveArgs the arguments after {@code serve}.
     * @param log        receives its stderr.
     * @param quickStart  C1 only (starts and restarts sooner; the correctness suites) or the full JIT (measurements).
     * @return the process.
     */
    static Process serve(final List<String> serveArgs, final Path log, final boolean quickStart) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
            "-Xmx256m", "-XX:+UseSerialGC"));
        if (quickStart)
        {
            command.add("-XX:TieredStopAtLevel=1");
        }
        if (HEARTBEAT_TIMEOUT != null)
        {
            command.add("-Daeron.cluster.leader.heartbeat.timeout=" + HEARTBEAT_TIMEOUT);
        }
        for (final String arg : CHILD_JVM_ARGS.trim().split("\\s+"))
        {
            if (!arg.isEmpty())
            {
                command.add(arg.replace("{name}", log.getFileName().toString()));
            }
        }
        // -Dtranche.child.classes=DIR runs the children on another build's server classes (a before/after comparison).
        final String classes = System.getProperty("tranche.child.classes");
        final String own = Path.of("target", "classes").toAbsolutePath().toString();
        final String classPath = System.getProperty("java.class.path");
        if (classes != null && !classPath.contains(own))
        {
            throw new IllegalStateException("-Dtranche.child.classes: " + own + " is not on the class path");
        }
        command.addAll(List.of("-cp", classes == null ? classPath : classPath.replace(own, classes),
            "io.tranche.server.cli.Main", "serve"));
        command.addAll(serveArgs);
        return new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(new File(log.toString())))
            .start();
    }

    /**
     * @param process a child.
     * @return its first line on stdout (null at its end); the rest is drained.
     */
    static CompletableFuture<String> firstLine(final Process process)
    {
        final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8));
        final CompletableFuture<String> line = new CompletableFuture<>();
        final Thread reader = new Thread(() ->
        {
            try
            {
                line.complete(out.readLine());
                while (out.readLine() != null)
                {
                    // drain
                }
            }
            catch (final IOException ex)
            {
                line.complete(null);
            }
        });
        reader.setDaemon(true);
        reader.start();
        return line;
    }

    @Override
    public void close()
    {
        for (int i = 0; i < NODES; i++)
        {
            final ManagedChannel channel = channels.getAndSet(i, null);
            if (channel != null)
            {
                channel.shutdownNow();
            }
            if (processes[i] != null)
            {
                processes[i].destroyForcibly();
                try
                {
                    processes[i].waitFor(30, TimeUnit.SECONDS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
