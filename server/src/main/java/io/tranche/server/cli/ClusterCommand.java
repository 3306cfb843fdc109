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
import java.util.concurrent.CountDownLatch;
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
            final List<Process> children = new ArrayList<>();
            final List<BufferedReader> outputs = new ArrayList<>();
            final CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAll(children), "tranche-cluster-stop"));
            for (int i = 0; i < nodes; i++)
            {
                final List<String> command = new ArrayList<>();
                command.add(ProcessHandle.current().info().command().orElse("java"));
                command.add("--add-opens");
                command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
                command.add("--add-opens");
                command.add("java.base/sun.nio.ch=ALL-UNNAMED");
                command.add("--add-opens");
                command.add("java.base/java.util.zip=ALL-UNNAMED");
                command.add("-Xmx512m");
                command.add("-cp");
                command.add(System.getProperty("java.class.path"));
                command.add("io.tranche.server.cli.Main");
                command.add("serve");
                command.add("--cluster-members");
                command.add(members.toString());
                command.add("--node-id");
                command.add(Integer.toString(i));
                command.add("--listen");
                command.add("127.0.0.1:" + (listenPort + i));
                command.add("--data-dir");
                command.add(dataDir.resolve("node-" + i).toString());
                final Process child = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.appendTo(new File(dataDir.toFile(), "node-" + i + ".log")))
                    .start();
                children.add(child);
                outputs.add(new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)));
            }
            final long deadline = System.nanoTime() + timeoutNs;
            for (int i = 0; i < nodes; i++)
            {
                final String line = readLine(outputs.get(i), deadline);
                if (line == null || !line.startsWith("tranche: listening on "))
                {
                    System.err.println("tranche cluster local: node " + i + " did not start (see " +
                        dataDir.resolve("node-" + i + ".log") + ")");
                    stopAll(children);
                    return 1;
                }
                out.println("tranche: node " + i + " listening on " +
                    line.substring("tranche: listening on ".length()) +
                    " pid " + children.get(i).pid());
            }
            out.flush();
            stopped.await();
            return 0;
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
            out.printf("snapshot  %d (%d taken since start, %d commands after it)%n", s.getSnapshotPosition(),
                s.getSnapshots(), s.getCommandsSinceSnapshot());
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
            "state (tranche numbers and the digest chain continue). A directory that already holds a cluster log",
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
                final byte[] state = io.tranche.server.cluster.ClusterSeed.export(from, maxQueue,
                    io.tranche.server.ledger.TrancheDigest::compute);
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
