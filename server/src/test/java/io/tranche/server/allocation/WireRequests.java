package io.tranche.server.allocation;

import io.tranche.kernel.Claims;
import io.tranche.kernel.Generators;
import io.tranche.kernel.Problem;
import io.tranche.proto.v1.AllocateRequest;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.server.cli.ProblemsCommand;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Seeded {@code AllocateRequest} bytes for the wire-path comparisons: the kernel's valid and invalid generators,
 * the generator behind {@code ./tranche problems}, {@code explain}, and malformed or unusual encodings of them
 * (truncated, bytes flipped, garbage, unknown fields, repeated singular fields, wrong wire types, bad UTF-8).
 */
public final class WireRequests
{
    private WireRequests()
    {
    }

    /**
     * @param seed      the request's seed: the same seed gives the same bytes.
     * @param maxClaims largest claim count of the ./tranche problems generator.
     * @return one request's bytes.
     */
    public static byte[] request(final long seed, final int maxClaims)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final int kind = random.nextInt(10);
        final AllocateRequest request;
        if (kind < 3)
        {
            request = fromProblem(Generators.valid(seed));
        }
        else if (kind < 5)
        {
            request = fromProblem(Generators.invalid(seed));
        }
        else
        {
            request = ProblemsCommand.problem(random, (int)(seed & 0xFFFF), maxClaims, 20);
        }
        final byte[] bytes = (random.nextInt(20) == 0 ? request.toBuilder().setExplain(true).build() : request)
            .toByteArray();
        final int variant = random.nextInt(12);
        return variant < 7 ? bytes : mutate(random, bytes, variant);
    }

    private static byte[] mutate(final SplittableRandom random, final byte[] bytes, final int variant)
    {
        switch (variant)
        {
            case 7:
                return Arrays.copyOf(bytes, bytes.length == 0 ? 0 : random.nextInt(bytes.length));
            case 8:
            {
                final byte[] flipped = bytes.clone();
                for (int k = 0, n = 1 + random.nextInt(3); k < n && flipped.length > 0; k++)
                {
                    flipped[random.nextInt(flipped.length)] = (byte)random.nextInt(256);
                }
                return flipped;
            }
            case 9:
            {
                final byte[] garbage = new byte[random.nextInt(64)];
                for (int k = 0; k < garbage.length; k++)
                {
                    garbage[k] = (byte)random.nextInt(256);
                }
                return garbage;
            }
            case 10:
                return concat(bytes, extraFields(random));
            default:
                return concat(bytes, oddClaim(random));
        }
    }

    // Unknown fields of every wire type, a second policy (merged), and a supply sent with the wrong wire type.
    private static byte[] extraFields(final SplittableRandom random)
    {
        final AllocateRequest second = AllocateRequest.newBuilder()
            .setPolicy(Policy.newBuilder().setLot(random.nextInt(3)).setMethodValue(random.nextInt(12)))
            .build();
        final byte[] unknown = {
            (byte)(9 << 3), 5, // varint field 9
            (byte)(10 << 3 | 1), 1, 2, 3, 4, 5, 6, 7, 8, // fixed64 field 10
            (byte)(11 << 3 | 2), 2, 'h', 'i', // length-delimited field 11
            (byte)(12 << 3 | 5), 1, 2, 3, 4, // fixed32 field 12
            (byte)(1 << 3 | 2), 1, 7, // supply as length-delimited: an unknown field, skipped
        };
        return concat(random.nextBoolean() ? second.toByteArray() : new byte[0], unknown);
    }

    // A claim written by hand: id twice (the last wins), demand twice, bad UTF-8 sometimes, a negative tier sometimes.
    private static byte[] oddClaim(final SplittableRandom random)
    {
        final byte[] id = random.nextInt(4) == 0 ? new byte[] {'x', (byte)0xC0, (byte)0x80} :
            ("odd" + random.nextInt(1000)).getBytes(StandardCharsets.UTF_8);
        final Claim claim = Claim.newBuilder().setDemand(random.nextInt(100)).setTier(random.nextInt(4) == 0 ? -1 : 0)
            .setPosition(5).setAwarded(9).build();
        final byte[] body = concat(concat(new byte[] {(byte)(1 << 3 | 2), 1, 'z'}, claim.toByteArray()),
            concat(new byte[] {(byte)(1 << 3 | 2), (byte)id.length}, id));
        return concat(new byte[] {(byte)(3 << 3 | 2), (byte)body.length}, body);
    }

    /**
     * @param problem a kernel test problem.
     * @return the same problem as a request.
     */
    public static AllocateRequest fromProblem(final Problem problem)
    {
        final AllocateRequest.Builder request = AllocateRequest.newBuilder().setSupply(problem.supply).setPolicy(
            Policy.newBuilder()
                .setMethod(problem.method == null ? Method.METHOD_UNSPECIFIED : Method.valueOf(problem.method.name()))
                .setLot(problem.lot)
                .setMaxSharePpm(problem.ppm));
        for (int i = 0; i < problem.size(); i++)
        {
            final Claim.Builder claim = Claim.newBuilder()
                .setId(problem.id[i] == null ? "" : problem.id[i])
                .setTier(problem.tier[i])
                .setFloor(problem.floor[i]);
            if (problem.demand[i] != Claims.ABSENT)
            {
                claim.setDemand(problem.demand[i]);
            }
            if (problem.weight[i] != Claims.ABSENT)
            {
                claim.setWeight(problem.weight[i]);
            }
            if (problem.cap[i] != Claims.ABSENT)
            {
                claim.setCap(problem.cap[i]);
            }
            request.addClaims(claim);
        }
        return request.build();
    }

    static byte[] concat(final byte[] a, final byte[] b)
    {
        final byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
