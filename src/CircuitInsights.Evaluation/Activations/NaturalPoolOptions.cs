namespace CircuitInsights.Evaluation.Activations;

/// <summary>Which corpus windows serve as FADE's natural samples.</summary>
public sealed record NaturalPoolOptions
{
    /// <summary>Windows taken uniformly (every ⌈n/W⌉-th window of the cached corpus) and run through the model.</summary>
    public int Windows { get; init; } = 1000;
    /// <summary>Each feature's best cached windows added to its own natural set (≤ the cache's stored top contexts, 20).</summary>
    public int TopWindowsPerFeature { get; init; } = 20;
    public int BatchSize { get; init; } = 16;
}
