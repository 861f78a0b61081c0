using CircuitInsights.Formats;
using CircuitInsights.CircuitLens.Analysis;

namespace CircuitInsights.CircuitLens.Cache;

/// <summary>Read access to a finalized activation cache folder.</summary>
public sealed class ActivationCache
{
    readonly Dictionary<int, FeatureSketches> _sketches = new();
    readonly Dictionary<int, (int[] Count, int[] Window, int[] Position, float[] Activation, int N)> _samples = new();
    Dictionary<long, int[]>? _contexts;
    readonly object _lock = new();

    public string Directory { get; }
    public CacheManifest Manifest { get; }

    public ActivationCache(string directory)
    {
        Directory = directory;
        Manifest = CacheManifest.Load(directory);
        if (Manifest.Status != "finalized")
            throw new CircuitInsightsException($"{directory}: cache status is '{Manifest.Status}'; run 'circuit-insights cache' to completion first");
    }

    public IReadOnlyList<int> Layers => Manifest.Options.Layers.Distinct().Order().ToArray();

    readonly Dictionary<int, CoactivationStats?> _coactivation = new();

    public FeatureSketches Sketches(int layer)
    {
        lock (_lock)
        {
            if (_sketches.TryGetValue(layer, out var s)) return s;
            if (!Layers.Contains(layer)) throw new CircuitInsightsException($"{Directory}: layer {layer} was not cached (cached: {string.Join(", ", Layers)})");
            return _sketches[layer] = FeatureSketches.Load(CacheManifest.LayerFile(Directory, layer), Manifest.Options.Seed);
        }
    }

    /// <summary>TWERA of a feature's tracked upstream pairs (largest |TWERA| first): TWERA = E[a_t·a_s]/E[a_t] × the virtual
    /// weight, from the co-activation statistics gathered in the cache pass. Empty when none were gathered for the layer
    /// (first cached layer, or <c>--coactivation-pairs 0</c>) or the feature never fired.</summary>
    public IReadOnlyList<TweraLink> Twera(int layer, int feature)
    {
        CoactivationStats? stats;
        lock (_lock)
        {
            if (!_coactivation.TryGetValue(layer, out stats))
            {
                string path = CacheManifest.CoactivationFile(Directory, layer);
                _coactivation[layer] = stats = File.Exists(path) ? CoactivationStats.Load(path) : null;
            }
        }
        if (stats is null || (uint)feature >= (uint)stats.Features) return [];
        var sumTarget = Sketches(layer).PositionSum[feature];
        var links = new List<TweraLink>();
        for (int p = 0; p < stats.Pairs; p++)
        {
            int o = feature * stats.Pairs + p;
            if (stats.SourceLayer[o] < 0) continue;
            links.Add(new TweraLink(stats.SourceLayer[o], stats.SourceFeature[o], stats.VirtualWeight[o], stats.Twera(feature, p, sumTarget)));
        }
        return links.OrderByDescending(l => Math.Abs(l.Twera)).ThenBy(l => l.Layer).ThenBy(l => l.Feature).ToList();
    }

    /// <summary>The contexts sampled for a feature (highest activation first).</summary>
    public SampledContext[] Samples(int layer, int feature)
    {
        (int[] Count, int[] Window, int[] Position, float[] Activation, int N) s;
        lock (_lock)
        {
            if (!_samples.TryGetValue(layer, out s))
            {
                using var src = SafeTensorsFile.Open(CacheManifest.SamplesFile(Directory, layer));
                int n = src.Tensors.First(t => t.Name == "sample_window").Shape[1];
                s = (Ints(src, "sample_count"), Ints(src, "sample_window"), Ints(src, "sample_position"), src.Load("sample_activation").ToFloatArray(), n);
                _samples[layer] = s;
            }
        }
        if ((uint)feature >= (uint)s.Count.Length) throw new CircuitInsightsException($"feature {feature} outside [0, {s.Count.Length})");
        return Enumerable.Range(0, s.Count[feature]).Select(i => new SampledContext(s.Window[feature * s.N + i], s.Position[feature * s.N + i], s.Activation[feature * s.N + i])).ToArray();
    }

    /// <summary>Token ids of a stored window.</summary>
    public int[] Window(long index)
    {
        lock (_lock)
        {
            if (_contexts is null)
            {
                using var src = SafeTensorsFile.Open(CacheManifest.ContextsFile(Directory));
                var idx = Longs(src, "window_index");
                var off = Longs(src, "offsets");
                var tok = Ints(src, "tokens");
                _contexts = new Dictionary<long, int[]>(idx.Length);
                for (int i = 0; i < idx.Length; i++) _contexts[idx[i]] = tok[(int)off[i]..(int)off[i + 1]];
            }
            return _contexts.TryGetValue(index, out var t) ? t : throw new CircuitInsightsException($"{Directory}: window {index} is not stored in contexts.safetensors");
        }
    }

    static int[] Ints(ITensorSource s, string n) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(s.Load(n).Raw.Span).ToArray();
    static long[] Longs(ITensorSource s, string n) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(s.Load(n).Raw.Span).ToArray();
}
