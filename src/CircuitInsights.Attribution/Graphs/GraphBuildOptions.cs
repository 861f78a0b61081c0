namespace CircuitInsights.Attribution.Graphs;

/// <summary>Options of <see cref="AttributionGraphBuilder"/> (circuit-tracer <c>attribute()</c>, reference.md §3.1).</summary>
public sealed record GraphBuildOptions
{
    /// <summary>Most logit nodes (circuit-tracer max_n_logits).</summary>
    public int MaxLogits { get; init; } = 10;
    /// <summary>Keep the smallest prefix of the top logits whose cumulative probability reaches this (desired_logit_prob).</summary>
    public float DesiredLogitProbability { get; init; } = 0.95f;
    /// <summary>Feature rows computed per <see cref="Attributor.Attribute"/> call (batch_size).</summary>
    public int BatchSize { get; init; } = 256;
    /// <summary>Most feature nodes (max_feature_nodes); null = every active feature. When fewer than the active features,
    /// features are visited in order of estimated influence and the rest are dropped.</summary>
    public int? MaxFeatureNodes { get; init; } = 7500;
    /// <summary>Batches between re-rankings of the unvisited features by partial influence (update_interval).</summary>
    public int UpdateInterval { get; init; } = 4;
    /// <summary>Zero feature activations at position 0 (the BOS position), as circuit-tracer does.</summary>
    public bool ZeroFirstPosition { get; init; } = true;
    /// <summary>Refuse to build when the estimated peak memory (<see cref="GraphMemoryEstimate"/>) exceeds this many bytes.</summary>
    public long MemoryBudgetBytes { get; init; } = 8L << 30;
    /// <summary>Options of each attribution sweep (chunk memory, targets per backward pass).</summary>
    public AttributeOptions Attribute { get; init; } = new();

    /// <summary>Throws <see cref="CircuitInsightsException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (MaxLogits < 1) throw new CircuitInsightsException($"max logits must be at least 1 (got {MaxLogits})");
        if (!(DesiredLogitProbability > 0 && DesiredLogitProbability <= 1)) throw new CircuitInsightsException($"desired logit probability must be in (0, 1] (got {DesiredLogitProbability})");
        if (BatchSize < 1) throw new CircuitInsightsException($"batch size must be at least 1 (got {BatchSize})");
        if (MaxFeatureNodes is < 0) throw new CircuitInsightsException($"max feature nodes must be ≥ 0 (got {MaxFeatureNodes})");
        if (UpdateInterval < 1) throw new CircuitInsightsException($"update interval must be at least 1 (got {UpdateInterval})");
        if (MemoryBudgetBytes < 1) throw new CircuitInsightsException($"memory budget must be positive (got {MemoryBudgetBytes} bytes)");
    }
}
