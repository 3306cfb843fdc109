package io.tranche.server.grpc;

import com.google.protobuf.ByteString;
import com.google.rpc.Code;
import io.grpc.stub.StreamObserver;
import io.tranche.proto.v1.AwardProof;
import io.tranche.proto.v1.Checkpoint;
import io.tranche.proto.v1.ConsistencyProof;
import io.tranche.proto.v1.GetCheckpointRequest;
import io.tranche.proto.v1.GetConsistencyProofRequest;
import io.tranche.proto.v1.GetInclusionProofRequest;
import io.tranche.proto.v1.InclusionProof;
import io.tranche.proto.v1.LedgerServiceGrpc;
import io.tranche.proto.v1.ListLeafHashesRequest;
import io.tranche.proto.v1.ListLeafHashesResponse;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.merkle.LedgerKey;
import io.tranche.server.merkle.LedgerLeaves;
import io.tranche.server.merkle.MerkleLog;
import io.tranche.server.merkle.Rfc9162;
import io.tranche.server.state.CommandLog;
import io.tranche.server.state.Ledger;
import io.tranche.server.status.Errors;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * {@code LedgerService}: the ledger's signed checkpoints and its proofs, read from the tree's files (O(log n) stored
 * hashes a proof) on the calling thread, at sizes the log has made durable. Each answer carries the checkpoint it
 * proves against, signed with the data directory's {@link LedgerKey}.
 */
public final class LedgerServiceImpl extends LedgerServiceGrpc.LedgerServiceImplBase
{
    /** Leaf hashes a ListLeafHashes call returns when it asks for 0. */
    public static final int DEFAULT_LEAF_HASHES = 1000;
    /** The most leaf hashes one call returns. */
    public static final int MAX_LEAF_HASHES = 10_000;

    private final CommandLog log;
    private final LedgerKey key;
    private volatile Checkpoint latest = Checkpoint.getDefaultInstance();

    /**
     * @param log the state's command log (its ledger holds the tree).
     * @param key the signing key.
     */
    public LedgerServiceImpl(final CommandLog log, final LedgerKey key)
    {
        this.log = log;
        this.key = key;
    }

    @Override
    public void getCheckpoint(final GetCheckpointRequest request, final StreamObserver<Checkpoint> observer)
    {
        try
        {
            observer.onNext(checkpoint(log.ledger().tree().durableSize()));
            observer.onCompleted();
        }
        catch (final IOException ex)
        {
            observer.onError(unreadable(ex));
        }
    }

    /**
     * @param size a durable tree size.
     * @return the checkpoint at that size, signed.
     * @throws IOException when the tree cannot be read.
     */
    Checkpoint checkpoint(final long size) throws IOException
    {
        final Checkpoint cached = latest;
        if (cached.getTreeSize() == size && !cached.getNote().isEmpty())
        {
            return cached;
        }
        final byte[] root = log.ledger().tree().rootAt(size);
        final io.tranche.server.merkle.Checkpoint text =
            new io.tranche.server.merkle.Checkpoint(key.name(), size, root);
        final Checkpoint signed = Checkpoint.newBuilder()
            .setNote(text.sign(key))
            .setVerifierKey(key.verifier().toString())
            .setOrigin(key.name())
            .setTreeSize(size)
            .setRootHash(ByteString.copyFrom(root))
            .build();
        if (size >= cached.getTreeSize())
        {
            latest = signed;
        }
        return signed;
    }

