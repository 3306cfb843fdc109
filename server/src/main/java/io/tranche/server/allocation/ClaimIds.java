package io.tranche.server.allocation;

import io.tranche.kernel.ClaimCheck;
import io.tranche.kernel.Violations;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The claims' ids of one request, as UTF-8 byte ranges in one reused buffer, and the id rules (non-empty, unique)
 * checked as the kernel's {@link ClaimCheck}: the kernel knows claims by index only. Once the buffers have grown to
 * the largest request seen, a valid request allocates nothing. Not thread safe.
 */
final class ClaimIds implements ClaimCheck
{
    private static final int INITIAL_BYTES = 4096;

    // Hash keys per instance, unknown to a client: duplicate detection costs O(n) expected even for ids chosen to
    // collide. An id of at most eight bytes is one word, hashed by multiply-shift (an odd multiplier, the product's
    // high bits, which depend on every bit of the word); a longer one is hashed a word at a time and mixed.
    private final long hashSeed = ThreadLocalRandom.current().nextLong();
    private final long multiplier = ThreadLocalRandom.current().nextLong() | 1;
    // Every range is followed by at least Long.BYTES bytes of the array, so that ids are read and copied a word at a
    // time (the bytes past a range's end are masked off). The array is this instance's own, or a request's bytes
    // lent by adopt().
    private byte[] own = new byte[INITIAL_BYTES];
    private byte[] bytes = own;
    private int end;
    private int[] start;
    private int[] length;
    // Each id's hash, taken when it is read (inPlace, shortHash) or set: the duplicate check reads no id byte again.
    private int[] hash;
    private int inPlaceHash;
    private int count;
    private int[] slots = new int[16];
    private int mask;
    private int shift;

    ClaimIds(final int initialCapacity)
    {
        start = new int[Math.max(1, initialCapacity)];
        length = new int[Math.max(1, initialCapacity)];
        hash = new int[Math.max(1, initialCapacity)];
    }

    /** Forgets every id; keeps the buffers (and gives back one lent by {@link #adopt}). */
    void clear()
    {
        bytes = own;
        end = 0;
        count = 0;
    }

    /**
     * Forgets every id and takes {@code buffer} as the bytes the ranges index, with its first {@code used} bytes in
     * use: a request's bytes, whose ids are then taken where they are ({@link #inPlace}) rather than copied. The
     * caller leaves the buffer alone until {@link #clear()}.
     *
     * @param buffer bytes, with at least {@link Long#BYTES} past {@code used}.
     * @param used   bytes in use at its start.
     */
    void adopt(final byte[] buffer, final int used)
    {
        if (used + Long.BYTES > buffer.length)
        {
            throw new IllegalArgumentException("a lent buffer needs " + Long.BYTES + " bytes past its " + used);
        }
        bytes = buffer;
        end = used;
        count = 0;
    }

    /**
     * Takes {@code n} bytes of the lent buffer ({@link #adopt}) at {@code from} as an id where they are: checks that
     * they are UTF-8 (an id of at most eight bytes only when a byte is not ASCII) and hashes them.
     * {@link #inPlaceHash()} is their hash.
     *
     * @param from first byte, inside the bytes in use.
     * @param n    bytes.
     * @return {@code from}, or -1 when they are not well-formed UTF-8.
     */
    int inPlace(final int from, final int n)
    {
        final byte[] bytes = this.bytes;
        if (n <= Long.BYTES)
        {
            final long word = Words.get(bytes, from) & Words.low(n);
            if (Words.anyHigh(word) && !WireAllocation.isValidUtf8(bytes, from, from + n))
            {
                return -1;
            }
            inPlaceHash = shortHash(word, n);
            return from;
        }
        if (!WireAllocation.isValidUtf8(bytes, from, from + n))
        {
            return -1;
        }
        inPlaceHash = hash(from, n);
        return from;
    }

    /**
     * Makes room for {@code n} more bytes at the end of the buffer; the caller writes them into {@link #bytes()}.
     *
     * @param n bytes.
     * @return where they start.
     */
    int reserve(final int n)
    {
        final int from = spare(n);
        end = from + n;
        return from;
    }

