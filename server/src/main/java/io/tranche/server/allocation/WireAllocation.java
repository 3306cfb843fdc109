package io.tranche.server.allocation;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.tranche.kernel.Allocator;
import io.tranche.kernel.Claims;
import io.tranche.kernel.Method;
import io.tranche.kernel.Violations;
import io.tranche.proto.v1.AllocateResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * {@code Allocate} without per-claim objects: reads the {@code tranche.v1.AllocateRequest} bytes with a reused
 * {@link CodedInputStream} straight into a reused {@link Claims} (ids stay bytes in a reused buffer), validates,
 * allocates, and writes the {@code AllocateResponse} bytes with a reused {@link CodedOutputStream}. Once its buffers
 * have grown to the largest request seen, a call allocates nothing.
 * <p>
 * Every request is answered from the one decoding: a valid one as bytes, an invalid one as {@link #violations()}
 * (the kernel's, with the ids checked by {@link ClaimIds}, as {@link AllocationProtoAdapter} finds them), one with
 * {@code explain} as a generated message (a cold path). Malformed bytes throw {@link InvalidProtocolBufferException},
 * as the generated parser does.
 * <p>
 * Not thread safe: one per thread.
 */
public final class WireAllocation
{
    /** The request was valid: the response is {@link #responseBuffer()} up to {@link #responseLength()}. */
    public static final int ALLOCATED = 0;
    /** Invalid: {@link #violations()} names every bad field. */
    public static final int INVALID = 1;
    /** More claims than the limit: {@link #claimCount()} says how many. */
    public static final int TOO_MANY_CLAIMS = 2;
    /** Valid, with {@code explain}: the response is {@link #explained()}. */
    public static final int EXPLAINED = 3;

    private static final int LENGTH_DELIMITED = WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final int REQUEST_SUPPLY = 1 << 3;
    private static final int REQUEST_POLICY = 2 << 3 | LENGTH_DELIMITED;
    private static final int REQUEST_CLAIM = 3 << 3 | LENGTH_DELIMITED;
    private static final int REQUEST_EXPLAIN = 4 << 3;
    private static final int POLICY_METHOD = 1 << 3;
    private static final int POLICY_LOT = 2 << 3;
    private static final int POLICY_MAX_SHARE_PPM = 3 << 3;
    private static final int CLAIM_ID = 1 << 3 | LENGTH_DELIMITED;
    private static final int CLAIM_DEMAND = 2 << 3;
    private static final int CLAIM_WEIGHT = 3 << 3;
    private static final int CLAIM_TIER = 4 << 3;
    private static final int CLAIM_CAP = 5 << 3;
    private static final int CLAIM_FLOOR = 6 << 3;
    private static final int CLAIM_POSITION = 7 << 3;
    private static final int CLAIM_AWARDED = 8 << 3;
    // Output only on a queued claim (who created and updated it, and when): read and checked as the generated
    // parser would, then ignored.
    private static final int CLAIM_CREATED_BY = 9 << 3 | LENGTH_DELIMITED;
    private static final int CLAIM_CREATE_TIME = 10 << 3 | LENGTH_DELIMITED;
    private static final int CLAIM_UPDATED_BY = 11 << 3 | LENGTH_DELIMITED;
    private static final int CLAIM_UPDATE_TIME = 12 << 3 | LENGTH_DELIMITED;
    private static final int TIMESTAMP_SECONDS = 1 << 3;
    private static final int TIMESTAMP_NANOS = 2 << 3;
    private static final int AWARD_FIELD = 1;
    private static final int AWARD_ID = 1;
    private static final int AWARD_UNITS = 2;
    private static final int AWARD_UNMET = 3;
    private static final int RESPONSE_ALLOCATED = 2;
    private static final int RESPONSE_UNALLOCATED = 3;
    private static final int BUFFER_SIZE = 4096;

    private final int maxClaims;
    private final Allocator allocator;
    private final Claims claims;
    private final Violations violations = new Violations();
    private final ClaimIds ids;
    private final ByteSource source = new ByteSource();
    private final ByteSink sink = new ByteSink();
    private final CodedOutputStream out = CodedOutputStream.newInstance(sink, BUFFER_SIZE);
    private CodedInputStream in = CodedInputStream.newInstance(source, BUFFER_SIZE);
    private byte[] request = new byte[BUFFER_SIZE];
    private int requestLength;
    private long supply;
    private int methodNumber;
    private long lot;
    private int maxSharePpm;
    private boolean explain;
    private int count;
    private AllocateResponse explained;

    /**
     * @param maxClaims the largest number of claims accepted in one request.
     */
    public WireAllocation(final int maxClaims)
    {
        final int initial = Math.min(AllocationProtoAdapter.INITIAL_CAPACITY, maxClaims);
        this.maxClaims = maxClaims;
        this.allocator = new Allocator(initial, maxClaims);
        this.claims = new Claims(initial);
        this.ids = new ClaimIds(initial);
    }

    /** @return the largest number of claims accepted in one request. */
    public int maxClaims()
    {
        return maxClaims;
    }

    /**
     * Reads one serialized {@code AllocateRequest} to its end and answers it when it is valid.
     *
     * @param message the request's bytes.
     * @return {@link #ALLOCATED}, {@link #INVALID}, {@link #TOO_MANY_CLAIMS} or {@link #EXPLAINED}.
     * @throws InvalidProtocolBufferException when the bytes are not an {@code AllocateRequest}.
     * @throws IOException                    when the stream fails.
     */
    public int allocate(final InputStream message) throws IOException
    {
        readFully(message);
        try
        {
            decode();
        }
        catch (final InvalidProtocolBufferException ex)
        {
            // Cold path: the decoder's limits may be left pushed; start afresh.
            in = CodedInputStream.newInstance(source, BUFFER_SIZE);
            throw ex;
        }
        explained = null;
        if (count > maxClaims)
        {
            return TOO_MANY_CLAIMS;
        }
        final Method method = AllocationMapper.method(methodNumber);
        if (!allocator.validate(supply, method, lot, maxSharePpm, claims, ids, violations))
        {
            return INVALID;
        }
        final long allocated = allocator.allocate(supply, method, lot, maxSharePpm, claims);
        if (explain)
        {
            // explain is a cold path beside the kernel: the allocation above is the same either way.
            explained = AllocationExplainer.explainResponse(AllocationMapper.toResponse(supply, claims, ids, allocated),
                claims, supply, method, lot, maxSharePpm);
            return EXPLAINED;
        }
        encode(allocated);
        return ALLOCATED;
    }

    /** @return the violations of the last request when it was {@link #INVALID}; reused by the next call. */
    public Violations violations()
    {
        return violations;
    }

    /** @return the response of the last request when it was {@link #EXPLAINED}, else null. */
    public AllocateResponse explained()
    {
        return explained;
    }

    /** @return the last response's bytes, valid up to {@link #responseLength()} until the next call. */
    public byte[] responseBuffer()
    {
        return sink.buffer;
    }

    /** @return the last response's length in bytes. */
    public int responseLength()
    {
        return sink.length;
    }

    /** @return the number of claims in the last request. */
    public int claimCount()
    {
        return count;
    }

    private void readFully(final InputStream message) throws IOException
    {
        int length = 0;
        while (true)
        {
            if (length == request.length)
            {
                request = Arrays.copyOf(request, length << 1);
            }
            final int read = message.read(request, length, request.length - length);
            if (read < 0)
            {
                break;
            }
            length += read;
        }
        requestLength = length;
    }

    private void decode() throws IOException
    {
        final CodedInputStream in = this.in;
        source.reset(request, requestLength);
        in.resetSizeCounter();
        supply = 0;
        methodNumber = 0;
        lot = 0;
        maxSharePpm = 0;
        explain = false;
        count = 0;
        ids.clear();
        claims.clear();
        int tag;
        while ((tag = in.readTag()) != 0)
        {
            switch (tag)
            {
                case REQUEST_SUPPLY:
                    supply = in.readInt64();
                    break;
                case REQUEST_POLICY:
                    decodePolicy(in);
                    break;
                case REQUEST_CLAIM:
                    decodeClaim(in);
                    break;
                case REQUEST_EXPLAIN:
                    explain = in.readBool();
                    break;
                default:
                    skip(in, tag);
            }
        }
    }

    // A repeated singular message merges, so later fields overwrite earlier ones as the generated parser does.
    private void decodePolicy(final CodedInputStream in) throws IOException
    {
        final int oldLimit = in.pushLimit(embeddedLength(in));
        int tag;
        while ((tag = in.readTag()) != 0)
        {
            switch (tag)
            {
                case POLICY_METHOD:
                    methodNumber = in.readEnum();
                    break;
                case POLICY_LOT:
                    lot = in.readInt64();
                    break;
                case POLICY_MAX_SHARE_PPM:
                    maxSharePpm = in.readInt32();
                    break;
                default:
                    skip(in, tag);
            }
        }
        in.popLimit(oldLimit);
    }

    private void decodeClaim(final CodedInputStream in) throws IOException
    {
        final int oldLimit = in.pushLimit(embeddedLength(in));
        long demand = 0;
        long weight = 0;
        long cap = 0;
        long floor = 0;
        int present = 0;
        int tier = 0;
        int start = 0;
        int length = 0;
        int tag;
        while ((tag = in.readTag()) != 0)
        {
            switch (tag)
            {
                case CLAIM_ID:
                    length = embeddedLength(in);
                    start = readId(in, length);
                    break;
                case CLAIM_DEMAND:
                    demand = in.readInt64();
                    present |= Claims.DEMAND;
                    break;
                case CLAIM_WEIGHT:
                    weight = in.readInt64();
                    present |= Claims.WEIGHT;
                    break;
                case CLAIM_TIER:
                    tier = in.readInt32();
                    break;
                case CLAIM_CAP:
                    cap = in.readInt64();
                    present |= Claims.CAP;
                    break;
                case CLAIM_FLOOR:
                    floor = in.readInt64();
                    break;
                case CLAIM_POSITION:
                case CLAIM_AWARDED:
                    in.readInt64();
                    break;
                case CLAIM_CREATED_BY:
                case CLAIM_UPDATED_BY:
                    skipString(in);
                    break;
                case CLAIM_CREATE_TIME:
                case CLAIM_UPDATE_TIME:
                    skipTimestamp(in);
                    break;
                default:
                    skip(in, tag);
            }
        }
        in.popLimit(oldLimit);
        final int i = count++;
        if (i < maxClaims)
        {
            claims.add(demand, weight, tier, cap, floor, present);
            ids.set(i, start, length);
        }
    }

    private int readId(final CodedInputStream in, final int length) throws IOException
    {
        final int start = ids.reserve(length);
        final byte[] bytes = ids.bytes();
        for (int j = start, end = start + length; j < end; j++)
        {
            bytes[j] = in.readRawByte();
        }
        if (!isValidUtf8(bytes, start, start + length))
        {
            throw new InvalidProtocolBufferException("claims[" + count + "].id: Protocol message had invalid UTF-8.");
        }
        return start;
    }

    /**
     * The proto3 rule for {@code string} fields, as the generated parser applies it: well-formed UTF-8, no overlong
     * forms, no surrogates, nothing above U+10FFFF.
     *
     * @param b    bytes.
     * @param from first index.
     * @param to   index after the last.
     * @return true when {@code b[from, to)} is well-formed UTF-8.
     */
    static boolean isValidUtf8(final byte[] b, final int from, final int to)
    {
        int i = from;
        while (i < to)
        {
            final int lead = b[i] & 0xFF;
            if (lead < 0x80)
            {
                i++;
                continue;
            }
            final int n = lead < 0xC2 ? 0 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : lead < 0xF5 ? 4 : 0;
            if (n == 0 || i + n > to)
            {
                return false;
            }
            final int second = b[i + 1] & 0xFF;
            final int low = lead == 0xE0 ? 0xA0 : lead == 0xF0 ? 0x90 : 0x80;
            final int high = lead == 0xED ? 0x9F : lead == 0xF4 ? 0x8F : 0xBF;
            if (second < low || second > high)
            {
                return false;
            }
            for (int k = 2; k < n; k++)
            {
                if ((b[i + k] & 0xC0) != 0x80)
                {
                    return false;
                }
            }
            i += n;
        }
        return true;
    }

    // The array decoder behind the generated parser refuses a length beyond the input at once; the stream decoder
    // would read a truncated embedded message as a shorter one, so check here.
    private int embeddedLength(final CodedInputStream in) throws IOException
    {
        final int length = in.readRawVarint32();
        if (length < 0)
        {
            throw new InvalidProtocolBufferException("CodedInputStream encountered an embedded string or message " +
                "which claimed to have negative size.");
        }
        if (length > requestLength - in.getTotalBytesRead())
        {
            throw new InvalidProtocolBufferException("While parsing a protocol message, the input ended unexpectedly " +
                "in the middle of a field.");
        }
        return length;
    }

    // A proto3 string: its bytes must be UTF-8, as for the generated parser; read into the ids' spare room.
    private void skipString(final CodedInputStream in) throws IOException
    {
        final int length = embeddedLength(in);
        final int start = ids.spare(length);
        final byte[] bytes = ids.bytes();
        for (int j = start, end = start + length; j < end; j++)
        {
            bytes[j] = in.readRawByte();
        }
        if (!isValidUtf8(bytes, start, start + length))
        {
            throw new InvalidProtocolBufferException("Protocol message had invalid UTF-8.");
        }
    }

    // A google.protobuf.Timestamp: seconds and nanos as the generated parser reads them, the rest skipped.
    private void skipTimestamp(final CodedInputStream in) throws IOException
    {
        final int oldLimit = in.pushLimit(embeddedLength(in));
        int tag;
        while ((tag = in.readTag()) != 0)
        {
            switch (tag)
            {
                case TIMESTAMP_SECONDS:
                    in.readInt64();
                    break;
                case TIMESTAMP_NANOS:
                    in.readInt32();
                    break;
                default:
                    skip(in, tag);
            }
        }
        in.popLimit(oldLimit);
    }

    private static void skip(final CodedInputStream in, final int tag) throws IOException
    {
        if (!in.skipField(tag))
        {
            throw new InvalidProtocolBufferException("Protocol message end-group tag did not match expected tag.");
        }
    }

    // Field order and presence as the generated AllocateResponse.writeTo: awards, then allocated and unallocated
    // when non-zero; in an award the id when non-empty, units when non-zero, unmet whenever the claim has a demand.
    private void encode(final long allocated) throws IOException
    {
        final CodedOutputStream out = this.out;
        final ClaimIds ids = this.ids;
        final byte[] bytes = ids.bytes();
        sink.length = 0;
        for (int i = 0, n = count; i < n; i++)
        {
            final int length = ids.length(i);
            final long units = claims.award(i);
            final long demand = claims.demand(i);
            int size = 1 + CodedOutputStream.computeUInt32SizeNoTag(length) + length;
            if (units != 0)
            {
                size += 1 + CodedOutputStream.computeInt64SizeNoTag(units);
            }
            if (demand != Claims.ABSENT)
            {
                size += 1 + CodedOutputStream.computeInt64SizeNoTag(demand - units);
            }
            out.writeTag(AWARD_FIELD, LENGTH_DELIMITED);
            out.writeUInt32NoTag(size);
            out.writeTag(AWARD_ID, LENGTH_DELIMITED);
            out.writeUInt32NoTag(length);
            out.writeRawBytes(bytes, ids.start(i), length);
            if (units != 0)
            {
                out.writeInt64(AWARD_UNITS, units);
            }
            if (demand != Claims.ABSENT)
            {
                out.writeInt64(AWARD_UNMET, demand - units);
            }
        }
        if (allocated != 0)
        {
            out.writeInt64(RESPONSE_ALLOCATED, allocated);
        }
        if (supply - allocated != 0)
        {
            out.writeInt64(RESPONSE_UNALLOCATED, supply - allocated);
        }
        out.flush();
    }

    /** The reused response buffer; grows on a cold path. */
    private static final class ByteSink extends OutputStream
    {
        private byte[] buffer = new byte[BUFFER_SIZE];
        private int length;

        @Override
        public void write(final int b)
        {
            ensure(1);
            buffer[length++] = (byte)b;
        }

        @Override
        public void write(final byte[] b, final int off, final int len)
        {
            ensure(len);
            System.arraycopy(b, off, buffer, length, len);
            length += len;
        }

        private void ensure(final int more)
        {
            if (length + more > buffer.length)
            {
                buffer = Arrays.copyOf(buffer, Math.max(length + more, buffer.length << 1));
            }
        }
    }
}
