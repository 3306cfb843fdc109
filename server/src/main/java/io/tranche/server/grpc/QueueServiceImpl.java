package io.tranche.server.grpc;

import com.google.protobuf.Message;
import com.google.rpc.Code;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.DeleteClaimRequest;
import io.tranche.proto.v1.GetClaimRequest;
import io.tranche.proto.v1.GetTrancheRequest;
import io.tranche.proto.v1.ListClaimsRequest;
import io.tranche.proto.v1.ListClaimsResponse;
import io.tranche.proto.v1.ListTranchesRequest;
import io.tranche.proto.v1.ListTranchesResponse;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.proto.v1.UpdateClaimRequest;
import io.tranche.proto.v1.WatchTranchesRequest;
import io.tranche.server.Errors;
import io.tranche.server.TrancheServer;
import io.tranche.server.state.QueueState;
import io.tranche.server.state.Writer;
import java.util.ArrayList;
import java.util.concurrent.TimeoutException;

/**
 * {@code QueueService}: mutations and claim reads go to the single {@link Writer}; tranche reads
 * and watches read the writer's published (durable) ledger directly.
 */
public final class QueueServiceImpl extends QueueServiceGrpc.QueueServiceImplBase
{
    /** page_size when the request gives 0. */
    public static final int DEFAULT_PAGE_SIZE = 50;
    /** Larger page sizes are lowered to this. */
    public static final int MAX_PAGE_SIZE = 1000;

    private final Writer writer;
    private final PageTokens pageTokens;

    /**
     * @param writer     the state's writer.
     * @param config     the configuration.
     * @param pageTokens makes and checks page tokens (the data directory's key).
     */
    public QueueServiceImpl(final Writer writer, final TrancheServer.Config config, final PageTokens pageTokens)
    {
        this.writer = writer;
        this.pageTokens = pageTokens;
    }

    @Override
    public void createClaim(final CreateClaimRequest request, final StreamObserver<Claim> observer)
    {
        submit(Writer.Op.mutation(QueueState.CREATE_CLAIM, request, observer), observer);
    }

    @Override
    public void updateClaim(final UpdateClaimRequest request, final StreamObserver<Claim> observer)
    {
        submit(Writer.Op.mutation(QueueState.UPDATE_CLAIM, request, observer), observer);
    }

    @Override
    public void deleteClaim(final DeleteClaimRequest request, final StreamObserver<com.google.protobuf.Empty> observer)
    {
        submit(Writer.Op.mutation(QueueState.DELETE_CLAIM, request, observer), observer);
    }

    @Override
    public void releaseTranche(final ReleaseTrancheRequest request, final StreamObserver<Tranche> observer)
    {
        submit(Writer.Op.mutation(QueueState.RELEASE_TRANCHE, request, observer), observer);
    }

    @Override
    public void getClaim(final GetClaimRequest request, final StreamObserver<Claim> observer)
    {
        final String id = request.getId();
        if (id.isEmpty())
        {
            observer.onError(Errors.toException(Errors.invalidArgument("id", "must not be empty")));
            return;
        }
        submit(Writer.Op.read(state ->
        {
            final Claim claim = state.claim(id);
            return claim == null ?
                QueueState.Outcome.failedRead(Errors.notFound("claim \"" + id + "\" is not in the queue")) :
                QueueState.Outcome.read(claim);
        }, observer), observer);
    }

    @Override
    public void listClaims(final ListClaimsRequest request, final StreamObserver<ListClaimsResponse> observer)
    {
        final int pageSize = pageSize(request.getPageSize(), observer);
        if (pageSize < 0)
        {
            return;
        }
        final long after = decodeToken(request.getPageToken(), PageTokens.CLAIMS, "ListClaims", observer);
        if (after < 0)
        {
            return;
        }
        if (after == Long.MAX_VALUE)
        {
            // No position follows the largest one: an empty last page (and no after + 1 to overflow).
            observer.onNext(ListClaimsResponse.getDefaultInstance());
            observer.onCompleted();
            return;
        }
        submit(Writer.Op.read(state ->
        {
            final ArrayList<Claim> page = new ArrayList<>(Math.min(pageSize, state.queueLength()));
            final boolean more = state.listClaims(after, pageSize, page);
            final ListClaimsResponse.Builder response = ListClaimsResponse.newBuilder().addAllClaims(page);
            if (more)
            {
                response.setNextPageToken(pageTokens.encode(PageTokens.CLAIMS, page.get(page.size() - 1).getPosition()));
            }
            return QueueState.Outcome.read(response.build());
        }, observer), observer);
    }

