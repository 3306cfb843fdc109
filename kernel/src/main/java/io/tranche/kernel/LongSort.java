package io.tranche.kernel;

/**
 * Stable bottom-up merge sort of a {@code long[]} prefix with a caller-owned scratch array:
 * O(n log n), no allocation (unlike {@code Arrays.sort(long[])}, which may allocate to merge runs).
 */
final class LongSort
{
    private LongSort()
    {
    }

    /**
     * Sorts {@code a[0..n)} ascending.
     *
     * @param a       values; may be overwritten.
     * @param scratch at least {@code n} long.
     * @param n       number of values.
     * @return the array ({@code a} or {@code scratch}) that holds the sorted values.
     */
    static long[] sort(final long[] a, final long[] scratch, final int n)
    {
        long[] src = a;
        long[] dst = scratch;
        for (int width = 1; width < n; width <<= 1)
        {
            for (int left = 0; left < n; left += width << 1)
            {
                final int mid = Math.min(left + width, n);
                final int right = Math.min(left + (width << 1), n);
                int i = left;
                int j = mid;
                int k = left;
                while (i < mid && j < right)
                {
                    dst[k++] = src[j] < src[i] ? src[j++] : src[i++];
                }
                while (i < mid)
                {
                    dst[k++] = src[i++];
                }
                while (j < right)
                {
                    dst[k++] = src[j++];
                }
            }
            final long[] t = src;
            src = dst;
            dst = t;
        }
        return src;
    }
}
