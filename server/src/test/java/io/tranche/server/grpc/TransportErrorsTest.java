package io.tranche.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The rate limit and the one-line detail of {@link TransportErrors}, on a clock the test turns. */
class TransportErrorsTest
{
    @Test
    void shouldLogTheFirstAtOnceThenAtMostOneLineAMinuteWithTheCountSince()
    {
        final TransportErrors.Kind kind =
            new TransportErrors.Kind("Transport failed", "closed a connection", "connection");
        final Exception junk = new Exception("Unexpected HTTP/1.x request: GET / ");
        final long start = 1_000_000_000L;
        assertThat(kind.line(junk, start)).isEqualTo("tranche: the transport closed a connection: Unexpected " +
            "HTTP/1.x request: GET / (tranche_transport_errors_total{reason=\"connection\"}; at most one line a " +
            "minute)");
        for (int i = 1; i <= 40; i++)
        {
            assertThat(kind.line(junk, start + i * 1_000_000_000L)).as("second %d", i).isNull();
        }
        assertThat(kind.line(junk, start + TransportErrors.INTERVAL_NANOS))
            .contains("; 40 more since the last line;");
        assertThat(kind.line(junk, start + TransportErrors.INTERVAL_NANOS + 1)).isNull();
    }

    @Test
    void shouldKeepThePeersBytesToOnePrintableShortLine()
    {
        assertThat(TransportErrors.detail(new Exception("a\nb\r\tc\u0000d"))).isEqualTo("a b  c d");
        assertThat(TransportErrors.detail(new Exception("x".repeat(1000)))).hasSize(161).endsWith("…");
        assertThat(TransportErrors.detail(new IllegalStateException())).isEqualTo("IllegalStateException");
        assertThat(TransportErrors.detail(null)).isEqualTo("no detail");
    }
}
