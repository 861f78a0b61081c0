namespace CircuitInsights.CircuitLens.Clustering;

/// <summary>Adjusted Rand index (Hubert &amp; Arabie 1985) between two labelings; 1 = identical partitions, ≈ 0 = chance.</summary>
public static class AdjustedRandIndex
{
    public static double Compute(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        if (a.Count != b.Count) throw new ArgumentException("labelings differ in length");
        int n = a.Count;
        if (n < 2) return 1;
        var table = new Dictionary<(int, int), long>();
        var rows = new Dictionary<int, long>();
        var cols = new Dictionary<int, long>();
        for (int i = 0; i < n; i++)
        {
            table[(a[i], b[i])] = table.GetValueOrDefault((a[i], b[i])) + 1;
            rows[a[i]] = rows.GetValueOrDefault(a[i]) + 1;
            cols[b[i]] = cols.GetValueOrDefault(b[i]) + 1;
        }
        static double Pairs(long x) => x * (x - 1) / 2.0;
        double index = table.Values.Sum(Pairs), sumA = rows.Values.Sum(Pairs), sumB = cols.Values.Sum(Pairs), total = Pairs(n);
        double expected = sumA * sumB / total, max = (sumA + sumB) / 2;
        if (max == expected) return 1; // both partitions trivial and equal
        return (index - expected) / (max - expected);
    }
}
