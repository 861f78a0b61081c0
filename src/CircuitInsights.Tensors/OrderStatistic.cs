namespace CircuitInsights.Tensors;

/// <summary>k-th smallest value without sorting (Hoare's quickselect, median-of-three pivots): O(n) on average.</summary>
public static class OrderStatistic
{
    /// <summary>Returns the value that would be at index <paramref name="rank"/> of the ascending sort of
    /// <paramref name="values"/>; reorders <paramref name="values"/> in place. NaNs are not allowed.</summary>
    public static float Select(Span<float> values, int rank)
    {
        if ((uint)rank >= (uint)values.Length) throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} outside [0, {values.Length})");
        int lo = 0, hi = values.Length - 1;
        while (hi > lo)
        {
            int mid = lo + (hi - lo) / 2;
            if (values[mid] < values[lo]) (values[mid], values[lo]) = (values[lo], values[mid]);
            if (values[hi] < values[lo]) (values[hi], values[lo]) = (values[lo], values[hi]);
            if (values[hi] < values[mid]) (values[hi], values[mid]) = (values[mid], values[hi]);
            float pivot = values[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j) { (values[i], values[j]) = (values[j], values[i]); i++; j--; }
            }
            if (rank <= j) hi = j;
            else if (rank >= i) lo = i;
            else return values[rank];
        }
        return values[rank];
    }
}
