using CircuitInsights.CircuitLens.Cache;

namespace CircuitInsights.Storage.Import;

/// <summary>
/// Imports an activation cache: the run (model, transcoder set with every numerics option), per-feature statistics and
/// histograms of the window maxima (<see cref="ActivationHistogram"/>) for every feature of every cached layer, and up
/// to <see cref="ImportOptions.TopContexts"/> top and <see cref="ImportOptions.SampledContexts"/> sampled contexts per
/// active feature (windows whose tokens the cache stored). Returns the activation requests for those contexts.
/// </summary>
public static class CacheImporter
{
    public static List<ActivationRequest> Import(StoreWriter w, string dir, ImportOptions o, ImportSummary summary, IProgress<string>? progress = null)
    {
        var cache = new ActivationCache(dir);
        var m = cache.Manifest;
        w.SetRun(m.Model, m.Transcoders);
        var requests = new List<ActivationRequest>();
        foreach (int layer in cache.Layers)
        {
            progress?.Report($"cache: layer {layer}");
            var s = cache.Sketches(layer);
            for (int f = 0; f < s.Features; f++)
            {
                w.SetFeatureStats(layer, f, Stats(s, f, m));
                summary.Features++;
                if (s.WindowCount[f] == 0) continue;
                if (ActivationHistogram.FromSketch(s, f, o.HistogramBins) is { } h) { w.SetHistogram(layer, f, h); summary.Histograms++; }
                if (o.TopContexts > 0 || o.SampledContexts > 0)
                {
                    w.DeleteContexts(layer, f, "top");
                    w.DeleteContexts(layer, f, "sample");
                }
                int rank = 0;
                foreach (var t in s.Top(f).Take(Math.Min(o.TopContexts, CacheFinalizer.TopContexts)))
                    AddContext(w, cache, layer, f, "top", rank++, t.Window, t.Position, t.Value, requests, summary);
                if (o.SampledContexts > 0)
                {
                    var samples = cache.Samples(layer, f);
                    rank = 0;
                    foreach (var sc in Spread(samples, o.SampledContexts))
                        AddContext(w, cache, layer, f, "sample", rank++, sc.Window, sc.Position, sc.Activation, requests, summary);
                }
            }
        }
        w.RecordImport("cache", Path.GetFullPath(dir), new { o.TopContexts, o.SampledContexts, o.HistogramBins, cache = m.Options },
            new { features = summary.Features, histograms = summary.Histograms, m.Windows, m.Tokens, m.Positions });
        return requests;
    }

    static FeatureStats Stats(FeatureSketches s, int f, CacheManifest m)
    {
        long count = s.PositionCount[f];
        double sum = ExactSum.ToDouble(s.PositionSum[f]), sumsq = ExactSum.ToDouble(s.PositionSumSquares[f]);
        double meanActive = count > 0 ? sum / count : 0;
        double variance = count > 0 ? Math.Max(0, sumsq / count - meanActive * meanActive) : 0;
        bool any = s.WindowCount[f] > 0;
        return new FeatureStats(count, m.Positions, s.WindowCount[f], m.Windows, m.Positions > 0 ? sum / m.Positions : 0, meanActive,
            Math.Sqrt(variance), any ? s.WindowMax[f] : null, any ? s.WindowMin[f] : null);
    }

    /// <summary>k contexts spread evenly over the sampled list (which is sorted by activation, highest first).</summary>
    static IEnumerable<SampledContext> Spread(SampledContext[] samples, int k)
    {
        if (samples.Length <= k) return samples;
        return Enumerable.Range(0, k).Select(i => samples[(int)Math.Round(i * (samples.Length - 1) / (double)(k - 1 == 0 ? 1 : k - 1))]).Distinct();
    }

    static void AddContext(StoreWriter w, ActivationCache cache, int layer, int f, string source, int rank, int window, int position, float value,
        List<ActivationRequest> requests, ImportSummary summary)
    {
        int[] tokens;
        try { tokens = cache.Window(window); }
        catch (CircuitInsightsException) { return; } // the finalizer stores only the windows later stages need
        w.AddWindow(window, tokens);
        long id = w.AddContext(layer, f, source, rank, window, position, value, null, null, null);
        requests.Add(new ActivationRequest(id, layer, f, window, tokens));
        summary.Contexts++;
    }
}
