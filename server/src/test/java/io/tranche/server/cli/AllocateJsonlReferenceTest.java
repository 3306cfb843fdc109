package io.tranche.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.tranche.kernel.Claims;
import io.tranche.kernel.Problem;
import io.tranche.kernel.ReferenceAllocator;
import io.tranche.proto.v1.AllocateRequest;
import io.tranche.proto.v1.AllocateResponse;
import io.tranche.proto.v1.Claim;
import io.tranche.server.allocation.AllocationProtoAdapter;
import io.tranche.server.allocation.AllocationMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code tranche allocate --jsonl} answers thousands of seeded random problems (the portability
 * check's generator) exactly as the kernel's independent BigInteger reference does: the same awards,
 * allocated, unallocated and unmet for valid problems, and an error line naming the same fields for
 * invalid ones.
 */
@Tag("slow")
class AllocateJsonlReferenceTest
{
    private static final int PROBLEMS = 3_000;

    @Test
    void shouldAnswerEveryGeneratedProblemAsTheReferenceDoes() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(20261129);
        final List<AllocateRequest> requests = new ArrayList<>();
        final StringBuilder input = new StringBuilder();
        final JsonFormat.Printer printer = JsonFormat.printer().omittingInsignificantWhitespace();
        for (int k = 0; k < PROBLEMS; k++)
        {
            final AllocateRequest request =
                smallEnoughForTheReference(ProblemsCommand.problem(random, k, 40, 5), random);
            requests.add(request);
            input.append(printer.print(request)).append('\n');
        }

        final String[] lines = runJsonl(input.toString()).split("\n");

        assertThat(lines).hasSize(PROBLEMS);
        int valid = 0;
        int invalid = 0;
        for (int k = 0; k < PROBLEMS; k++)
        {
            final AllocateRequest request = requests.get(k);
            final Problem problem = toProblem(request);
            final List<String> expectedFields =
                ReferenceAllocator.violations(problem, AllocationProtoAdapter.DEFAULT_MAX_CLAIMS);
            final String line = lines[k];
            if (!expectedFields.isEmpty())
            {
                invalid++;
                assertThat(line).as("problem %d: %s", k, problem)
                    .startsWith("{\"error\":{\"code\":\"INVALID_ARGUMENT\"");
                assertThat(fieldsOf(line)).as("problem %d: %s", k, problem).isEqualTo(new TreeSet<>(expectedFields));
                continue;
            }
            valid++;
            final ReferenceAllocator.Result expected = ReferenceAllocator.allocate(problem);
            final AllocateResponse.Builder response = AllocateResponse.newBuilder();
            JsonFormat.parser().merge(line, response);
            assertThat(response.getAwardsCount()).as("problem %d", k).isEqualTo(problem.size());
            for (int i = 0; i < problem.size(); i++)
            {
                final long units = response.getAwards(i).getUnits();
                assertThat(units).as("problem %d claim %d: %s", k, i, problem).isEqualTo(expected.awards[i]);
                assertThat(response.getAwards(i).getId()).isEqualTo(problem.id[i]);
                if (problem.demand[i] != Claims.ABSENT)
                {
                    assertThat(response.getAwards(i).getUnmet()).isEqualTo(problem.demand[i] - units);
                }
                else
                {
                    assertThat(response.getAwards(i).hasUnmet()).isFalse();
                }
            }
            assertThat(response.getAllocated()).isEqualTo(expected.allocated);
            assertThat(response.getUnallocated()).isEqualTo(problem.supply - expected.allocated);
        }
        System.out.printf("AllocateJsonlReferenceTest: %d problems, %d valid answered as the reference, %d invalid " +
            "rejected with the reference's fields%n", PROBLEMS, valid, invalid);
        assertThat(valid).isGreaterThan(PROBLEMS * 8 / 10);
        assertThat(invalid).isGreaterThan(PROBLEMS / 50);
    }

    /**
     * The reference hands out divisor-method lots one at a time, so a supply of many lots (the
     * generator goes up to 10^12) would take it forever: such problems get a supply of at most
     * 20,000 lots. Everything else is kept as generated.
     */
    private static AllocateRequest smallEnoughForTheReference(final AllocateRequest request,
        final SplittableRandom random)
    {
        final io.tranche.kernel.Method method = AllocationMapper.method(request.getPolicy().getMethod());
        final long lot = Math.max(1, request.getPolicy().getLot());
        if (method == null || method.kind() != io.tranche.kernel.Method.Kind.DIVISOR ||
            request.getSupply() / lot <= 20_000)
        {
            return request;
        }
        final long lots = Math.min(20_000, (1L << 62) / lot - 1);
        return request.toBuilder().setSupply(lot * random.nextLong(lots + 1) + random.nextLong(lot)).build();
    }

    private static Problem toProblem(final AllocateRequest request)
    {
        final int n = request.getClaimsCount();
        final String[] id = new String[n];
        final long[] demand = new long[n];
        final long[] weight = new long[n];
        final int[] tier = new int[n];
        final long[] cap = new long[n];
        final long[] floor = new long[n];
        for (int i = 0; i < n; i++)
        {
            final Claim c = request.getClaims(i);
            id[i] = c.getId();
            demand[i] = c.hasDemand() ? c.getDemand() : Claims.ABSENT;
            weight[i] = c.hasWeight() ? c.getWeight() : Claims.ABSENT;
            tier[i] = c.getTier();
            cap[i] = c.hasCap() ? c.getCap() : Claims.ABSENT;
            floor[i] = c.getFloor();
        }
        return new Problem(request.getSupply(), AllocationMapper.method(request.getPolicy().getMethod()),
            request.getPolicy().getLot(), request.getPolicy().getMaxSharePpm(), id, demand, weight, tier, cap, floor);
    }

    private static TreeSet<String> fieldsOf(final String errorLine)
    {
        final TreeSet<String> fields = new TreeSet<>();
        int at = 0;
        while ((at = errorLine.indexOf("\"field\":\"", at)) >= 0)
        {
            final int start = at + "\"field\":\"".length();
            final int end = errorLine.indexOf('"', start);
            fields.add(errorLine.substring(start, end));
            at = end;
        }
        return fields;
    }

    private static String runJsonl(final String stdin)
    {
        final InputStream in = System.in;
        final PrintStream out = System.out;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try
        {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            assertThat(Main.execute("allocate", "--jsonl")).isZero();
            return bytes.toString(StandardCharsets.UTF_8);
        }
        finally
        {
            System.setIn(in);
            System.setOut(out);
        }
    }
}
