package io.tranche.server.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tranche cluster}: tools for a replicated (Aeron Cluster) deployment. */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = "Runs and inspects a tranche cluster (the queue and the ledger replicated on Aeron Cluster).",
    subcommands = {ClusterCommand.Local.class, ClusterCommand.Status.class, ClusterCommand.Seed.class})
public final class ClusterCommand implements Runnable
{
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(System.err);
    }

    /**
     * {@code tranche cluster local}: N members on loopback as child processes (so that one can be
     * killed), each {@code tranche serve --cluster-members ... --node-id I}; prints one
     * {@code tranche: node I listening on ADDR pid PID} line per node once all are serving; SIGTERM
     * stops them all.
     */
    @Command(
        name = "local",
        mixinStandardHelpOptions = true,
        description = {
            "Starts --nodes members of a cluster on 127.0.0.1 as child processes, each with its own data directory",
            "DIR/node-I and log DIR/node-I.log. Member I uses ports BASE+10*I..BASE+10*I+5 for the cluster and",
            "listens for gRPC on LISTEN+I. Prints 'tranche: node I listening on ADDR pid PID' per node when ready.",
            "A node that ends is reported (its exit status or signal) and started again, with a growing delay while",
            "it keeps failing. The members share DIR/cluster-secret (made once, mode 600).",
            "SIGTERM/SIGINT stops every node. Exit status: 0 after a stop, 1 when a node cannot start."
        })
    public static final class Local implements Callable<Integer>
    {
        @Option(names = "--nodes", description = "Members (default: ${DEFAULT-VALUE}).")
        int nodes = 3;

        @Option(names = "--data-dir", paramLabel = "DIR", required = true,
            description = "Parent of the members' data directories.")
        Path dataDir;

        @Option(names = "--base-port", description = "First cluster port (default: ${DEFAULT-VALUE}).")
        int basePort = 20110;

        @Option(names = "--listen-port",
            description = "gRPC port of node 0; node I listens on it + I (default: ${DEFAULT-VALUE}).")
        int listenPort = 50061;

        @Option(names = "--start-timeout", paramLabel = "DURATION",
            description = "Time to wait for every node (default: 120s).")
        String startTimeout = "120s";

        @Override
        public Integer call() throws Exception
        {
            final PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
            if (nodes < 1 || nodes > 9)
            {
                System.err.println("tranche cluster local: --nodes must be 1..9, was " + nodes);
                return 2;
            }
            final long timeoutNs;
            try
            {
                timeoutNs = ServeCommand.duration(startTimeout, "--start-timeout").toNanos();
            }
            catch (final IllegalArgumentException ex)
            {
                System.err.println("tranche cluster local: " + ex.getMessage());
                return 2;
            }
            final StringBuilder members = new StringBuilder();
            for (int i = 0; i < nodes; i++)
            {
                members.append(i == 0 ? "" : ",").append(i).append("=127.0.0.1:").append(basePort + 10 * i);
            }
            Files.createDirectories(dataDir);
            final Path secret = localSecret(dataDir);
            final List<Process> children = java.util.Collections.synchronizedList(new ArrayList<>());
            final java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
            Runtime.getRuntime().addShutdownHook(new Thread(() ->
            {
                stopping.set(true);
                stopAll(children);
                // A stop asked for by SIGTERM/SIGINT is a success: exit 0, not the signal's 143/130.
                Runtime.getRuntime().halt(0);
            }, "tranche-cluster-stop"));
            final List<List<String>> commands = new ArrayList<>();
            final List<BufferedReader> outputs = new ArrayList<>();
            for (int i = 0; i < nodes; i++)
            {
                commands.add(serveCommand(members.toString(), i, secret));
                children.add(launch(commands.get(i), i));
                outputs.add(stdout(children.get(i)));
            }
            final long deadline = System.nanoTime() + timeoutNs;
            for (int i = 0; i < nodes; i++)
            {
                if (!announce(out, i, children.get(i), readLine(outputs.get(i), deadline)))
                {
                    stopAll(children);
                    return 1;
                }
            }
            supervise(out, commands, children, stopping);
            return 0;
        }

        // A member that ends is said so (its exit status or signal) and started again, after 1 s, doubling to 30 s
        // while it keeps failing; a member that ran a minute starts again after 1 s.
        private void supervise(
            final PrintStream out,
            final List<List<String>> commands,
            final List<Process> children,
            final java.util.concurrent.atomic.AtomicBoolean stopping) throws InterruptedException, IOException
        {
            final long[] backoffMs = new long[nodes];
            final long[] startedNs = new long[nodes];
            java.util.Arrays.fill(backoffMs, 1000);
            java.util.Arrays.fill(startedNs, System.nanoTime());
            while (!stopping.get())
            {
                Thread.sleep(200);
                for (int i = 0; i < nodes && !stopping.get(); i++)
                {
                    final Process child = children.get(i);
                    if (child.isAlive())
                    {
                        continue;
                    }
                    if (System.nanoTime() - startedNs[i] > TimeUnit.MINUTES.toNanos(1))
                    {
                        backoffMs[i] = 1000;
                    }
                    System.err.println("tranche cluster local: node " + i + " (pid " + child.pid() + ") " +
                        ended(child.exitValue()) + "; starting it again in " + backoffMs[i] + " ms (log: " +
                        dataDir.resolve("node-" + i + ".log") + ")");
                    Thread.sleep(backoffMs[i]);
                    backoffMs[i] = Math.min(30_000, backoffMs[i] * 2);
                    if (stopping.get())
                    {
                        return;
                    }
                    final Process again = launch(commands.get(i), i);
                    children.set(i, again);
                    startedNs[i] = System.nanoTime();
                    final int node = i;
                    final BufferedReader output = stdout(again);
                    final long announceBy = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
                    final Thread announcer = new Thread(() -> announce(out, node, again, readLine(output, announceBy)),
                        "tranche-cluster-node-" + i);
                    announcer.setDaemon(true);
                    announcer.start();
                }
            }
        }

        /**
         * @param status a child's exit value.
         * @return how it ended, in words: a status, or the signal that killed it (the JVM reports 128 + signal).
         */
        static String ended(final int status)
        {
            if (status > 128 && status < 160)
            {
                final int signal = status - 128;
                final String name = signal == 9 ? " (SIGKILL)" : signal == 15 ? " (SIGTERM)" : signal == 6 ?
                    " (SIGABRT)" : signal == 11 ? " (SIGSEGV)" : "";
                return "was killed by signal " + signal + name;
            }
            return "exited with status " + status;
        }

        private boolean announce(final PrintStream out, final int node, final Process child, final String line)
        {
            if (line == null || !line.startsWith("tranche: listening on "))
            {
                System.err.println("tranche cluster local: node " + node + " did not start (see " +
                    dataDir.resolve("node-" + node + ".log") + ")");
                return false;
            }
            out.println("tranche: node " + node + " listening on " + line.substring("tranche: listening on ".length()) +
                " pid " + child.pid());
            out.flush();
            return true;
        }

        // The members share a secret made once in DIR (mode 600): the local cluster is authenticated like any other.
        private static Path localSecret(final Path dir) throws IOException
        {
            final Path file = dir.resolve("cluster-secret");
            if (!Files.exists(file))
            {
                final byte[] bytes = new byte[32];
                new java.security.SecureRandom().nextBytes(bytes);
                Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
                Files.write(file, bytes);
            }
            return file;
        }

        private List<String> serveCommand(final String members, final int node, final Path secret)
        {
            final List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "io.tranche.server.cli.Main", "serve",
                "--cluster-members", members, "--node-id", Integer.toString(node),
                "--listen", "127.0.0.1:" + (listenPort + node),
                "--data-dir", dataDir.resolve("node-" + node).toString(),
                "--cluster-secret", secret.toString()));
            return command;
        }

        private Process launch(final List<String> command, final int node) throws IOException
        {
            return new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(new File(dataDir.toFile(), "node-" + node + ".log")))
                .start();
        }

        private static BufferedReader stdout(final Process child)
        {
            return new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        }

        private static String readLine(final BufferedReader reader, final long deadlineNs)
        {
            // The child prints one line when ready; wait for it without blocking past the deadline.
            final java.util.concurrent.CompletableFuture<String> line = new java.util.concurrent.CompletableFuture<>();
            final Thread thread = new Thread(() ->
            {
                try
                {
                    line.complete(reader.readLine());
                    // Keep draining so a chatty child never blocks on a full pipe.
                    while (reader.readLine() != null)
                    {
                        // nothing
                    }
                }
                catch (final IOException ignore)
                {
                    line.complete(null);
                }
            }, "tranche-cluster-stdout");
            thread.setDaemon(true);
            thread.start();
            try
            {
                return line.get(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            catch (final java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException ex)
            {
                return null;
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        private static void stopAll(final List<Process> children)
        {
            for (final Process child : children)
            {
                child.destroy();
            }
            for (final Process child : children)
            {
                try
                {
                    if (!child.waitFor(30, TimeUnit.SECONDS))
                    {
                        child.destroyForcibly();
                    }
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** {@code tranche cluster status}: one member's role, term, commit and applied positions and snapshots. */
    @Command(
        name = "status",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Prints one cluster member's role, leadership term, commit position (what a majority has), applied",
            "position (what its reads see) and snapshot progress. Exit status: 0 done, 2 not a cluster member,",
            "1 anything else."
        })
    public static final class Status extends ClientCommand
    {
        @Override
        protected int run(final QueueClient connection, final java.io.PrintWriter out)
        {
            final io.tranche.proto.v1.ClusterStatus s = connection.cluster().getClusterStatus(
                io.tranche.proto.v1.GetClusterStatusRequest.getDefaultInstance());
            if (json())
            {
                out.println(toJson(s));
                return 0;
            }
            out.printf("node      %d of %d%n", s.getNodeId(), s.getMembers());
            out.printf("role      %s%n", s.getRole());
            out.printf("term      %d%n", s.getLeadershipTermId());
            out.printf("commit    %d%n", s.getCommitPosition());
            out.printf("applied   %d%n", s.getAppliedPosition());
            out.printf("snapshot  %d (%d taken since start, %d commands after it%s)%n", s.getSnapshotPosition(),
                s.getSnapshots(), s.getCommandsSinceSnapshot(),
                s.getLastSnapshotMillis() > 0 ? ", the last took " + s.getLastSnapshotMillis() + " ms" : "");
            out.printf("tranches  %d%n", s.getTranches());
            out.printf("writes    %s%n", s.getFailure().isEmpty() ? "taken" : "refused: " + s.getFailure());
            return 0;
        }
    }

    /**
     * {@code tranche cluster seed}: a stopped single-node server's state becomes the initial state of the
     * members whose data directories are given (before their first start).
     */
    @Command(
        name = "seed",
        mixinStandardHelpOptions = true,
        description = {
            "Recovers a stopped single-node server's data directory (newest snapshot + journal, as 'serve' does;",
            "a damaged one is refused) and writes its state into each member's data directory as seed.state.",
            "Seed every member from the same directory before its first start; the cluster then starts from that",
            "state (tranche numbers and the ledger's tree continue). A directory that already holds a cluster log",
            "is refused. Exit status: 0 seeded, 1 refused or failed (nothing is written unless all can be)."
        })
    public static final class Seed implements Callable<Integer>
    {
        @Option(names = "--from", paramLabel = "DIR", required = true,
            description = "The single-node server's --data-dir (the server must be stopped).")
        Path from;

        @Option(names = "--data-dir", paramLabel = "DIR", required = true,
            description = "A member's --data-dir; repeat it for each member.")
        List<Path> nodes;

        @Option(names = "--max-queue", paramLabel = "N",
            description = "Most claims in the queue, as the server ran with (default: ${DEFAULT-VALUE}).")
        int maxQueue = io.tranche.server.ServerConfig.MAX_QUEUE_DEFAULT;

        @Override
        public Integer call()
        {
            final PrintStream out = System.out;
            try
            {
                for (final Path node : nodes)
                {
                    if (Files.exists(node.resolve(io.tranche.server.cluster.ClusterSeed.FILE)) ||
                        Files.isDirectory(node.resolve("cluster")) || Files.isDirectory(node.resolve("archive")))
                    {
                        throw new IOException("--data-dir " + node + " is already seeded or holds a cluster log: " +
                            "a member is seeded only before its first start");
                    }
                }
                final byte[] state = io.tranche.server.cluster.ClusterSeed.export(from, maxQueue);
                final long tranches = java.nio.ByteBuffer.wrap(state).getLong(4);
                final String sha = io.tranche.server.cluster.ClusterSeed.sha256(state);
                for (final Path node : nodes)
                {
                    io.tranche.server.cluster.ClusterSeed.write(node, state);
                    out.println("tranche: seeded " + node + " with " + tranches + " tranches, state sha256 " + sha);
                }
                return 0;
            }
            catch (final IOException | RuntimeException ex)
            {
                System.err.println("tranche cluster seed: " + ex.getMessage());
                return 1;
            }
        }
    }
}
