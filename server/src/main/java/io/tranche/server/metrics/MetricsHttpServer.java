package io.tranche.server.metrics;

import com.sun.net.httpserver.HttpServer;
import io.tranche.server.state.CommandLog;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** Serves {@code GET /metrics} in the Prometheus text format with the JDK's HTTP server. */
public final class MetricsHttpServer implements AutoCloseable
{
    private final HttpServer server;

    private MetricsHttpServer(final HttpServer server)
    {
        this.server = server;
    }

    /**
     * @param host    bind host.
     * @param port    bind port, 0 = ephemeral.
     * @param metrics the metrics.
     * @param writer  the writer, for the engine gauges.
     * @return the running server.
     * @throws IOException when the port cannot be bound.
     */
    public static MetricsHttpServer start(final String host, final int port, final Metrics metrics, final CommandLog writer)
        throws IOException
    {
        final HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext("/metrics", exchange ->
        {
            try (exchange)
            {
                if (!"GET".equals(exchange.getRequestMethod()))
                {
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                final byte[] body = metrics.render(writer.queueLength(), writer.outstandingDemand().doubleValue(), writer.ledger().durableCount())
                    .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody())
                {
                    out.write(body);
                }
            }
        });
        server.start();
        return new MetricsHttpServer(server);
    }

    /** @return the bound port. */
    public int port()
    {
        return server.getAddress().getPort();
    }

    @Override
    public void close()
    {
        server.stop(0);
    }
}
