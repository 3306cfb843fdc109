package io.tranche.kernel;

/**
 * Sorting and selection on a {@code long[]} prefix with caller-owned scratch, no allocation: a stable
 * bottom-up merge sort, O(n log n) (unlike {@code Arrays.sort(long[])}, which may allocate to merge runs),
 * and a k-th largest selection, O(n) expected and O(n log n) at worst.
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

    /**
     * The {@code k}-th largest of {@code v[0..m)} ({@code 1 <= k <= m}; {@code v} is permuted):
     * quickselect with median-of-three pivots, falling back to a merge sort past a linear work budget
     * so that the worst case stays O(m log m).
     */
    static long kthLargest(final long[] v, final long[] scratch, final int m, final int k)
    {
        final int target = m - k;
        int left = 0;
        int right = m - 1;
        long budget = 4L * m + 64;
        while (left < right)
        {
            if (budget < 0)
            {
                return sort(v, scratch, m)[target];
            }
            budget -= right - left + 1;
            final int mid = (left + right) >>> 1;
            final long x = v[left];
            final long y = v[mid];
            final long z = v[right];
            final long pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
            int i = left;
            int j = right;
            while (i <= j)
            {
                while (v[i] < pivot)
                {
                    i++;
                }
                while (v[j] > pivot)
                {
                    j--;
                }
                if (i <= j)
                {
                    final long t = v[i];
                    v[i] = v[j];
                    v[j] = t;
                    i++;
                    j--;
                }
            }
            if (target <= j)
            {
                right = j;
            }
            else if (target >= i)
            {
                left = i;
            }
            else
            {
                return v[target];
            }
        }
        return v[target];
    }
}
