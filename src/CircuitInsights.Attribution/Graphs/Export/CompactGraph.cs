using System.Text.Json.Serialization;

namespace CircuitInsights.Attribution.Graphs.Export;

/// <summary>
/// Our own graph file (format "circuit-insights-graph", version 1): every node of the unpruned graph with its pruning
/// result, the edges whose normalised weight |A[t, s]| / Σ_s |A[t, s]| exceeds <see cref="EdgeTolerance"/> plus every
/// edge kept by pruning (sparse, as parallel arrays of node indices), and the full provenance. Node indices follow
/// <see cref="AttributionGraph"/>'s order. Written by <see cref="CompactGraphFile"/>; reading gives back exactly what
/// was written (floats use shortest round-trip text).
/// </summary>
public sealed record CompactGraph
{
    public const string FormatName = "circuit-insights-graph";
    public const int CurrentVersion = 1;

    [JsonPropertyName("format")] public string Format { get; init; } = FormatName;
    [JsonPropertyName("version")] public int Version { get; init; } = CurrentVersion;
    [JsonPropertyName("prompt")] public required string Prompt { get; init; }
    [JsonPropertyName("tokens")] public required int[] Tokens { get; init; }
    [JsonPropertyName("token_texts")] public required string[] TokenTexts { get; init; }
    [JsonPropertyName("edge_tolerance")] public required float EdgeTolerance { get; init; }
    [JsonPropertyName("info")] public required GraphInfoJson Info { get; init; }
    [JsonPropertyName("nodes")] public required CompactNode[] Nodes { get; init; }
    [JsonPropertyName("edges")] public required CompactEdges Edges { get; init; }
}

/// <summary>One node. <c>type</c>: feature, error, embedding, logit; <c>index</c>: feature index, −1 (errors) or token
/// id; <c>value</c>: activation (features), probability (logits), else 0; <c>influence</c>: I = wᵀ(Â + Â² + …);
/// <c>cumulative</c>: cumulative influence share; <c>kept</c>: in the pruned graph.</summary>
public sealed record CompactNode(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("layer")] int Layer,
    [property: JsonPropertyName("pos")] int Position,
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("value")] float Value,
    [property: JsonPropertyName("influence")] float Influence,
    [property: JsonPropertyName("cumulative")] float? Cumulative,
    [property: JsonPropertyName("kept")] bool Kept);

/// <summary>Edges as parallel arrays: weight[i] = A[target[i], source[i]]; kept[i] = in the pruned graph.</summary>
public sealed record CompactEdges(
    [property: JsonPropertyName("target")] int[] Target,
    [property: JsonPropertyName("source")] int[] Source,
    [property: JsonPropertyName("weight")] float[] Weight,
    [property: JsonPropertyName("kept")] bool[] Kept);
