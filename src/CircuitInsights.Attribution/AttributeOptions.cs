namespace CircuitInsights.Attribution;

/// <summary>Options of <see cref="Attributor.Attribute"/>.</summary>
public sealed record AttributeOptions
{
    /// <summary>Also compute head × source-position contributions (CircuitLens' attention term).</summary>
    public bool HeadContributions { get; init; }
    /// <summary>Propagate through attention (the Jacobian of the frozen model). False = direct effects only: each source
    /// counts only through the residual stream at the target's own position (heads then give the direct attention terms).</summary>
    public bool ThroughAttention { get; init; } = true;
    /// <summary>Bound on the working memory of one chunk of targets (gradient buffers), bytes.</summary>
    public long ChunkMemoryBytes { get; init; } = 512L << 20;
    /// <summary>Most targets per backward pass.</summary>
    public int MaxChunk { get; init; } = 256;
}
