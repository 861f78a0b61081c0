using System.Diagnostics;
using CircuitInsights.CircuitLens.Cache;
using CircuitInsights.Models;
using CircuitInsights.Models.Components;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Bench.CircuitLensBench;

/// <summary>Where one cache batch spends its time, and what TWERA co-activation costs (measured by <see cref="CachePassProbe"/>).</summary>
/// <param name="Rows">Token positions of the probe batch.</param>
/// <param name="ForwardSeconds">Plain model forward (no logits); <paramref name="ForwardCpuSeconds"/> its process CPU time.</param>
/// <param name="ForwardGemmSeconds">Of which the projection and MLP GEMMs (<see cref="ForwardProfile"/>).</param>
/// <param name="ReplacementSeconds">The same forward with every layer's transcoder encoded, sparsified and reconstructed
/// (what the cache pass runs per batch); <paramref name="ReplacementCpuSeconds"/> its process CPU time.</param>
/// <param name="MeanActivePerPosition">Active features per position and layer (BOS excluded), mean over layers.</param>
/// <param name="CoactivationPairSeconds">Choosing the TWERA candidates of one layer pair (a K×K virtual-weight GEMM, streamed top/bottom-k).</param>
/// <param name="CoactivationSecondsPerRow">Accumulating one target layer's pairs at one position.</param>
public sealed record CacheProbeResult(int Rows, double ForwardSeconds, double ForwardCpuSeconds, double ForwardGemmSeconds, double ReplacementSeconds, double ReplacementCpuSeconds,
    double MeanActivePerPosition, double CoactivationPairSeconds, double CoactivationSecondsPerRow);

/// <summary>
/// Times the parts of a cache batch separately: the model forward (with its GEMM share), the transcoders on top of it,
/// and TWERA co-activation (candidate selection for the layer pair 0 → 1 and its per-position accumulation), which the
/// timed pass leaves out unless asked (its setup alone is L(L−1)/2 K×K GEMMs per shard).
/// </summary>
public static class CachePassProbe
{
    public static CacheProbeResult Run(DecoderModel decoder, TranscoderSet set, IReadOnlyList<int[]> windows, int pad, int pairs)
    {
        var batch = new TokenBatch(windows, pad);
        int layers = set.Layers.Max() + 1;
        var profile = new ForwardProfile();
        var sw = Stopwatch.StartNew();
        var cpu = Cpu();
        decoder.Forward(batch, new ForwardOptions { Profile = profile, Logits = LogitsMode.None, StopAtLayer = layers });
        double forward = sw.Elapsed.TotalSeconds, forwardCpu = Cpu() - cpu;
        double gemm = profile.GemmTime.TotalSeconds;

        var rm = new ReplacementModel(decoder, set);
        sw.Restart();
        cpu = Cpu();
        var run = rm.Run(batch, new ReplacementOptions { Logits = LogitsMode.None, StopAtLayer = layers });
        double replacement = sw.Elapsed.TotalSeconds, replacementCpu = Cpu() - cpu;

        int T = batch.Positions;
        var counted = new List<int>();
        for (int b = 0; b < windows.Count; b++)
            for (int t = 1; t < batch.Lengths[b]; t++) counted.Add(b * T + t);
        double active = 0;
        foreach (var lr in run.Layers.Values)
            active += counted.Sum(r => lr.Active.Count(r)) / (double)Math.Max(1, counted.Count);
        active /= Math.Max(1, run.Layers.Count);

        double pairSeconds = 0, addSeconds = 0;
        if (pairs > 0)
        {
            sw.Restart();
            var stats = CoactivationStats.Create(set, 1, [0, 1], pairs);
            pairSeconds = sw.Elapsed.TotalSeconds;
            var active01 = new Dictionary<int, SparseFeatures> { [0] = run.Layers[0].Active, [1] = run.Layers[1].Active };
            sw.Restart();
            foreach (int r in counted) stats.Add(r, active01);
            addSeconds = sw.Elapsed.TotalSeconds / Math.Max(1, counted.Count);
        }
        return new CacheProbeResult(batch.BatchSize * T, forward, forwardCpu, gemm, replacement, replacementCpu, active, pairSeconds, addSeconds);
    }

    static double Cpu()
    {
        using var p = Process.GetCurrentProcess();
        return p.TotalProcessorTime.TotalSeconds;
    }
}
