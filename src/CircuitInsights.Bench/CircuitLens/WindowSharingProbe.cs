using System.Diagnostics;
using CircuitInsights.CircuitLens.Analysis;
using CircuitInsights.Models;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Bench.CircuitLensBench;

/// <summary>
/// Time of one <see cref="ContextAnalyzer.Analyze"/> call on a full window with k feature targets at random active
/// positions (the logit targets then cover nearly every position), for the k of <see cref="TargetCounts"/>.
/// <see cref="PerTargetSeconds"/> is the slope between the two largest k, <see cref="PerWindowSeconds"/> the rest of the
/// largest call: what analysing many features' contexts of the same window together would cost.
/// </summary>
public sealed record WindowSharingResult(int Positions, int[] TargetCounts, double[] Seconds)
{
    public double PerTargetSeconds => TargetCounts.Length < 2 ? 0
        : Math.Max(0, (Seconds[^1] - Seconds[^2]) / (TargetCounts[^1] - TargetCounts[^2]));
    public double PerWindowSeconds => Math.Max(0, Seconds[^1] - TargetCounts[^1] * PerTargetSeconds);
}

/// <summary>Measures <see cref="WindowSharingResult"/> on one window.</summary>
public static class WindowSharingProbe
{
    public static WindowSharingResult Run(ReplacementModel model, ContextAnalyzer analyzer, int[] tokens, int[] targetCounts, int seed)
    {
        var run = model.Run(TokenBatch.Single(tokens), new ReplacementOptions { Logits = LogitsMode.None });
        var active = new List<ContextTarget>();
        foreach (var (layer, lr) in run.Layers)
            for (int t = 1; t < tokens.Length; t++)
            {
                var f = lr.Active.FeaturesOf(t);
                var v = lr.Active.ValuesOf(t);
                for (int i = 0; i < f.Length; i++)
                    if (v[i] > 0) active.Add(new ContextTarget(layer, f[i], t, v[i]));
            }
        var rng = new Random(seed);
        var shuffled = active.OrderBy(_ => rng.Next()).ToList();
        var seconds = new double[targetCounts.Length];
        for (int i = 0; i < targetCounts.Length; i++)
        {
            var targets = shuffled.Take(targetCounts[i]).ToArray();
            var sw = Stopwatch.StartNew();
            analyzer.Analyze(0, tokens, targets);
            seconds[i] = sw.Elapsed.TotalSeconds;
        }
        return new WindowSharingResult(tokens.Length, targetCounts.Select(k => Math.Min(k, shuffled.Count)).ToArray(), seconds);
    }
}
