package io.tranche.server.cluster;

import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.Tranche;
import io.tranche.server.state.Command;
import io.tranche.server.state.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.io.DirectBufferInputStream;

/**
 * The bytes on the cluster's ingress and egress.
 * <p>
 * Ingress (client to cluster), unsigned (a cluster without a secret, and logs written before secrets):
 * {@code type:byte correlationId:long payload}, the payload being {@link Command#encode()}. Signed (a cluster
 * with a {@link ClusterSecret}): {@code SIGNED:byte type:byte sequence:long correlationId:long payload mac:32}, the
 * MAC being HMAC-SHA256(secret, {@code "tranche cluster command v1\n"} ‖ clusterSessionId:long ‖ every byte before
 * the MAC), so that a command is bound to its session and its place in it; the sequence rises by at least one per
 * command of a session, and a command whose sequence does not is a replay. Type {@link #CHECKPOINT} carries a
 * member's state hash, {@code position:long memberId:int sha256:32}; {@link #CHECKPOINT_BEFORE_TREE}, the same from a
 * build before the ledger's tree, which hashed another layout of the state. Type {@link #BATCH} carries several client
 * commands in one message, each with its own correlation id (and so its own answer), applied in order:
 * {@code count:int (type:byte correlationId:long length:int payload)*}; its envelope's correlation id is 0. A front
 * sends a lone command in the single-command form, and a log of single commands replays as before.
 * <p>
 * Egress (leader's service to the client): {@code correlationId:long
 * logPosition:long kind:byte message:(flag, UTF) violations:(int, (UTF, UTF)*) value:(int, bytes)};
 * the value's message type follows from the kind. This is not the hot path of the kernel: the
 * command bytes are protobuf already, and a few small wrappers per command are accepted here.
 */
public final class ClusterProtocol
{
    /** Bytes before the command payload on unsigned ingress. */
    public static final int INGRESS_HEADER_LENGTH = 1 + Long.BYTES;
    /** First byte of a signed ingress message (never a command type). */
    public static final byte SIGNED = (byte)0x80;
    /** Bytes before the command payload on signed ingress. */
    public static final int SIGNED_HEADER_LENGTH = 2 + 2 * Long.BYTES;
    /**
     * Type of a state-hash checkpoint of a build before the ledger's tree (signed only; not a {@link Command}): it
     * hashed a layout of the state this build does not write, so a replayed log's reports of it are not compared.
     */
    public static final byte CHECKPOINT_BEFORE_TREE = 0x40;
    /** Type of a member's state-hash checkpoint (signed only; not a {@link Command}). */
    public static final byte CHECKPOINT = 0x41;
    /** Type of a batch of client commands in one message (not a {@link Command}): see the class comment. */
    public static final byte BATCH = 0x42;
    /** Bytes before each command's payload in a batch. */
    public static final int BATCH_ENTRY_HEADER_LENGTH = 1 + Long.BYTES + Integer.BYTES;
    /** Most commands in one batch. */
    public static final int BATCH_MAX_COMMANDS = 256;
    /** Length of a checkpoint's payload. */
    public static final int CHECKPOINT_LENGTH = Long.BYTES + Integer.BYTES + 32;
    private static final byte[] COMMAND_DOMAIN = "tranche cluster command v1\n".getBytes(
        java.nio.charset.StandardCharsets.US_ASCII);

    private ClusterProtocol()
    {
    }

    /**
     * @param command       the command.
     * @param correlationId the client's id for the answer.
     * @return the ingress message.
     */
    public static byte[] encodeIngress(final Command command, final long correlationId)
    {
        return encodeUnsigned(command.type(), command.encode(), correlationId);
    }

    /**
     * @param type          the command type ({@link Command#type()} or {@link #CHECKPOINT}).
     * @param payload       its bytes.
     * @param correlationId the client's id for the answer.
     * @return the unsigned ingress message (a cluster without a secret).
     */
    public static byte[] encodeUnsigned(final byte type, final byte[] payload, final long correlationId)
    {
        final byte[] message = new byte[INGRESS_HEADER_LENGTH + payload.length];
        final UnsafeBuffer buffer = new UnsafeBuffer(message);
        buffer.putByte(0, type);
        buffer.putLong(1, correlationId, ByteOrder.BIG_ENDIAN);
        buffer.putBytes(INGRESS_HEADER_LENGTH, payload);
        return message;
    }