    @Override
    public void getTranche(final GetTrancheRequest request, final StreamObserver<Tranche> observer)
    {
        if (request.getNumber() < 1)
        {
            observer.onError(Errors.toException(Errors.invalidArgument("number", "must be >= 1, was " + request.getNumber())));
            return;
        }
        final Tranche tranche = writer.tranche(request.getNumber());
        if (tranche == null)
        {
            observer.onError(Errors.toException(Errors.notFound("tranche " + request.getNumber() +
                " has not been released (" + writer.trancheCount() + " so far)")));
            return;
        }
        observer.onNext(tranche);
        observer.onCompleted();
    }

    @Override
    public void listTranches(final ListTranchesRequest request, final StreamObserver<ListTranchesResponse> observer)
    {
        final int pageSize = pageSize(request.getPageSize(), observer);
        if (pageSize < 0)
        {
            return;
        }
        final long after = decodeToken(request.getPageToken(), PageTokens.TRANCHES, "ListTranches", observer);
        if (after < 0)
        {
            return;
        }
        final int count = writer.trancheCount();
        final ListTranchesResponse.Builder response = ListTranchesResponse.newBuilder();
        // A token at or past the last tranche is an empty last page; below it, after + 1 cannot overflow.
        if (after < count)
        {
            long number = after + 1;
            for (; number <= count && response.getTranchesCount() < pageSize; number++)
            {
                response.addTranches(writer.tranche(number));
            }
            if (number <= count)
            {
                response.setNextPageToken(pageTokens.encode(PageTokens.TRANCHES, number - 1));
            }
        }
        observer.onNext(response.build());
        observer.onCompleted();
    }

    @Override
    public void watchTranches(final WatchTranchesRequest request, final StreamObserver<Tranche> observer)
    {
        if (request.getAfterNumber() < 0)
        {
            observer.onError(Errors.toException(Errors.invalidArgument("after_number",
                "must be >= 0 (0 = from the first tranche), was " + request.getAfterNumber())));
            return;
        }
        // No tranche number reaches 2^63 - 1, so a watch after it (or after 2^63 - 2) waits for tranches that never
        // come; clamped, the writer's after + 1 cannot wrap around to stream from tranche 1.
        writer.watch(Math.min(request.getAfterNumber(), Long.MAX_VALUE - 1), (ServerCallStreamObserver<Tranche>)observer);
    }

    private void submit(final Writer.Op op, final StreamObserver<? extends Message> observer)
    {
        if (dropIfCancelled(observer))
        {
            return;
        }
        if (!writer.offer(op))
        {
            observer.onError(Errors.toException(writer.isClosing() ?
                Errors.unavailable("the server is shutting down") :
                Errors.resourceExhausted("the writer's queue is full; retry with backoff")));
        }
    }

    /**
     * Drops a call whose deadline has passed or that was cancelled, before any work.
     *
     * @param observer the call.
     * @return true when dropped.
     */
    static boolean dropIfCancelled(final StreamObserver<?> observer)
    {
        final Context context = Context.current();
        if (!context.isCancelled())
        {
            return false;
        }
        observer.onError(Errors.toException(context.cancellationCause() instanceof TimeoutException ?
            Errors.status(Code.DEADLINE_EXCEEDED, "deadline exceeded before the call started") :
            Errors.status(Code.CANCELLED, "cancelled before the call started")));
        return true;
    }

    private static int pageSize(final int requested, final StreamObserver<?> observer)
    {
        if (requested < 0)
        {
            observer.onError(Errors.toException(Errors.invalidArgument("page_size", "must be >= 0, was " + requested)));
            return -1;
        }
        return requested == 0 ? DEFAULT_PAGE_SIZE : Math.min(requested, MAX_PAGE_SIZE);
    }

    private long decodeToken(final String token, final byte kind, final String method, final StreamObserver<?> observer)
    {
        if (token.isEmpty())
        {
            return 0;
        }
        final long after = pageTokens.decode(token, kind);
        if (after == PageTokens.INVALID)
        {
            observer.onError(Errors.toException(Errors.invalidArgument("page_token",
                "is not a page token this server returned for " + method + "; start again with an empty page_token")));
        }
        return after;
    }
}
