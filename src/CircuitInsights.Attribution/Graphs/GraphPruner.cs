using CircuitInsights.Tensors;

namespace CircuitInsights.Attribution.Graphs;

/// <summary>
/// circuit-tracer <c>prune_graph</c> (reference.md §3.1; defaults node 0.8, edge 0.98):
/// <code>
/// I     = wᵀ(Â + Â² + …)                       node influence on the unpruned graph (w = logit probabilities)
/// keep  = I ≥ find_threshold(I, node_threshold), plus every token and logit node
/// A'    = A with rows and columns of dropped nodes zeroed;  I' = wᵀ(Â' + Â'² + …)
/// E     = Â' ⊙ (I' + w)[:, None]                edge score: normalised edge × its target's influence
/// edges = E ≥ find_threshold(E, edge_threshold)
/// repeat until stable: drop feature/error nodes without a kept outgoing edge and features without a kept incoming
///                      edge; drop the edges of dropped nodes
/// </code>
/// plus cumulative influence scores. Memory is O(N) beyond the matrix: Â' and E are evaluated row by row and the edge
/// threshold is found by <see cref="InfluenceThreshold.FindStreaming"/>.
/// </summary>
public static class GraphPruner
{
    public static PruneResult Prune(AttributionGraph graph, float nodeThreshold = 0.8f, float edgeThreshold = 0.98f) =>
        Prune(graph.Adjacency, graph.Layout, graph.LogitWeights(), nodeThreshold, edgeThreshold);

    /// <param name="weights">[N] w: logit probabilities on the logit nodes, 0 elsewhere.</param>
    public static PruneResult Prune(AdjacencyMatrix a, GraphLayout layout, float[] weights, float nodeThreshold = 0.8f, float edgeThreshold = 0.98f)
    {
        if (!(nodeThreshold >= 0 && nodeThreshold <= 1)) throw new CircuitInsightsException($"node threshold must be between 0.0 and 1.0 (got {nodeThreshold})");
        if (!(edgeThreshold >= 0 && edgeThreshold <= 1)) throw new CircuitInsightsException($"edge threshold must be between 0.0 and 1.0 (got {edgeThreshold})");
        int n = a.Size;
        if (layout.Size != n || weights.Length != n) throw new ArgumentException($"layout ({layout.Size} nodes) and weights ({weights.Length}) must match the matrix ({n})");

        var influence = GraphInfluence.Influence(a, weights);
        float nodeCut = InfluenceThreshold.Find(influence, nodeThreshold);
        var mask0 = new bool[n];
        for (int i = 0; i < n; i++) mask0[i] = influence[i] >= nodeCut || i >= layout.TokenOffset;

        var prunedSums = GraphInfluence.RowAbsSums(a, mask0);
        var prunedInfluence = GraphInfluence.Influence(a, weights, mask0);
        var rowWeight = new float[n];
        for (int i = 0; i < n; i++) rowWeight[i] = prunedInfluence[i] + weights[i];

        var partial = new PruneResult
        {
            NodeMask = (bool[])mask0.Clone(), NodeInfluence = influence, CumulativeScores = CumulativeScores(influence),
            NodeInfluenceThreshold = nodeCut, NodePrunedMask = mask0, PrunedRowSums = prunedSums, PrunedOutputInfluence = rowWeight,
            EdgeScoreThreshold = 0f, NodeThreshold = nodeThreshold, EdgeThreshold = edgeThreshold,
        };
        // Rows whose edge scores can be non-zero.
        var candidates = Enumerable.Range(0, n).Where(r => mask0[r] && a.HasRow(r)).ToArray();
        float edgeCut = InfluenceThreshold.FindStreaming(candidates.Length, n, (i, dst) =>
        {
            int r = candidates[i];
            var row = a.Row(r);
            for (int j = 0; j < n; j++) dst[j] = partial.EdgeScore(r, j, row[j]);
        }, edgeThreshold);

        var nodeMask = partial.NodeMask;
        bool[]? alive = null; // the first round sees the raw edge mask, later rounds the mask of surviving nodes
        while (true)
        {
            var (hasOut, hasIn) = EdgeEnds(a, partial, candidates, edgeCut, alive);
            var old = (bool[])nodeMask.Clone();
            for (int i = 0; i < layout.TokenOffset; i++) nodeMask[i] &= hasOut[i];
            for (int i = 0; i < layout.Features; i++) nodeMask[i] &= hasIn[i];
            if (old.AsSpan().SequenceEqual(nodeMask)) break;
            alive = nodeMask;
        }
        return new PruneResult
        {
            NodeMask = nodeMask, NodeInfluence = influence, CumulativeScores = partial.CumulativeScores, NodeInfluenceThreshold = nodeCut,
            NodePrunedMask = mask0, PrunedRowSums = prunedSums, PrunedOutputInfluence = rowWeight, EdgeScoreThreshold = edgeCut,
            NodeThreshold = nodeThreshold, EdgeThreshold = edgeThreshold,
        };
    }

    /// <summary>For the current edge mask (score ≥ cut, endpoints alive): which nodes have a kept outgoing edge (as a
    /// source, column) and which have a kept incoming edge (as a target, row).</summary>
    static (bool[] HasOut, bool[] HasIn) EdgeEnds(AdjacencyMatrix a, PruneResult p, int[] candidates, float cut, bool[]? alive)
    {
        int n = a.Size;
        var hasIn = new bool[n];
        var hasOut = new bool[n];
        if (cut <= 0f)
        {
            // Degenerate cut (all scores zero): every pair of live nodes is a kept edge, as torch's `E >= 0` makes it.
            bool anyAlive = alive is null ? n > 0 : alive.Contains(true);
            for (int i = 0; i < n; i++) hasIn[i] = hasOut[i] = anyAlive && (alive is null || alive[i]);
            return (hasOut, hasIn);
        }
        int threads = Math.Max(1, Math.Min(ComputeSettings.Threads, candidates.Length));
        var outs = new bool[threads][];
        ParallelLoop.For(0, threads, t =>
        {
            var local = outs[t] = new bool[n];
            int i0 = (int)((long)candidates.Length * t / threads), i1 = (int)((long)candidates.Length * (t + 1) / threads);
            for (int i = i0; i < i1; i++)
            {
                int r = candidates[i];
                if (alive is not null && !alive[r]) continue;
                var row = a.Row(r);
                for (int j = 0; j < n; j++)
                {
                    if (alive is not null && !alive[j]) continue;
                    if (p.EdgeScore(r, j, row[j]) >= cut) { local[j] = true; hasIn[r] = true; }
                }
            }
        });
        foreach (var local in outs)
            for (int j = 0; j < n; j++) hasOut[j] |= local[j];
        return (hasOut, hasIn);
    }

    /// <summary>[N] cumulative share of total influence when nodes are sorted by decreasing influence (ties: lower
    /// index first); NaN when the total is 0.</summary>
    public static float[] CumulativeScores(float[] influence)
    {
        int n = influence.Length;
        var order = Enumerable.Range(0, n).ToArray();
        var keys = influence.Select(v => -v).ToArray();
        Array.Sort(keys, order); // introsort is not stable: restore index order within ties below
        int start = 0;
        while (start < n)
        {
            int end = start + 1;
            while (end < n && keys[end] == keys[start]) end++;
            Array.Sort(order, start, end - start);
            start = end;
        }
        float total = 0f;
        foreach (var v in influence) total += v;
        var result = new float[n];
        float cumulative = 0f;
        foreach (int i in order)
        {
            cumulative += influence[i]; // float32 cumsum / sum, as torch
            result[i] = cumulative / total;
        }
        return result;
    }
}