    @Override
    public void getInclusionProof(final GetInclusionProofRequest request, final StreamObserver<InclusionProof> observer)
    {
        final Ledger ledger = log.ledger();
        final MerkleLog tree = ledger.tree();
        final long durable = tree.durableSize();
        final long size = request.getTreeSize() == 0 ? durable : request.getTreeSize();
        final com.google.rpc.Status bad = checkInclusion(request, size, durable);
        if (bad != null)
        {
            observer.onError(Errors.toException(bad));
            return;
        }
        final io.tranche.server.auth.Principal principal = AuthInterceptor.principal();
        if (principal.scoped() && !(request.hasAward() && principal.reaches(request.getAward().getClaimId())))
        {
            // A firm proves its own awards only: a leaf by index may be another firm's claim change.
            observer.onError(Errors.toException(Errors.status(Code.PERMISSION_DENIED, "a claimant may ask for the " +
                "inclusion proof of its own awards only (award with a claim id among the claims of this credential, " +
                principal.describe() + ")")));
            return;
        }
        try
        {
            final InclusionProof.Builder proof = InclusionProof.newBuilder().setTreeSize(size);
            final long index;
            if (request.hasAward())
            {
                final long number = request.getAward().getTranche();
                if (number > ledger.durableCount())
                {
                    observer.onError(Errors.toException(Errors.notFound("tranche " + number + " has not been " +
                        "released (" + ledger.durableCount() + " so far)")));
                    return;
                }
                index = ledger.leafIndex(number);
                final com.google.rpc.Status award =
                    awardProof(ledger.get(number), request.getAward().getClaimId(), index, tree, proof);
                if (award != null)
                {
                    observer.onError(Errors.toException(award));
                    return;
                }
            }
            else
            {
                index = request.getLeafIndex();
                proof.setLeaf(ByteString.copyFrom(tree.leaf(index)));
            }
            if (index >= size)
            {
                observer.onError(Errors.toException(Errors.notFound("leaf " + index + " is not in the tree at size " +
                    size + "; ask at a larger tree_size (0 = the current one)")));
                return;
            }
            for (final byte[] hash : tree.inclusionProof(index, size))
            {
                proof.addAuditPath(ByteString.copyFrom(hash));
            }
            observer.onNext(proof.setLeafIndex(index).setCheckpoint(checkpoint(size)).build());
            observer.onCompleted();
        }
        catch (final IOException ex)
        {
            observer.onError(unreadable(ex));
        }
        catch (final Ledger.LedgerException ex)
        {
            observer.onError(Errors.toException(Errors.status(Code.DATA_LOSS, ex.getMessage())));
        }
    }

    private static com.google.rpc.Status checkInclusion(final GetInclusionProofRequest request, final long size,
        final long durable)
    {
        if (request.getTreeSize() < 0)
        {
            return Errors.invalidArgument("tree_size", "must be >= 0 (0 = the current size), was " +
                request.getTreeSize());
        }
        if (size > durable)
        {
            return Errors.notFound("tree_size " + size + " is beyond the tree, which holds " + durable + " leaves");
        }
        switch (request.getLeafCase())
        {
            case AWARD:
                if (request.getAward().getTranche() < 1)
                {
                    return Errors.invalidArgument("award.tranche", "must be >= 1, was " +
                        request.getAward().getTranche());
                }
                if (request.getAward().getClaimId().isEmpty())
                {
                    return Errors.invalidArgument("award.claim_id", "must not be empty");
                }
                return null;
            case LEAF_INDEX:
                if (request.getLeafIndex() < 0)
                {
                    return Errors.invalidArgument("leaf_index", "must be >= 0, was " + request.getLeafIndex());
                }
                return request.getLeafIndex() >= size ? Errors.notFound("leaf " + request.getLeafIndex() +
                    " is not in the tree at size " + size) : null;
            default:
                return Errors.invalidArgument("leaf", "give award (tranche and claim_id) or leaf_index");
        }
    }

    // The tranche's leaf, checked against the tree's copy, and the award's path in the tranche's award tree.
    private static com.google.rpc.Status awardProof(
        final Tranche tranche, final String claimId, final long index, final MerkleLog tree,
        final InclusionProof.Builder proof) throws IOException
    {
        int award = -1;
        for (int i = 0; i < tranche.getAwardsCount() && award < 0; i++)
        {
            if (tranche.getAwards(i).getId().equals(claimId))
            {
                award = i;
            }
        }
        if (award < 0)
        {
            return Errors.notFound("claim \"" + claimId + "\" has no award in tranche " + tranche.getNumber());
        }
        final byte[] leaf = tree.leaf(index);
        final byte[] expected = LedgerLeaves.trancheLeaf(Rfc9162.newSha256(), tranche).toByteArray();
        if (!Arrays.equals(leaf, expected))
        {
            return Errors.status(Code.DATA_LOSS, "tranche " + tranche.getNumber() + " as recorded does not match its " +
                "leaf " + index + " in the ledger's tree: the journal or the tree's files were altered");
        }
        final List<byte[]> hashes = LedgerLeaves.awardLeafHashes(Rfc9162.newSha256(), tranche);
        final AwardProof.Builder awardProof = AwardProof.newBuilder()
            .setAwardIndex(award)
            .setAwardCount(tranche.getAwardsCount())
            .setAwardLeaf(ByteString.copyFrom(LedgerLeaves.awardLeaf(tranche.getAwards(award))));
        for (final byte[] hash : Rfc9162.inclusionPath(award, hashes))
        {
            awardProof.addAuditPath(ByteString.copyFrom(hash));
        }
        proof.setLeaf(ByteString.copyFrom(leaf)).setAward(awardProof);
        return null;
    }

