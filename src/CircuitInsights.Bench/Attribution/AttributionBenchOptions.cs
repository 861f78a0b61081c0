namespace CircuitInsights.Bench.Attribution;

/// <summary>Options of <see cref="AttributionBenchmark"/>.</summary>
public sealed record AttributionBenchOptions
{
    /// <summary>Prompt length including BOS.</summary>
    public int Positions { get; init; } = 64;
    /// <summary>Feature nodes: a number, null = every active feature, or <see cref="FitToBudget"/>.</summary>
    public int? MaxFeatureNodes { get; init; }
    /// <summary>Use the largest feature-node count whose memory estimate fits <see cref="MemoryBudgetBytes"/>.</summary>
    public bool FitToBudget { get; init; }
    public long MemoryBudgetBytes { get; init; } = 8L << 30;
    public int BatchSize { get; init; } = 256;
    /// <summary>Mean active features per position the encoder biases are calibrated to.</summary>
    public int ActivePerPosition { get; init; } = 50;
    public int TranscoderWidth { get; init; } = 24576;
    public int Seed { get; init; } = 1;
}
