package io.tranche.server.state;

import io.tranche.proto.v1.CreateClaimRequest;
import io.tranche.proto.v1.DeleteClaimRequest;
import io.tranche.proto.v1.ReleaseTrancheRequest;
import io.tranche.proto.v1.Tranche;
import io.tranche.proto.v1.UpdateClaimRequest;
import java.io.IOException;

/**
 * One mutation of the queue: what a client asked for, or (for a release replayed from a log) what it
 * produced. Its encoding is the journal record: {@link #type()} and {@link #encode()}, read back by
 * {@link #decode}. A release is journaled as its {@link RecordTranche} so that replay never depends on
 * the kernel build that computed it.
 */
public sealed interface Command
    permits Command.CreateClaim, Command.UpdateClaim, Command.DeleteClaim, Command.ReleaseTranche,
    Command.RecordTranche
{
    /** Type of {@link CreateClaim}. */
    byte CREATE_CLAIM = 1;
    /** Type of {@link UpdateClaim}. */
    byte UPDATE_CLAIM = 2;
    /** Type of {@link DeleteClaim}. */
    byte DELETE_CLAIM = 3;
    /** Type of {@link ReleaseTranche}. */
    byte RELEASE_TRANCHE = 4;
    /** Type of {@link RecordTranche}. */
    byte RECORD_TRANCHE = 5;

    /** @return the record type. */
    byte type();

    /** @return the record payload. */
    byte[] encode();

    /** @return who asked for it: a principal's name, never a credential; "" when unknown. */
    String principal();

    /**
     * @param type    record type.
     * @param payload record payload.
     * @return the command.
     * @throws IOException when the payload does not parse or the type is unknown.
     */
    static Command decode(final byte type, final byte[] payload) throws IOException
    {
        switch (type)
        {
            case CREATE_CLAIM:
                return new CreateClaim(CreateClaimRequest.parseFrom(payload));
            case UPDATE_CLAIM:
                return new UpdateClaim(UpdateClaimRequest.parseFrom(payload));
            case DELETE_CLAIM:
                return new DeleteClaim(DeleteClaimRequest.parseFrom(payload));
            case RELEASE_TRANCHE:
                return new ReleaseTranche(ReleaseTrancheRequest.parseFrom(payload));
            case RECORD_TRANCHE:
                return new RecordTranche(Tranche.parseFrom(payload));
            default:
                throw new IOException("unknown command type=" + type);
        }
    }

    /** @param request the request. @param principal who asked for it ("" when unknown). */
    record CreateClaim(CreateClaimRequest request, String principal) implements Command
    {
        /** @param request the request, from no one known (a record written before names were kept). */
        public CreateClaim(final CreateClaimRequest request)
        {
            this(request, "");
        }

        @Override
        public byte type()
        {
            return CREATE_CLAIM;
        }

        @Override
        public byte[] encode()
        {
            return request.toByteArray();
        }
    }

    /** @param request the request. @param principal who asked for it ("" when unknown). */
    record UpdateClaim(UpdateClaimRequest request, String principal) implements Command
    {
        /** @param request the request, from no one known (a record written before names were kept). */
        public UpdateClaim(final UpdateClaimRequest request)
        {
            this(request, "");
        }

        @Override
        public byte type()
        {
            return UPDATE_CLAIM;
        }

        @Override
        public byte[] encode()
        {
            return request.toByteArray();
        }
    }

    /** @param request the request. @param principal who asked for it ("" when unknown). */
    record DeleteClaim(DeleteClaimRequest request, String principal) implements Command
    {
        /** @param request the request, from no one known (a record written before names were kept). */
        public DeleteClaim(final DeleteClaimRequest request)
        {
            this(request, "");
        }

        @Override
        public byte type()
        {
            return DELETE_CLAIM;
        }

        @Override
        public byte[] encode()
        {
            return request.toByteArray();
        }
    }

    /**
     * @param request   the request (validate_only and explain are honoured by the state machine).
     * @param principal who asked for it ("" when unknown).
     */
    record ReleaseTranche(ReleaseTrancheRequest request, String principal) implements Command
    {
        /** @param request the request, from no one known (a record written before names were kept). */
        public ReleaseTranche(final ReleaseTrancheRequest request)
        {
            this(request, "");
        }

        @Override
        public byte type()
        {
            return RELEASE_TRANCHE;
        }

        @Override
        public byte[] encode()
        {
            return request.toByteArray();
        }
    }

    /**
     * @param tranche   a tranche as released, replayed without the kernel.
     * @param principal who released it ("" when unknown; the tranche's released_by says the same).
     */
    record RecordTranche(Tranche tranche, String principal) implements Command
    {
        /** @param tranche a tranche as released, by no one known. */
        public RecordTranche(final Tranche tranche)
        {
            this(tranche, "");
        }

        @Override
        public byte type()
        {
            return RECORD_TRANCHE;
        }

        @Override
        public byte[] encode()
        {
            return tranche.toByteArray();
        }
    }
}
