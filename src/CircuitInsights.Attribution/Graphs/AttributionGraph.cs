namespace CircuitInsights.Attribution.Graphs;

/// <summary>
/// An unpruned attribution graph (circuit-tracer's <c>Graph</c>, reference.md §3.1). Nodes are numbered
/// <code>
/// [0, F)                 selected features, in the order of ActiveFeatures (layer, position, feature)
/// [F, F + L·T)           error nodes, layer-major: F + layer·T + position
/// [F + L·T, F + (L+1)·T) embedding nodes, one per position
/// [N − n_logits, N)      logit nodes, in decreasing probability
/// </code>
/// and <see cref="Adjacency"/>[target, source] holds the direct effect of source on target (features: on the target's
/// pre-activation; logits: on the demeaned, pre-soft-cap logit). Error and embedding rows are zero.
/// </summary>
public sealed class AttributionGraph
{
    /// <summary>The prompt text (may be empty when the graph was built from token ids).</summary>
    public required string Prompt { get; init; }
    /// <summary>[T] input tokens, BOS included.</summary>
    public required int[] Tokens { get; init; }
    /// <summary>[T] text of each input token.</summary>
    public required string[] TokenTexts { get; init; }
    /// <summary>Model layers (L): error nodes exist for every layer, covered by a transcoder or not.</summary>
    public required int Layers { get; init; }
    public required int VocabSize { get; init; }
    /// <summary>All features active on the prompt, ordered by (layer, position, feature).</summary>
    public required ActiveFeature[] ActiveFeatures { get; init; }
    /// <summary>[F] indices into <see cref="ActiveFeatures"/> of the feature nodes, ascending.</summary>
    public required int[] SelectedFeatures { get; init; }
    /// <summary>Logit targets (position T−1), with their probabilities, in decreasing probability.</summary>
    public required LogitTarget[] Logits { get; init; }
    /// <summary>Text of each logit's token.</summary>
    public required string[] LogitTexts { get; init; }
    public required AdjacencyMatrix Adjacency { get; init; }
    /// <summary>How the graph was made (model, transcoders, options, timings).</summary>
    public required GraphInfo Info { get; init; }

    public int Positions => Tokens.Length;
    public int FeatureCount => SelectedFeatures.Length;
    public int ErrorOffset => FeatureCount;
    public int EmbeddingOffset => FeatureCount + Layers * Positions;
    public int LogitOffset => EmbeddingOffset + Positions;
    public int NodeCount => LogitOffset + Logits.Length;

    /// <summary>Node index of the error node of (layer, position).</summary>
    public int ErrorNode(int layer, int position) => ErrorOffset + layer * Positions + position;
    public int EmbeddingNode(int position) => EmbeddingOffset + position;
    public int LogitNode(int i) => LogitOffset + i;

    /// <summary>Node index of a selected feature, or −1 when the feature is not a node of the graph.</summary>
    public int FeatureNode(int layer, int position, int feature)
    {
        int lo = 0, hi = SelectedFeatures.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            var f = ActiveFeatures[SelectedFeatures[mid]];
            int c = (f.Layer, f.Position, f.Feature).CompareTo((layer, position, feature));
            if (c == 0) return mid;
            if (c < 0) lo = mid + 1; else hi = mid - 1;
        }
        return -1;
    }

    public GraphNodeKind KindOf(int node) =>
        node < ErrorOffset ? GraphNodeKind.Feature : node < EmbeddingOffset ? GraphNodeKind.Error : node < LogitOffset ? GraphNodeKind.Embedding : GraphNodeKind.Logit;

    /// <summary>Describes node <paramref name="node"/>.</summary>
    public GraphNode Node(int node)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)node, (uint)NodeCount, nameof(node));
        switch (KindOf(node))
        {
            case GraphNodeKind.Feature:
                var f = ActiveFeatures[SelectedFeatures[node]];
                return new GraphNode(GraphNodeKind.Feature, f.Layer, f.Position, f.Feature, f.Activation);
            case GraphNodeKind.Error:
                int e = node - ErrorOffset;
                return new GraphNode(GraphNodeKind.Error, e / Positions, e % Positions, -1, 0f);
            case GraphNodeKind.Embedding:
                int p = node - EmbeddingOffset;
                return new GraphNode(GraphNodeKind.Embedding, -1, p, Tokens[p], 0f);
            default:
                var l = Logits[node - LogitOffset];
                return new GraphNode(GraphNodeKind.Logit, Layers, l.Pos, l.Token, l.Probability);
        }
    }

    /// <summary>[N] w: logit probabilities on logit nodes, 0 elsewhere (the seed of every influence computation).</summary>
    public float[] LogitWeights()
    {
        var w = new float[NodeCount];
        for (int i = 0; i < Logits.Length; i++) w[LogitOffset + i] = Logits[i].Probability;
        return w;
    }

    /// <summary>The node layout as <see cref="GraphLayout"/> (what pruning needs).</summary>
    public GraphLayout Layout => new(FeatureCount, Layers * Positions, Positions, Logits.Length);
}
