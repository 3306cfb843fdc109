package io.tranche.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throughput of {@code ReleaseTranche} and {@code CreateClaim} on the single-node server and on a
 * 3-node cluster, in the same run, each a child JVM (full JIT, -Xmx256m) on loopback: N client threads
 * (blocking stubs; on the cluster spread over the three nodes) send for a fixed time, then the number
 * acknowledged per second is printed. Releases run over a queue of 100 claims of large demand (each
 * tranche has 100 awards); creates add new claims. Tagged {@code measurement}: never in verify.
 * <p>
 * Besides the rate, each phase prints the CPU time each server JVM used in the measured seconds per acknowledged
 * call (from {@link ProcessHandle.Info#totalCpuDuration()}: load-independent, unlike the rate) and the load
 * average at its end.
 * <p>
 * {@code -Dtranche.throughput.threads} (default 8), {@code -Dtranche.throughput.seconds} (default 10),
 * {@code -Dtranche.throughput.warmup} (seconds before those, default 2, at most 5 for the creates; the JIT of
 * three JVMs sharing two cores is still compiling after 2 s), {@code -Dtranche.throughput.createWarmup} (the creates'
 * warm-up, default the smaller of the warm-up and 5 s),
 * {@code -Dtranche.throughput.only} ({@code single} or {@code cluster}: that server only),
 * {@code -Dtranche.throughput.serveArgs} (more {@code serve} options for every server, space-separated: a larger
 * {@code --max-queue} for a long creates window, say),
 * {@code -Dtranche.child.jvmArgs} (options for the server JVMs, such as a profiler's; {@code {name}} is replaced
 * by the name of the JVM's log file).
 */
@Tag("measurement")
class ClusterThroughputMeasurement
{
    private static final int THREADS = Integer.getInteger("tranche.throughput.threads", 8);
    private static final int SECONDS = Integer.getInteger("tranche.throughput.seconds", 10);
    private static final String ONLY = System.getProperty("tranche.throughput.only", "");
    private static final List<String> SERVE_ARGS =
        List.of(System.getProperty("tranche.throughput.serveArgs", "").trim().split("\\s+")).stream()
            .filter(arg -> !arg.isEmpty()).toList();
    private static final int WARMUP_SECONDS = Integer.getInteger("tranche.throughput.warmup", 2);
    // The creates warm up for at most 5 s unless told (the releases warmed the JVMs, but not the creates' own code):
    // at ~3,000 creates/s a single node with -Xmx256m must stay under serve's 100,000 queued claims (past it, with a
    // larger --max-queue, it thrashed in GC).
    private static final int CREATE_WARMUP_SECONDS =
        Integer.getInteger("tranche.throughput.createWarmup", Math.min(WARMUP_SECONDS, 5));

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 40, unit = TimeUnit.MINUTES)
    void shouldPrintReleaseAndCreateThroughputOfTheSingleNodeServerAndTheCluster() throws Exception
    {
        if (!ONLY.equals("cluster"))
        {
            System.out.println("throughput single-node: " + single());
        }
        if (!ONLY.equals("single"))
        {
            System.out.println("throughput 3-node cluster: " + cluster());
        }
        System.out.println("throughput: threads=" + THREADS + " seconds=" + SECONDS + " warmup=" + WARMUP_SECONDS +
            " load=" +
            ClusterKillRoundsTest.loadAverage());
    }

    private String single() throws Exception
    {
        final List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--data-dir",
            dir.resolve("single").toString()));
        args.addAll(SERVE_ARGS);
        final Process server = ClusterProcesses.serve(args, dir.resolve("single.log"), false);
        try
        {
            final String line = ClusterProcesses.firstLine(server).get(120, TimeUnit.SECONDS);
            assertThat(line).startsWith("tranche: listening on ");
            final ManagedChannel channel = NettyChannelBuilder.forTarget(line.substring("tranche: listening on "
                .length())).usePlaintext().build();
            final String result = idle(List.of(server.toHandle())) + measure("single", List.of(channel),
                List.of(server.toHandle()));
            channel.shutdownNow();
            return result;
        }
        finally
        {
            server.destroyForcibly();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private String cluster() throws Exception
    {
        try (ClusterProcesses nodes = new ClusterProcesses(dir.resolve("cluster"), 90, false))
        {
            nodes.with(SERVE_ARGS.toArray(new String[0]));
            nodes.startAll();
            final List<ManagedChannel> channels = new ArrayList<>();
            final List<ProcessHandle> handles = new ArrayList<>();
            for (int i = 0; i < ClusterProcesses.NODES; i++)
            {
                channels.add(nodes.channel(i));
                handles.add(nodes.process(i).toHandle());
            }
            try
            {
                return idle(handles) + measure("cluster", channels, handles) + " leader=" + nodes.leader();
            }
            catch (final AssertionError ex)
            {
                // Why calls failed (an election, a long snapshot) is in the members' own lines.
                for (int i = 0; i < ClusterProcesses.NODES; i++)
                {
                    final List<String> lines = java.nio.file.Files.readAllLines(nodes.log(i));
                    System.out.println("throughput: node " + i + " log tail: " +
                        String.join(" / ", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
                }
                throw ex;
            }
        }
    }

    private static String measure(final String label, final List<ManagedChannel> channels,
        final List<ProcessHandle> servers) throws Exception
    {
        for (int i = 0; i < 100; i++)
        {
            QueueServiceGrpc.newBlockingStub(channels.get(0)).withDeadlineAfter(30, TimeUnit.SECONDS)
                .createClaim(CreateClaimRequest.newBuilder().setClaim(Claim.newBuilder().setId("base-" + i)
                    .setDemand(1_000_000_000_000L).setWeight(1 + i % 7)).build());
        }
        final Rate release = run(channels, servers, WARMUP_SECONDS, (stub, id) -> stub.releaseTranche(
            ReleaseTrancheRequest.newBuilder().setRequestId(label + "-r-" + id).setSupply(1000).setPolicy(
                Policy.newBuilder().setMethod(Method.PROPORTIONAL)).build()));
        final Rate create = run(channels, servers, CREATE_WARMUP_SECONDS, (stub, id) -> stub.createClaim(
            CreateClaimRequest.newBuilder().setClaim(Claim.newBuilder().setId(label + "-c-" + id).setDemand(100))
                .build()));
        return String.format("ReleaseTranche %.0f ops/s (%s), CreateClaim %.0f ops/s (%s)", release.perSecond,
            release.detail, create.perSecond, create.detail);
    }

    // Each server's CPU while it serves nothing, 5 s (the idle strategies' cost).
    private static String idle(final List<ProcessHandle> servers) throws InterruptedException
    {
        Thread.sleep(3000);
        final long[] before = cpuMicros(servers);
        Thread.sleep(5000);
        final long[] after = cpuMicros(servers);
        final StringBuilder idle = new StringBuilder("idle cores");
        for (int i = 0; i < before.length; i++)
        {
            idle.append(i == 0 ? " " : ",").append(String.format("%.3f", (after[i] - before[i]) / 5e6));
        }
        return idle.append("; ").toString();
    }

    private record Rate(double perSecond, String detail)
    {
    }

    // Each member's cluster status; empty for the single node (not a cluster member).
    private static List<io.tranche.proto.v1.ClusterStatus> statuses(final List<ManagedChannel> channels)
    {
        final List<io.tranche.proto.v1.ClusterStatus> statuses = new ArrayList<>();
        if (channels.size() < 2)
        {
            return statuses;
        }
        for (final ManagedChannel channel : channels)
        {
            statuses.add(io.tranche.proto.v1.ClusterServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .getClusterStatus(io.tranche.proto.v1.GetClusterStatusRequest.getDefaultInstance()));
        }
        return statuses;
    }

    // CPU time of each server JVM in microseconds (0 when the platform does not report it).
    private static long[] cpuMicros(final List<ProcessHandle> servers)
    {
        final long[] micros = new long[servers.size()];
        for (int i = 0; i < micros.length; i++)
        {
            micros[i] = servers.get(i).info().totalCpuDuration().map(d -> d.toNanos() / 1000).orElse(0L);
        }
        return micros;
    }

    // Linux only (empty elsewhere): each server's CPU ticks (user + system, CLK_TCK of 100 assumed) per kind of
    // thread, from /proc/PID/task/*/stat: the JIT's compiler threads apart from the threads that serve.
    private static List<java.util.Map<String, Long>> threadTicks(final List<ProcessHandle> servers)
    {
        final List<java.util.Map<String, Long>> all = new ArrayList<>();
        for (final ProcessHandle server : servers)
        {
            final java.util.Map<String, Long> ticks = new java.util.TreeMap<>();
            final Path tasks = Path.of("/proc", Long.toString(server.pid()), "task");
            try (java.util.stream.Stream<Path> list = java.nio.file.Files.list(tasks))
            {
                for (final Path task : (Iterable<Path>)list::iterator)
                {
                    final String stat;
                    try
                    {
                        stat = java.nio.file.Files.readString(task.resolve("stat"));
                    }
                    catch (final java.io.IOException ex)
                    {
                        continue; // the thread ended
                    }
                    final String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    // fields[11] and [12] are utime and stime (the 14th and 15th of the whole line).
                    ticks.merge(threadKind(name), Long.parseLong(fields[11]) + Long.parseLong(fields[12]), Long::sum);
                }
            }
            catch (final java.io.IOException ex)
            {
                // not Linux: no breakdown
            }
            all.add(ticks);
        }
        return all;
    }

    private static String threadKind(final String name)
    {
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler"))
        {
            return "jit";
        }
        if (name.startsWith("grpc-") || name.startsWith("netty"))
        {
            return "grpc";
        }
        if (name.startsWith("VM ") || name.startsWith("GC ") || name.equals("java"))
        {
            return "vm";
        }
        return name.length() > 12 ? name.substring(0, 12) : name;
    }

    private static String byThread(final java.util.Map<String, Long> before, final java.util.Map<String, Long> after,
        final long calls)
    {
        final StringBuilder line = new StringBuilder();
        after.entrySet().stream()
            .map(e -> java.util.Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
            .filter(e -> e.getValue() > 0)
            .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
            .forEach(e -> line.append(line.length() == 0 ? "" : " ").append(e.getKey()).append('=')
                .append(e.getValue() * 10_000 / calls));
        return line.toString();
    }

    interface Call
    {
        void call(QueueServiceGrpc.QueueServiceBlockingStub stub, String id);
    }

    // THREADS threads call for warmup seconds and SECONDS more; returns the calls answered in those SECONDS
    // per second, with each server's CPU per call in those SECONDS, and the load average at their end.
    private static Rate run(final List<ManagedChannel> channels, final List<ProcessHandle> servers, final int warmup,
        final Call call) throws InterruptedException
    {
        final AtomicLong ids = new AtomicLong();
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
        final long end = warmEnd + TimeUnit.SECONDS.toNanos(SECONDS);
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++)
        {
            final ManagedChannel channel = channels.get(t % channels.size());
            final Thread thread = new Thread(() ->
            {
                final QueueServiceGrpc.QueueServiceBlockingStub stub = QueueServiceGrpc.newBlockingStub(channel);
                while (System.nanoTime() < end)
                {
                    try
                    {
                        call.call(stub.withDeadlineAfter(30, TimeUnit.SECONDS), Long.toString(ids.incrementAndGet()));
                        final long done = System.nanoTime();
                        if (done >= warmEnd && done < end)
                        {
                            acknowledged.incrementAndGet();
                        }
                    }
                    catch (final StatusRuntimeException ex)
                    {
                        if (failed.incrementAndGet() == 1)
                        {
                            System.out.println("throughput: first failed call: " + ex.getStatus());
                        }
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(warmEnd - System.nanoTime())));
        final long[] before = cpuMicros(servers);
        final List<java.util.Map<String, Long>> threadsBefore = threadTicks(servers);
        final List<io.tranche.proto.v1.ClusterStatus> statusBefore = statuses(channels);
        Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
        final long[] after = cpuMicros(servers);
        final List<java.util.Map<String, Long>> threadsAfter = threadTicks(servers);
        final List<io.tranche.proto.v1.ClusterStatus> statusAfter = statuses(channels);
        final String load = ClusterKillRoundsTest.loadAverage();
        for (final Thread thread : threads)
        {
            thread.join();
        }
        assertThat(failed.get()).as("failed calls").isZero();
        final long calls = Math.max(1, acknowledged.get());
        final StringBuilder cpu = new StringBuilder("cpu us/call");
        long total = 0;
        for (int i = 0; i < before.length; i++)
        {
            total += after[i] - before[i];
            cpu.append(i == 0 ? " " : ",").append((after[i] - before[i]) / calls);
        }
        cpu.append(" total ").append(total / calls).append(String.format(" cores %.2f", total / 1e6 / SECONDS))
            .append(" load ").append(load);
        for (int i = 0; i < before.length; i++)
        {
            cpu.append(i == 0 ? "; by thread us/call " : " | ").append(byThread(threadsBefore.get(i),
                threadsAfter.get(i), calls));
        }
        if (!statusBefore.isEmpty() && !statusAfter.isEmpty())
        {
            // Snapshots each member wrote in the measured seconds, and how long its newest took (no command is
            // applied meanwhile).
            cpu.append("; snapshots in the window");
            for (int i = 0; i < statusAfter.size(); i++)
            {
                cpu.append(i == 0 ? " " : ",").append(statusAfter.get(i).getSnapshots() -
                    statusBefore.get(i).getSnapshots());
            }
            cpu.append(", last took ms");
            for (int i = 0; i < statusAfter.size(); i++)
            {
                cpu.append(i == 0 ? " " : ",").append(statusAfter.get(i).getLastSnapshotMillis());
            }
        }
        return new Rate(acknowledged.get() / (double)SECONDS, cpu.toString());
    }
}
