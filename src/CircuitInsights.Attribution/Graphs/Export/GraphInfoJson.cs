using System.Text.Json.Serialization;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Attribution.Graphs.Export;

/// <summary>
/// Our provenance block (metadata.info in the Neuronpedia JSON, info in the compact format): model, transcoder set,
/// every build and pruning option, scores, timings, and the conventions that differ between tools.
/// </summary>
public sealed record GraphInfoJson
{
    [JsonPropertyName("generator")] public string Generator { get; init; } = "circuit-insights";
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("architecture")] public required string Architecture { get; init; }
    [JsonPropertyName("n_layers")] public required int Layers { get; init; }
    [JsonPropertyName("d_model")] public required int DModel { get; init; }
    [JsonPropertyName("vocab_size")] public required int VocabSize { get; init; }
    [JsonPropertyName("transcoders")] public required TranscodersJson Transcoders { get; init; }
    [JsonPropertyName("options")] public required OptionsJson Options { get; init; }
    [JsonPropertyName("active_features")] public required int ActiveFeatures { get; init; }
    [JsonPropertyName("feature_nodes")] public required int FeatureNodes { get; init; }
    [JsonPropertyName("kept_nodes")] public required int KeptNodes { get; init; }
    [JsonPropertyName("kept_edges")] public required long KeptEdges { get; init; }
    [JsonPropertyName("replacement_score")] public required double? ReplacementScore { get; init; }
    [JsonPropertyName("completeness_score")] public required double? CompletenessScore { get; init; }
    [JsonPropertyName("node_influence_threshold")] public required float NodeInfluenceThreshold { get; init; }
    [JsonPropertyName("edge_score_threshold")] public required float EdgeScoreThreshold { get; init; }
    [JsonPropertyName("logits")] public required IReadOnlyList<LogitJson> Logits { get; init; }
    [JsonPropertyName("phase_seconds")] public required IReadOnlyList<double> PhaseSeconds { get; init; }
    [JsonPropertyName("memory_estimate_bytes")] public required long MemoryEstimateBytes { get; init; }
    [JsonPropertyName("conventions")] public IReadOnlyDictionary<string, string> Conventions { get; init; } = DefaultConventions;

    public static readonly IReadOnlyDictionary<string, string> DefaultConventions = new SortedDictionary<string, string>
    {
        ["adjacency"] = "A[target, source] = direct effect of source on target under frozen attention patterns and norm scales",
        ["feature_targets"] = "pre-activation of the target feature",
        ["logit_targets"] = "logit minus its mean over the vocabulary, before any final soft-cap; probabilities after it",
        ["embedding_node"] = "token embedding x scale + learned position embedding (circuit-tracer omits GPT-2's position embedding)",
        ["first_position"] = "features at position 0 zeroed when options.zero_first_position (their effect is in the error node)",
        ["error_node_id"] = "{layer}_-1_{pos} (circuit-tracer 2026 convention)",
        ["influence"] = "node influence field = cumulative influence share (circuit-tracer cumulative_scores)",
    };

    public static GraphInfoJson From(AttributionGraph graph, PruneResult prune, GraphScores scores, long keptEdges) => new()
    {
        Model = graph.Info.Model, Architecture = graph.Info.Architecture, Layers = graph.Layers, DModel = graph.Info.DModel,
        VocabSize = graph.VocabSize, Transcoders = TranscodersJson.From(graph.Info.Transcoders),
        Options = OptionsJson.From(graph.Info.Options, prune.NodeThreshold, prune.EdgeThreshold),
        ActiveFeatures = graph.Info.ActiveFeatureCount, FeatureNodes = graph.FeatureCount, KeptNodes = prune.KeptNodeCount, KeptEdges = keptEdges,
        ReplacementScore = Finite(scores.Replacement), CompletenessScore = Finite(scores.Completeness),
        NodeInfluenceThreshold = prune.NodeInfluenceThreshold, EdgeScoreThreshold = prune.EdgeScoreThreshold,
        Logits = graph.Logits.Select((l, i) => new LogitJson(l.Token, graph.LogitTexts[i], l.Probability)).ToArray(),
        PhaseSeconds = graph.Info.PhaseSeconds, MemoryEstimateBytes = graph.Info.MemoryEstimateBytes,
    };

    static double? Finite(double v) => double.IsFinite(v) ? v : null;
}

