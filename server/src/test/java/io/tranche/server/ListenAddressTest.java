package io.tranche.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The address {@code tranche serve} prints on its "listening on" line: the real port, and the host as given when
 * the server listens on every interface (Java reports a 0.0.0.0 bind as the IPv6 wildcard, which reads as another
 * address than the one asked for).
 */
class ListenAddressTest
{
    @TempDir
    Path dir;

    @Test
    void shouldPrintTheWildcardHostAsGivenWithTheRealPort() throws Exception
    {
        try (TestServer test = TestServer.start(TestServer.config(dir).listen("0.0.0.0", 0).insecure(true)))
        {
            assertThat(test.server.listenAddress()).isEqualTo("0.0.0.0:" + test.server.port());
        }
    }

    @Test
    void shouldPrintTheLoopbackAddressWithTheRealPort() throws Exception
    {
        try (TestServer test = TestServer.start(dir))
        {
            assertThat(test.server.listenAddress()).isEqualTo("127.0.0.1:" + test.server.port());
        }
    }
}
