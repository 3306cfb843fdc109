package io.tranche.server.cli;

import com.google.protobuf.FieldMask;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.DeleteClaimRequest;
import io.tranche.proto.v1.GetClaimRequest;
import io.tranche.proto.v1.ListClaimsRequest;
import io.tranche.proto.v1.ListClaimsResponse;
import io.tranche.proto.v1.UpdateClaimRequest;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tranche claim add|get|list|update|rm}: the claims in the server's queue.
 */
@Command(
    name = "claim",
    mixinStandardHelpOptions = true,
    description = {
        "Adds, reads, changes and withdraws the claims queued on a tranche server.",
        "Exit status: 0 done, 2 a mistake in the request (invalid, not found, denied), 1 anything else."
    },
    subcommands = {
        ClaimCommand.Add.class,
        ClaimCommand.Get.class,
        ClaimCommand.ListClaims.class,
        ClaimCommand.Update.class,
        ClaimCommand.Remove.class,
        ClaimCommand.Position.class
    })
public final class ClaimCommand implements Runnable
{
    /** Page size asked for when listing the whole queue. */
    static final int LIST_PAGE_SIZE = 100;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "missing subcommand: add, get, list, update, rm or position");
    }

    /** {@code tranche claim add}. */
    @Command(name = "add", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Queues a new claim at the back of the queue and prints it.")
    public static final class Add extends ClientCommand
    {
        @Option(names = "--id", required = true, paramLabel = "ID", description = "Unique id of the claim.")
        String id;

        @Option(names = "--demand", required = true, paramLabel = "UNITS", converter = Units.class,
            description = "Outstanding demand (units).")
        Long demand;

        @Option(names = "--weight", paramLabel = "W", converter = Units.class,
            description = "Weight (default: the method's default weight).")
        Long weight;

        @Option(names = "--tier", paramLabel = "T", description = "Priority tier, 0 is served first (default: 0).")
        int tier;

        @Option(names = "--cap", paramLabel = "UNITS", converter = Units.class,
            description = "Most units it may receive, over all tranches: each award lowers it (default: no cap).")
        Long cap;

        @Option(names = "--floor", paramLabel = "UNITS", converter = Units.class,
            description = "Units it gets before any claim gets more than its floor; each award lowers it (default: 0).")
        long floor;

        @Override
        protected int run(final QueueClient connection, final PrintWriter out)
        {
            final Claim.Builder claim = Claim.newBuilder().setId(id).setDemand(demand).setTier(tier).setFloor(floor);
            if (weight != null)
            {
                claim.setWeight(weight);
            }
            if (cap != null)
            {
                claim.setCap(cap);
            }
            final Claim created =
                connection.blocking().createClaim(CreateClaimRequest.newBuilder().setClaim(claim).build());
            printClaim(out, created, json());
            return 0;
        }
    }

    /** {@code tranche claim get}. */
    @Command(name = "get", mixinStandardHelpOptions = true, description = "Prints one queued claim.")
    public static final class Get extends ClientCommand
    {
        @Parameters(index = "0", paramLabel = "ID", description = "Id of the claim.")
        String id;

        @Override
        protected int run(final QueueClient connection, final PrintWriter out)
        {
            printClaim(out, connection.blocking().getClaim(GetClaimRequest.newBuilder().setId(id).build()), json());
            return 0;
        }
    }

    /** {@code tranche claim list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
        description = {
            "Prints the queued claims in queue order: the whole queue, or one page with --page-size/--page-token.",
            "demand is the outstanding demand; awarded is what all tranches so far gave the claim; cap and floor " +
                "are outstanding too (awards lower them)."
        })
    public static final class ListClaims extends ClientCommand
    {
        @Option(names = "--page-size", paramLabel = "N", description = "Print one page of at most N claims.")
        Integer pageSize;

        @Option(names = "--page-token", paramLabel = "TOKEN", description = "Continue from a previous page.")
        String pageToken;

        @Override
        protected int run(final QueueClient connection, final PrintWriter out)
        {
            if (pageSize != null || pageToken != null)
            {
                final ListClaimsRequest.Builder request = ListClaimsRequest.newBuilder();
                if (pageSize != null)
                {
                    request.setPageSize(pageSize);
                }
                if (pageToken != null)
                {
                    request.setPageToken(pageToken);
                }
                final ListClaimsResponse page = connection.blocking().listClaims(request.build());
                if (json())
                {
                    out.println(toJson(page));
                }
                else
                {
                    out.print(QueueTables.claims(page.getClaimsList()));
                    if (!page.getNextPageToken().isEmpty())
                    {
                        out.println("next page: --page-token " + page.getNextPageToken());
                    }
                }
                return 0;
            }
            final List<Claim> all = new ArrayList<>();
            String token = "";
            do
            {
                final ListClaimsResponse page = connection.blocking().listClaims(
                    ListClaimsRequest.newBuilder().setPageSize(LIST_PAGE_SIZE).setPageToken(token).build());
                all.addAll(page.getClaimsList());
                if (!token.isEmpty() && page.getNextPageToken().equals(token))
                {
                    throw new IllegalStateException("the server returned the same page token twice: " + token);
                }
                token = page.getNextPageToken();
            }
            while (!token.isEmpty());
            if (json())
            {
                out.println(toJson(ListClaimsResponse.newBuilder().addAllClaims(all)));
            }
            else
            {
                out.print(QueueTables.claims(all));
            }
            return 0;
        }
    }

    /** {@code tranche claim update}. */
    @Command(name = "update", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Changes the given fields of a queued claim (only those: they form the update mask); the claim keeps " +
                "its place in the queue."
        })
    public static final class Update extends ClientCommand
    {
        @Parameters(index = "0", paramLabel = "ID", description = "Id of the claim.")
        String id;

        @Option(names = "--demand", paramLabel = "UNITS", converter = Units.class,
            description = "New outstanding demand.")
        Long demand;

        @Option(names = "--weight", paramLabel = "W", converter = Units.class, description = "New weight.")
        Long weight;

        @Option(names = "--no-weight", description = "Back to the method's default weight.")
        boolean noWeight;

        @Option(names = "--tier", paramLabel = "T", description = "New tier.")
        Integer tier;

        @Option(names = "--cap", paramLabel = "UNITS", converter = Units.class, description = "New cap.")
        Long cap;

        @Option(names = "--no-cap", description = "Remove the cap.")
        boolean noCap;

        @Option(names = "--floor", paramLabel = "UNITS", converter = Units.class, description = "New floor.")
        Long floor;

        @Override
        protected int run(final QueueClient connection, final PrintWriter out)
        {
            if ((weight != null && noWeight) || (cap != null && noCap))
            {
                throw new CommandLine.ParameterException(spec.commandLine(),
                    "give either --weight or --no-weight, and either --cap or --no-cap");
            }
            final Claim.Builder claim = Claim.newBuilder().setId(id);
            final FieldMask.Builder mask = FieldMask.newBuilder();
            if (demand != null)
            {
                claim.setDemand(demand);
                mask.addPaths("demand");
            }
            if (weight != null || noWeight)
            {
                if (weight != null)
                {
                    claim.setWeight(weight);
                }
                mask.addPaths("weight");
            }
            if (tier != null)
            {
                claim.setTier(tier);
                mask.addPaths("tier");
            }
            if (cap != null || noCap)
            {
                if (cap != null)
                {
                    claim.setCap(cap);
                }
                mask.addPaths("cap");
            }
            if (floor != null)
            {
                claim.setFloor(floor);
                mask.addPaths("floor");
            }
            if (mask.getPathsCount() == 0)
            {
                throw new CommandLine.ParameterException(spec.commandLine(),
                    "nothing to update: give at least one of --demand, --weight, --no-weight, --tier, --cap, " +
                    "--no-cap, --floor");
            }
            final Claim updated = connection.blocking().updateClaim(
                UpdateClaimRequest.newBuilder().setClaim(claim).setUpdateMask(mask).build());
            printClaim(out, updated, json());
            return 0;
        }
    }

    /** {@code tranche claim rm}. */
    @Command(name = "rm", aliases = "delete", mixinStandardHelpOptions = true,
        description = "Withdraws claims from the queue (stops at the first that fails).")
    public static final class Remove extends ClientCommand
    {
        @Parameters(index = "0..*", arity = "1..*", paramLabel = "ID", description = "Ids of the claims.")
        List<String> ids;

        @Override
        protected int run(final QueueClient connection, final PrintWriter out)
        {
            for (final String id : ids)
            {
                connection.blocking().deleteClaim(DeleteClaimRequest.newBuilder().setId(id).build());
                out.println(json() ? "{}" : "withdrew " + id);
            }
            return 0;
        }
    }

    /** {@code tranche claim position}. */
    @Command(name = "position", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Prints where a queued claim stands: its tier, and the claims and outstanding demand in the tiers " +
                "served before it (lower tier numbers) and in its own.",
            "With --if-supply: the exact award a release of that many units would give it now (computed as " +
                "release --dry-run does, recording nothing), its own row only."
        })
    public static final class Position extends ClientCommand
    {
        @Parameters(index = "0", paramLabel = "ID", description = "Id of the claim.")
        String id;

        @Option(names = "--if-supply", paramLabel = "UNITS", converter = Units.class,
            description = "Units of a release to compute now.")
        Long ifSupply;

        @Option(names = "--method", paramLabel = "METHOD", converter = Methods.class,
            description = "That release's rule (default: PROPORTIONAL).")
        io.tranche.proto.v1.Method method;

        @Option(names = "--lot", paramLabel = "UNITS", converter = Units.class,
            description = "That release's lot (default: 1).")
        long lot;

        @Option(names = "--max-share-ppm", paramLabel = "PPM",
            description = "That release's concentration limit (default: none).")
        int maxSharePpm;

        @Override
        protected int run(final QueueClient connection, final PrintWriter out)
        {
            if (ifSupply == null && (method != null || lot != 0 || maxSharePpm != 0))
            {
                throw new CommandLine.ParameterException(spec.commandLine(),
                    "--method, --lot and --max-share-ppm describe the release of --if-supply: give --if-supply too");
            }
            final io.tranche.proto.v1.GetClaimPositionRequest.Builder request =
                io.tranche.proto.v1.GetClaimPositionRequest.newBuilder().setId(id);
            final io.tranche.proto.v1.Method rule = method != null ? method : io.tranche.proto.v1.Method.PROPORTIONAL;
            if (ifSupply != null)
            {
                request.setIfSupply(ifSupply).setPolicy(io.tranche.proto.v1.Policy.newBuilder().setMethod(rule)
                    .setLot(lot).setMaxSharePpm(maxSharePpm));
            }
            final io.tranche.proto.v1.ClaimPosition position = connection.blocking().getClaimPosition(request.build());
            if (json())
            {
                out.println(toJson(position));
                return 0;
            }
            final Claim c = position.getClaim();
            out.println("claim " + c.getId() + ": tier " + c.getTier() + ", queue position " + c.getPosition() +
                ", outstanding demand " + Table.group(c.getDemand()));
            out.println("ahead of it (tiers below " + c.getTier() + "): " + Table.group(position.getClaimsAhead()) +
                " claim(s), outstanding demand " + group(position.getDemandAhead()));
            out.println("in its tier: " + Table.group(position.getClaimsInTier()) + " claim(s), outstanding demand " +
                group(position.getDemandInTier()));
            if (position.hasAward())
            {
                final io.tranche.proto.v1.Award award = position.getAward();
                out.println("a release of " + Table.group(ifSupply) + " now (" +
                    QueueTables.policy(request.getPolicy()) + ") would award it " + Table.group(award.getUnits()) +
                    ", leaving " + Table.group(award.getUnmet()) + " unmet");
            }
            return 0;
        }

        private static String group(final String decimal)
        {
            final java.math.BigInteger value = new java.math.BigInteger(decimal.isEmpty() ? "0" : decimal);
            return value.bitLength() < 63 ? Table.group(value.longValue()) : value.toString();
        }
    }

    static void printClaim(final PrintWriter out, final Claim claim, final boolean json)
    {
        if (json)
        {
            out.println(ClientCommand.toJson(claim));
        }
        else
        {
            out.print(QueueTables.claims(List.of(claim)));
        }
    }
}
