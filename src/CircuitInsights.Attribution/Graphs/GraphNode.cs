namespace CircuitInsights.Attribution.Graphs;

/// <summary>The four kinds of attribution-graph nodes (reference.md §3.1 "Nodes &amp; matrix layout").</summary>
public enum GraphNodeKind
{
    /// <summary>An active transcoder feature at a position (source and target).</summary>
    Feature,
    /// <summary>The transcoder error (MLP output − reconstruction) of a layer at a position (source only).</summary>
    Error,
    /// <summary>What the embedding adds at a position (source only).</summary>
    Embedding,
    /// <summary>A demeaned output logit at the last position (target only).</summary>
    Logit,
}

/// <summary>One node of an <see cref="AttributionGraph"/>.</summary>
/// <param name="Kind">Node kind.</param>
/// <param name="Layer">Transcoder layer (features, errors); −1 for embeddings; the model's layer count for logits.</param>
/// <param name="Position">Token position (logits: the last position).</param>
/// <param name="Index">Feature index (features), vocabulary id (embeddings: the input token; logits: the output token), −1 for errors.</param>
/// <param name="Activation">Feature activation (features), probability (logits), 0 otherwise.</param>
public readonly record struct GraphNode(GraphNodeKind Kind, int Layer, int Position, int Index, float Activation);