    /**
     * Makes room for {@code n} bytes at the end of the buffer without keeping them: scratch for a string that is
     * read and checked, then dropped.
     *
     * @param n bytes.
     * @return where they start in {@link #bytes()}; the next {@link #reserve} reuses them.
     */
    int spare(final int n)
    {
        final int from = end;
        if (from + n + Long.BYTES > bytes.length)
        {
            final boolean mine = bytes == own;
            bytes = Arrays.copyOf(bytes, Math.max(from + n + Long.BYTES, bytes.length << 1));
            if (mine)
            {
                own = bytes;
            }
        }
        return from;
    }

    /** @return the hash of the id the last {@link #inPlace} took, for {@link #set(int, int, int, int)}. */
    int inPlaceHash()
    {
        return inPlaceHash;
    }

    /**
     * Sets the id of claim {@code claim} (the next one, or an earlier one again) to a range of {@link #bytes()}.
     *
     * @param claim the claim's index, at most {@link #count()}.
     * @param from  first byte.
     * @param n     bytes.
     */
    void set(final int claim, final int from, final int n)
    {
        set(claim, from, n, hash(from, n));
    }

    /**
     * {@link #set(int, int, int)} with the range's hash already taken ({@link #inPlaceHash()}, {@link #shortHash}).
     *
     * @param claim  the claim's index, at most {@link #count()}.
     * @param from   first byte.
     * @param n      bytes.
     * @param idHash the range's hash, as {@link #inPlace} or {@link #shortHash} took it.
     */
    void set(final int claim, final int from, final int n, final int idHash)
    {
        ensureClaims(claim + 1);
        start[claim] = from;
        length[claim] = n;
        hash[claim] = idHash;
        countAtLeast(claim + 1);
    }

    /**
     * Room in the range columns for the ids of claims below {@code claims}: a caller that fills a run of claims
     * itself ({@link #startColumn}, {@link #lengthColumn}, {@link #hashColumn}, then {@link #countAtLeast}) grows
     * them once before the run rather than testing each claim, as {@link #set(int, int, int, int)} does.
     *
     * @param claims claim count.
     */
    void ensureClaims(final int claims)
    {
        if (claims > start.length)
        {
            final int size = Math.max(claims, start.length << 1);
            start = Arrays.copyOf(start, size);
            length = Arrays.copyOf(length, size);
            hash = Arrays.copyOf(hash, size);
        }
    }

    /** @return each claim's first byte in {@link #bytes()}, by claim index (see {@link #ensureClaims}). */
    int[] startColumn()
    {
        return start;
    }

    /** @return each claim's id length in bytes, by claim index (see {@link #ensureClaims}). */
    int[] lengthColumn()
    {
        return length;
    }

    /** @return each claim's id hash ({@link #shortHash} or {@link #inPlaceHash()}), by claim index. */
    int[] hashColumn()
    {
        return hash;
    }

    /** @param claims the ids of claims below this are set (a run filled through the columns). */
    void countAtLeast(final int claims)
    {
        count = Math.max(count, claims);
    }

    /**
     * Appends the id of the next claim (a cold path: it encodes the string).
     *
     * @param id the id.
     */
    void add(final String id)
    {
        final byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
        final int from = reserve(utf8.length);
        System.arraycopy(utf8, 0, bytes, from, utf8.length);
        set(count, from, utf8.length);
    }

    /** @return the bytes in use at the start of {@link #bytes()}: at least the total length of the ids. */
    int size()
    {
        return end;
    }

    /** @return the buffer the ranges index. */
    byte[] bytes()
    {
        return bytes;
    }

    /** @param claim index. @return where its id starts in {@link #bytes()}. */
    int start(final int claim)
    {
        return start[claim];
    }

    /** @param claim index. @return its id's length in bytes. */
    int length(final int claim)
    {
        return length[claim];
    }

    /** @return the number of claims with an id. */
    int count()
    {
        return count;
    }

    /** @param claim index. @return the id as a string (a cold path). */
    String id(final int claim)
    {
        return new String(bytes, start[claim], length[claim], StandardCharsets.UTF_8);
    }

