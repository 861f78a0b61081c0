using System.Buffers;

namespace CircuitInsights.Tensors;

/// <summary>
/// Selection of the k largest values: expected O(n) quickselect (median-of-three pivots, falling back to a sort after
/// too many rounds) on the order "larger value first, lower index on ties", then a sort of the k selected.
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