public sealed record LogitJson(
    [property: JsonPropertyName("token")] int Token,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("probability")] float Probability);

/// <summary>The transcoder set's numerics (<see cref="TranscoderSetInfo"/>).</summary>
public sealed record TranscodersJson
{
    [JsonPropertyName("format")] public required string Format { get; init; }
    [JsonPropertyName("source")] public required string Source { get; init; }
    [JsonPropertyName("model_name")] public string? ModelName { get; init; }
    [JsonPropertyName("input_hook")] public required string InputHook { get; init; }
    [JsonPropertyName("output_hook")] public required string OutputHook { get; init; }
    [JsonPropertyName("activation")] public required string Activation { get; init; }
    [JsonPropertyName("input_centering")] public required bool InputCentering { get; init; }
    [JsonPropertyName("output_bias")] public required bool OutputBias { get; init; }
    [JsonPropertyName("skip")] public required bool Skip { get; init; }
    [JsonPropertyName("cross_layer")] public required bool CrossLayer { get; init; }
    [JsonPropertyName("width")] public required int Width { get; init; }
    [JsonPropertyName("layers")] public required IReadOnlyList<int> Layers { get; init; }
    [JsonPropertyName("files")] public required IReadOnlyDictionary<string, string> Files { get; init; }

    public static TranscodersJson From(TranscoderSetInfo i) => new()
    {
        Format = i.Format, Source = i.Source, ModelName = i.ModelName, InputHook = i.InputHook, OutputHook = i.OutputHook,
        Activation = i.Activation, InputCentering = i.InputCentering, OutputBias = i.OutputBias, Skip = i.Skip, CrossLayer = i.CrossLayer,
        Width = i.Width, Layers = i.Layers.ToArray(),
        Files = new SortedDictionary<string, string>(i.Files.ToDictionary(kv => kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), kv => kv.Value), StringComparer.Ordinal),
    };
}

/// <summary>Every option that shaped the graph.</summary>
public sealed record OptionsJson
{
    [JsonPropertyName("max_n_logits")] public required int MaxLogits { get; init; }
    [JsonPropertyName("desired_logit_prob")] public required float DesiredLogitProbability { get; init; }
    [JsonPropertyName("batch_size")] public required int BatchSize { get; init; }
    [JsonPropertyName("max_feature_nodes")] public required int? MaxFeatureNodes { get; init; }
    [JsonPropertyName("update_interval")] public required int UpdateInterval { get; init; }
    [JsonPropertyName("zero_first_position")] public required bool ZeroFirstPosition { get; init; }
    [JsonPropertyName("memory_budget_bytes")] public required long MemoryBudgetBytes { get; init; }
    [JsonPropertyName("node_threshold")] public required float NodeThreshold { get; init; }
    [JsonPropertyName("edge_threshold")] public required float EdgeThreshold { get; init; }

    public static OptionsJson From(GraphBuildOptions o, float nodeThreshold, float edgeThreshold) => new()
    {
        MaxLogits = o.MaxLogits, DesiredLogitProbability = o.DesiredLogitProbability, BatchSize = o.BatchSize, MaxFeatureNodes = o.MaxFeatureNodes,
        UpdateInterval = o.UpdateInterval, ZeroFirstPosition = o.ZeroFirstPosition, MemoryBudgetBytes = o.MemoryBudgetBytes,
        NodeThreshold = nodeThreshold, EdgeThreshold = edgeThreshold,
    };
}
