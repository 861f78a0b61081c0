namespace CircuitInsights.Attribution.Graphs;

/// <summary>
/// Result of <see cref="GraphPruner.Prune"/> (circuit-tracer <c>PruneResult</c>). The edge mask is kept implicitly:
/// edge (target, source) is kept iff <see cref="EdgeKept"/> — its score Â'[t, s]·(I'[t] + w[t]) reaches
/// <see cref="EdgeScoreThreshold"/> and both nodes survived pruning.
/// </summary>
public sealed class PruneResult
{
    /// <summary>[N] nodes kept.</summary>
    public required bool[] NodeMask { get; init; }
    /// <summary>[N] influence I = wᵀ(Â + Â² + …) of each node on the unpruned graph.</summary>
    public required float[] NodeInfluence { get; init; }
    /// <summary>[N] cumulative influence share up to and including the node when nodes are sorted by decreasing
    /// influence (circuit-tracer <c>cumulative_scores</c>; the frontend's "influence").</summary>
    public required float[] CumulativeScores { get; init; }
    /// <summary>Influence cut-off of node pruning.</summary>
    public required float NodeInfluenceThreshold { get; init; }
    /// <summary>[N] kept after node pruning, before edge pruning (the rows/columns of A').</summary>
    public required bool[] NodePrunedMask { get; init; }
    /// <summary>[N] Σ_c |A'[r, c]| of the node-pruned matrix.</summary>
    public required float[] PrunedRowSums { get; init; }
    /// <summary>[N] I'[r] + w[r]: the weight of each target row in the edge scores.</summary>
    public required float[] PrunedOutputInfluence { get; init; }
    public required float EdgeScoreThreshold { get; init; }
    public required float NodeThreshold { get; init; }
    public required float EdgeThreshold { get; init; }

    /// <summary>Edge score E[t, s] = (|A'[t, s]| / rowsum'_t)·(I'[t] + w[t]) given the raw weight a = A[t, s].</summary>
    public float EdgeScore(int target, int source, float a)
    {
        if (!NodePrunedMask[target] || !NodePrunedMask[source]) return 0f;
        return Math.Abs(a) / Math.Max(PrunedRowSums[target], GraphInfluence.RowSumFloor) * PrunedOutputInfluence[target];
    }

    /// <summary>Whether edge (target, source) with raw weight a is in the pruned graph.</summary>
    public bool EdgeKept(int target, int source, float a) =>
        NodeMask[target] && NodeMask[source] && EdgeScore(target, source, a) >= EdgeScoreThreshold;

    public int KeptNodeCount => NodeMask.Count(k => k);
}
