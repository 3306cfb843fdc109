package io.tranche.server.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import com.google.rpc.Code;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.ClaimHistory;
import io.tranche.proto.v1.ClaimPosition;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.DeleteClaimRequest;
import io.tranche.proto.v1.GetClaimHistoryRequest;
import io.tranche.proto.v1.GetClaimPositionRequest;
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
import io.tranche.server.auth.Principal;
import io.tranche.server.auth.Role;
import io.tranche.server.status.Errors;
import io.tranche.server.state.Command;
import io.tranche.server.state.CommandLog;
import io.tranche.server.state.Ledger;
import io.tranche.server.state.Outcome;
import io.tranche.server.state.QueueStateMachine;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * {@code QueueService}: mutations and claim reads go through the {@link CommandLog} (answered once
 * durable); tranche reads and watches read its durable ledger directly. The state machine's
 * outcomes become gRPC status here ({@link OutcomeStatus}) and nowhere else.
 */
public final class QueueServiceImpl extends QueueServiceGrpc.QueueServiceImplBase implements AutoCloseable
{
    /** page_size when the request gives 0. */
    public static final int DEFAULT_PAGE_SIZE = 50;
    /** Larger page sizes are lowered to this. */
    public static final int MAX_PAGE_SIZE = 1000;
    /**
     * A page of tranches ends before its tranches pass this many bytes (one larger tranche still makes a page of its
     * own): half of gRPC's default 4 MiB limit on what a client receives.
     */
    public static final int PAGE_BYTES = 2 << 20;

    private static final SecureRandom SALT_SEEDS = new SecureRandom();

    private final CommandLog log;
    private final TrancheWatchers watchers;
    private final PageTokens pageTokens;
    // Reads the ledger for claim histories: off the log's thread, which must never wait for a history.
    private final java.util.concurrent.ExecutorService historyReader = java.util.concurrent.Executors
        .newSingleThreadExecutor(r ->
        {
            final Thread t = new Thread(r, "tranche-history");
            t.setDaemon(true);
            return t;
        });

    /**
     * @param log        the state's command log.
     * @param pageTokens makes and checks page tokens (the data directory's key).
     */
    public QueueServiceImpl(final CommandLog log, final PageTokens pageTokens)
    {
        this.log = log;
        this.watchers = new TrancheWatchers(log);
        this.pageTokens = pageTokens;
    }

    /** Ends every watch stream with UNAVAILABLE (the server is shutting down). */
    public void endWatches()
    {
        watchers.end();
    }

    @Override
    public void close()
    {
        watchers.close();
        historyReader.shutdownNow();
    }

    @Override
    public void createClaim(final CreateClaimRequest request, final StreamObserver<Claim> observer)
    {
        final Principal principal = AuthInterceptor.principal();
        if (outOfScope(principal, request.getClaim().getId(), observer))
        {
            return;
        }
        submit(new Command.CreateClaim(request, principal.name()), observer);
    }

    @Override
    public void updateClaim(final UpdateClaimRequest request, final StreamObserver<Claim> observer)
    {
        final Principal principal = AuthInterceptor.principal();
        if (outOfScope(principal, request.getClaim().getId(), observer))
        {
            return;
        }
        submit(new Command.UpdateClaim(request, principal.name()), observer);
    }

    @Override
    public void deleteClaim(final DeleteClaimRequest request, final StreamObserver<Empty> observer)
    {
        final Principal principal = AuthInterceptor.principal();
        if (outOfScope(principal, request.getId(), observer))
        {
            return;
        }
        submit(new Command.DeleteClaim(request, principal.name()), observer);
    }

    /**
     * Refuses a claimant a claim id outside its scope, before anything is looked up: the answer is the same
     * whether such a claim exists or not, so it learns nothing of other firms' claims. An empty id is left to
     * validation (INVALID_ARGUMENT).
     */
    private static boolean outOfScope(final Principal principal, final String id, final StreamObserver<?> observer)
    {
        if (id.isEmpty() || principal.reaches(id))
        {
            return false;
        }
        observer.onError(Errors.toException(Errors.status(Code.PERMISSION_DENIED, "claim \"" + id + "\" is not " +
            "among the claims of this credential (" + principal.describe() + ": claims=" + principal.scope() + ")")));
        return true;
    }

    @Override
    public void releaseTranche(final ReleaseTrancheRequest request, final StreamObserver<Tranche> observer)
    {
        final Principal principal = AuthInterceptor.principal();
        if (request.getValidateOnly())
        {
            // AIP-163: the tranche that would be released now, computed on the current state, recorded nowhere.
            final Command.ReleaseTranche preview = new Command.ReleaseTranche(request, principal.name());
            read((machine, now) -> previewFor(principal, machine.prepare(preview, now)),
                observer);
            return;
        }
        if (principal.role() != Role.ADMIN)
        {
            observer.onError(Errors.toException(Errors.status(Code.PERMISSION_DENIED, "ReleaseTranche needs an " +
                "admin; this credential is " + principal.describe() + ", which may only preview a release " +
                "(validate_only)")));
            return;
        }
        // The awards' salts come from this seed, chosen here (never by the client) and carried with the command,
        // so that every replica of the log derives the same ones.
        final byte[] seed = new byte[32];
        SALT_SEEDS.nextBytes(seed);
        submit(new Command.ReleaseTranche(request.toBuilder().setSaltSeed(ByteString.copyFrom(seed)).build(),
            principal.name()), observer);
    }

