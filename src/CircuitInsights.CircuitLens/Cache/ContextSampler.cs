namespace CircuitInsights.CircuitLens.Cache;

/// <summary>A sampled context of a feature: the window, the position of the feature's maximum there, and that maximum.</summary>
public readonly record struct SampledContext(int Window, int Position, float Activation);

/// <summary>Sampling options (paper.md §4.2: 20 bins, α = 0.9, 100 contexts, without replacement).</summary>
public sealed record SamplingOptions
{
    public int Bins { get; init; } = 20;
    public double Alpha { get; init; } = 0.9;
    public int Count { get; init; } = 100;
    public int Seed { get; init; } = 1234;
}

/// <summary>
/// Draws the contexts CircuitLens analyses for a feature: the active windows' maxima are split into <c>Bins</c>
/// equal-width bins over [min, max]; a window in bin b has weight n_b^(−α) (n_b = windows in b), so rare strong
/// activations are over-sampled while the whole range stays represented; <c>Count</c> windows are drawn without
/// replacement. Bins above the sketch's exact top list are counted exactly; lower bins are estimated from the uniform
/// reservoir, whose members stand for them. Deterministic for a seed.
/// </summary>
public static class ContextSampler
{
    public static SampledContext[] Sample(FeatureSketches s, int feature, SamplingOptions o)
    {
        long n = s.WindowCount[feature];
        if (n == 0) return [];
        var top = s.Top(feature);
        float min = s.WindowMin[feature], max = s.WindowMax[feature];
        bool topIsComplete = n <= top.Length;
        float threshold = topIsComplete ? float.NegativeInfinity : top[^1].Value;
        // candidates: every kept top window, plus reservoir windows at or below the top list's threshold
        var seen = new HashSet<int>();
        var candidates = new List<(SampledContext Ctx, int Bin, bool Exact)>();
        foreach (var t in top)
            if (seen.Add(t.Window)) candidates.Add((new SampledContext(t.Window, t.Position, t.Value), BinOf(t.Value, min, max, o.Bins), true));
        var reservoirLow = new List<(SampledContext, int)>();
        if (!topIsComplete)
            foreach (var r in s.Sample(feature))
                if (r.Value <= threshold && seen.Add(r.Window)) reservoirLow.Add((new SampledContext(r.Window, r.Position, r.Value), BinOf(r.Value, min, max, o.Bins)));
        candidates.AddRange(reservoirLow.Select(r => (r.Item1, r.Item2, false)));

        // population per bin: exact top part + estimated low part
        var population = new double[o.Bins];
        foreach (var c in candidates.Where(c => c.Exact)) population[c.Bin]++;
        if (!topIsComplete && reservoirLow.Count > 0)
        {
            double lowTotal = n - top.Length;
            foreach (var (_, bin) in reservoirLow) population[bin] += lowTotal / reservoirLow.Count;
        }
        var weight = population.Select(p => p > 0 ? Math.Pow(p, -o.Alpha) : 0).ToArray();
        var byBin = Enumerable.Range(0, o.Bins).Select(b => candidates.Where(c => c.Bin == b).Select(c => c.Ctx).ToList()).ToArray();
        var drawn = new double[o.Bins];
        var rng = new Random(HashCode.Combine(o.Seed, s.Layer, feature));
        var result = new List<SampledContext>();
        while (result.Count < o.Count)
        {
            double total = 0;
            var mass = new double[o.Bins];
            for (int b = 0; b < o.Bins; b++)
            {
                if (byBin[b].Count == 0) continue;
                mass[b] = Math.Max(population[b] - drawn[b], byBin[b].Count) * weight[b];
                total += mass[b];
            }
            if (total <= 0) break;
            double u = rng.NextDouble() * total;
            int bin = 0;
            for (; bin < o.Bins - 1; bin++) { if (u < mass[bin]) break; u -= mass[bin]; }
            while (byBin[bin].Count == 0) bin--;
            int pick = rng.Next(byBin[bin].Count);
            result.Add(byBin[bin][pick]);
            byBin[bin].RemoveAt(pick);
            drawn[bin]++;
        }
        return result.OrderByDescending(r => r.Activation).ThenBy(r => r.Window).ToArray();
    }

    /// <summary>Equal-width bin of <paramref name="value"/> over [min, max] (the maximum falls in the last bin).</summary>
    public static int BinOf(float value, float min, float max, int bins)
    {
        if (!(max > min)) return 0;
        int b = (int)((value - min) / (max - min) * bins);
        return Math.Clamp(b, 0, bins - 1);
    }
}