    @Override
    public void reset()
    {
        // Open addressing over the id byte ranges; a slot holds claim index + 1, 0 is empty.
        final int size = Math.max(16, Integer.highestOneBit(Math.max(1, count) << 1) << 1);
        if (slots.length < size)
        {
            slots = new int[size];
        }
        Arrays.fill(slots, 0, size, 0);
        mask = size - 1;
        // The hash's high bits choose the slot (they are multiply-shift's well-mixed ones).
        shift = Integer.numberOfLeadingZeros(size) + 1;
    }

    @Override
    public void check(final int claim, final Violations out)
    {
        final int from = start[claim];
        final int n = length[claim];
        if (n == 0)
        {
            out.add(claim, Violations.Field.ID, 0, "must not be empty");
            return;
        }
        final int[] slots = this.slots;
        final int[] hash = this.hash;
        final int h = hash[claim];
        int slot = h >>> shift;
        while (true)
        {
            final int taken = slots[slot];
            if (taken == 0)
            {
                slots[slot] = claim + 1;
                return;
            }
            final int first = taken - 1;
            final int other = start[first];
            if (hash[first] == h && length[first] == n && Arrays.equals(bytes, from, from + n, bytes, other, other + n))
            {
                out.add(claim, Violations.Field.ID, 0, "duplicates claims[" + first + "].id \"" + id(claim) + "\"");
                return;
            }
            slot = (slot + 1) & mask;
        }
    }

    @Override
    public void checkAll(final int n, final Violations out)
    {
        // check() of each claim in one loop over the columns held in locals; a duplicate or an empty id (rare) goes
        // through check() itself, which words the violation. The probe repeats check()'s on purpose: a shared method
        // reading the fields measured 3-4 us slower at 4,096 claims (the cold calls in the loop keep the JIT from
        // hoisting its field reads), and the two are tested equal (ClaimIdsTest).
        final int[] start = this.start;
        final int[] length = this.length;
        final int[] hash = this.hash;
        final int[] slots = this.slots;
        final byte[] bytes = this.bytes;
        final int mask = this.mask;
        final int shift = this.shift;
        for (int claim = 0; claim < n; claim++)
        {
            final int len = length[claim];
            if (len == 0)
            {
                check(claim, out);
                continue;
            }
            final int h = hash[claim];
            final int from = start[claim];
            int slot = h >>> shift;
            while (true)
            {
                final int taken = slots[slot];
                if (taken == 0)
                {
                    slots[slot] = claim + 1;
                    break;
                }
                final int first = taken - 1;
                final int other = start[first];
                if (hash[first] == h && length[first] == len &&
                    Arrays.equals(bytes, from, from + len, bytes, other, other + len))
                {
                    check(claim, out);
                    break;
                }
                slot = slot + 1 & mask;
            }
        }
    }

    // The same hash as inPlace and shortHash: one word by multiply-shift; a longer range a word at a time, the last
    // word masked to the range, then mixed.
    private int hash(final int from, final int n)
    {
        final byte[] bytes = this.bytes;
        if (n <= Long.BYTES)
        {
            return shortHash(Words.get(bytes, from) & Words.low(n), n);
        }
        long h = hashSeed ^ n;
        int k = from;
        final int to = from + n;
        for (; k + Long.BYTES <= to; k += Long.BYTES)
        {
            h = step(h, Words.get(bytes, k));
        }
        if (k < to)
        {
            h = step(h, Words.get(bytes, k) & Words.low(to - k));
        }
        return mix(h);
    }

    /**
     * The hash of an id of at most eight bytes: multiply-shift of its word with the length in the top byte (where an
     * id of fewer than eight bytes has zeros). For two distinct words the high k bits, which choose the slot, agree
     * with probability at most 2 / 2^k over the multiplier.
     *
     * @param word the id's bytes, little-endian, the bytes past it zero.
     * @param n    its length, 0 to {@link Long#BYTES}.
     * @return its hash.
     */
    int shortHash(final long word, final int n)
    {
        return (int)((word ^ (long)n << 56) * multiplier >>> 32);
    }

    private static long step(final long hash, final long word)
    {
        return Long.rotateLeft((hash ^ word) * 0x9E3779B97F4A7C15L, 31);
    }

    // MurmurHash3's 64-bit finalizer, folded to the int the table keeps.
    private static int mix(final long hash)
    {
        long h = hash;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return (int)(h ^ h >>> 33);
    }
}