    // A claimant's preview: its own rows, and no message that names another firm's claim.
    private static Outcome previewFor(final Principal principal, final Outcome outcome)
    {
        if (!principal.scoped())
        {
            return outcome;
        }
        if (outcome.kind() == Outcome.Kind.PREVIEW)
        {
            return Outcome.of(Outcome.Kind.PREVIEW, ClaimantView.of((Tranche)outcome.value(), principal));
        }
        if (outcome.kind() == Outcome.Kind.FAILED_PRECONDITION)
        {
            return Outcome.failed(Outcome.Kind.FAILED_PRECONDITION, "the queue cannot be allocated under this " +
                "policy; an admin or auditor can preview it to see which claim stands in the way");
        }
        return outcome;
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
        if (outOfScope(AuthInterceptor.principal(), id, observer))
        {
            return;
        }
        read((machine, now) ->
        {
            final Claim claim = machine.claim(id);
            return claim == null ?
                Outcome.failed(Outcome.Kind.NOT_FOUND, "claim \"" + id + "\" is not in the queue") :
                Outcome.of(Outcome.Kind.READ, claim);
        }, observer);
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
        final Principal principal = AuthInterceptor.principal();
        read((machine, now) ->
        {
            final ArrayList<Claim> page = new ArrayList<>(Math.min(pageSize, machine.queueLength()));
            final boolean more = principal.scoped() ?
                machine.listClaims(after, pageSize, page, principal::reaches) :
                machine.listClaims(after, pageSize, page);
            final ListClaimsResponse.Builder response = ListClaimsResponse.newBuilder().addAllClaims(page);
            if (more)
            {
                response.setNextPageToken(pageTokens.encode(PageTokens.CLAIMS,
                    page.get(page.size() - 1).getPosition()));
            }
            return Outcome.of(Outcome.Kind.READ, response.build());
        }, observer);
    }

