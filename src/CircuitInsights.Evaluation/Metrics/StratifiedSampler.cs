namespace CircuitInsights.Evaluation.Metrics;

/// <summary>
/// Chooses the natural samples the judge rates for Responsiveness/Purity (FADE <c>get_activation_based_subset</c>):
/// samples sorted by activation (ascending, ties by index) are cut into the percentile bands [0, 50), [50, 75), [75, 95),
/// [95, 100] at positions ⌊p·n/100⌋; ⌊N·(1 − top)/4⌋ samples are drawn uniformly without replacement from each band (all
/// of a smaller band); the rest up to N are the highest-activation samples not drawn yet. With n ≤ N every sample is
/// taken. FADE takes the top <c>N − drawn</c> samples whether or not a band already drew them and then removes
/// duplicates, so it can return fewer than N; here the count is exactly min(N, n).
/// </summary>
public static class StratifiedSampler
{
    public static readonly int[] Percentiles = [0, 50, 75, 95, 100];

    /// <summary>Indices into <paramref name="activations"/>, ascending.</summary>
    public static int[] Sample(IReadOnlyList<double> activations, int count, double topShare, Random rng)
    {
        int n = activations.Count;
        if (count < 0 || topShare is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(count));
        if (n <= count) return Enumerable.Range(0, n).ToArray();
        var sorted = Enumerable.Range(0, n).OrderBy(i => activations[i]).ThenBy(i => i).ToArray();
        int perBand = (int)Math.Floor(count * (1 - topShare) / (Percentiles.Length - 1));
        var chosen = new HashSet<int>();
        for (int b = 0; b < Percentiles.Length - 1; b++)
        {
            int start = (int)((long)Percentiles[b] * n / 100), stop = (int)((long)Percentiles[b + 1] * n / 100);
            var band = sorted[start..stop];
            if (band.Length <= perBand) { chosen.UnionWith(band); continue; }
            // partial Fisher–Yates: the first perBand entries become a uniform sample without replacement
            for (int i = 0; i < perBand; i++)
            {
                int j = i + rng.Next(band.Length - i);
                (band[i], band[j]) = (band[j], band[i]);
                chosen.Add(band[i]);
            }
        }
        for (int i = n - 1; i >= 0 && chosen.Count < count; i--) chosen.Add(sorted[i]);
        return chosen.Order().ToArray();
    }

    /// <summary>Band (0–3) of each index, by the same cut positions (for tests and reports).</summary>
    public static int[] Bands(IReadOnlyList<double> activations)
    {
        int n = activations.Count;
        var sorted = Enumerable.Range(0, n).OrderBy(i => activations[i]).ThenBy(i => i).ToArray();
        var band = new int[n];
        for (int b = 0; b < Percentiles.Length - 1; b++)
            for (int k = (int)((long)Percentiles[b] * n / 100); k < (int)((long)Percentiles[b + 1] * n / 100); k++) band[sorted[k]] = b;
        return band;
    }
}
