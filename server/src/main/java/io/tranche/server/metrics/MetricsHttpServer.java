package io.tranche.server.metrics;

import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.exporter.httpserver.HttpExchangeAdapter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves {@code GET /metrics} (and {@code HEAD}) from the {@link Metrics} registry with the
 * Prometheus Java client's scrape handler (text format, or OpenMetrics when the scraper asks for it);
 * every other path is 404, every other method 405.
 */
public final class MetricsHttpServer implements AutoCloseable
{
    /** The one path served. */
    public static final String PATH = "/metrics";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsHttpServer(final HttpServer server, final ExecutorService executor)
    {
        this.server = server;
        this.executor = executor;
    }

    /**
     * @param host    bind host.
     * @param port    bind port, 0 = ephemeral.
     * @param metrics the metrics.
     * @param gauges  the state gauges (the writer), bound to {@code metrics} here.
     * @return the running server.
     * @throws IOException when the port cannot be bound.
     */
    public static MetricsHttpServer start(
        final String host, final int port, final Metrics metrics, final StateGauges gauges) throws IOException
    {
        metrics.bind(gauges);
        final PrometheusScrapeHandler scrape = new PrometheusScrapeHandler(metrics.registry());
        final HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext("/", exchange ->
        {
            final String method = exchange.getRequestMethod();
            if (!PATH.equals(exchange.getRequestURI().getPath()))
            {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
            }
            else if (!"GET".equals(method) && !"HEAD".equals(method))
            {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                exchange.close();
            }
            else
            {
                // The adapter closes the exchange, and answers 500 if the scrape throws.
                scrape.handleRequest(new HttpExchangeAdapter(exchange));
            }
        });
        final ExecutorService executor = Executors.newSingleThreadExecutor(r ->
        {
            final Thread t = new Thread(r, "tranche-metrics-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        return new MetricsHttpServer(server, executor);
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
        executor.shutdownNow();
    }
}
