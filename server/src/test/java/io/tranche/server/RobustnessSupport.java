package io.tranche.server;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.ListClaimsRequest;
import io.tranche.proto.v1.ListClaimsResponse;
import io.tranche.proto.v1.ListTranchesRequest;
import io.tranche.proto.v1.ListTranchesResponse;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.Tranche;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Shared plumbing of the robustness suites: channels, deadlines, whole-queue and whole-ledger reads. */
public final class RobustnessSupport
{
    /** The codes a client may ever see for its own input: SPEC.md "The service", issue 3 "Errors". */
    public static final Set<Status.Code> DOCUMENTED = EnumSet.of(
        Status.Code.OK,
        Status.Code.INVALID_ARGUMENT,
        Status.Code.NOT_FOUND,
        Status.Code.ALREADY_EXISTS,
        Status.Code.FAILED_PRECONDITION,
        Status.Code.RESOURCE_EXHAUSTED);

    private RobustnessSupport()
    {
    }

    public static ManagedChannel channel(final String address)
    {
        return ManagedChannelBuilder.forTarget(address).usePlaintext().maxInboundMessageSize(256 << 20).build();
    }

    public static void close(final ManagedChannel channel)
    {
        channel.shutdownNow();
        try
        {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    public static QueueServiceGrpc.QueueServiceBlockingStub queue(final ManagedChannel channel)
    {
        return QueueServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    /** @return the whole queue in queue order, read page by page. */
    public static List<Claim> allClaims(final ManagedChannel channel)
    {
        final List<Claim> all = new ArrayList<>();
        String token = "";
        int pages = 0;
        do
        {
            final ListClaimsResponse page = queue(channel).listClaims(
                ListClaimsRequest.newBuilder().setPageSize(97).setPageToken(token).build());
            all.addAll(page.getClaimsList());
            token = page.getNextPageToken();
            if (++pages > 100_000)
            {
                throw new AssertionError("ListClaims does not end");
            }
        }
        while (!token.isEmpty());
        return all;
    }

    /** @return the whole ledger in number order, read page by page. */
    public static List<Tranche> allTranches(final ManagedChannel channel)
    {
        final List<Tranche> all = new ArrayList<>();
        String token = "";
        int pages = 0;
        do
        {
            final ListTranchesResponse page = queue(channel).listTranches(
                ListTranchesRequest.newBuilder().setPageSize(23).setPageToken(token).build());
            all.addAll(page.getTranchesList());
            token = page.getNextPageToken();
            if (++pages > 100_000)
            {
                throw new AssertionError("ListTranches does not end");
            }
        }
        while (!token.isEmpty());
        return all;
    }

    public static Status.Code code(final Throwable t)
    {
        return t instanceof StatusRuntimeException ? ((StatusRuntimeException)t).getStatus().getCode() :
            Status.fromThrowable(t).getCode();
    }
}
