package io.tranche.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SeededCasesTest
{
    @Test
    void shouldRunEveryCaseWithTheSameSeedsOnEveryRun()
    {
        final List<Long> first = new ArrayList<>();
        final List<Long> second = new ArrayList<>();
        SeededCases.run("p", 50, rnd -> first.add(rnd.nextLong()));
        SeededCases.run("p", 50, rnd -> second.add(rnd.nextLong()));
        assertThat(first).hasSize(50).doesNotHaveDuplicates().isEqualTo(second);
    }

    @Test
    void shouldNameTheCaseSeedOnFailureAndReplayThatCaseAlone()
    {
        final long[] failedOn = new long[1];
        final Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() ->
            SeededCases.run("failsOnAMultipleOfSeven", 1000, rnd ->
            {
                final long value = rnd.nextLong();
                if (value % 7 == 0)
                {
                    failedOn[0] = value;
                    throw new AssertionError("value " + value);
                }
            }));
        assertThat(thrown).isInstanceOf(AssertionError.class).hasMessageContaining("-Dtranche.case=");
        final Matcher m = Pattern.compile("-Dtranche\\.case=(-?\\d+)").matcher(thrown.getMessage());
        assertThat(m.find()).isTrue();

        final String before = System.getProperty(SeededCases.CASE_PROP_NAME);
        System.setProperty(SeededCases.CASE_PROP_NAME, m.group(1));
        try
        {
            final long[] replayed = new long[1];
            assertThatThrownBy(() -> SeededCases.run("failsOnAMultipleOfSeven", 1000, rnd ->
            {
                replayed[0] = rnd.nextLong();
                throw new AssertionError("again");
            })).hasMessageContaining("replayed case");
            assertThat(replayed[0]).isEqualTo(failedOn[0]);
        }
        finally
        {
            if (before == null)
            {
                System.clearProperty(SeededCases.CASE_PROP_NAME);
            }
            else
            {
                System.setProperty(SeededCases.CASE_PROP_NAME, before);
            }
        }
    }
}
