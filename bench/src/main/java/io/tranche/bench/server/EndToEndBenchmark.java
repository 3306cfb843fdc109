package io.tranche.bench.server;

import io.grpc.CallOptions;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.tranche.bench.kernel.Problems;
import io.tranche.kernel.Claims;
import io.tranche.proto.v1.AllocateRequest;
import io.tranche.proto.v1.AllocateResponse;
import io.tranche.proto.v1.AllocationServiceGrpc;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.server.ServerConfig;
import io.tranche.server.TrancheServer;
import io.tranche.server.metrics.Metrics;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * {@code Allocate} over the real {@link TrancheServer} (Netty, loopback, its default direct
 * executor) next to an echo RPC that moves the same request and response bytes through a second
 * Netty server built with the same settings and the same gRPC metrics (grpc-opentelemetry). Both use one client
 * with byte-array marshallers, so client-side work is identical and the difference is the server's
 * parse, validation, kernel and response building. Several client threads share one channel.
 * <p>
 * Server-side allocation and CPU: bytes allocated and CPU time used by the servers' threads (every thread named
 * {@code grpc-*}; the client has its own event loop and runs its callbacks on the JMH threads), and the whole JVM's
 * CPU time, over each trial, appended to {@code e2e-server.jsonl} in the result folder. CPU per call is what a
 * throughput on a shared machine hides: the work each side does, whatever else the host was doing.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(4)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class EndToEndBenchmark
{
    static final String ECHO_SERVICE = "tranche.bench.Echo";

    static final int WARMUP_CALLS_DEFAULT = 2000;

    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>()
    {
        @Override
        public InputStream stream(final byte[] value)
        {
            return new KnownLengthStream(value);
        }

        @Override
        public byte[] parse(final InputStream stream)
        {
            try
            {
                // gRPC's message streams know their length: read exactly that, as protobuf's parser
                // does, rather than readAllBytes()'s 8 KiB chunks.
                if (stream instanceof KnownLength)
                {
                    final byte[] bytes = new byte[stream.available()];
                    if (stream.readNBytes(bytes, 0, bytes.length) == bytes.length && stream.read() == -1)
                    {
                        return bytes;
                    }
                    throw new IOException("message shorter or longer than its known length " + bytes.length);
                }
                return stream.readAllBytes();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    };

    static final MethodDescriptor<byte[], byte[]> ALLOCATE = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(AllocationServiceGrpc.getAllocateMethod().getFullMethodName())
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();

    static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(ECHO_SERVICE, "Echo"))
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();

    @Param({"3", "64", "4096"})
    public int claims;

    private Path dataDir;
    private TrancheServer tranche;
    private Server echoServer;
    private final Metrics echoMetrics = new Metrics();
    private EventLoopGroup clientGroup;
    private ManagedChannel allocateChannel;
    private ManagedChannel echoChannel;
    private byte[] request;
    private volatile byte[] echoResponse;
    private final LongAdder calls = new LongAdder();
    private Map<Long, long[]> serverAtStart;
    private long processCpuAtStart;
    private String benchmark;
    private String mode;

    @Setup(Level.Trial)
    public void setUp(final BenchmarkParams params) throws IOException
    {
        benchmark = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        mode = params.getMode().shortLabel();
        dataDir = Files.createTempDirectory("tranche-bench-e2e");
        final ServerConfig config = new ServerConfig().listen("127.0.0.1", 0).dataDir(dataDir).fsync(false);
        tranche = TrancheServer.start(config);

        // The twin: the builder TrancheServer.start(config) serves on, with its transport settings and limits
        // (nettyBuilder, configure) and the same gRPC metrics, serving the echo service instead.
        final ServerServiceDefinition echo = ServerServiceDefinition.builder(ECHO_SERVICE)
            .addMethod(ECHO, ServerCalls.asyncUnaryCall((req, observer) ->
            {
                observer.onNext(echoResponse);
                observer.onCompleted();
            }))
            .build();
        final NettyServerBuilder echoBuilder = TrancheServer.configure(TrancheServer.nettyBuilder(config), config);
        echoMetrics.configureServerBuilder(echoBuilder);
        echoServer = echoBuilder.addService(echo).build().start();

        clientGroup = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("bench-client-elg", true),
            NioIoHandler.newFactory());
        allocateChannel = channel(tranche.port());
        echoChannel = channel(echoServer.getPort());

        request = request(claims).toByteArray();
        final byte[] response = ClientCalls.blockingUnaryCall(allocateChannel, ALLOCATE, CallOptions.DEFAULT, request);
        final AllocateResponse parsed = AllocateResponse.parseFrom(response);
        if (parsed.getAwardsCount() != claims || parsed.getAllocated() != 400_000)
        {
            throw new IllegalStateException("unexpected Allocate response: awards=" + parsed.getAwardsCount() +
                " allocated=" + parsed.getAllocated());
        }
        echoResponse = response;
        // Both RPCs, so the shared client and transport code is compiled before either is measured.
        final int warmupCalls = Integer.getInteger(EndToEndRecord.WARMUP_CALLS_PROP_NAME, WARMUP_CALLS_DEFAULT);
        for (int i = 0; i < warmupCalls; i++)
        {
            ClientCalls.blockingUnaryCall(allocateChannel, ALLOCATE, CallOptions.DEFAULT, request);
            ClientCalls.blockingUnaryCall(echoChannel, ECHO, CallOptions.DEFAULT, request);
        }
        serverAtStart = serverThreads();
        processCpuAtStart = processCpu();
        calls.reset();
    }

    private ManagedChannel channel(final int port)
    {
        return NettyChannelBuilder.forAddress("127.0.0.1", port)
            .usePlaintext()
            .eventLoopGroup(clientGroup)
            .channelType(NioSocketChannel.class)
            .maxInboundMessageSize(64 << 20)
            .build();
    }

    /**
     * @param claims number of claims.
     * @return PROPORTIONAL over the seeded {@code tail} problem, S = 400,000.
     */
    static AllocateRequest request(final int claims)
    {
        final Claims problem = new Claims(claims);
        Problems.fill(Problems.TAIL, claims, 400_000, problem);
        final AllocateRequest.Builder builder = AllocateRequest.newBuilder()
            .setSupply(400_000)
            .setPolicy(Policy.newBuilder().setMethod(Method.PROPORTIONAL));
        for (int i = 0; i < claims; i++)
        {
            builder.addClaims(Claim.newBuilder().setId("c" + i).setDemand(problem.demand(i)));
        }
        return builder.build();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException
    {
        final long processCpu = processCpu() - processCpuAtStart;
        final Map<Long, long[]> end = serverThreads();
        long bytes = 0;
        long cpu = 0;
        for (final Map.Entry<Long, long[]> e : end.entrySet())
        {
            final long[] start = serverAtStart.getOrDefault(e.getKey(), new long[2]);
            bytes += e.getValue()[0] - start[0];
            cpu += e.getValue()[1] - start[1];
        }
        final String out = System.getProperty(EndToEndRecord.OUT_PROP_NAME);
        if (out != null)
        {
            final String line = EndToEndRecord.line(benchmark, mode, claims, calls.sum(), bytes, cpu, processCpu);
            Files.writeString(Path.of(out, EndToEndRecord.FILE), line, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        allocateChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        echoChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        echoServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        echoMetrics.close();
        tranche.close();
        try (Stream<Path> files = Files.walk(dataDir))
        {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** @return the response bytes. */
    @Benchmark
    public byte[] allocate()
    {
        final byte[] response = ClientCalls.blockingUnaryCall(allocateChannel, ALLOCATE, CallOptions.DEFAULT, request);
        calls.increment();
        return response;
    }

    /** @return the response bytes (same size as {@link #allocate()}'s). */
    @Benchmark
    public byte[] echo()
    {
        final byte[] response = ClientCalls.blockingUnaryCall(echoChannel, ECHO, CallOptions.DEFAULT, request);
        calls.increment();
        return response;
    }

    /** Allocated bytes and CPU time (ns) so far of every server thread (named grpc-*), by thread id. */
    private static Map<Long, long[]> serverThreads()
    {
        final com.sun.management.ThreadMXBean bean =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long[] ids = bean.getAllThreadIds();
        final ThreadInfo[] infos = bean.getThreadInfo(ids);
        final long[] allocated = bean.getThreadAllocatedBytes(ids);
        final long[] cpu = bean.getThreadCpuTime(ids);
        final Map<Long, long[]> out = new HashMap<>();
        for (int i = 0; i < ids.length; i++)
        {
            if (infos[i] != null && infos[i].getThreadName().startsWith("grpc-") && allocated[i] >= 0)
            {
                out.put(ids[i], new long[] {allocated[i], Math.max(0, cpu[i])});
            }
        }
        return out;
    }

    /** @return CPU time of this JVM so far, ns. */
    private static long processCpu()
    {
        return ((com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    }

    /**
     * A byte array stream gRPC can size up front (KnownLength) and drain straight into its frame
     * (Drainable), as protobuf's own stream does; otherwise gRPC copies through an 8 KiB buffer per
     * message and the echo would pay for allocation that Allocate does not.
     */
    static final class KnownLengthStream extends ByteArrayInputStream implements KnownLength, Drainable
    {
        KnownLengthStream(final byte[] bytes)
        {
            super(bytes);
        }

        @Override
        public int drainTo(final OutputStream target) throws IOException
        {
            final int n = count - pos;
            target.write(buf, pos, n);
            pos = count;
            return n;
        }

        @Override
        public int available()
        {
            return count - pos;
        }
    }
}
