package io.tranche.server.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The word-at-a-time varints against protobuf's own encoder, at every length and around every length's edges. */
class WordsTest
{
    @Test
    void shouldEncodeAndDecodeVarintsOfEveryLengthAsProtobufDoes() throws IOException
    {
        final SplittableRandom random = new SplittableRandom(11);
        final byte[] expected = new byte[16];
        final byte[] written = new byte[16];
        for (int t = 0; t < 300_000; t++)
        {
            // Every length from 1 to 8 bytes, often at the edges 2^(7k) - 1 and 2^(7k), else anywhere inside.
            final int bits = 7 * random.nextInt(1, 9);
            final long value = switch (random.nextInt(4))
            {
                case 0 -> (1L << bits) - 1;
                case 1 -> bits == 56 ? 0 : 1L << bits;
                default -> random.nextLong(1L << bits);
            };
            final CodedOutputStream out = CodedOutputStream.newInstance(expected);
            out.writeUInt64NoTag(value);
            final int length = out.getTotalBytesWritten();
            assertThat(Words.varintSize(value)).as("size of %d", value).isEqualTo(length);

            Arrays.fill(written, (byte)0);
            Words.put(written, 0, Words.varint(value, length));
            assertThat(written).as("bytes of %d", value).startsWith(Arrays.copyOf(expected, length));
            assertThat(Arrays.copyOfRange(written, length, 16)).as("past %d", value).isEqualTo(new byte[16 - length]);

            // Read back with whatever follows it in the word.
            for (int k = length; k < 16; k++)
            {
                expected[k] = (byte)random.nextInt(256);
            }
            final long word = Words.get(expected, 0);
            assertThat(Words.varintLength(word)).as("length of %d", value).isEqualTo(length);
            assertThat(Words.varintValue(word, length)).as("value of %d", value).isEqualTo(value);
        }
    }

    @Test
    void shouldSizeVarintsOfEveryBitLengthAndNegativeValuesAsProtobufDoes()
    {
        final SplittableRandom random = new SplittableRandom(12);
        for (int bits = 0; bits <= 64; bits++)
        {
            // The smallest and largest value of this bit length (64: the negative ones), and one between.
            final long low = bits == 0 ? 0 : 1L << bits - 1;
            final long high = bits == 0 ? 0 : bits == 64 ? -1L : (1L << bits) - 1;
            final long between = bits < 2 ? low : low | random.nextLong() & high >>> 1;
            for (final long value : new long[] {low, high, between})
            {
                assertThat(Words.varintSize(value)).as("size of %d", value)
                    .isEqualTo(CodedOutputStream.computeUInt64SizeNoTag(value));
            }
        }
    }
}
