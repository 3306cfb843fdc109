package io.tranche.server.cluster;

import io.aeron.cluster.service.Cluster;
import io.grpc.stub.StreamObserver;
import io.tranche.proto.v1.ClusterServiceGrpc;
import io.tranche.proto.v1.ClusterStatus;
import io.tranche.proto.v1.GetClusterStatusRequest;
import io.tranche.server.state.CommandLog;

/**
 * {@code tranche.v1.ClusterService}: one member's role, term, commit and applied positions and snapshot
 * progress, read from its consensus module's counters and its service; no call goes through the log.
 */
public final class ClusterStatusService extends ClusterServiceGrpc.ClusterServiceImplBase
{
    private final ClusterNode node;
    private final CommandLog log;

    /**
     * @param node this member.
     * @param log  its command log (for why it does not take writes).
     */
    public ClusterStatusService(final ClusterNode node, final CommandLog log)
    {
        this.node = node;
        this.log = log;
    }

    @Override
    public void getClusterStatus(final GetClusterStatusRequest request, final StreamObserver<ClusterStatus> reply)
    {
        reply.onNext(status(node, log));
        reply.onCompleted();
    }

    /**
     * @param node a member.
     * @param log  its command log, or null.
     * @return its status now.
     */
    public static ClusterStatus status(final ClusterNode node, final CommandLog log)
    {
        final QueueClusteredService service = node.service();
        final String failure = log == null ? null : log.failure();
        return ClusterStatus.newBuilder()
            .setNodeId(node.self().id())
            .setMembers(node.members().size())
            .setRole(role(node.role()))
            .setLeadershipTermId(node.leadershipTermId())
            .setCommitPosition(node.commitPosition())
            .setAppliedPosition(service.processedPosition())
            .setSnapshotPosition(service.snapshotPosition())
            .setCommandsSinceSnapshot(service.commandsSinceSnapshot())
            .setSnapshots(Math.max(0, node.snapshotCount()))
            .setTranches(service.ledger().durableCount())
            .setFailure(failure == null ? "" : failure)
            .setCheckpointPosition(service.lastCheckpointPosition())
            .setCheckpointSha256(service.lastCheckpointSha256())
            .setDiverged(service.diverged() != null)
            .setRejectedCommands(service.rejectedCommands())
            .setCheckpointsMatched(service.checkpointsMatched())
            .setLastSnapshotMillis((service.lastSnapshotNanos() + 999_999) / 1_000_000)
            .build();
    }

    /**
     * @param role an Aeron role, or null.
     * @return the proto role.
     */
    public static ClusterStatus.Role role(final Cluster.Role role)
    {
        if (role == null)
        {
            return ClusterStatus.Role.ROLE_UNSPECIFIED;
        }
        switch (role)
        {
            case LEADER:
                return ClusterStatus.Role.LEADER;
            case CANDIDATE:
                return ClusterStatus.Role.CANDIDATE;
            default:
                return ClusterStatus.Role.FOLLOWER;
        }
    }
}
