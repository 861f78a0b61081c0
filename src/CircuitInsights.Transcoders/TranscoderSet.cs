using CircuitInsights.Models.Hooks;

namespace CircuitInsights.Transcoders;

/// <summary>
/// The transcoders of a model, one per covered layer, with where each reads and writes (TransformerLens hook names,
/// reference.md §1.4). Layers need not be contiguous (partial sets such as WeightLens' Llama layers 0–4).
/// </summary>
public sealed class TranscoderSet : IDisposable
{
    readonly SortedDictionary<int, Transcoder> _byLayer;

    public TranscoderSetInfo Info { get; }

    public TranscoderSet(IEnumerable<Transcoder> transcoders, TranscoderSetInfo info)
    {
        _byLayer = new SortedDictionary<int, Transcoder>();
        foreach (var t in transcoders)
            if (!_byLayer.TryAdd(t.Layer, t)) throw new ArgumentException($"two transcoders for layer {t.Layer}");
        if (_byLayer.Count == 0) throw new CircuitInsightsException($"{info.Source}: transcoder set has no layers");
        int width = _byLayer.Values.First().Width;
        if (_byLayer.Values.Any(t => t.Width != width)) throw new CircuitInsightsException($"{info.Source}: layers have different widths");
        Info = info;
        // Validate hook names once.
        _ = HookPoint.Parse(info.InputHook, 0);
        _ = HookPoint.Parse(info.OutputHook, 0);
    }

    /// <summary>Covered layers, ascending.</summary>
    public IReadOnlyCollection<int> Layers => _byLayer.Keys;

    public int Width => Info.Width;

    public bool Has(int layer) => _byLayer.ContainsKey(layer);

    public Transcoder this[int layer] =>
        _byLayer.TryGetValue(layer, out var t) ? t : throw new CircuitInsightsException($"no transcoder for layer {layer} (set covers {string.Join(", ", Layers)})");

    public IEnumerable<Transcoder> All => _byLayer.Values;

    public HookPoint InputHook(int layer) => HookPoint.Parse(Info.InputHook, layer);

    public HookPoint OutputHook(int layer) => HookPoint.Parse(Info.OutputHook, layer);

    /// <summary>Transcoders (by their own layer) that write to output layer <paramref name="layer"/>.</summary>
    public IEnumerable<Transcoder> WritersTo(int layer) => _byLayer.Values.Where(t => t.WritesTo(layer));

    public void Dispose()
    {
        foreach (var t in _byLayer.Values) t.Dispose();
    }
}
