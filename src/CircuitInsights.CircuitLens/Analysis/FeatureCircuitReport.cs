using System.Text.Json.Serialization;

namespace CircuitInsights.CircuitLens.Analysis;

/// <summary>A contributor aggregated over the contexts of a cluster.</summary>
public sealed record ClusterContributor(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("frequency")] double Frequency,
    [property: JsonPropertyName("mean_contribution")] double MeanContribution);

/// <summary>A token and how often it occurs.</summary>
public sealed record TokenCount([property: JsonPropertyName("text")] string Text, [property: JsonPropertyName("count")] int Count);

/// <summary>One cluster of a feature's contexts (contexts whose circuits are alike).</summary>
public sealed record ClusterSummary
{
    /// <summary>DBSCAN label (−1 = contexts that fit no cluster).</summary>
    [JsonPropertyName("label")] public required int Label { get; init; }
    [JsonPropertyName("size")] public required int Size { get; init; }
    [JsonPropertyName("mean_activation")] public required double MeanActivation { get; init; }
    [JsonPropertyName("max_activation")] public required double MaxActivation { get; init; }
    [JsonPropertyName("contributors")] public required ClusterContributor[] Contributors { get; init; }
    /// <summary>Most frequent tokens at the target position, with counts.</summary>
    [JsonPropertyName("target_tokens")] public required TokenCount[] TargetTokens { get; init; }
    /// <summary>Most frequent tokens at attributed source positions, with counts.</summary>
    [JsonPropertyName("source_tokens")] public required TokenCount[] SourceTokens { get; init; }
    /// <summary>Short snippets: target in ⟦ ⟧, attributed source tokens in ‹ ›.</summary>
    [JsonPropertyName("patterns")] public required string[] Patterns { get; init; }
    [JsonPropertyName("promoted")] public required TokenEffect[] Promoted { get; init; }
    [JsonPropertyName("suppressed")] public required TokenEffect[] Suppressed { get; init; }
    [JsonPropertyName("description")] public required string Description { get; init; }
}

/// <summary>CircuitLens result for one feature.</summary>
public sealed record FeatureCircuitReport
{
    [JsonPropertyName("layer")] public required int Layer { get; init; }
    [JsonPropertyName("feature")] public required int Feature { get; init; }
    [JsonPropertyName("contexts")] public required int Contexts { get; init; }
    [JsonPropertyName("clusters")] public required ClusterSummary[] Clusters { get; init; }
    [JsonPropertyName("noise")] public required int Noise { get; init; }
    /// <summary>Contributors kept for clustering (present in ≥ ρ of the contexts).</summary>
    [JsonPropertyName("contributors_kept")] public required string[] ContributorsKept { get; init; }
    /// <summary>Worst |Σ contributions − pre-activation| over the contexts (completeness check of the attribution).</summary>
    [JsonPropertyName("max_completeness_error")] public required double MaxCompletenessError { get; init; }
    [JsonPropertyName("description")] public required string Description { get; init; }
    [JsonPropertyName("options")] public required CircuitLensOptions Options { get; init; }
    /// <summary>Upstream features by TWERA over the whole cached corpus (the dataset-level counterpart of the per-context
    /// attributions); empty when the cache gathered no co-activation statistics for this layer.</summary>
    [JsonPropertyName("twera")] public TweraLink[] Twera { get; init; } = [];
}

/// <summary>An upstream feature's target-weighted expected residual attribution to a feature.</summary>
public sealed record TweraLink(
    [property: JsonPropertyName("layer")] int Layer,
    [property: JsonPropertyName("feature")] int Feature,
    [property: JsonPropertyName("virtual_weight")] float VirtualWeight,
    [property: JsonPropertyName("twera")] double Twera);