    /**
     * @param buffer the ingress message's buffer.
     * @param offset where it starts.
     * @return its correlation id.
     */
    public static long ingressCorrelationId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + 1, java.nio.ByteOrder.BIG_ENDIAN);
    }

    /**
     * @param type             the command type ({@link Command#type()} or {@link #CHECKPOINT}).
     * @param payload          its bytes.
     * @param correlationId    the client's id for the answer.
     * @param clusterSessionId the session it is sent on.
     * @param sequence         its sequence in the session.
     * @param secret           the cluster's secret (used on the caller's thread only).
     * @return the signed ingress message.
     */
    public static byte[] encodeSigned(
        final byte type,
        final byte[] payload,
        final long correlationId,
        final long clusterSessionId,
        final long sequence,
        final ClusterSecret secret)
    {
        final int unsignedLength = SIGNED_HEADER_LENGTH + payload.length;
        final byte[] message = new byte[unsignedLength + ClusterSecret.MAC_LENGTH];
        final UnsafeBuffer buffer = new UnsafeBuffer(message);
        buffer.putByte(0, SIGNED);
        buffer.putByte(1, type);
        buffer.putLong(2, sequence, ByteOrder.BIG_ENDIAN);
        buffer.putLong(2 + Long.BYTES, correlationId, ByteOrder.BIG_ENDIAN);
        buffer.putBytes(SIGNED_HEADER_LENGTH, payload);
        final byte[] mac = mac(secret, clusterSessionId, message, unsignedLength);
        buffer.putBytes(unsignedLength, mac);
        return message;
    }

    /**
     * @param secret           the cluster's secret.
     * @param clusterSessionId the session the message came on.
     * @param message          the message (its MAC excluded from the MAC).
     * @param length           bytes of the message before its MAC.
     * @return the MAC the message must carry.
     */
    static byte[] mac(final ClusterSecret secret, final long clusterSessionId, final byte[] message, final int length)
    {
        final byte[] session = new byte[Long.BYTES];
        new UnsafeBuffer(session).putLong(0, clusterSessionId, ByteOrder.BIG_ENDIAN);
        return secret.mac(COMMAND_DOMAIN, session, message, length);
    }

    /** One command of a batch: its type ({@link Command#type()}), the client's id for its answer, its bytes. */
    public record Entry(byte type, long correlationId, byte[] payload)
    {
    }

    /**
     * @param entries the commands, at least one and at most {@link #BATCH_MAX_COMMANDS}.
     * @return the payload of a {@link #BATCH} message.
     */
    public static byte[] encodeBatch(final List<Entry> entries)
    {
        if (entries.isEmpty() || entries.size() > BATCH_MAX_COMMANDS)
        {
            throw new IllegalArgumentException("a batch holds 1.." + BATCH_MAX_COMMANDS + " commands, not " +
                entries.size());
        }
        final byte[] payload = new byte[batchLength(entries)];
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        buffer.putInt(0, entries.size(), ByteOrder.BIG_ENDIAN);
        int at = Integer.BYTES;
        for (final Entry entry : entries)
        {
            buffer.putByte(at, entry.type());
            buffer.putLong(at + 1, entry.correlationId(), ByteOrder.BIG_ENDIAN);
            buffer.putInt(at + 1 + Long.BYTES, entry.payload().length, ByteOrder.BIG_ENDIAN);
            buffer.putBytes(at + BATCH_ENTRY_HEADER_LENGTH, entry.payload());
            at += BATCH_ENTRY_HEADER_LENGTH + entry.payload().length;
        }
        return payload;
    }

    /**
     * @param entries commands.
     * @return the length of their batch's payload.
     */
    public static int batchLength(final List<Entry> entries)
    {
        int length = Integer.BYTES;
        for (final Entry entry : entries)
        {
            length += BATCH_ENTRY_HEADER_LENGTH + entry.payload().length;
        }
        return length;
    }

    /**
     * @param payload a {@link #BATCH} message's payload.
     * @return its commands, in order.
     * @throws IOException when it does not parse exactly (a count out of bounds, a length past its end, bytes left).
     */
    public static List<Entry> decodeBatch(final byte[] payload) throws IOException
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        if (payload.length < Integer.BYTES)
        {
            throw new IOException("batch shorter than its count, length=" + payload.length);
        }
        final int count = buffer.getInt(0, ByteOrder.BIG_ENDIAN);
        if (count < 1 || count > BATCH_MAX_COMMANDS)
        {
            throw new IOException("batch count out of bounds, count=" + count);
        }
        final List<Entry> entries = new ArrayList<>(count);
        int at = Integer.BYTES;
        for (int i = 0; i < count; i++)
        {
            if (payload.length - at < BATCH_ENTRY_HEADER_LENGTH)
            {
                throw new IOException("batch entry " + i + " header past the end, at=" + at);
            }
            final byte type = buffer.getByte(at);
            final long correlationId = buffer.getLong(at + 1, ByteOrder.BIG_ENDIAN);
            final int length = buffer.getInt(at + 1 + Long.BYTES, ByteOrder.BIG_ENDIAN);
            at += BATCH_ENTRY_HEADER_LENGTH;
            if (length < 0 || length > payload.length - at)
            {
                throw new IOException("batch entry " + i + " length out of bounds, length=" + length);
            }
            final byte[] bytes = new byte[length];
            buffer.getBytes(at, bytes);
            at += length;
            entries.add(new Entry(type, correlationId, bytes));
        }
        if (at != payload.length)
        {
            throw new IOException("batch has " + (payload.length - at) + " bytes after its last entry");
        }
        return entries;
    }

    /**
     * @param position the log position the hash was taken at.
     * @param memberId the member that took it.
     * @param sha256   the hash of its state there.
     * @return a checkpoint's payload.
     */
    public static byte[] encodeCheckpoint(final long position, final int memberId, final byte[] sha256)
    {
        final byte[] payload = new byte[CHECKPOINT_LENGTH];
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        buffer.putLong(0, position, ByteOrder.BIG_ENDIAN);
        buffer.putInt(Long.BYTES, memberId, ByteOrder.BIG_ENDIAN);
        buffer.putBytes(Long.BYTES + Integer.BYTES, sha256);
        return payload;
    }

    /**
     * @param correlationId the client's id.
     * @param logPosition   the log position after the command (the client waits for its node to reach it).
     * @param outcome       what the state machine returned.
     * @return the egress message.
     */
    public static byte[] encodeEgress(final long correlationId, final long logPosition, final Outcome outcome)
    {
        try
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
            final DataOutputStream out = new DataOutputStream(bytes);
            out.writeLong(correlationId);
            out.writeLong(logPosition);
            out.writeByte(outcome.kind().code());
            out.writeBoolean(outcome.message() != null);
            if (outcome.message() != null)
            {
                out.writeUTF(outcome.message());
            }
            final List<Outcome.Violation> violations = outcome.violations();
            out.writeInt(violations.size());
            for (final Outcome.Violation v : violations)
            {
                out.writeUTF(v.field());
                out.writeUTF(v.description());
            }
            final Message value = outcome.value();
            if (value == null)
            {
                out.writeInt(-1);
            }
            else
            {
                final byte[] valueBytes = value.toByteArray();
                out.writeInt(valueBytes.length);
                out.write(valueBytes);
            }
            out.flush();
            return bytes.toByteArray();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** A decoded egress message. */
    public record Answer(long correlationId, long logPosition, Outcome outcome)
    {
    }

    /**
     * @param buffer the egress buffer.
     * @param offset where the message starts.
     * @param length its length.
     * @return the answer.
     * @throws IOException when it does not parse.
     */
    public static Answer decodeEgress(final DirectBuffer buffer, final int offset, final int length) throws IOException
    {
        final DataInputStream in = new DataInputStream(new DirectBufferInputStream(buffer, offset, length));
        final long correlationId = in.readLong();
        final long logPosition = in.readLong();
        final int kindCode = in.readUnsignedByte();
        final Outcome.Kind kind = Outcome.Kind.fromCode(kindCode);
        if (kind == null)
        {
            throw new IOException("unknown outcome kind=" + kindCode);
        }
        final String message = in.readBoolean() ? in.readUTF() : null;
        final int violationCount = in.readInt();
        final List<Outcome.Violation> violations = new ArrayList<>(violationCount);
        for (int i = 0; i < violationCount; i++)
        {
            violations.add(new Outcome.Violation(in.readUTF(), in.readUTF()));
        }
        final int valueLength = in.readInt();
        Message value = null;
        if (valueLength >= 0)
        {
            final byte[] valueBytes = new byte[valueLength];
            in.readFully(valueBytes);
            value = parseValue(kind, valueBytes);
        }
        final Outcome outcome;
        if (kind == Outcome.Kind.INVALID)
        {
            outcome = Outcome.invalid(violations);
        }
        else if (value != null)
        {
            outcome = Outcome.of(kind, value);
        }
        else
        {
            outcome = Outcome.failed(kind, message);
        }
        return new Answer(correlationId, logPosition, outcome);
    }

    private static Message parseValue(final Outcome.Kind kind, final byte[] bytes) throws IOException
    {
        switch (kind)
        {
            case CREATED:
            case UPDATED:
                return Claim.parseFrom(bytes);
            case DELETED:
                return Empty.parseFrom(bytes);
            case RELEASED:
            case ALREADY_RELEASED:
            case PREVIEW:
                return Tranche.parseFrom(bytes);
            default:
                throw new IOException("outcome kind=" + kind + " carries no value on egress");
        }
    }
}
