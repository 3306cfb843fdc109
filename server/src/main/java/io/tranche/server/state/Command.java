package io.tranche.server.state;

import com.google.protobuf.Message;
import io.tranche.proto.v1.AttributedCommand;
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
 * <p>
 * A command names who asked for it ({@link #principal()}); with a name, its type carries {@link #ATTRIBUTED} and
 * its payload is an {@code AttributedCommand} (the name and the command's own encoding), so that the journal and
 * the cluster's log record the name with the command. Records written before names were kept have neither and
 * decode with the name "".
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
    /** Added to a type when the payload is an {@code AttributedCommand} (the command with its principal). */
    byte ATTRIBUTED = 0x10;

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
        byte[] bytes = payload;
        String principal = "";
        if ((type & ATTRIBUTED) != 0)
        {
            final AttributedCommand attributed = AttributedCommand.parseFrom(payload);
            principal = attributed.getPrincipal();
            bytes = attributed.getCommand().toByteArray();
        }
        switch (type & ~ATTRIBUTED)
        {
            case CREATE_CLAIM:
                return new CreateClaim(CreateClaimRequest.parseFrom(bytes), principal);
            case UPDATE_CLAIM:
                return new UpdateClaim(UpdateClaimRequest.parseFrom(bytes), principal);
            case DELETE_CLAIM:
                return new DeleteClaim(DeleteClaimRequest.parseFrom(bytes), principal);
            case RELEASE_TRANCHE:
                return new ReleaseTranche(ReleaseTrancheRequest.parseFrom(bytes), principal);
            case RECORD_TRANCHE:
                return new RecordTranche(Tranche.parseFrom(bytes), principal);
            default:
                throw new IOException("unknown command type=" + type);
        }
    }

    /**
     * @param type a record or ingress type.
     * @return true for the commands a client may send (create, update, delete, release; named or not), false for a
     *         recorded tranche and anything else.
     */
    static boolean isClientCommand(final byte type)
    {
        final int base = type & ~ATTRIBUTED;
        return (type & 0xE0) == 0 && base >= CREATE_CLAIM && base <= RELEASE_TRANCHE;
    }

    /**
     * @param base      a command's type without {@link #ATTRIBUTED}.
     * @param principal who asked for it.
     * @return the record's type.
     */
    private static byte type(final byte base, final String principal)
    {
        return principal.isEmpty() ? base : (byte)(base | ATTRIBUTED);
    }

    /**
     * @param message   the command's own message.
     * @param principal who asked for it.
     * @return the record's payload.
     */
    private static byte[] encode(final Message message, final String principal)
    {
        if (principal.isEmpty())
        {
            return message.toByteArray();
        }
        return AttributedCommand.newBuilder().setPrincipal(principal).setCommand(message.toByteString()).build()
            .toByteArray();
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
            return Command.type(CREATE_CLAIM, principal);
        }

        @Override
        public byte[] encode()
        {
            return Command.encode(request, principal);
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
            return Command.type(UPDATE_CLAIM, principal);
        }

        @Override
        public byte[] encode()
        {
            return Command.encode(request, principal);
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
            return Command.type(DELETE_CLAIM, principal);
        }

        @Override
        public byte[] encode()
        {
            return Command.encode(request, principal);
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
            return Command.type(RELEASE_TRANCHE, principal);
        }

        @Override
        public byte[] encode()
        {
            return Command.encode(request, principal);
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
            return Command.type(RECORD_TRANCHE, principal);
        }

        @Override
        public byte[] encode()
        {
            return Command.encode(tranche, principal);
        }
    }
}
