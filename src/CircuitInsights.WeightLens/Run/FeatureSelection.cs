using System.Globalization;
using CircuitInsights.Transcoders;

namespace CircuitInsights.WeightLens.Run;

/// <summary>
/// Which features a run describes: all features of the chosen layers (default: every transcoder layer) or an explicit
/// list, optionally one shard of them. Shard i of n keeps the features whose index ≡ i (mod n) within each layer, so
/// shards partition every layer deterministically and the union of all shards is the unsharded selection.
/// </summary>
public sealed record FeatureSelection
{
    public IReadOnlyList<int>? Layers { get; init; }
    public IReadOnlyList<FeatureId>? Features { get; init; }
    public int ShardIndex { get; init; }
    public int ShardCount { get; init; } = 1;

    public static FeatureSelection All { get; } = new();

    /// <summary>Parses the CLI forms: layers "0,3-5", features "3:17,4:0-9", shard "i/n".</summary>
    public static FeatureSelection Parse(string? layers, string? features, string? shard)
    {
        if (layers is not null && features is not null) throw new CircuitInsightsException("give either --layers or --features, not both");
        var selection = new FeatureSelection();
        if (layers is not null) selection = selection with { Layers = ParseRanges(layers, "--layers") };
        if (features is not null)
        {
            var list = new List<FeatureId>();
            foreach (var item in features.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = item.Split(':');
                if (parts.Length != 2) throw new CircuitInsightsException($"--features: '{item}' is not LAYER:INDEX (or LAYER:FIRST-LAST)");
                int layer = ParseInt(parts[0], "--features");
                foreach (int i in ParseRanges(parts[1], "--features")) list.Add(new FeatureId(layer, i));
            }
            if (list.Count == 0) throw new CircuitInsightsException("--features: no features given");
            selection = selection with { Features = list.Distinct().Order().ToArray() };
        }
        if (shard is not null)
        {
            var parts = shard.Split('/');
            if (parts.Length != 2) throw new CircuitInsightsException($"--shard: '{shard}' is not i/n");
            int i = ParseInt(parts[0], "--shard"), n = ParseInt(parts[1], "--shard");
            if (n < 1 || i < 0 || i >= n) throw new CircuitInsightsException($"--shard: need 0 ≤ i < n, got {i}/{n}");
            selection = selection with { ShardIndex = i, ShardCount = n };
        }
        return selection;
    }

    /// <summary>Target features per layer (ascending), checked against the model.</summary>
    public SortedDictionary<int, int[]> Resolve(WeightLensModel model)
    {
        var result = new SortedDictionary<int, int[]>();
        if (Features is not null)
        {
            foreach (var g in Features.GroupBy(f => f.Layer))
            {
                Check(model, g.Key);
                foreach (var f in g)
                    if ((uint)f.Index >= (uint)model.Transcoders[f.Layer].Width)
                        throw new CircuitInsightsException($"--features: {f.Layer}:{f.Index} is outside layer {f.Layer}'s {model.Transcoders[f.Layer].Width} features");
                result[g.Key] = g.Select(f => f.Index).Where(InShard).Order().ToArray();
            }
        }
        else
        {
            foreach (int layer in Layers ?? model.Layers.ToArray())
            {
                Check(model, layer);
                result[layer] = Enumerable.Range(0, model.Transcoders[layer].Width).Where(InShard).ToArray();
            }
        }
        return result;
    }

    bool InShard(int index) => index % ShardCount == ShardIndex;

    /// <summary>Canonical text (stored in the run state; shards of one run differ only in the shard part).</summary>
    public string Describe(bool withShard = true)
    {
        string what = Features is not null ? "features " + string.Join(",", Features.Select(f => $"{f.Layer}:{f.Index}"))
            : Layers is not null ? "layers " + string.Join(",", Layers) : "all";
        return withShard && ShardCount > 1 ? $"{what}; shard {ShardIndex}/{ShardCount}" : what;
    }

    static void Check(WeightLensModel model, int layer)
    {
        if (!model.Transcoders.Has(layer))
            throw new CircuitInsightsException($"layer {layer} has no transcoder (the set covers {string.Join(", ", model.Layers)})");
    }

    static int[] ParseRanges(string text, string option)
    {
        var list = new List<int>();
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int dash = item.IndexOf('-', 1);
            if (dash < 0) { list.Add(ParseInt(item, option)); continue; }
            int a = ParseInt(item[..dash], option), b = ParseInt(item[(dash + 1)..], option);
            if (b < a) throw new CircuitInsightsException($"{option}: empty range '{item}'");
            if ((long)b - a > 10_000_000) throw new CircuitInsightsException($"{option}: range '{item}' is too large");
            for (int i = a; i <= b; i++) list.Add(i);
        }
        if (list.Count == 0) throw new CircuitInsightsException($"{option}: nothing given");
        return list.Distinct().Order().ToArray();
    }

    static int ParseInt(string s, string option) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v
            : throw new CircuitInsightsException($"{option}: '{s}' is not a non-negative integer");
}
