using System.Text.Json;

namespace CircuitInsights.Storage.Query;

// Read-side records of the feature store (what the explorer API returns; JSON names are snake_case there).

public sealed record RunRecord(string? Model, string? TranscoderFormat, string? TranscoderSource, string? TranscoderModel, string? InputHook,
    string? OutputHook, string? Activation, bool? InputCentering, bool? OutputBias, bool? Skip, bool? CrossLayer, int? Width, int[] Layers,
    string ToolVersion, string CreatedAt, string UpdatedAt);

public sealed record ImportRecord(long Id, string Kind, string Source, string ImportedAt, string ToolVersion, JsonElement? Counts);

public sealed record LayerSummary(int Layer, long Features, long Active, long WithWeightLens, long WithCircuitLens);

public sealed record GraphSummary(long Id, string Slug, string? Prompt, int Nodes, int Links, int Features);

public sealed record RunOverview(RunRecord? Run, int SchemaVersion, IReadOnlyList<LayerSummary> Layers, IReadOnlyList<ImportRecord> Imports,
    IReadOnlyList<GraphSummary> Graphs, IReadOnlyDictionary<string, long> Counts);

public sealed record SearchHit(int Layer, int Index, string Match, string Detail, string? Description, double? MaxActivation);

public sealed record FeatureStatsRecord(long? PositionCount, long? PositionsTotal, long? WindowCount, long? WindowsTotal, double? Mean,
    double? MeanActive, double? StdActive, double? MaxActivation, double? MinWindowMax, double? Density);

public sealed record HistogramRecord(double Lo, double Hi, long[] Counts, long Total, bool Exact);

public sealed record TokenWeight(string Text, double? Weight, int? Id = null, double? Activation = null);

public sealed record FeatureLink(int Layer, int Index, double? Contribution, double? Relative, string? Description);

public sealed record WeightLensRecord(string? Description, string? DescriptionSoft, bool? Validation, double? ValidationSoft,
    double? TotalContribution, double? DetectedContribution, IReadOnlyList<TokenWeight> InputTokens, IReadOnlyList<TokenWeight> NegativeTokens,
    IReadOnlyList<string> Promoted, IReadOnlyList<string> Suppressed, IReadOnlyList<FeatureLink> Upstream, JsonElement Record);

public sealed record DescriptionRecord(string Method, string Text, string Source);

public sealed record ScoreRecord(string Method, string Metric, double Value, JsonElement? Details);

public sealed record ClusterRecord(int Label, int Size, double? MeanActivation, double? MaxActivation, string? Description, JsonElement Summary);

public sealed record HeadRecord(int Layer, int Head, int Delta, double Frequency, double MeanContribution);

public sealed record UpstreamRecord(int Layer, int Index, double Frequency, double MeanContribution, string? Description);

public sealed record EffectRecord(string Text, double? Effect, string Source);

public sealed record GraphMembership(long GraphId, string Slug, int? Position, double? Influence, double? Activation);

/// <summary>Everything a feature page shows except its contexts (fetched per cluster/source).</summary>
public sealed record FeaturePage(int Layer, int Index, FeatureStatsRecord? Stats, HistogramRecord? Histogram, WeightLensRecord? WeightLens,
    IReadOnlyList<FeatureLink> Downstream, IReadOnlyList<DescriptionRecord> Descriptions, IReadOnlyList<ScoreRecord> Scores,
    IReadOnlyList<ClusterRecord> Clusters, IReadOnlyList<HeadRecord> Heads, IReadOnlyList<UpstreamRecord> Upstream,
    IReadOnlyList<FeatureLink> AttributedDownstream, IReadOnlyList<EffectRecord> Promoted, IReadOnlyList<EffectRecord> Suppressed,
    IReadOnlyList<GraphMembership> Graphs, IReadOnlyDictionary<string, long> ContextCounts);

public sealed record ContextToken(int Id, string Text, float? Activation);

public sealed record ContextSource(int Position, string Kind, string Label, double Contribution);

public sealed record ContextRecord(long Id, string Source, int Rank, int? Cluster, long Window, int TargetPosition, float TargetActivation,
    IReadOnlyList<ContextToken> Tokens, bool HasActivations, IReadOnlyList<ContextSource> Sources);
