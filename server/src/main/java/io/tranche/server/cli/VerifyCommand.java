package io.tranche.server.cli;

import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.merkle.Rfc9162;
import io.tranche.server.ServerConfig;
import io.tranche.server.ledger.OfflineVerifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tranche verify --server ADDR}: walks the ledger through ListTranches and checks the numbering and each
 * tranche's totals; with {@code --checkpoint FILE}, the ledger's signed checkpoint, a consistency proof from the one
 * saved last time, the tree's leaf hashes and every tranche in the tree (docs/audit.md "Verify"). With
 * {@code --data-dir} the same offline, from the journal.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Verifies the ledger through the API: every tranche numbered 1, 2, 3, … without a gap, allocated + " +
            "unallocated = supply and the awards summing to allocated.",
        "With --checkpoint FILE: the server's signed checkpoint, checked with the pinned key (--log-key, or " +
            "FILE.vkey saved on first use); a consistency proof from the checkpoint saved in FILE (a smaller " +
            "tree, another origin, a forged signature or a rewritten history is refused, naming the first " +
            "differing leaf); the tree's leaf hashes, which must give the signed root; every tranche, which must " +
            "be a leaf; then FILE is replaced. On first use FILE is created.",
        "With --server A,B,C (a cluster's members): each member's ledger, then the members compared: each " +
            "member's checkpoint checked with its own key and their trees consistent with each other, the same " +
            "state hash at the same checkpoint, none stopped serving.",
        "Exit status: 0 verified (a summary on standard output), 1 a difference (the first bad tranche named on " +
            "standard error), 2 a mistake in the request."
    })
public final class VerifyCommand extends ClientCommand
{
    @Option(names = "--data-dir", paramLabel = "DIR",
        description =
            "Offline: replay this data directory's journal from the first record and recompute every tranche " +
            "with the kernel (no server needed; reads only).")
    Path dataDir;

    @Option(names = "--checkpoint", paramLabel = "FILE",
        description = "The signed checkpoint saved by the last run (created on first use), with FILE.vkey (the " +
            "pinned key) and FILE.leaves (its leaf hashes) beside it.")
    Path checkpoint;

    @Option(names = "--log-key", paramLabel = "VKEY",
        description = "The server's verifier key (name+hash+key, as `tranche key` prints it), or @FILE holding it; " +
            "pinned in FILE.vkey. Without it the first run trusts the server's.")
    String key;

    @Option(names = "--max-queue", paramLabel = "N",
        description = "With --data-dir: the queue limit the server ran with (default: ${DEFAULT-VALUE}).")
    int maxQueue = ServerConfig.MAX_QUEUE_DEFAULT;

    @Override
    protected boolean needsConnection()
    {
        // Several members: one connection each, opened by the comparison.
        return dataDir == null && !client.server().contains(",");
    }

    @Override
    protected int runOffline(final PrintWriter out) throws IOException
    {
        if (dataDir == null)
        {
            return MemberComparison.verify(client, List.of(client.server().split(",")),
                client.timeout(defaultTimeout()), out, spec.commandLine().getErr());
        }
        if (key != null && checkpoint == null)
        {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "--log-key goes with --checkpoint FILE");
        }
        final long started = System.nanoTime();
        final OfflineVerifier.Report report = OfflineVerifier.verify(dataDir, maxQueue);
        final long ms = (System.nanoTime() - started) / 1_000_000;
        if (report.problem != null)
        {
            out.flush();
            final PrintWriter err = spec.commandLine().getErr();
            err.println("tranche verify: " + report.problem);
            err.flush();
            return QueueClient.EXIT_FAILURE;
        }
        out.println("verified " + dataDir + ": " + report.records + " record(s), " + report.tranches + " tranche(s), " +
            report.awards + " award(s) recomputed, " + report.claims + " claim(s) queued" +
            (report.snapshotsChecked > 0 ? ", " + report.snapshotsChecked + " snapshot(s) cross-checked" : "") +
            "; in " + ms + " ms");
        out.println("tree size " + report.treeSize + ", root " + Rfc9162.hex(report.root));
        if (checkpoint != null)
        {
            try
            {
                out.println(OfflineAudit.verify(dataDir, report, new CheckpointFile(checkpoint), key));
            }
            catch (final LedgerAudit.AuditFailure ex)
            {
                out.flush();
                final PrintWriter err = spec.commandLine().getErr();
                err.println("tranche verify: " + ex.getMessage());
                err.flush();
                return QueueClient.EXIT_FAILURE;
            }
        }
        return 0;
    }

    @Override
    protected java.time.Duration defaultTimeout()
    {
        return java.time.Duration.ofMinutes(10);
    }

    @Override
    protected int run(final QueueClient connection, final PrintWriter out) throws IOException
    {
        if (key != null && checkpoint == null)
        {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "--log-key goes with --checkpoint FILE");
        }
        final long started = System.nanoTime();
        final List<Tranche> tranches = TranchesCommand.listAll(connection, 0);
        final String problem = check(tranches);
        final PrintWriter err = spec.commandLine().getErr();
        if (problem != null)
        {
            out.flush();
            err.println("tranche verify: " + problem);
            err.flush();
            return QueueClient.EXIT_FAILURE;
        }
        long awards = 0;
        for (final Tranche t : tranches)
        {
            awards += t.getAwardsCount();
        }
        out.println("verified " + tranches.size() + " tranche(s), " + awards + " award(s) from " + connection.server() +
            ": numbering and totals intact in " + (System.nanoTime() - started) / 1_000_000 + " ms");
        if (checkpoint != null)
        {
            try
            {
                out.println(LedgerAudit.verifyServer(connection, new CheckpointFile(checkpoint), key, tranches));
            }
            catch (final LedgerAudit.AuditFailure ex)
            {
                out.flush();
                err.println("tranche verify: " + ex.getMessage());
                err.flush();
                return QueueClient.EXIT_FAILURE;
            }
        }
        return 0;
    }

    /**
     * @param tranches the ledger in order.
     * @return null when it verifies, else the first difference, naming the tranche and both values.
     */
    public static String check(final List<Tranche> tranches)
    {
        long expectedNumber = 1;
        for (final Tranche t : tranches)
        {
            final String at = "tranche " + t.getNumber() + ": ";
            if (t.getAwardsFiltered())
            {
                return at + "this credential sees its own awards only (a claimant), so the totals cannot be " +
                    "checked: verify with an admin, auditor or reader credential, or prove your own awards with " +
                    "`tranche proof`";
            }
            if (t.getNumber() != expectedNumber)
            {
                return at + "number: expected " + expectedNumber + ", found " + t.getNumber() +
                    " (a tranche is missing or out of order)";
            }
            if (t.getAllocated() + t.getUnallocated() != t.getSupply())
            {
                return at + "conservation: allocated " + t.getAllocated() + " + unallocated " + t.getUnallocated() +
                    " != supply " + t.getSupply();
            }
            long sum = 0;
            for (final Award a : t.getAwardsList())
            {
                sum += a.getUnits();
            }
            if (sum != t.getAllocated())
            {
                return at + "awards: sum of units " + sum + " != allocated " + t.getAllocated();
            }
            expectedNumber++;
        }
        return null;
    }
}
