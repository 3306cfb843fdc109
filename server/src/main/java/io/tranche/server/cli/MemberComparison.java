package io.tranche.server.cli;

import io.tranche.proto.v1.ClusterStatus;
import io.tranche.proto.v1.GetClusterStatusRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.merkle.Rfc9162;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tranche verify --server A,B,C}: verifies each cluster member's ledger as a single server's, then compares
 * the members: each member's signed checkpoint verified with its own key, its leaf hashes giving its root and its
 * tranches leaves of its tree; the same leaves and tranches wherever two members both hold them (a member that lags
 * holds a prefix of the others' tree), no member stopped serving, and the same state hash (which covers the tree)
 * wherever two members report a checkpoint at the same log position.
 */
final class MemberComparison
{
    private static final Duration ALIGN = Duration.ofSeconds(10);

    private MemberComparison()
    {
    }

    /** One member's ledger and status. */
    private record Member(String server, List<Tranche> tranches, ClusterStatus status,
        LedgerAudit.Verified checkpoint, List<byte[]> leaves)
    {
        Tranche tranche(final long number)
        {
            return tranches.get((int)number - 1);
        }
    }

    /**
     * @param options the connection options; their server is replaced by each member's in turn.
     * @param servers the members' addresses.
     * @param timeout each call's deadline.
     * @param out     receives the summary.
     * @param err     receives the first difference.
     * @return the exit status.
     * @throws IOException when a CA file cannot be read.
     */
    static int verify(
        final ClientOptions options, final List<String> servers, final Duration timeout, final PrintWriter out,
        final PrintWriter err) throws IOException
    {
        final long started = System.nanoTime();
        final long deadline = started + ALIGN.toNanos();
        while (true)
        {
            final List<Member> members = new ArrayList<>();
            for (final String server : servers)
            {
                final Member m;
                try
                {
                    m = read(options, server, timeout);
                }
                catch (final LedgerAudit.AuditFailure ex)
                {
                    err.println("tranche verify: " + server + ": " + ex.getMessage());
                    return QueueClient.EXIT_FAILURE;
                }
                final String problem = VerifyCommand.check(m.tranches());
                if (problem != null)
                {
                    err.println("tranche verify: " + server + ": " + problem);
                    return QueueClient.EXIT_FAILURE;
                }
                if (m.status().getDiverged())
                {
                    err.println("tranche verify: " + server + " stopped serving: " + m.status().getFailure());
                    return QueueClient.EXIT_FAILURE;
                }
                members.add(m);
            }
            final String difference = compare(members);
            if (difference != null)
            {
                err.println("tranche verify: " + difference);
                return QueueClient.EXIT_FAILURE;
            }
            final boolean aligned = sameHead(members);
            if (aligned || System.nanoTime() > deadline)
            {
                summary(members, aligned, started, out);
                return 0;
            }
            // Followers apply a little behind the leader: look again until the heads line up.
            sleep();
        }
    }

    // The member's tranches, status and tree: its checkpoint checked with its own key, its leaf hashes giving the
    // root it signs, each of its tranches a leaf.
    private static Member read(final ClientOptions options, final String server, final Duration timeout)
        throws IOException, LedgerAudit.AuditFailure
    {
        final String saved = options.server;
        options.server = server;
        try (QueueClient connection = new QueueClient(options, timeout))
        {
            final List<Tranche> tranches = TranchesCommand.listAll(connection, 0);
            final ClusterStatus status = connection.cluster().getClusterStatus(
                GetClusterStatusRequest.getDefaultInstance());
            final LedgerAudit.Verified checkpoint = LedgerAudit.checkpoint(connection, null);
            final List<byte[]> leaves = new ArrayList<>();
            LedgerAudit.fetchLeafHashes(connection, leaves, checkpoint.checkpoint().size());
            if (!java.util.Arrays.equals(Rfc9162.root(leaves), checkpoint.checkpoint().root()))
            {
                throw new LedgerAudit.AuditFailure("its leaf hashes do not give the root its checkpoint signs");
            }
            LedgerAudit.checkTranches(tranches, leaves, checkpoint.checkpoint().size());
            return new Member(server, tranches, status, checkpoint, leaves);
        }
        finally
        {
            options.server = saved;
        }
    }

    private static String compare(final List<Member> members)
    {
        for (int i = 0; i < members.size(); i++)
        {
            for (int j = i + 1; j < members.size(); j++)
            {
                final Member a = members.get(i);
                final Member b = members.get(j);
                final int shared = Math.min(a.leaves().size(), b.leaves().size());
                for (int k = 0; k < shared; k++)
                {
                    if (!java.util.Arrays.equals(a.leaves().get(k), b.leaves().get(k)))
                    {
                        return "members' trees differ at leaf " + k + ": " + a.server() + " has " +
                            Rfc9162.hex(a.leaves().get(k)) + ", " + b.server() + " has " +
                            Rfc9162.hex(b.leaves().get(k));
                    }
                }
                final long common = Math.min(a.tranches().size(), b.tranches().size());
                for (long n = 1; n <= common; n++)
                {
                    if (!a.tranche(n).equals(b.tranche(n)))
                    {
                        return "members differ at tranche " + n + ": " + a.server() + " and " + b.server() +
                            " hold different tranches under that number";
                    }
                }
                if (a.status().getCheckpointPosition() >= 0 &&
                    a.status().getCheckpointPosition() == b.status().getCheckpointPosition() &&
                    !a.status().getCheckpointSha256().equals(b.status().getCheckpointSha256()))
                {
                    return "members differ at log position " + a.status().getCheckpointPosition() + ": " +
                        a.server() + " has state " + a.status().getCheckpointSha256() + ", " + b.server() +
                        " has " + b.status().getCheckpointSha256();
                }
            }
        }
        return null;
    }

    private static boolean sameHead(final List<Member> members)
    {
        for (final Member m : members)
        {
            if (m.tranches().size() != members.get(0).tranches().size() ||
                m.leaves().size() != members.get(0).leaves().size() ||
                m.status().getCheckpointPosition() != members.get(0).status().getCheckpointPosition())
            {
                return false;
            }
        }
        return true;
    }

    private static void summary(final List<Member> members, final boolean aligned, final long started,
        final PrintWriter out)
    {
        final Member first = members.get(0);
        final int count = first.tranches().size();
        out.println("verified " + members.size() + " members in " + (System.nanoTime() - started) / 1_000_000 +
            " ms: each ledger's numbering and totals intact, each member's checkpoint signed by its own key and its " +
            "tranches in its tree");
        if (aligned)
        {
            out.println(members.size() + " members agree: " + count + " tranche(s), tree size " +
                first.checkpoint().checkpoint().size() + " root " +
                Rfc9162.hex(first.checkpoint().checkpoint().root()) +
                (first.status().getCheckpointPosition() < 0 ? "" : "; state " + first.status().getCheckpointSha256() +
                " at log position " + first.status().getCheckpointPosition()));
        }
        else
        {
            out.println(members.size() + " members agree where they overlap; their heads did not line up within " +
                ALIGN.toSeconds() + " s (writes going on): compared up to each pair's common tranche");
        }
    }

    private static void sleep()
    {
        try
        {
            Thread.sleep(200);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
