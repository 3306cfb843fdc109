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
import java.util.Arrays;

/**
 * {@code Allocate} without per-claim objects: reads the {@code tranche.v1.AllocateRequest} bytes straight into a
 * reused {@link Claims} (ids stay bytes in a reused buffer), validates, allocates, and writes the
 * {@code AllocateResponse} bytes into a reused buffer. Once its buffers have grown to the largest request seen, a call
 * allocates nothing.
 * <p>
 * A request as clients send it is read in one pass over its bytes: each id is hashed (for the duplicate check) and
 * checked as UTF-8 where it lies in the request's buffer, and a run of claims that have only an id and a demand is
 * read by one tight loop and added to the columns a column at a time. Anything else (unknown fields, malformed bytes)
 * is read again from the start by a reused {@link CodedInputStream}, as the generated parser reads it.
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
    private static final byte AWARD_TAG = 1 << 3 | LENGTH_DELIMITED;
    private static final byte AWARD_ID_TAG = 1 << 3 | LENGTH_DELIMITED;
    private static final byte AWARD_UNITS_TAG = 2 << 3;
    private static final byte AWARD_UNMET_TAG = 3 << 3;
    // A claim's first four bytes as a little-endian word, tested at once: its tag, a length below 128, the id's tag
    // and a length below 128.
    private static final long PLAIN_HEAD_MASK = 0x80FF80FFL;
    private static final long PLAIN_HEAD = REQUEST_CLAIM | CLAIM_ID << 16;
    // An award's tag and its id's tag, as the first and third bytes of a little-endian word.
    private static final long AWARD_HEAD = AWARD_TAG | AWARD_ID_TAG << 16;
    // Values below this take at most seven varint bytes: they and their tag fit one word.
    private static final long MAX_WORD_VALUE = Words.MAX_VARINT_VALUE >>> 7;
    private static final byte RESPONSE_ALLOCATED_TAG = 2 << 3;
    private static final byte RESPONSE_UNALLOCATED_TAG = 3 << 3;
    // An award's bytes beyond its id's: its tag and length, the id's tag and length, units and unmet with tags.
    private static final int MAX_INT64_FIELD = 1 + 10;
    private static final int MAX_AWARD_OVERHEAD = 1 + 5 + 1 + 5 + 2 * MAX_INT64_FIELD;
    private static final int BUFFER_SIZE = 4096;
    private static final int FAILED = Integer.MAX_VALUE;

    private final int maxClaims;
    private final Allocator allocator;
    private final Claims claims;
    private final Violations violations = new Violations();
    private final ClaimIds ids;
    private final ByteSource source = new ByteSource();
    private CodedInputStream in = CodedInputStream.newInstance(source, BUFFER_SIZE);
    private byte[] request = new byte[BUFFER_SIZE];
    // The demands of the claims read since the last claim that had more than a demand, added a column at a time.
    private long[] plainDemands = new long[16];
    private int requestLength;
    private byte[] response = new byte[BUFFER_SIZE];
    private int responseLength;
    private int position;
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
            if (!decodeFast())
            {
                decode();
            }
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
        return response;
    }

    /** @return the last response's length in bytes. */
    public int responseLength()
    {
        return responseLength;
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
        if (length + Long.BYTES > request.length)
        {
            // Ids are taken where they are, and read a word at a time: Long.BYTES of slack past the request.
            request = Arrays.copyOf(request, length + Long.BYTES);
        }
        requestLength = length;
    }

    /**
     * The common case in one pass over {@link #request}: tags, varints, lengths, and each id hashed and checked as
     * UTF-8 where it lies ({@link ClaimIds#inPlace}); runs of plain claims by {@link #plainClaims}. It accepts only
     * what {@link #decode()} would read to the same values without an error (the fields of {@code tranche.v1} a
     * client sends, one-byte tags, every length and varint inside its message); on anything else (an unknown field,
     * a malformed or truncated message, bad UTF-8, the output-only fields of a queued claim) it stops and returns
     * false, and {@link #decode()} reads the request again from the start, with every error message as before.
     *
     * @return true when the request was read; false when {@link #decode()} must read it.
     */
    private boolean decodeFast()
    {
        resetRequest();
        final byte[] b = request;
        final int end = requestLength;
        ids.adopt(b, end);
        position = 0;
        while (position < end)
        {
            if (b[position] == REQUEST_CLAIM)
            {
                position = plainClaims(position, end);
                if (position == end)
                {
                    break;
                }
            }
            switch (b[position++])
            {
                case REQUEST_SUPPLY:
                    supply = varint(end);
                    break;
                case REQUEST_POLICY:
                {
                    final int length = length(end);
                    if (length < 0 || !decodePolicyFast(position + length))
                    {
                        return false;
                    }
                    break;
                }
                case REQUEST_CLAIM:
                {
                    final int length = length(end);
                    if (length < 0 || !decodeClaimFast(position + length))
                    {
                        return false;
                    }
                    break;
                }
                case REQUEST_EXPLAIN:
                    explain = varint(end) != 0;
                    break;
                default:
                    return false;
            }
        }
        addPlainClaims(Math.min(count, maxClaims));
        return position == end;
    }

    private boolean decodePolicyFast(final int end)
    {
        final byte[] b = request;
        while (position < end)
        {
            switch (b[position++])
            {
                case POLICY_METHOD:
                    methodNumber = (int)varint(end);
                    break;
                case POLICY_LOT:
                    lot = varint(end);
                    break;
                case POLICY_MAX_SHARE_PPM:
                    maxSharePpm = (int)varint(end);
                    break;
                default:
                    return false;
            }
        }
        return position == end;
    }

    /**
     * The claims clients send most, one after another: each an id of at most eight ASCII bytes and a demand of at most
     * eight varint bytes, in a claim of fewer than 128 bytes. One loop in local variables reads them; the next
     * claim's position is read off this one's length alone. It stops at the first field that is anything else, with
     * nothing of that field read, and the caller goes on from there.
     *
     * @param from where a request field starts.
     * @param end  the request's end.
     * @return where it stopped: at {@code end} or at a field for the caller to read.
     */
    private int plainClaims(final int from, final int end)
    {
        final byte[] b = request;
        final ClaimIds ids = this.ids;
        final long[] demands = plainDemands;
        final int last = Math.min(maxClaims, demands.length);
        int i = count;
        int p = from;
        // The id columns grown once for the whole run and written directly: no growth test or count per claim.
        ids.ensureClaims(last);
        final int[] starts = ids.startColumn();
        final int[] lengths = ids.lengthColumn();
        final int[] hashes = ids.hashColumn();
        // Every field ends at least Long.BYTES before the array does, so each word read stays inside it.
        while (p < end && i < last)
        {
            // The claim's tag, its length, the id's tag and the id's length in one word: both tags as expected and
            // both lengths below 128 in one test.
            final long head = Words.get(b, p);
            final int claimEnd = p + 2 + (int)(head >>> 8 & 0xFF);
            final int idLength = (int)(head >>> 24 & 0xFF);
            final int demandAt = p + 5 + idLength;
            if ((head & PLAIN_HEAD_MASK) != PLAIN_HEAD || claimEnd > end || idLength > Long.BYTES
                || demandAt >= claimEnd || b[demandAt - 1] != CLAIM_DEMAND)
            {
                break;
            }
            final long id = Words.get(b, p + 4) & Words.low(idLength);
            final long word = Words.get(b, demandAt);
            final int demandLength = Words.varintLength(word);
            if (Words.anyHigh(id) || demandLength == 0 || demandAt + demandLength != claimEnd)
            {
                break;
            }
            demands[i] = Words.varintValue(word, demandLength);
            starts[i] = p + 4;
            lengths[i] = idLength;
            hashes[i] = ids.shortHash(id, idLength);
            i++;
            p = claimEnd;
        }
        ids.countAtLeast(i);
        count = i;
        return p;
    }

    // A claim's fields in field-number order, each at most once, as protobuf's encoders write them: a straight walk
    // with one predictable test per field, no loop or jump table. Anything else (a field repeated or out of order,
    // an unknown field) returns false, and decode() reads the request instead.
    private boolean decodeClaimFast(final int end)
    {
        final byte[] b = request;
        int start = 0;
        int length = 0;
        int idHash = 0;
        if (position < end && b[position] == CLAIM_ID)
        {
            position++;
            length = length(end);
            start = length < 0 ? -1 : ids.inPlace(position, length);
            if (start < 0)
            {
                return false;
            }
            idHash = ids.inPlaceHash();
            position += length;
        }
        int present = 0;
        long demand = 0;
        if (position < end && b[position] == CLAIM_DEMAND)
        {
            position++;
            demand = value(end);
            present = Claims.DEMAND;
        }
        long weight = 0;
        if (position < end && b[position] == CLAIM_WEIGHT)
        {
            position++;
            weight = varint(end);
            present |= Claims.WEIGHT;
        }
        int tier = 0;
        if (position < end && b[position] == CLAIM_TIER)
        {
            position++;
            tier = (int)varint(end);
        }
        long cap = 0;
        if (position < end && b[position] == CLAIM_CAP)
        {
            position++;
            cap = varint(end);
            present |= Claims.CAP;
        }
        long floor = 0;
        if (position < end && b[position] == CLAIM_FLOOR)
        {
            position++;
            floor = varint(end);
        }
        // A queued claim sent back: its output-only position and awarded are read and dropped.
        skipVarintField(end, CLAIM_POSITION);
        skipVarintField(end, CLAIM_AWARDED);
        if (position != end)
        {
            return false;
        }
        final int i = count++;
        if (i < maxClaims)
        {
            if (present == Claims.DEMAND && (tier | floor) == 0)
            {
                if (i >= plainDemands.length)
                {
                    plainDemands = Arrays.copyOf(plainDemands, Math.min(maxClaims, i << 1));
                }
                plainDemands[i] = demand;
            }
            else
            {
                addPlainClaims(i);
                claims.add(demand, weight, tier, cap, floor, present);
            }
            ids.set(i, start, length, idHash);
        }
        return true;
    }

    // The claims before claim `until` not yet added had a demand and nothing else: add them a column at a time.
    private void addPlainClaims(final int until)
    {
        final int from = claims.count();
        if (from < until)
        {
            claims.addDemands(plainDemands, from, until - from);
        }
    }

    private void skipVarintField(final int end, final int tag)
    {
        if (position < end && request[position] == tag)
        {
            position++;
            varint(end);
        }
    }

    /**
     * A varint of {@link #request} at {@link #position}, as {@code readRawVarint64} reads it (the low 32 bits of it
     * are {@code readRawVarint32}'s value); a varint that is malformed or passes {@code limit} leaves
     * {@link #position} at {@link #FAILED}, past every limit.
     */
    private long varint(final int limit)
    {
        final int p = position;
        final byte[] b = request;
        if (p < limit && b[p] >= 0)
        {
            position = p + 1;
            return b[p];
        }
        return value(limit);
    }

    /**
     * {@link #varint(int)} for a value whose length varies from claim to claim (a demand): no test of its first byte
     * alone, which would be a branch taken at random. Up to eight bytes in one word, no branch per byte.
     */
    private long value(final int limit)
    {
        final int p = position;
        final byte[] b = request;
        if (p + Long.BYTES <= b.length)
        {
            final long word = Words.get(b, p);
            final int length = Words.varintLength(word);
            if (length != 0 && p + length <= limit)
            {
                position = p + length;
                return Words.varintValue(word, length);
            }
        }
        return varintSlow(limit);
    }

    private long varintSlow(final int limit)
    {
        final byte[] b = request;
        int p = position;
        long result = 0;
        for (int shift = 0; shift < Long.SIZE; shift += 7)
        {
            if (p >= limit)
            {
                break;
            }
            final byte x = b[p++];
            result |= (long)(x & 0x7F) << shift;
            if (x >= 0)
            {
                position = p;
                return result;
            }
        }
        position = FAILED;
        return 0;
    }

    /** @return an embedded message's or string's length that ends within {@code limit}, else -1. */
    private int length(final int limit)
    {
        final long length = varint(limit);
        return length < 0 || length > limit - position ? -1 : (int)length;
    }

    private void resetRequest()
    {
        supply = 0;
        methodNumber = 0;
        lot = 0;
        maxSharePpm = 0;
        explain = false;
        count = 0;
        ids.clear();
        claims.clear();
    }

    // Any request, through protobuf's own decoder: what decodeFast() leaves, with every error as protobuf words it.
    private void decode() throws IOException
    {
        final CodedInputStream in = this.in;
        source.reset(request, requestLength);
        in.resetSizeCounter();
        resetRequest();
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
    // Written straight into the reused response buffer, sized once for the largest response these ids can give.
    private void encode(final long allocated)
    {
        final ClaimIds ids = this.ids;
        final byte[] bytes = ids.bytes();
        final int n = count;
        // Slack: ids and values are written a whole word at a time, a few bytes past the award's end.
        final long bound = (long)n * MAX_AWARD_OVERHEAD + ids.size() + 2 * MAX_INT64_FIELD + 2 * Long.BYTES;
        if (bound > response.length)
        {
            response = new byte[(int)Math.min(Integer.MAX_VALUE - 8, Math.max(bound, (long)response.length << 1))];
        }
        final byte[] r = response;
        int p = 0;
        for (int i = 0; i < n; i++)
        {
            final int length = ids.length(i);
            final long units = claims.award(i);
            final long demand = claims.demand(i);
            final boolean hasUnits = units != 0;
            final boolean hasUnmet = demand != Claims.ABSENT;
            final long unmet = hasUnmet ? demand - units : 0;
            if (length > Long.BYTES || (units | unmet) < 0 || (units | unmet) >= MAX_WORD_VALUE)
            {
                p = encodeAward(r, p, bytes, ids.start(i), length, units, demand);
                continue;
            }
            // The common award in words: an id of at most eight bytes, values of at most seven bytes each (so the
            // award's size is one byte and a value goes out with its tag in one word), each optional field written
            // and then kept or not by where p moves.
            final int unitsSize = Words.varintSize(units);
            final int unmetSize = Words.varintSize(unmet);
            final int size = 2 + length + (hasUnits ? 1 + unitsSize : 0) + (hasUnmet ? 1 + unmetSize : 0);
            final long id = Words.get(bytes, ids.start(i)) & Words.low(length);
            Words.put(r, p, AWARD_HEAD | size << 8 | (long)length << 24 | id << 32);
            Words.put(r, p + 4, id);
            p += 4 + length;
            Words.put(r, p, AWARD_UNITS_TAG | Words.varint(units, unitsSize) << 8);
            p += hasUnits ? 1 + unitsSize : 0;
            Words.put(r, p, AWARD_UNMET_TAG | Words.varint(unmet, unmetSize) << 8);
            p += hasUnmet ? 1 + unmetSize : 0;
        }
        if (allocated != 0)
        {
            r[p++] = RESPONSE_ALLOCATED_TAG;
            p = putVarint64(r, p, allocated);
        }
        if (supply - allocated != 0)
        {
            r[p++] = RESPONSE_UNALLOCATED_TAG;
            p = putVarint64(r, p, supply - allocated);
        }
        responseLength = p;
    }

    // Any award, byte by byte: a long id, a large or negative value.
    private static int encodeAward(final byte[] r, final int at, final byte[] bytes, final int start, final int length,
        final long units, final long demand)
    {
        int size = 1 + CodedOutputStream.computeUInt32SizeNoTag(length) + length;
        if (units != 0)
        {
            size += 1 + CodedOutputStream.computeInt64SizeNoTag(units);
        }
        if (demand != Claims.ABSENT)
        {
            size += 1 + CodedOutputStream.computeInt64SizeNoTag(demand - units);
        }
        int p = at;
        r[p++] = AWARD_TAG;
        p = putVarint32(r, p, size);
        r[p++] = AWARD_ID_TAG;
        p = putVarint32(r, p, length);
        System.arraycopy(bytes, start, r, p, length);
        p += length;
        if (units != 0)
        {
            r[p++] = AWARD_UNITS_TAG;
            p = putVarint64(r, p, units);
        }
        if (demand != Claims.ABSENT)
        {
            r[p++] = AWARD_UNMET_TAG;
            p = putVarint64(r, p, demand - units);
        }
        return p;
    }

    /** Writes {@code value} (non-negative) as a varint at {@code p}. @return the position after it. */
    private static int putVarint32(final byte[] b, final int p, final int value)
    {
        int at = p;
        int v = value;
        while ((v & ~0x7F) != 0)
        {
            b[at++] = (byte)(v & 0x7F | 0x80);
            v >>>= 7;
        }
        b[at++] = (byte)v;
        return at;
    }

    /** Writes {@code value} as a varint at {@code p}, ten bytes when negative. @return the position after it. */
    private static int putVarint64(final byte[] b, final int p, final long value)
    {
        int at = p;
        long v = value;
        while ((v & ~0x7FL) != 0)
        {
            b[at++] = (byte)(v & 0x7F | 0x80);
            v >>>= 7;
        }
        b[at++] = (byte)v;
        return at;
    }
}
