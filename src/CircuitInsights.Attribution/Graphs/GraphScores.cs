namespace CircuitInsights.Attribution.Graphs;

/// <summary>
/// circuit-tracer <c>compute_graph_scores</c> on the unpruned graph (reference.md §3.1), with Â = normalize_matrix(A),
/// I = wᵀ(Â + Â² + …):
/// <code>
/// replacement  = I(tokens) / (I(tokens) + I(errors))          share of end-to-end influence not routed through errors
/// completeness = Σ_n (1 − Σ_{e ∈ errors} Â[n, e])·(I_n + w_n) / Σ_n (I_n + w_n)
/// </code>
/// Both are 1 for a graph without error influence; NaN when the denominators are 0.
/// </summary>
public readonly record struct GraphScores(double Replacement, double Completeness)
{
    public static GraphScores Compute(AttributionGraph graph, float[]? influence = null) =>
        Compute(graph.Adjacency, graph.Layout, graph.LogitWeights(), influence);

    public static GraphScores Compute(AdjacencyMatrix a, GraphLayout layout, float[] weights, float[]? influence = null)
    {
        influence ??= GraphInfluence.Influence(a, weights);
        double tokens = 0, errors = 0;
        for (int i = layout.TokenOffset; i < layout.LogitOffset; i++) tokens += influence[i];
        for (int i = layout.ErrorOffset; i < layout.TokenOffset; i++) errors += influence[i];

        var sums = GraphInfluence.RowAbsSums(a);
        double numerator = 0, denominator = 0;
        for (int r = 0; r < a.Size; r++)
        {
            double output = influence[r] + weights[r];
            double errorShare = 0;
            var row = a.Row(r);
            if (!row.IsEmpty)
            {
                float scale = Math.Max(sums[r], GraphInfluence.RowSumFloor);
                for (int e = layout.ErrorOffset; e < layout.TokenOffset; e++) errorShare += Math.Abs(row[e]) / scale;
            }
            numerator += (1 - errorShare) * output;
            denominator += output;
        }
        return new GraphScores(tokens / (tokens + errors), numerator / denominator);
    }
}
