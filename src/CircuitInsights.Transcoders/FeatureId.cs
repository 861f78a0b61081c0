namespace CircuitInsights.Transcoders;

/// <summary>A transcoder feature: its layer and its index within that layer's dictionary.</summary>
public readonly record struct FeatureId(int Layer, int Index) : IComparable<FeatureId>
{
    public int CompareTo(FeatureId other) => Layer != other.Layer ? Layer.CompareTo(other.Layer) : Index.CompareTo(other.Index);

    public override string ToString() => $"L{Layer}:F{Index}";

    /// <summary>Parses "L:i" items separated by commas (e.g. "0:12,3:400").</summary>
    public static IReadOnlyList<FeatureId> ParseList(string text)
    {
        var list = new List<FeatureId>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = item.Split(':');
            if (parts.Length != 2 || !int.TryParse(parts[0], out int l) || !int.TryParse(parts[1], out int f) || l < 0 || f < 0)
                throw new CircuitInsightsException($"--features: '{item}' is not LAYER:INDEX");
            list.Add(new FeatureId(l, f));
        }
        return list;
    }
}
