using System.Globalization;

namespace CircuitInsights.Transcoders.Loading;

/// <summary>
/// Which <c>average_l0_N</c> variant of a Gemma Scope layer to use (the repo has several sparsity levels per layer;
/// circuit-tracer / WeightLens use one fixed list, reference.md §1.4b). Spec syntax: <c>lowest</c>,
/// <c>second-lowest</c>, <c>highest</c>, <c>N</c> (same L0 for every layer), <c>closest:N</c>, or <c>L:N,L:N,…</c>.
/// </summary>
public sealed class GemmaScopeL0Selection
{
    readonly Func<int, IReadOnlyList<int>, int?> _choose;
    readonly IReadOnlySet<int>? _layers;

    public string Spec { get; }

    GemmaScopeL0Selection(string spec, Func<int, IReadOnlyList<int>, int?> choose, IReadOnlySet<int>? layers = null)
    {
        Spec = spec; _choose = choose; _layers = layers;
    }

    /// <summary>False for layers an explicit <c>L:N</c> list leaves out (those layers are not loaded).</summary>
    public bool Covers(int layer) => _layers is null || _layers.Contains(layer);

    public static GemmaScopeL0Selection Parse(string spec)
    {
        string s = spec.Trim().ToLowerInvariant();
        switch (s)
        {
            case "lowest": return new(s, (_, l0s) => l0s[0]);
            case "second-lowest" or "2nd-lowest": return new(s, (_, l0s) => l0s.Count >= 2 ? l0s[1] : null);
            case "highest": return new(s, (_, l0s) => l0s[^1]);
        }
        if (s.StartsWith("closest:", StringComparison.Ordinal) && int.TryParse(s[8..], NumberStyles.None, CultureInfo.InvariantCulture, out int target))
            return new(s, (_, l0s) => l0s.MinBy(v => (Math.Abs(v - target), v)));
        if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int same))
            return new(s, (_, l0s) => l0s.Contains(same) ? same : null);
        var map = new Dictionary<int, int>();
        foreach (var part in s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = part.Split(':');
            if (kv.Length != 2 || !int.TryParse(kv[0], NumberStyles.None, CultureInfo.InvariantCulture, out int layer) ||
                !int.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out int l0) || !map.TryAdd(layer, l0))
                throw new CircuitInsightsException($"L0 selection '{spec}': expected lowest, second-lowest, highest, N, closest:N, or a list layer:L0,layer:L0,… with each layer once");
        }
        if (map.Count == 0) throw new CircuitInsightsException($"L0 selection '{spec}' is empty");
        return new(s, (layer, l0s) => map.TryGetValue(layer, out int v) && l0s.Contains(v) ? v : null, map.Keys.ToHashSet());
    }

    /// <summary>The chosen L0 among <paramref name="available"/> (ascending), or null when the spec names none of them.</summary>
    public int? Choose(int layer, IReadOnlyList<int> available) => available.Count == 0 ? null : _choose(layer, available);

    public override string ToString() => Spec;
}