    @Override
    public void getTranche(final GetTrancheRequest request, final StreamObserver<Tranche> observer)
    {
        if (request.getNumber() < 1)
        {
            observer.onError(Errors.toException(Errors.invalidArgument("number", "must be >= 1, was " +
                request.getNumber())));
            return;
        }
        final Ledger ledger = log.ledger();
        final long count = ledger.durableCount();
        if (request.getNumber() > count)
        {
            observer.onError(Errors.toException(Errors.notFound("tranche " + request.getNumber() +
                " has not been released (" + count + " so far)")));
            return;
        }
        final Tranche tranche;
        try
        {
            tranche = ledger.get(request.getNumber());
        }
        catch (final Ledger.LedgerException ex)
        {
            observer.onError(Errors.toException(Errors.status(Code.DATA_LOSS, ex.getMessage())));
            return;
        }
        observer.onNext(ClaimantView.of(tranche, AuthInterceptor.principal()));
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
        final Principal principal = AuthInterceptor.principal();
        final Ledger ledger = log.ledger();
        final long count = ledger.durableCount();
        final ListTranchesResponse.Builder response = ListTranchesResponse.newBuilder();
        long number = after + 1;
        long bytes = 0;
        try
        {
            for (; number > 0 && number <= count && response.getTranchesCount() < pageSize; number++)
            {
                final Tranche tranche = ClaimantView.of(ledger.get(number), principal);
                bytes += tranche.getSerializedSize();
                if (bytes > PAGE_BYTES && response.getTranchesCount() > 0)
                {
                    // AIP-158 lets a page hold fewer than page_size: this one ends before the client's limit does.
                    break;
                }
                response.addTranches(tranche);
            }
        }
        catch (final Ledger.LedgerException ex)
        {
            observer.onError(Errors.toException(Errors.status(Code.DATA_LOSS, ex.getMessage())));
            return;
        }
        if (number > 0 && number <= count)
        {
            response.setNextPageToken(pageTokens.encode(PageTokens.TRANCHES, number - 1));
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
        final Principal principal = AuthInterceptor.principal();
        watchers.watch(request.getAfterNumber(), (ServerCallStreamObserver<Tranche>)observer,
            tranche -> ClaimantView.of(tranche, principal));
    }

    @Override
    public void getClaimHistory(final GetClaimHistoryRequest request, final StreamObserver<ClaimHistory> observer)
    {
        final String id = request.getId();
        if (id.isEmpty())
        {
            observer.onError(Errors.toException(Errors.invalidArgument("id", "must not be empty")));
            return;
        }
        if (outOfScope(AuthInterceptor.principal(), id, observer) || dropIfCancelled(observer))
        {
            return;
        }
        final GrpcReply reply = new GrpcReply(observer);
        // The tranches released when the history was read: later ones belong to a later read.
        final long[] tranches = new long[1];
        final CommandLog.Reply expand = new CommandLog.Reply()
        {
            @Override
            public Outcome.Kind abandoned()
            {
                return reply.abandoned();
            }

            @Override
            public void complete(final Outcome outcome)
            {
                if (!outcome.ok())
                {
                    reply.complete(outcome);
                    return;
                }
                final Ledger ledger = log.ledger();
                try
                {
                    historyReader.execute(() -> answerHistory((ClaimHistory)outcome.value(), ledger, tranches[0], reply,
                        observer));
                }
                catch (final java.util.concurrent.RejectedExecutionException ex)
                {
                    reply.complete(Outcome.failed(Outcome.Kind.UNAVAILABLE, "the server is shutting down"));
                }
            }
        };
        if (!log.read((machine, now) ->
        {
            final ClaimHistory kept = machine.history(id);
            tranches[0] = machine.trancheCount();
            return kept == null ?
                Outcome.failed(Outcome.Kind.NOT_FOUND, "claim \"" + id + "\" was never in the queue") :
                Outcome.of(Outcome.Kind.READ, kept);
        }, expand))
        {
            refuse(observer);
        }
    }

    @Override
    public void getClaimPosition(final GetClaimPositionRequest request, final StreamObserver<ClaimPosition> observer)
    {
        final String id = request.getId();
        if (id.isEmpty())
        {
            observer.onError(Errors.toException(Errors.invalidArgument("id", "must not be empty")));
            return;
        }
        if (request.hasIfSupply() && request.getIfSupply() < 0)
        {
            observer.onError(Errors.toException(Errors.invalidArgument("if_supply", "must be >= 0, was " +
                request.getIfSupply())));
            return;
        }
        final Principal principal = AuthInterceptor.principal();
        if (outOfScope(principal, id, observer))
        {
            return;
        }
        final long ifSupply = request.hasIfSupply() ? request.getIfSupply() : -1;
        read((machine, now) -> positionFor(principal, machine.position(id, ifSupply, request.getPolicy())), observer);
    }

    // The release's own field is if_supply here; a claimant learns nothing of the claim that blocks a policy.
    private static Outcome positionFor(final Principal principal, final Outcome outcome)
    {
        if (outcome.kind() == Outcome.Kind.INVALID)
        {
            final List<Outcome.Violation> renamed = new ArrayList<>();
            for (final Outcome.Violation v : outcome.violations())
            {
                renamed.add(new Outcome.Violation(v.field().equals("supply") ? "if_supply" : v.field(),
                    v.description()));
            }
            return Outcome.invalid(renamed);
        }
        return outcome.kind() == Outcome.Kind.FAILED_PRECONDITION ? previewFor(principal, outcome) : outcome;
    }

    private static void answerHistory(final ClaimHistory kept, final Ledger ledger, final long tranches,
        final GrpcReply reply, final StreamObserver<ClaimHistory> observer)
    {
        final ClaimHistory full;
        try
        {
            full = QueueStateMachine.withAwards(kept, ledger, Math.min(tranches, ledger.durableCount()));
        }
        catch (final Ledger.LedgerException ex)
        {
            observer.onError(Errors.toException(Errors.status(Code.DATA_LOSS, ex.getMessage())));
            return;
        }
        reply.complete(Outcome.of(Outcome.Kind.READ, full));
    }

    private void submit(final Command command, final StreamObserver<? extends Message> observer)
    {
        if (dropIfCancelled(observer))
        {
            return;
        }
        if (!log.submit(command, new GrpcReply(observer)))
        {
            refuse(observer);
        }
    }

    private void read(final CommandLog.Read read, final StreamObserver<? extends Message> observer)
    {
        if (dropIfCancelled(observer))
        {
            return;
        }
        if (!log.read(read, new GrpcReply(observer)))
        {
            refuse(observer);
        }
    }

    private void refuse(final StreamObserver<?> observer)
    {
        observer.onError(Errors.toException(log.isClosing() ?
            Errors.unavailable("the server is shutting down") :
            Errors.resourceExhausted("the writer's queue is full; retry with backoff")));
    }

    /** Answers one call from the log's thread. */
    private static final class GrpcReply implements CommandLog.Reply
    {
        private final StreamObserver<Message> observer;
        private final Context context = Context.current();

        @SuppressWarnings("unchecked")
        GrpcReply(final StreamObserver<? extends Message> observer)
        {
            this.observer = (StreamObserver<Message>)observer;
        }

        @Override
        public Outcome.Kind abandoned()
        {
            if (!context.isCancelled())
            {
                return null;
            }
            return context.cancellationCause() instanceof TimeoutException ?
                Outcome.Kind.DEADLINE_EXCEEDED : Outcome.Kind.CANCELLED;
        }

        @Override
        public void complete(final Outcome outcome)
        {
            if (outcome.ok())
            {
                observer.onNext(outcome.value());
                observer.onCompleted();
            }
            else
            {
                observer.onError(Errors.toException(OutcomeStatus.of(outcome)));
            }
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
