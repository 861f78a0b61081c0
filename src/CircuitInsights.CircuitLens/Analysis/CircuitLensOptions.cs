using System.Text.Json.Serialization;

namespace CircuitInsights.CircuitLens.Analysis;

/// <summary>
/// Options of the per-context attribution and clustering (paper.md §4). The paper's eps, min_samples, ρ and significance
/// threshold were not published; the defaults follow the third-party reimplementation tdhook (eps 0.5, min_samples 5,
/// min frequency 0.05) and are stored with every output.
/// </summary>
public sealed record CircuitLensOptions
{
    /// <summary>A contributor is significant in a context when |contribution| ≥ this × |pre-activation of the target|.</summary>
    [JsonPropertyName("significance")] public double Significance { get; init; } = 0.1;
    /// <summary>At most this many significant contributors of each kind (features, heads) per context.</summary>
    [JsonPropertyName("max_contributors")] public int MaxContributors { get; init; } = 8;
    /// <summary>ρ: contributors present in fewer than this fraction of a feature's contexts are dropped before clustering.</summary>
    [JsonPropertyName("min_frequency")] public double MinFrequency { get; init; } = 0.05;
    /// <summary>DBSCAN radius on Jaccard distance.</summary>
    [JsonPropertyName("eps")] public double Eps { get; init; } = 0.5;
    /// <summary>DBSCAN min_samples (reduced to n/5, at least 2, for features with few contexts).</summary>
    [JsonPropertyName("min_samples")] public int MinSamples { get; init; } = 5;
    /// <summary>Next tokens whose logits are attributed to the feature (output-centric analysis); 0 = off.</summary>
    [JsonPropertyName("output_tokens")] public int OutputTokens { get; init; } = 3;
    /// <summary>Tokens reported per context for the direct logit effect (promoted and suppressed).</summary>
    [JsonPropertyName("logit_tokens")] public int LogitTokens { get; init; } = 5;
    /// <summary>Direct logit effects count as promoted/suppressed only when |effect| ≥ this many standard deviations of the
    /// effects over the vocabulary.</summary>
    [JsonPropertyName("outlier_z")] public double OutlierZ { get; init; } = 6;
    /// <summary>Zero feature activations at position 0 (BOS) as circuit-tracer does.</summary>
    [JsonPropertyName("zero_first_position")] public bool ZeroFirstPosition { get; init; } = true;
}
