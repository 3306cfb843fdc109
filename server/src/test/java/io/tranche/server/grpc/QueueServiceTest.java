package io.tranche.server.grpc;

import static io.tranche.server.TestServer.claim;
import static io.tranche.server.TestServer.violations;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.FieldMask;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.DeleteClaimRequest;
import io.tranche.proto.v1.GetClaimRequest;
import io.tranche.proto.v1.GetTrancheRequest;
import io.tranche.proto.v1.ListClaimsRequest;
import io.tranche.proto.v1.ListClaimsResponse;
import io.tranche.proto.v1.ListTranchesRequest;
import io.tranche.proto.v1.ListTranchesResponse;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.QueueServiceGrpc;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.proto.v1.UpdateClaimRequest;
import io.tranche.proto.v1.WatchTranchesRequest;
import io.tranche.server.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class QueueServiceTest
{
    private static final Policy FIFO = Policy.newBuilder().setMethod(Method.FIFO).build();

    @TempDir
    public Path dir;

    private TestServer server;
    private QueueServiceGrpc.QueueServiceBlockingStub queue;

    @BeforeEach
    public void start() throws Exception
    {
        server = TestServer.start(TestServer.config(dir).maxQueue(10));
        queue = server.queue();
    }

    @AfterEach
    public void stop()
    {
        server.close();
    }

    private Claim create(final Claim claim)
    {
        return queue.createClaim(CreateClaimRequest.newBuilder().setClaim(claim).build());
    }

    private Tranche release(final String requestId, final long supply, final Policy policy)
    {
        return queue.releaseTranche(ReleaseTrancheRequest.newBuilder()
            .setRequestId(requestId).setSupply(supply).setPolicy(policy).build());
    }

    private static Status.Code code(final Runnable call)
    {
        try
        {
            call.run();
        }
        catch (final StatusRuntimeException ex)
        {
            return ex.getStatus().getCode();
        }
        throw new AssertionError("expected an error");
    }

    @Test
    public void shouldCreateGetAndListClaimsInQueueOrder()
    {
        final Claim a = create(claim("a", 100).toBuilder().setTier(1).setWeight(3).build());
        final Claim b = create(claim("b", 50).toBuilder().setCap(40).setFloor(10).build());
        assertThat(a.getPosition()).isLessThan(b.getPosition());
        assertThat(a.getAwarded()).isZero();
        assertThat(queue.getClaim(GetClaimRequest.newBuilder().setId("b").build())).isEqualTo(b);
        final ListClaimsResponse list = queue.listClaims(ListClaimsRequest.getDefaultInstance());
        assertThat(list.getClaimsList()).containsExactly(a, b);
        assertThat(list.getNextPageToken()).isEmpty();
    }

    @Test
    public void shouldIgnoreOutputOnlyFieldsOnCreate()
    {
        final Claim a = create(claim("a", 100).toBuilder().setPosition(77).setAwarded(5).build());
        assertThat(a.getPosition()).isNotEqualTo(77);
        assertThat(a.getAwarded()).isZero();
    }

    @Test
    public void shouldPageClaimsWithOpaqueTokens()
    {
        for (int i = 0; i < 7; i++)
        {
            create(claim("c" + i, 10 + i));
        }
        final List<String> ids = new ArrayList<>();
        String token = "";
        int pages = 0;
        do
        {
            final ListClaimsResponse page = queue.listClaims(
                ListClaimsRequest.newBuilder().setPageSize(3).setPageToken(token).build());
            assertThat(page.getClaimsCount()).isLessThanOrEqualTo(3);
            page.getClaimsList().forEach(c -> ids.add(c.getId()));
            token = page.getNextPageToken();
            pages++;
        }
        while (!token.isEmpty());
        assertThat(pages).isEqualTo(3);
        assertThat(ids).containsExactly("c0", "c1", "c2", "c3", "c4", "c5", "c6");

        final StatusRuntimeException bad = catchError(() ->
            queue.listClaims(ListClaimsRequest.newBuilder().setPageToken("not-a-token!").build()));
        assertThat(bad.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(violations(bad)).containsExactly("page_token");

        final StatusRuntimeException negative = catchError(() ->
            queue.listClaims(ListClaimsRequest.newBuilder().setPageSize(-1).build()));
        assertThat(violations(negative)).containsExactly("page_size");
    }

    @Test
    public void shouldKeepPagingStableWhenAClaimOfThePreviousPageIsDeleted()
    {
        for (int i = 0; i < 4; i++)
        {
            create(claim("c" + i, 10));
        }
        final ListClaimsResponse first = queue.listClaims(ListClaimsRequest.newBuilder().setPageSize(2).build());
        queue.deleteClaim(DeleteClaimRequest.newBuilder().setId("c1").build());
        final ListClaimsResponse second = queue.listClaims(
            ListClaimsRequest.newBuilder().setPageSize(2).setPageToken(first.getNextPageToken()).build());
        assertThat(second.getClaimsList()).extracting(Claim::getId).containsExactly("c2", "c3");
    }

    @Test
    public void shouldUpdateOnlyMaskedFieldsAndKeepQueuePosition()
    {
        final Claim a = create(claim("a", 100).toBuilder().setWeight(5).setCap(90).build());
        create(claim("b", 100));
        final Claim updated = queue.updateClaim(UpdateClaimRequest.newBuilder()
            .setClaim(Claim.newBuilder().setId("a").setDemand(70).setTier(3))
            .setUpdateMask(FieldMask.newBuilder().addPaths("demand").addPaths("weight"))
            .build());
        assertThat(updated.getDemand()).isEqualTo(70);
        assertThat(updated.hasWeight()).as("weight in the mask but absent = cleared").isFalse();
        assertThat(updated.getTier()).as("tier not in the mask").isZero();
        assertThat(updated.getCap()).isEqualTo(90);
        assertThat(updated.getPosition()).isEqualTo(a.getPosition());
        assertThat(queue.listClaims(ListClaimsRequest.getDefaultInstance()).getClaims(0).getId()).isEqualTo("a");

        final StatusRuntimeException unknownPath = catchError(() -> queue.updateClaim(UpdateClaimRequest.newBuilder()
            .setClaim(Claim.newBuilder().setId("a").setDemand(1))
            .setUpdateMask(FieldMask.newBuilder().addPaths("demand").addPaths("position"))
            .build()));
        assertThat(unknownPath.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(violations(unknownPath)).containsExactly("update_mask.paths[1]");

        final StatusRuntimeException floorAboveDemand =
            catchError(() -> queue.updateClaim(UpdateClaimRequest.newBuilder()
            .setClaim(Claim.newBuilder().setId("a").setFloor(80))
            .setUpdateMask(FieldMask.newBuilder().addPaths("floor"))
            .build()));
        assertThat(violations(floorAboveDemand)).containsExactly("claim.floor");

        assertThat(code(() -> queue.updateClaim(UpdateClaimRequest.newBuilder()
            .setClaim(claim("zzz", 5)).build()))).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    public void shouldRejectInvalidClaimsWithOneViolationPerField()
    {
        final StatusRuntimeException ex = catchError(() -> create(Claim.newBuilder()
            .setId("")
            .setTier(-1)
            .setWeight(-2)
            .setFloor(-3)
            .build()));
        assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(violations(ex)).contains("claim.id", "claim.demand", "claim.tier", "claim.weight", "claim.floor");

        assertThat(violations(catchError(() -> create(claim("x", 0))))).containsExactly("claim.demand");
        assertThat(violations(catchError(() -> create(claim("x", (1L << 62) + 1))))).containsExactly("claim.demand");
        assertThat(violations(catchError(() -> queue.createClaim(CreateClaimRequest.getDefaultInstance()))))
            .containsExactly("claim");
    }

    @Test
    public void shouldAnswerAlreadyExistsNotFoundAndResourceExhausted()
    {
        create(claim("a", 10));
        assertThat(code(() -> create(claim("a", 20)))).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(code(() -> queue.getClaim(GetClaimRequest.newBuilder().setId("nope").build())))
            .isEqualTo(Status.Code.NOT_FOUND);
        assertThat(code(() -> queue.getClaim(GetClaimRequest.getDefaultInstance())))
            .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(code(() -> queue.deleteClaim(DeleteClaimRequest.newBuilder().setId("nope").build())))
            .isEqualTo(Status.Code.NOT_FOUND);
        assertThat(code(() -> queue.getTranche(GetTrancheRequest.newBuilder().setNumber(1).build())))
            .isEqualTo(Status.Code.NOT_FOUND);
        assertThat(code(() -> queue.getTranche(GetTrancheRequest.newBuilder().setNumber(0).build())))
            .isEqualTo(Status.Code.INVALID_ARGUMENT);
        for (int i = 1; i < 10; i++)
        {
            create(claim("f" + i, 1));
        }
        assertThat(code(() -> create(claim("one-too-many", 1)))).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }

    @Test
    public void shouldDeleteClaim()
    {
        create(claim("a", 10));
        create(claim("b", 10));
        queue.deleteClaim(DeleteClaimRequest.newBuilder().setId("a").build());
        assertThat(queue.listClaims(ListClaimsRequest.getDefaultInstance()).getClaimsList())
            .extracting(Claim::getId).containsExactly("b");
    }

    @Test
    public void shouldReleaseTrancheLowerDemandsAndRemoveFilledClaims()
    {
        create(claim("a", 100));
        create(claim("b", 50).toBuilder().setFloor(20).build());
        create(claim("c", 80).toBuilder().setTier(1).build());
        final Tranche t = release("r1", 170, FIFO);
        assertThat(t.getNumber()).isEqualTo(1);
        assertThat(t.getRequestId()).isEqualTo("r1");
        assertThat(t.getSupply()).isEqualTo(170);
        assertThat(t.getPolicy()).isEqualTo(FIFO);
        assertThat(t.hasReleaseTime()).isTrue();
        assertThat(t.getAwardsList()).extracting(Award::getId).containsExactly("a", "b", "c");
        assertThat(t.getAwardsList()).extracting(Award::getUnits).containsExactly(100L, 50L, 20L);
        assertThat(t.getAwardsList()).extracting(Award::getUnmet).containsExactly(0L, 0L, 60L);
        assertThat(t.getAllocated()).isEqualTo(170);
        assertThat(t.getUnallocated()).isZero();

        final List<Claim> left = queue.listClaims(ListClaimsRequest.getDefaultInstance()).getClaimsList();
        assertThat(left).extracting(Claim::getId).containsExactly("c");
        assertThat(left.get(0).getDemand()).isEqualTo(60);
        assertThat(left.get(0).getAwarded()).isEqualTo(20);

        final Tranche second = release("r2", 1000, FIFO);
        assertThat(second.getNumber()).isEqualTo(2);
        assertThat(second.getAllocated()).isEqualTo(60);
        assertThat(second.getUnallocated()).isEqualTo(940);
        assertThat(queue.listClaims(ListClaimsRequest.getDefaultInstance()).getClaimsList()).isEmpty();
        assertThat(queue.getTranche(GetTrancheRequest.newBuilder().setNumber(1).build())).isEqualTo(t);
    }

    @Test
    public void shouldReturnRecordedTrancheWhenRequestIdRepeats()
    {
        create(claim("a", 100));
        final Tranche first = release("same", 30, FIFO);
        final Tranche again = release("same", 30, FIFO);
        assertThat(again).isEqualTo(first);
        assertThat(queue.getClaim(GetClaimRequest.newBuilder().setId("a").build()).getDemand()).isEqualTo(70);
        assertThat(queue.listTranches(ListTranchesRequest.getDefaultInstance()).getTranchesCount()).isEqualTo(1);

        assertThat(code(() -> release("same", 31, FIFO))).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(code(() -> release("same", 30, FIFO.toBuilder().setLot(2).build())))
            .isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(violations(catchError(() -> release("", 30, FIFO)))).containsExactly("request_id");
    }

    @Test
    public void shouldRejectBadPolicyAsInvalidArgumentAndBadQueueAsFailedPrecondition()
    {
        create(claim("a", 100).toBuilder().setFloor(100).build());
        final StatusRuntimeException bad = catchError(() -> release("r", -5, Policy.getDefaultInstance()));
        assertThat(bad.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(violations(bad)).contains("supply", "policy.method");
        // A share limit of 5% of 1000 = 50 units is below the claim's floor of 100: the queue, not the request, is at
        // fault.
        final StatusRuntimeException precondition = catchError(() ->
            release("r", 1000, FIFO.toBuilder().setMaxSharePpm(50_000).build()));
        assertThat(precondition.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        // The kernel names claims[0]; the queue names the claim by its id.
        assertThat(precondition.getStatus().getDescription()).isEqualTo("the queue cannot be allocated under this " +
            "policy: claim \"a\".floor floor 100 (100 in lots of 1) exceeds the claim's bound 50 = min(demand 100, " +
            "cap none, share limit 50) rounded down to the lot");
        assertThat(queue.listTranches(ListTranchesRequest.getDefaultInstance()).getTranchesCount()).isZero();
    }

    @Test
    public void shouldPageTranches()
    {
        create(claim("a", 1000));
        for (int i = 1; i <= 5; i++)
        {
            release("r" + i, 1, FIFO);
        }
        final ListTranchesResponse first = queue.listTranches(ListTranchesRequest.newBuilder().setPageSize(2).build());
        assertThat(first.getTranchesList()).extracting(Tranche::getNumber).containsExactly(1L, 2L);
        final ListTranchesResponse second = queue.listTranches(
            ListTranchesRequest.newBuilder().setPageSize(2).setPageToken(first.getNextPageToken()).build());
        assertThat(second.getTranchesList()).extracting(Tranche::getNumber).containsExactly(3L, 4L);
        final ListTranchesResponse third = queue.listTranches(
            ListTranchesRequest.newBuilder().setPageSize(2).setPageToken(second.getNextPageToken()).build());
        assertThat(third.getTranchesList()).extracting(Tranche::getNumber).containsExactly(5L);
        assertThat(third.getNextPageToken()).isEmpty();
        // A claims token is not a tranches token.
        final ListClaimsResponse claims = queue.listClaims(ListClaimsRequest.newBuilder().setPageSize(1).build());
        create(claim("b", 1));
        final String claimsToken =
            queue.listClaims(ListClaimsRequest.newBuilder().setPageSize(1).build()).getNextPageToken();
        assertThat(claims.getClaimsCount()).isEqualTo(1);
        assertThat(code(() -> queue.listTranches(ListTranchesRequest.newBuilder().setPageToken(claimsToken).build())))
            .isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    @Test
    public void shouldEndATranchePageBeforeItPassesTwoMebibytes() throws Exception
    {
        // 2,000 claims, 30 tranches of about 90 KB: the default page of 50 would be 2.7 MB, which a client with
        // gRPC's default 4 MiB limit still reads, but a page of 1,000 such tranches would not.
        try (TestServer big = TestServer.start(TestServer.config(dir.resolve("big")).maxQueue(2000)))
        {
            for (int i = 0; i < 2000; i++)
            {
                big.queue().createClaim(CreateClaimRequest.newBuilder().setClaim(claim("firm-" + i, 1_000_000))
                    .build());
            }
            for (int k = 1; k <= 30; k++)
            {
                big.queue().releaseTranche(ReleaseTrancheRequest.newBuilder().setRequestId("big-" + k)
                    .setSupply(2000).setPolicy(Policy.newBuilder().setMethod(Method.EQUAL)).build());
            }
            final List<Long> numbers = new ArrayList<>();
            String token = "";
            int pages = 0;
            do
            {
                final ListTranchesResponse page = big.queue().listTranches(ListTranchesRequest.newBuilder()
                    .setPageSize(1000).setPageToken(token).build());
                assertThat(page.getSerializedSize()).isLessThanOrEqualTo(QueueServiceImpl.PAGE_BYTES + 64);
                assertThat(page.getTranchesCount()).isPositive();
                page.getTranchesList().forEach(t -> numbers.add(t.getNumber()));
                token = page.getNextPageToken();
                pages++;
            }
            while (!token.isEmpty());
            assertThat(pages).isGreaterThan(1);
            assertThat(numbers).hasSize(30).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    public void shouldStreamRecordedThenLiveTranchesAndEndOnCancelAndShutdown() throws Exception
    {
        create(claim("a", 1000));
        release("r1", 1, FIFO);
        release("r2", 2, FIFO);
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        final io.grpc.Context.CancellableContext cancellable = io.grpc.Context.current().withCancellation();
        cancellable.run(() -> server.queueAsync().watchTranches(
            WatchTranchesRequest.newBuilder().setAfterNumber(1).build(), recorder(events)));
        assertThat(((Tranche)events.poll(10, TimeUnit.SECONDS)).getNumber()).isEqualTo(2);
        release("r3", 3, FIFO);
        assertThat(((Tranche)events.poll(10, TimeUnit.SECONDS)).getNumber()).isEqualTo(3);

        cancellable.cancel(null);
        final Object end = events.poll(10, TimeUnit.SECONDS);
        assertThat(end).isInstanceOf(StatusRuntimeException.class);
        assertThat(((StatusRuntimeException)end).getStatus().getCode()).isEqualTo(Status.Code.CANCELLED);

        // A second watcher from 0 gets all three, then the server's shutdown ends its stream.
        final BlockingQueue<Object> second = new LinkedBlockingQueue<>();
        server.queueAsync().watchTranches(WatchTranchesRequest.getDefaultInstance(), recorder(second));
        for (long n = 1; n <= 3; n++)
        {
            assertThat(((Tranche)second.poll(10, TimeUnit.SECONDS)).getNumber()).isEqualTo(n);
        }
        server.server.close();
        final Object shutdown = second.poll(10, TimeUnit.SECONDS);
        assertThat(shutdown).isInstanceOf(StatusRuntimeException.class);
        assertThat(((StatusRuntimeException)shutdown).getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }

    @Test
    public void shouldNotLetASlowWatcherBlockTheWriter() throws Exception
    {
        server.close();
        server = TestServer.start(TestServer.config(dir.resolve("slow")).maxQueue(1000));
        queue = server.queue();
        for (int i = 0; i < 400; i++)
        {
            create(claim("a-claim-with-a-longish-identifier-" + i, 1_000_000));
        }
        // A watcher that asks for one message and then reads nothing: its flow-control window fills up.
        final BlockingQueue<Tranche> received = new LinkedBlockingQueue<>();
        final io.grpc.ClientCall<WatchTranchesRequest, Tranche> call = server.channel.newCall(
            QueueServiceGrpc.getWatchTranchesMethod(), io.grpc.CallOptions.DEFAULT);
        call.start(new io.grpc.ClientCall.Listener<>()
        {
            @Override
            public void onMessage(final Tranche message)
            {
                received.add(message);
            }
        }, new io.grpc.Metadata());
        call.sendMessage(WatchTranchesRequest.getDefaultInstance());
        call.halfClose();
        call.request(1);
        // Each tranche carries 400 awards (~20 KB): 100 of them are far beyond the 64 KiB window.
        for (int i = 1; i <= 100; i++)
        {
            assertThat(release("slow-" + i, 400, FIFO.toBuilder().setMethod(Method.EQUAL).build()).getNumber())
                .isEqualTo(i);
        }
        assertThat(received.poll(10, TimeUnit.SECONDS).getNumber()).isEqualTo(1);
        call.request(1000);
        for (long n = 2; n <= 100; n++)
        {
            final Tranche t = received.poll(10, TimeUnit.SECONDS);
            assertThat(t).as("tranche " + n).isNotNull();
            assertThat(t.getNumber()).isEqualTo(n);
        }
        call.cancel("done", null);
    }

    @Test
    public void shouldRejectNegativeAfterNumber() throws Exception
    {
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        server.queueAsync()
            .watchTranches(WatchTranchesRequest.newBuilder().setAfterNumber(-1).build(), recorder(events));
        final Object end = events.poll(10, TimeUnit.SECONDS);
        assertThat(((StatusRuntimeException)end).getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    @Test
    public void shouldDropCallsWhoseDeadlineHasPassed()
    {
        assertThatThrownBy(() -> queue.withDeadlineAfter(1, TimeUnit.NANOSECONDS).createClaim(
            CreateClaimRequest.newBuilder().setClaim(claim("late", 5)).build()))
            .isInstanceOf(StatusRuntimeException.class)
            .extracting(ex -> ((StatusRuntimeException)ex).getStatus().getCode())
            .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(code(() -> queue.getClaim(GetClaimRequest.newBuilder().setId("late").build())))
            .isEqualTo(Status.Code.NOT_FOUND);
    }

    public static StreamObserver<Tranche> recorder(final BlockingQueue<Object> events)
    {
        return new StreamObserver<>()
        {
            @Override
            public void onNext(final Tranche value)
            {
                events.add(value);
            }

            @Override
            public void onError(final Throwable t)
            {
                events.add(t);
            }

            @Override
            public void onCompleted()
            {
                events.add("completed");
            }
        };
    }

    public static StatusRuntimeException catchError(final Runnable call)
    {
        try
        {
            call.run();
        }
        catch (final StatusRuntimeException ex)
        {
            return ex;
        }
        throw new AssertionError("expected a StatusRuntimeException");
    }
}
