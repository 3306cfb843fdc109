package io.tranche.server.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.DeleteClaimRequest;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.proto.v1.UpdateClaimRequest;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QueueStateTest
{
    private static final Policy FIFO = Policy.newBuilder().setMethod(Method.FIFO).build();

    private static QueueState.Outcome create(final QueueState state, final String id, final long demand)
    {
        return state.apply(QueueState.CREATE_CLAIM, 0,
            CreateClaimRequest.newBuilder().setClaim(Claim.newBuilder().setId(id).setDemand(demand)).build());
    }

    @Test
    void shouldReplayARecordedTrancheWithoutRunningTheKernelAgain()
    {
        final QueueState state = new QueueState();
        create(state, "a", 100);
        create(state, "b", 100);
        // FIFO would give a:70 b:0; the record says otherwise and the record wins.
        final Tranche recorded = Tranche.newBuilder().setNumber(1).setRequestId("r").setSupply(70).setPolicy(FIFO)
            .addAwards(Award.newBuilder().setId("a").setUnits(10).setUnmet(90))
            .addAwards(Award.newBuilder().setId("b").setUnits(60).setUnmet(40))
            .setAllocated(70).build();
        assertThat(state.apply(QueueState.RECORD_TRANCHE, 0, recorded).mutated).isTrue();
        assertThat(state.claim("a").getDemand()).isEqualTo(90);
        assertThat(state.claim("b").getDemand()).isEqualTo(40);
        assertThat(state.claim("b").getAwarded()).isEqualTo(60);
        assertThat(state.tranche(1)).isEqualTo(recorded);
    }

    @Test
    void shouldRefuseARecordedTrancheThatDoesNotFitTheQueue()
    {
        final QueueState state = new QueueState();
        create(state, "a", 100);
        final Tranche wrongNumber = Tranche.newBuilder().setNumber(2).setRequestId("r")
            .addAwards(Award.newBuilder().setId("a").setUnits(1)).build();
        assertThat(state.apply(QueueState.RECORD_TRANCHE, 0, wrongNumber).mutated).isFalse();
        final Tranche wrongId = wrongNumber.toBuilder().setNumber(1).setAwards(0, Award.newBuilder().setId("x")).build();
        assertThat(state.apply(QueueState.RECORD_TRANCHE, 0, wrongId).mutated).isFalse();
        final Tranche tooMuch = wrongNumber.toBuilder().setNumber(1)
            .setAwards(0, Award.newBuilder().setId("a").setUnits(101)).build();
        assertThat(state.apply(QueueState.RECORD_TRANCHE, 0, tooMuch).mutated).isFalse();
        assertThat(state.trancheCount()).isZero();
        assertThat(state.claim("a").getDemand()).isEqualTo(100);
    }

    @Test
    void shouldBeADeterministicFunctionOfItsCommands() throws IOException
    {
        final Random random = new Random(42);
        final List<Object[]> log = new ArrayList<>();
        final QueueState first = new QueueState();
        for (int i = 0; i < 400; i++)
        {
            final byte type;
            final com.google.protobuf.Message request;
            switch (random.nextInt(4))
            {
                case 0:
                    type = QueueState.UPDATE_CLAIM;
                    request = UpdateClaimRequest.newBuilder()
                        .setClaim(Claim.newBuilder().setId("c" + random.nextInt(60)).setDemand(1 + random.nextInt(500))
                            .setTier(random.nextInt(3)))
                        .setUpdateMask(FieldMask.newBuilder().addPaths("demand").addPaths("tier")).build();
                    break;
                case 1:
                    type = QueueState.DELETE_CLAIM;
                    request = DeleteClaimRequest.newBuilder().setId("c" + random.nextInt(60)).build();
                    break;
                case 2:
                    type = QueueState.RELEASE_TRANCHE;
                    request = ReleaseTrancheRequest.newBuilder().setRequestId("r" + random.nextInt(100))
                        .setSupply(random.nextInt(2000)).setPolicy(Policy.newBuilder()
                            .setMethod(random.nextBoolean() ? Method.FIFO : Method.EQUAL).setLot(1 + random.nextInt(3)))
                        .build();
                    break;
                default:
                    type = QueueState.CREATE_CLAIM;
                    request = CreateClaimRequest.newBuilder().setClaim(Claim.newBuilder().setId("c" + random.nextInt(60))
                        .setDemand(1 + random.nextInt(1000)).setFloor(random.nextInt(3))).build();
                    break;
            }
            final QueueState.Outcome outcome = first.apply(type, 1_000_000L * i, request);
            if (outcome.mutated)
            {
                // As the writer journals it: a release as its recorded tranche.
                log.add(type == QueueState.RELEASE_TRANCHE ?
                    new Object[] {QueueState.RECORD_TRANCHE, 1_000_000L * i, outcome.response} :
                    new Object[] {type, 1_000_000L * i, request});
            }
            else
            {
                assertThat(outcome.error == null).as("unchanged state only for a repeated release").isEqualTo(
                    type == QueueState.RELEASE_TRANCHE && outcome.response != null);
            }
        }
        assertThat(first.trancheCount()).isPositive();
        final QueueState second = new QueueState();
        for (final Object[] entry : log)
        {
            assertThat(second.apply((Byte)entry[0], (Long)entry[1], (com.google.protobuf.Message)entry[2]).mutated).isTrue();
        }
        assertThat(bytes(second)).isEqualTo(bytes(first));
        assertThat(second.outstandingDemand()).isEqualTo(first.outstandingDemand());
    }

    private static byte[] bytes(final QueueState state) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        state.writeTo(new DataOutputStream(out));
        return out.toByteArray();
    }
}
