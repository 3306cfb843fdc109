package io.tranche.server.cli;

import com.google.protobuf.util.JsonFormat;
import io.tranche.proto.v1.AllocateRequest;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tranche problems}: seeded random {@code AllocateRequest}s, one proto3 JSON per line, for
 * {@code allocate --jsonl}. The same seed gives the same lines on every JVM (SplittableRandom's
 * algorithm is specified). Covers every method, tiers, floors (also above the supply), caps, lots,
 * share limits, zero and absent weights, absent demands, ties, values near 2^62, and a share of
 * invalid problems.
 */
@Command(
    name = "problems",
    mixinStandardHelpOptions = true,
    description = "Prints seeded random AllocateRequests, one JSON per line (input for allocate --jsonl).")
public final class ProblemsCommand implements Callable<Integer>
{
    private static final long MAX = 1L << 62;
    // The kernel's registry order: a new method joins the draws without an edit here (and shifts later problems).
    private static final Method[] METHODS = Methods.values();

    @Option(names = "--count", description = "Number of problems (default: ${DEFAULT-VALUE}).")
    int count = 1000;

    @Option(names = "--seed", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--max-claims", description = "Largest number of claims per problem (default: ${DEFAULT-VALUE}).")
    int maxClaims = 40;

    @Option(names = "--invalid-percent",
        description = "Share of invalid problems, in percent (default: ${DEFAULT-VALUE}).")
    int invalidPercent = 5;

    @Override
    public Integer call() throws IOException
    {
        final PrintStream out =
            new PrintStream(new java.io.BufferedOutputStream(System.out, 1 << 16), false, StandardCharsets.UTF_8);
        final JsonFormat.Printer printer = JsonFormat.printer().omittingInsignificantWhitespace();
        final SplittableRandom random = new SplittableRandom(seed);
        for (int k = 0; k < count; k++)
        {
            out.println(printer.print(problem(random, k, maxClaims, invalidPercent)));
        }
        out.flush();
        return 0;
    }

    /**
     * @param random         the source of randomness.
     * @param k              problem number (selects the method round-robin so every method is covered).
     * @param maxClaims      largest number of claims.
     * @param invalidPercent share of invalid problems.
     * @return one problem.
     */
    public static AllocateRequest problem(final SplittableRandom random, final int k, final int maxClaims,
        final int invalidPercent)
    {
        final Method method = METHODS[k % METHODS.length];
        final int shape = random.nextInt(10);
        final boolean huge = shape == 0;
        final long lot;
        final long supply;
        if (huge)
        {
            // Values near 2^62 in big lots, so that every method stays exact at the top of the range.
            lot = 1L << (40 + random.nextInt(13));
            supply = MAX - random.nextLong(lot * 3 + 1);
        }
        else if (shape == 1)
        {
            lot = random.nextInt(3) == 0 ? 8 : 1;
            supply = 1_000_000_000_000L;
        }
        else
        {
            lot = pick(random, 1, 1, 1, 8, 2 + random.nextInt(15), 0);
            supply = random.nextInt(8) == 0 ? random.nextInt(50) : random.nextLong(1, 1_000_001);
        }
        final int n = huge ? 1 + random.nextInt(3) : random.nextInt(maxClaims + 1);
        final int tiers = 1 + random.nextInt(3);
        final boolean finite = method == Method.EQUAL_LOSSES || method == Method.TALMUD;
        final long scale = huge ? MAX / 4 : Math.max(1, supply * 2 / Math.max(1, n));
        final long[] tieValues = {scale / 3 + 1, scale / 2 + 1, scale};
        final AllocateRequest.Builder request = AllocateRequest.newBuilder()
            .setSupply(supply)
            .setPolicy(Policy.newBuilder()
                .setMethod(method)
                .setLot(lot)
                .setMaxSharePpm(random.nextInt(5) == 0 ? 1 + random.nextInt(1_000_000) : 0));
        for (int i = 0; i < n; i++)
        {
            final Claim.Builder c = Claim.newBuilder().setId("c" + i).setTier(random.nextInt(tiers));
            long bound = Long.MAX_VALUE;
            if (finite || random.nextInt(8) != 0)
            {
                final long d = random.nextInt(3) == 0 ? tieValues[random.nextInt(3)] : random.nextLong(scale + 1);
                c.setDemand(d);
                bound = d;
            }
            if (random.nextInt(3) == 0 || (!c.hasDemand() && method != Method.TALMUD && method != Method.FIFO))
            {
                final int w = random.nextInt(10);
                c.setWeight(w == 0 && method != Method.EQUAL_LOSSES ? 0 :
                    w < 4 ? 1 + random.nextInt(3) : huge ? 1 + random.nextLong(MAX / 4) :
                    1 + random.nextLong(1_000_000));
            }
            if (random.nextInt(5) == 0)
            {
                final long cap = random.nextLong(scale + 1);
                c.setCap(cap);
                bound = Math.min(bound, cap);
            }
            if (random.nextInt(4) == 0)
            {
                // Mostly within the claim's own bound; Σfloor may still exceed the supply.
                final long room = bound == Long.MAX_VALUE ? scale : bound;
                c.setFloor(random.nextLong(room / 2 + 1));
            }
            request.addClaims(c);
        }
        if (random.nextInt(100) < invalidPercent)
        {
            breakOne(random, request);
        }
        return request.build();
    }

    private static void breakOne(final SplittableRandom random, final AllocateRequest.Builder request)
    {
        final int n = request.getClaimsCount();
        switch (n == 0 ? random.nextInt(4) : random.nextInt(10))
        {
            case 0:
                request.setSupply(-1 - random.nextInt(1000));
                break;
            case 1:
                request.getPolicyBuilder().setMethod(Method.METHOD_UNSPECIFIED);
                break;
            case 2:
                request.getPolicyBuilder().setMaxSharePpm(1_000_001 + random.nextInt(1000));
                break;
            case 3:
                request.getPolicyBuilder().setLot(-8);
                break;
            case 4:
                request.getClaimsBuilder(random.nextInt(n)).setId("");
                break;
            case 5:
                request.getClaimsBuilder(random.nextInt(n)).setId(request.getClaims(0).getId());
                if (n == 1)
                {
                    request.addClaims(request.getClaims(0));
                }
                break;
            case 6:
                request.getClaimsBuilder(random.nextInt(n)).setFloor(-1);
                break;
            case 7:
                request.getClaimsBuilder(random.nextInt(n)).setTier(-1);
                break;
            case 8:
                request.getClaimsBuilder(random.nextInt(n)).setDemand(10).setFloor(1000).clearCap();
                break;
            default:
                request.getClaimsBuilder(random.nextInt(n)).clearDemand().clearWeight();
                break;
        }
    }

    private static long pick(final SplittableRandom random, final long... values)
    {
        return values[random.nextInt(values.length)];
    }
}
