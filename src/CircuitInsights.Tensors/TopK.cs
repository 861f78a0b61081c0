namespace CircuitInsights.Tensors;

/// <summary>Selection of the k largest values. Naive twin: <see cref="NaiveKernels.TopK"/>.</summary>
public static class TopK
{
    /// <summary>
    /// Writes the indices and values of the min(k, n) largest entries of <paramref name="values"/>, sorted descending
    /// (ties: lower index first). Returns the number written. NaN entries are ignored.
    /// </summary>
    public static int Largest(ReadOnlySpan<float> values, int k, Span<int> indices, Span<float> topValues)
    {
        int n = Math.Min(k, values.Length);
        if (indices.Length < n || topValues.Length < n) throw new ArgumentException("destination too short");
        var order = new int[values.Length];
        int count = 0;
        for (int i = 0; i < values.Length; i++) if (!float.IsNaN(values[i])) order[count++] = i;
        var vals = values.ToArray();
        Array.Sort(order, 0, count, Comparer<int>.Create((a, b) => vals[b].CompareTo(vals[a]) is var c && c != 0 ? c : a.CompareTo(b)));
        n = Math.Min(n, count);
        for (int i = 0; i < n; i++) { indices[i] = order[i]; topValues[i] = vals[order[i]]; }
        return n;
    }
}
