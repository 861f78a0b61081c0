namespace CircuitInsights.WeightLens;

/// <summary>A transcoder feature: its layer and its index within that layer's dictionary.</summary>
public readonly record struct FeatureId(int Layer, int Index) : IComparable<FeatureId>
{
    public int CompareTo(FeatureId other) => Layer != other.Layer ? Layer.CompareTo(other.Layer) : Index.CompareTo(other.Index);

    public override string ToString() => $"L{Layer}:{Index}";
}
