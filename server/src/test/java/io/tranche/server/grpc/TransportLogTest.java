package io.tranche.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.tranche.server.RawBytes;
import io.tranche.server.RobustnessSupport;
import io.tranche.server.TestServer;
import io.tranche.server.metrics.MetricsEndpointTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, item 5, "Log flooding": every connection that sent junk instead of the HTTP/2 preface logged a 2.8 KB
 * INFO stack trace, and every message above the inbound limit a WARNING stack trace. Now each kind is at most one
 * short line without a trace (a minute), and counted in {@code tranche_transport_errors_total}, read here from a
 * real {@code /metrics}. The log is captured from java.util.logging's root, where grpc-java logs.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TransportLogTest
{
    private static final int TIMES = 20;

    @TempDir
    Path dir;

    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler()
    {
        @Override
        public void publish(final LogRecord record)
        {
            if (record.getLevel().intValue() >= Level.INFO.intValue())
            {
                logged.add(record);
            }
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void close()
        {
        }
    };

    @BeforeEach
    void capture()
    {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void release()
    {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void shouldLogJunkInsteadOfThePrefaceAsAtMostOneShortLineAndCountIt() throws Exception
    {
        try (TestServer server = TestServer.start(TestServer.config(dir).metrics("127.0.0.1:0")))
        {
            final double before = counter(server, "connection");
            final long counted = TransportErrors.connections();
            for (int i = 0; i < TIMES; i++)
            {
                try (Socket socket = new Socket("127.0.0.1", server.server.port()))
                {
                    final OutputStream out = socket.getOutputStream();
                    out.write(("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + "junk ".repeat(200) + i)
                        .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    drain(socket.getInputStream());
                }
            }
            awaitCount(TransportErrors::connections, counted + TIMES);
            assertAtMostOneShortLine();
            assertThat(TransportErrors.connections() - counted).as("counted").isGreaterThanOrEqualTo(TIMES);
            assertThat(counter(server, "connection") - before).as("tranche_transport_errors_total{reason=connection}")
                .isGreaterThanOrEqualTo(TIMES);
        }
    }

    @Test
    void shouldLogMessagesAboveTheLimitAsAtMostOneShortLineAndCountThem() throws Exception
    {
        try (TestServer server = TestServer.start(TestServer.config(dir).metrics("127.0.0.1:0")
            .maxInboundMessageSize(1024)))
        {
            final double before = counter(server, "message");
            final long counted = TransportErrors.messages();
            final MethodDescriptor<byte[], byte[]> allocate = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName("tranche.v1.AllocationService/Allocate")
                .setRequestMarshaller(RawBytes.MARSHALLER).setResponseMarshaller(RawBytes.MARSHALLER).build();
            final ManagedChannel channel = RobustnessSupport.channel("127.0.0.1:" + server.server.port());
            try
            {
                for (int i = 0; i < TIMES; i++)
                {
                    try
                    {
                        ClientCalls.blockingUnaryCall(channel, allocate, CallOptions.DEFAULT.withDeadlineAfter(20,
                            TimeUnit.SECONDS), new byte[4096]);
                        throw new AssertionError("a 4096-byte message above the 1024-byte limit was taken");
                    }
                    catch (final StatusRuntimeException ex)
                    {
                        assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    }
                }
            }
            finally
            {
                RobustnessSupport.close(channel);
            }
            awaitCount(TransportErrors::messages, counted + TIMES);
            assertAtMostOneShortLine();
            assertThat(TransportErrors.messages() - counted).as("counted").isGreaterThanOrEqualTo(TIMES);
            assertThat(counter(server, "message") - before).as("tranche_transport_errors_total{reason=message}")
                .isGreaterThanOrEqualTo(TIMES);
        }
    }

    // A line is logged at once unless another test of this JVM logged one of the kind within the minute: at most one.
    private void assertAtMostOneShortLine()
    {
        assertThat(logged).as("log records: %s", logged.stream().map(r -> r.getLoggerName() + ": " + r.getMessage() +
            (r.getThrown() == null ? "" : " + " + r.getThrown())).toList()).hasSizeLessThanOrEqualTo(1);
        for (final LogRecord record : logged)
        {
            assertThat(record.getThrown()).as("a stack trace").isNull();
            assertThat(record.getMessage()).doesNotContain("\n").hasSizeLessThan(400)
                .startsWith("tranche: the transport ").contains("tranche_transport_errors_total");
        }
    }

    private static void drain(final InputStream in) throws IOException
    {
        final byte[] buffer = new byte[4096];
        while (in.read(buffer) >= 0)
        {
            // the server answers with its SETTINGS and a GOAWAY, then closes
        }
    }

    // The transport logs (and so counts) each error after the connection or stream has ended: wait for it.
    private static void awaitCount(final LongSupplier count, final long target) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (count.getAsLong() < target && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
    }

    private static double counter(final TestServer server, final String reason) throws Exception
    {
        final Double value = MetricsEndpointTest.parse(MetricsEndpointTest.scrape(server.server.metricsPort(),
            "/metrics", "GET").body()).get("tranche_transport_errors_total{reason=\"" + reason + "\"}");
        return value == null ? -1 : value;
    }
}
