namespace CircuitInsights.WeightLens.Validation;

/// <summary>Activations of single tokens ([BOS, token] sequences) by (layer, token, feature), filled by batched sweeps.</summary>
internal sealed class ActivationCache
{
    readonly Dictionary<ulong, float> _values = new();

    static ulong Key(int layer, int token, int feature) => ((ulong)(uint)layer << 48) | ((ulong)(uint)token << 24) | (uint)feature;

    public bool TryGet(int layer, int token, int feature, out float value) => _values.TryGetValue(Key(layer, token, feature), out value);

    public float Get(int layer, int token, int feature) =>
        _values.TryGetValue(Key(layer, token, feature), out float v) ? v : throw new InvalidOperationException($"no activation for layer {layer} token {token} feature {feature}");

    public void Set(int layer, int token, int feature, float value) => _values[Key(layer, token, feature)] = value;

    public int Count => _values.Count;

    /// <summary>Measures every (layer, token, feature) in <paramref name="needs"/> not cached yet, one sequence
    /// [<paramref name="bos"/>, token] (or [token] without BOS) per distinct token.</summary>
    public void Fill(ActivationProbe probe, int? bos, IEnumerable<(int Layer, int Token, int Feature)> needs, Action<int, int>? progress = null)
    {
        var byToken = new SortedDictionary<int, SortedSet<(int Layer, int Feature)>>();
        foreach (var (layer, token, feature) in needs)
        {
            if ((uint)token >= 1u << 24 || (uint)feature >= 1u << 24) throw new ArgumentOutOfRangeException(nameof(needs), "token or feature index too large");
            if (TryGet(layer, token, feature, out _)) continue;
            if (!byToken.TryGetValue(token, out var set)) byToken[token] = set = [];
            set.Add((layer, feature));
        }
        progress?.Invoke(0, byToken.Count);
        if (byToken.Count == 0) return;
        int position = bos is null ? 0 : 1;
        var sequences = byToken.Select(kv => new ProbeSequence(
            bos is int b ? [b, kv.Key] : [kv.Key],
            kv.Value.Select(lf => new ProbeRead(lf.Layer, position, lf.Feature)).ToArray())).ToList();
        int done = 0;
        var results = probe.Run(sequences, n => progress?.Invoke(done += n, sequences.Count));
        int i = 0;
        foreach (var (token, set) in byToken)
        {
            int j = 0;
            foreach (var (layer, feature) in set) Set(layer, token, feature, results[i][j++]);
            i++;
        }
    }
}