    @Override
    public void getConsistencyProof(
        final GetConsistencyProofRequest request, final StreamObserver<ConsistencyProof> observer)
    {
        final MerkleLog tree = log.ledger().tree();
        final long durable = tree.durableSize();
        final long to = request.getToSize() == 0 ? durable : request.getToSize();
        if (request.getFromSize() < 0 || request.getToSize() < 0)
        {
            observer.onError(Errors.toException(Errors.invalidArgument(request.getFromSize() < 0 ? "from_size" :
                "to_size", "must be >= 0, was " + Math.min(request.getFromSize(), request.getToSize()))));
            return;
        }
        if (to > durable)
        {
            observer.onError(Errors.toException(Errors.notFound("to_size " + to + " is beyond the tree, which " +
                "holds " + durable + " leaves")));
            return;
        }
        if (request.getFromSize() > to)
        {
            observer.onError(Errors.toException(Errors.invalidArgument("from_size", "must be <= to_size " + to +
                ", was " + request.getFromSize() + " (a tree cannot shrink)")));
            return;
        }
        try
        {
            final ConsistencyProof.Builder proof = ConsistencyProof.newBuilder()
                .setFromSize(request.getFromSize()).setToSize(to);
            for (final byte[] hash : tree.consistencyProof(request.getFromSize(), to))
            {
                proof.addPath(ByteString.copyFrom(hash));
            }
            observer.onNext(proof.setCheckpoint(checkpoint(to)).build());
            observer.onCompleted();
        }
        catch (final IOException ex)
        {
            observer.onError(unreadable(ex));
        }
    }

    @Override
    public void listLeafHashes(
        final ListLeafHashesRequest request, final StreamObserver<ListLeafHashesResponse> observer)
    {
        final MerkleLog tree = log.ledger().tree();
        final long durable = tree.durableSize();
        final long size = request.getTreeSize() == 0 ? durable : request.getTreeSize();
        if (request.getStartIndex() < 0 || request.getCount() < 0 || request.getTreeSize() < 0)
        {
            final String field = request.getStartIndex() < 0 ? "start_index" : request.getCount() < 0 ? "count" :
                "tree_size";
            observer.onError(Errors.toException(Errors.invalidArgument(field, "must be >= 0")));
            return;
        }
        if (size > durable)
        {
            observer.onError(Errors.toException(Errors.notFound("tree_size " + size + " is beyond the tree, which " +
                "holds " + durable + " leaves")));
            return;
        }
        final int count = request.getCount() == 0 ? DEFAULT_LEAF_HASHES : Math.min(request.getCount(), MAX_LEAF_HASHES);
        final ListLeafHashesResponse.Builder response = ListLeafHashesResponse.newBuilder()
            .setStartIndex(request.getStartIndex());
        try
        {
            for (long i = request.getStartIndex(); i < size && i < request.getStartIndex() + count; i++)
            {
                response.addLeafHashes(ByteString.copyFrom(tree.leafHash(i)));
            }
        }
        catch (final IOException ex)
        {
            observer.onError(unreadable(ex));
            return;
        }
        observer.onNext(response.build());
        observer.onCompleted();
    }

    private static io.grpc.StatusRuntimeException unreadable(final IOException ex)
    {
        return Errors.toException(Errors.status(Code.DATA_LOSS, "the ledger's tree cannot be read: " +
            ex.getMessage()));
    }
}
