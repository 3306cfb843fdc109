package io.tranche.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.tranche.proto.v1.AllocateResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AllocateCommandTest
{
    private static final String SEED =
        "{\"supply\":\"400000\",\"policy\":{\"method\":\"PROPORTIONAL\",\"lot\":\"8\"}," +
        "\"claims\":[{\"id\":\"a\",\"demand\":\"300000\"},{\"id\":\"b\",\"demand\":\"200000\"}," +
        "{\"id\":\"c\",\"demand\":\"150000\",\"cap\":\"120000\"},{\"id\":\"d\",\"demand\":\"40000\",\"tier\":1}]}";

    @TempDir
    Path dir;

    @Test
    void shouldPrintResponseJsonForValidRequestFile() throws Exception
    {
        final Path file = dir.resolve("seed.json");
        Files.writeString(file, SEED);
        final CliRun run = run("", "allocate", file.toString());

        assertThat(run.status()).isZero();
        assertThat(run.err()).isEmpty();
        final AllocateResponse.Builder response = AllocateResponse.newBuilder();
        JsonFormat.parser().merge(run.out(), response);
        assertThat(response.getAwardsCount()).isEqualTo(4);
        long sum = 0;
        for (int i = 0; i < 4; i++)
        {
            final long units = response.getAwards(i).getUnits();
            assertThat(units % 8).isZero();
            sum += units;
        }
        assertThat(sum).isEqualTo(response.getAllocated());
        assertThat(response.getAllocated() + response.getUnallocated()).isEqualTo(400_000);
        // Tier 0 wants 300,000 + 200,000 + 120,000 (capped) > 400,000: tier 1 waits.
        assertThat(response.getAllocated()).isEqualTo(400_000);
        assertThat(response.getAwards(3).getUnits()).isZero();
        assertThat(response.getAwards(2).getUnits()).isLessThanOrEqualTo(120_000);
        assertThat(response.getAwards(3).getUnmet()).isEqualTo(40_000);
    }

    @Test
    void shouldReadStandardInputAndPrintTable()
    {
        final CliRun run = run(SEED, "allocate", "--table", "-");

        assertThat(run.status()).isZero();
        final String[] lines = run.out().split("\n");
        assertThat(lines[0]).matches("id\\s+tier\\s+demand\\s+award\\s+unmet\\s+share");
        assertThat(lines[4]).startsWith("d ").contains("40,000").endsWith("0.00%");
        assertThat(lines[5]).isEqualTo("allocated 400,000 of 400,000, unallocated 0");
    }

    @Test
    void shouldExitTwoWithViolationsOnStandardErrorForInvalidRequest()
    {
        final String bad =
            "{\"supply\":\"-5\",\"policy\":{\"method\":\"EQUAL\"},\"claims\":[{\"id\":\"x\",\"floor\":\"-1\"}," +
            "{\"id\":\"x\"}]}";
        final CliRun run = run(bad, "allocate");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("INVALID_ARGUMENT").contains("supply: must be >= 0, was -5")
            .contains("claims[0].floor: must be >= 0").contains("claims[1].id: duplicates claims[0].id")
            .doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void shouldExitTwoWithoutStackTraceForMalformedJson()
    {
        final CliRun run = run("{\"supply\": 12, \"claims\": [", "allocate");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("tranche allocate: INVALID_ARGUMENT: malformed request JSON")
            .doesNotContain("\tat ");
    }

    @Test
    void shouldRejectUnknownFieldsAndMethods()
    {
        assertThat(run("{\"supply\": 12, \"colour\": \"red\"}", "allocate").status()).isEqualTo(2);
        final CliRun unknownMethod = run("{\"supply\": 12, \"policy\": {\"method\": \"LOTTERY\"}}", "allocate");
        assertThat(unknownMethod.status()).isEqualTo(2);
        assertThat(unknownMethod.err()).contains("malformed request JSON");
        final CliRun unspecified = run("{\"supply\": 12}", "allocate");
        assertThat(unspecified.status()).isEqualTo(2);
        assertThat(unspecified.err()).contains("policy.method");
    }

    @Test
    void shouldAnswerEveryLineInOrderAndKeepGoingAfterErrors()
    {
        final String input = SEED + "\n" +
            "{\"supply\":\"10\",\"policy\":{\"method\":\"EQUAL\"},\"claims\":[{\"id\":\"a\",\"floor\":\"-3\"}]}\n" +
            "not json\n" +
            "\n" +
            "{\"supply\":\"10\",\"policy\":{\"method\":\"EQUAL\"},\"claims\":[{\"id\":\"a\"},{\"id\":\"b\"}]}\n";
        final CliRun run = run(input, "allocate", "--jsonl");

        assertThat(run.status()).isZero();
        final String[] lines = run.out().split("\n");
        assertThat(lines).hasSize(4);
        assertThat(lines[0]).startsWith("{\"awards\":[{\"id\":\"a\"");
        assertThat(lines[1]).startsWith("{\"error\":{\"code\":\"INVALID_ARGUMENT\",\"message\":")
            .contains("\"violations\":[{\"field\":\"claims[0].floor\",\"description\":\"must be >= 0, was -3\"}]");
        assertThat(lines[2])
            .startsWith("{\"error\":{\"code\":\"INVALID_ARGUMENT\",\"message\":\"malformed request JSON")
            .endsWith("\"violations\":[]}}");
        assertThat(lines[3]).isEqualTo("{\"awards\":[{\"id\":\"a\",\"units\":\"5\"},{\"id\":\"b\",\"units\":\"5\"}]," +
            "\"allocated\":\"10\",\"unallocated\":\"0\"}");
    }

    @Test
    void shouldGenerateTheSameProblemsForTheSameSeed()
    {
        final CliRun first = run("", "problems", "--count", "50", "--seed", "7");
        final CliRun second = run("", "problems", "--count", "50", "--seed", "7");

        assertThat(first.status()).isZero();
        assertThat(first.out().split("\n")).hasSize(50);
        assertThat(first.out()).isEqualTo(second.out());
        assertThat(first.out()).contains("HUNTINGTON_HILL").contains("TALMUD");
    }

    @Test
    void shouldAnswerGeneratedProblemsOneLineEach()
    {
        final CliRun problems = run("", "problems", "--count", "200", "--seed", "11");
        final CliRun answers = run(problems.out(), "allocate", "--jsonl");

        assertThat(answers.status()).isZero();
        final String[] lines = answers.out().split("\n");
        assertThat(lines).hasSize(200);
        int errors = 0;
        for (final String line : lines)
        {
            assertThat(line).startsWith("{\"");
            if (line.startsWith("{\"error\""))
            {
                errors++;
            }
        }
        assertThat(errors).isBetween(1, 60);
    }

    static CliRun run(final String stdin, final String... args)
    {
        return CliRun.withInput(stdin, args);
    }
}
