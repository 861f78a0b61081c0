namespace CircuitInsights.Evaluation.Activations;

/// <summary>Which corpus windows serve as FADE's natural samples.</summary>
public sealed record NaturalPoolOptions
{
    /// <summary>Windows taken uniformly (every ⌈n/W⌉-th window of the cached corpus) and run through the model.</summary>
    public int Windows { get; init; } = 1000;
    /// <summary>Each feature's best cached windows added to its own natural set (≤ the cache's stored top contexts, 20).</summary>
    public int TopWindowsPerFeature { get; init; } = 20;
    /// <summary>Length of a natural sample in tokens, BOS included: each window is cut into consecutive pieces of this
    /// length (each given its own BOS when the cache prepends one) and every piece is a sample; ≥ the cache's context
    /// length = whole windows. Pieces shorter than 4 tokens are dropped.</summary>
    public int SampleTokens { get; init; } = 64;
    public int BatchSize { get; init; } = 16;
}
