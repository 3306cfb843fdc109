package io.tranche.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** One duration grammar for every flag: the client's timeouts and serve's options parse alike. */
class DurationsTest
{
    @Test
    void shouldReadTheSameGrammarForClientAndServerFlags()
    {
        final String[] texts = {"500ms", "10s", "2m", "1h", "PT10S", "7"};
        final Duration[] expected = {Duration.ofMillis(500), Duration.ofSeconds(10), Duration.ofMinutes(2),
            Duration.ofHours(1), Duration.ofSeconds(10), Duration.ofSeconds(7)};
        for (int i = 0; i < texts.length; i++)
        {
            assertThat(Durations.parse(texts[i])).as(texts[i]).isEqualTo(expected[i]);
            assertThat(ServeCommand.duration(texts[i], "--grace-period")).as(texts[i]).isEqualTo(expected[i]);
        }
    }

    @Test
    void shouldTakeZeroOnlyWhereZeroMeansOff()
    {
        assertThat(ServeCommand.duration("0", "--max-connection-age")).isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> Durations.parse("0")).isInstanceOf(TypeConversionException.class)
            .hasMessageContaining("positive");
        assertThatThrownBy(() -> ServeCommand.duration("ten", "--grace-period"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--grace-period")
            .hasMessageContaining("ten");
        assertThatThrownBy(() -> ServeCommand.duration("-5s", "--grace-period"))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
