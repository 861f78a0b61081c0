namespace CircuitInsights.CircuitLens.Clustering;

/// <summary>Jaccard similarity of contributor sets, J(A, B) = |A ∩ B| / |A ∪ B| (two empty sets are identical).</summary>
public static class Jaccard
{
    public static double Similarity<T>(IReadOnlySet<T> a, IReadOnlySet<T> b)
    {
        if (a.Count == 0 && b.Count == 0) return 1;
        int inter = a.Count <= b.Count ? a.Count(b.Contains) : b.Count(a.Contains);
        return inter / (double)(a.Count + b.Count - inter);
    }

    /// <summary>Distance matrix 1 − J for all pairs, [n, n].</summary>
    public static double[,] Distances<T>(IReadOnlyList<IReadOnlySet<T>> sets)
    {
        int n = sets.Count;
        var d = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                d[i, j] = d[j, i] = 1 - Similarity(sets[i], sets[j]);
        return d;
    }
}
