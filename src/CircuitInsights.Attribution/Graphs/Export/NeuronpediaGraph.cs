using System.Text.Json.Serialization;

namespace CircuitInsights.Attribution.Graphs.Export;

// The circuit-tracer / Neuronpedia graph JSON (reference.md §1.4c "Graph outputs"; circuit-tracer
// frontend/graph_models.py), defined once. Property order follows graph_models.py. Our extras live under
// metadata.info, which the frontend ignores.

/// <summary>Top level: <c>{metadata, qParams, nodes, links}</c>.</summary>
public sealed record NeuronpediaGraph(
    [property: JsonPropertyName("metadata")] NeuronpediaMetadata Metadata,
    [property: JsonPropertyName("qParams")] NeuronpediaQParams QParams,
    [property: JsonPropertyName("nodes")] IReadOnlyList<NeuronpediaNode> Nodes,
    [property: JsonPropertyName("links")] IReadOnlyList<NeuronpediaLink> Links);

/// <summary>Graph metadata. <c>scan</c> names the transcoder set on Neuronpedia; <c>transcoder_list</c> is empty unless
/// the set is a custom list; <c>prompt_tokens</c> holds the text of each input token.</summary>
public sealed record NeuronpediaMetadata(
    [property: JsonPropertyName("slug")] string Slug,
    [property: JsonPropertyName("scan")] string Scan,
    [property: JsonPropertyName("transcoder_list")] IReadOnlyList<string> TranscoderList,
    [property: JsonPropertyName("prompt_tokens")] IReadOnlyList<string> PromptTokens,
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("node_threshold")] float? NodeThreshold,
    [property: JsonPropertyName("schema_version")] int? SchemaVersion,
    [property: JsonPropertyName("info")] GraphInfoJson? Info);

/// <summary>Frontend view state: nothing pinned, links in both directions.</summary>
public sealed record NeuronpediaQParams(
    [property: JsonPropertyName("pinnedIds")] IReadOnlyList<string> PinnedIds,
    [property: JsonPropertyName("supernodes")] IReadOnlyList<IReadOnlyList<string>> Supernodes,
    [property: JsonPropertyName("linkType")] string LinkType,
    [property: JsonPropertyName("clickedId")] string ClickedId,
    [property: JsonPropertyName("sg_pos")] string SgPos)
{
    public static NeuronpediaQParams Default { get; } = new([], [], "both", "", "");
}

/// <summary>
/// A node. Ids: feature <c>"{layer}_{feature}_{pos}"</c>, error <c>"{layer}_-1_{pos}"</c>, embedding
/// <c>"E_{token}_{pos}"</c>, logit <c>"{L+1}_{token}_{pos}"</c> (see <see cref="GraphNodeIds"/>). <c>feature</c> is the
/// Cantor pairing of (layer, feature) for features, −1 for errors, the position for embeddings, the token for logits.
/// <c>layer</c> is a string ("E" for embeddings). <c>influence</c> is the cumulative influence share (null for logits).
/// </summary>
public sealed record NeuronpediaNode(
    [property: JsonPropertyName("node_id")] string NodeId,
    [property: JsonPropertyName("feature")] long Feature,
    [property: JsonPropertyName("layer")] string Layer,
    [property: JsonPropertyName("ctx_idx")] int CtxIdx,
    [property: JsonPropertyName("feature_type")] string FeatureType,
    [property: JsonPropertyName("token_prob")] float TokenProb,
    [property: JsonPropertyName("is_target_logit")] bool IsTargetLogit,
    [property: JsonPropertyName("run_idx")] int RunIdx,
    [property: JsonPropertyName("reverse_ctx_idx")] int ReverseCtxIdx,
    [property: JsonPropertyName("jsNodeId")] string JsNodeId,
    [property: JsonPropertyName("clerp")] string Clerp,
    [property: JsonPropertyName("influence")] float? Influence,
    [property: JsonPropertyName("activation")] float? Activation);

/// <summary>An edge: <c>weight</c> = A[target, source], the signed direct effect.</summary>
public sealed record NeuronpediaLink(
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("weight")] float Weight);
