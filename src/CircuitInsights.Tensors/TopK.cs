using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CircuitInsights.Tensors;

/// <summary>
/// Selection of the k largest values on the order "larger value first, lower index on ties", then a sort of the k
/// selected. For k ≪ n (k·64 ≤ n, e.g. top logits of a vocabulary) a size-k heap behind a vectorised comparison with
/// the current k-th value, which rejects almost every entry at a few instructions per 8 values; otherwise an expected
/// O(n) quickselect (median-of-three pivots, falling back to a sort after too many rounds).
/// Naive twin: <see cref="NaiveKernels.TopK"/>.
/// </summary>
public static class TopK
{
    /// <summary>
    /// Writes the indices and values of the min(k, n) largest entries of <paramref name="values"/>, sorted descending
    /// (ties: lower index first). Returns the number written. NaN entries are ignored.
    /// </summary>
    public static int Largest(ReadOnlySpan<float> values, int k, Span<int> indices, Span<float> topValues)
    {
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), "k must be non-negative");
        int n = Math.Min(k, values.Length);
        if (indices.Length < n || topValues.Length < n) throw new ArgumentException("destination too short");
        if (n == 0) return 0;

        if ((long)n * 64 <= values.Length) return LargestByHeap(values, n, indices, topValues);

        int[] rented = ArrayPool<int>.Shared.Rent(values.Length);
        try
        {
            int count = 0;
            for (int i = 0; i < values.Length; i++) if (!float.IsNaN(values[i])) rented[count++] = i;
            var candidates = rented.AsSpan(0, count);
            int take = Math.Min(n, count);
            if (take == 0) return 0;
            if (take < count) Select(candidates, values, take - 1);

            var chosen = new Entry[take];
            for (int i = 0; i < take; i++) chosen[i] = new Entry(values[candidates[i]], candidates[i]);
            Array.Sort(chosen);
            for (int i = 0; i < take; i++) { indices[i] = chosen[i].Index; topValues[i] = chosen[i].Value; }
            return take;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rented);
        }
    }

    /// <summary>Heap selection for small k: a min-heap (root = worst kept) and a vectorised rejection test.</summary>
    static int LargestByHeap(ReadOnlySpan<float> values, int k, Span<int> indices, Span<float> topValues)
    {
        var heap = new Entry[k]; // ordered by Entry: the root is the entry that sorts last
        int count = 0;
        float threshold = float.NegativeInfinity; // value of the root once the heap is full
        ref float start = ref MemoryMarshal.GetReference(values);
        int i = 0;
        for (; i + 8 <= values.Length; i += 8)
        {
            uint mask = Vector256.GreaterThanOrEqual(Vector256.LoadUnsafe(ref start, (nuint)i), Vector256.Create(threshold)).ExtractMostSignificantBits();
            while (mask != 0)
            {
                int j = i + BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                Offer(heap, ref count, new Entry(values[j], j), ref threshold);
            }
        }
        for (; i < values.Length; i++)
            if (values[i] >= threshold) Offer(heap, ref count, new Entry(values[i], i), ref threshold);
        Array.Sort(heap, 0, count);
        for (int j = 0; j < count; j++) { indices[j] = heap[j].Index; topValues[j] = heap[j].Value; }
        return count;
    }

    static void Offer(Entry[] heap, ref int count, Entry e, ref float threshold)
    {
        int k = heap.Length;
        if (count < k)
        {
            int i = count++;
            while (i > 0)
            {
                int parent = (i - 1) / 2;
                if (e.CompareTo(heap[parent]) <= 0) break; // e sorts before its parent: it stays below
                heap[i] = heap[parent];
                i = parent;
            }
            heap[i] = e;
            if (count == k) threshold = heap[0].Value;
            return;
        }
        if (e.CompareTo(heap[0]) >= 0) return; // not better than the worst kept
        int j = 0;
        while (true)
        {
            int child = 2 * j + 1;
            if (child >= k) break;
            if (child + 1 < k && heap[child + 1].CompareTo(heap[child]) > 0) child++;
            if (heap[child].CompareTo(e) <= 0) break;
            heap[j] = heap[child];
            j = child;
        }
        heap[j] = e;
        threshold = heap[0].Value;
    }

    /// <summary>Sort key: larger value first, then lower index (a strict total order, since indices are distinct).</summary>
    readonly record struct Entry(float Value, int Index) : IComparable<Entry>
    {
        public int CompareTo(Entry other) => Value > other.Value ? -1 : Value < other.Value ? 1 : Index.CompareTo(other.Index);
    }

    static bool Before(ReadOnlySpan<float> v, int a, int b) => v[a] > v[b] || (v[a] == v[b] && a < b);

    /// <summary>Rearranges <paramref name="idx"/> so that positions 0..kth hold the kth+1 first entries in the order (unsorted).</summary>
    static void Select(Span<int> idx, ReadOnlySpan<float> v, int kth)
    {
        int lo = 0, hi = idx.Length - 1;
        int budget = 2 * (32 - int.LeadingZeroCount(idx.Length)) + 8;
        while (hi > lo)
        {
            if (--budget < 0)
            {
                var rest = new Entry[hi - lo + 1];
                for (int i = 0; i < rest.Length; i++) rest[i] = new Entry(v[idx[lo + i]], idx[lo + i]);
                Array.Sort(rest);
                for (int i = 0; i < rest.Length; i++) idx[lo + i] = rest[i].Index;
                return;
            }
            int mid = lo + (hi - lo) / 2;
            if (Before(v, idx[mid], idx[lo])) (idx[mid], idx[lo]) = (idx[lo], idx[mid]);
            if (Before(v, idx[hi], idx[lo])) (idx[hi], idx[lo]) = (idx[lo], idx[hi]);
            if (Before(v, idx[hi], idx[mid])) (idx[hi], idx[mid]) = (idx[mid], idx[hi]);
            int pivot = idx[mid];
            int i0 = lo, j0 = hi;
            while (i0 <= j0)
            {
                while (Before(v, idx[i0], pivot)) i0++;
                while (Before(v, pivot, idx[j0])) j0--;
                if (i0 <= j0) { (idx[i0], idx[j0]) = (idx[j0], idx[i0]); i0++; j0--; }
            }
            if (kth <= j0) hi = j0;
            else if (kth >= i0) lo = i0;
            else return;
        }
    }
}
