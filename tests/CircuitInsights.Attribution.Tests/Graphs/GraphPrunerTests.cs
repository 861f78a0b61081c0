using CircuitInsights.Attribution.Graphs;

namespace CircuitInsights.Attribution.Tests.Graphs;

/// <summary>Pruning and scores on hand-made graphs; every expected number is derived in the comments.</summary>
public class GraphPrunerTests
{
    // Graph G1: nodes f0, f1 (features), e0 (error), t0 (token), l0 (logit, p = 0.5); N = 5, index order as listed.
    //   A[f0, t0] = 1;  A[f1, f0] = 2, A[f1, t0] = −2;  A[l0, f1] = 3, A[l0, e0] = 1.
    // Â (rows normalised by Σ|row|): f0: t0 1 | f1: f0 .5, t0 .5 | l0: f1 .75, e0 .25.
    // I = wᵀ(Â + Â² + …):  wÂ = .5·row(l0) = [0, .375, .125, 0, 0]
    //                      ·Â = .375·row(f1)        = [.1875, 0, 0, .1875, 0]
    //                      ·Â = .1875·row(f0)       = [0, 0, 0, .1875, 0];  then 0.
    //   I = [.1875, .375, .125, .375, 0], Σ = 1.0625.
    static readonly GraphLayout G1 = new(Features: 2, Errors: 1, Tokens: 1, Logits: 1);
    static readonly float[] W1 = [0, 0, 0, 0, 0.5f];

    static AdjacencyMatrix Matrix1()
    {
        var d = new float[25];
        d[0 * 5 + 3] = 1;
        d[1 * 5 + 0] = 2; d[1 * 5 + 3] = -2;
        d[4 * 5 + 1] = 3; d[4 * 5 + 2] = 1;
        return AdjacencyMatrix.FromDense(d, 5);
    }

    [Fact]
    public void Influence_HandGraph_MatchesHandComputation()
    {
        var i = GraphInfluence.Influence(Matrix1(), W1);
        Assert.Equal([0.1875f, 0.375f, 0.125f, 0.375f, 0f], i);
    }

    [Fact]
    public void Prune_HandGraph_DropsTheWeakErrorAndKeepsThePath()
    {
        // Node threshold 0.8: sorted I = .375 (f1), .375 (t0), .1875 (f0), .125 (e0), 0; cumulative / 1.0625 =
        // .353, .706, .882, 1, 1 → first ≥ .8 is index 2 → cut .1875: e0 (.125) goes; t0, l0 are always kept.
        // A' (e0 zeroed): Â' rows f0: t0 1 | f1: f0 .5, t0 .5 | l0: f1 1.
        // I' = [.25, .5, 0, .5, 0] (wÂ' = .5 on f1; ·Â' = .25 on f0, t0; ·Â' = .25 on t0);  I' + w = [.25, .5, 0, .5, .5].
        // E = Â' ⊙ (I' + w): l0←f1 .5, f1←f0 .25, f1←t0 .25, f0←t0 .25; Σ = 1.25.
        // Edge threshold .98: sorted .5, .25, .25, .25 → cumulative .4, .6, .8, 1 → index 3 → cut .25: every edge kept.
        var p = GraphPruner.Prune(Matrix1(), G1, W1, 0.8f, 0.98f);
        Assert.Equal(0.1875f, p.NodeInfluenceThreshold);
        Assert.Equal([true, true, false, true, true], p.NodePrunedMask);
        Assert.Equal([0.25f, 0.5f, 0f, 0.5f, 0.5f], p.PrunedOutputInfluence);
        Assert.Equal(0.25f, p.EdgeScoreThreshold);
        Assert.Equal([true, true, false, true, true], p.NodeMask);
        Assert.Equal(0.5f, p.EdgeScore(4, 1, 3f));
        Assert.Equal(0.25f, p.EdgeScore(1, 0, 2f));
        Assert.Equal(0f, p.EdgeScore(4, 2, 1f)); // e0 was pruned
        Assert.True(p.EdgeKept(1, 3, -2f));
        Assert.False(p.EdgeKept(4, 2, 1f));
        // Cumulative scores: order f1, t0, f0, e0, l0 (ties by index) → .375/1.0625, .75/1.0625, .9375/1.0625, 1, 1.
        Assert.Equal(0.375f / 1.0625f, p.CumulativeScores[1], 6);
        Assert.Equal(0.75f / 1.0625f, p.CumulativeScores[3], 6);
        Assert.Equal(0.9375f / 1.0625f, p.CumulativeScores[0], 6);
        Assert.Equal(1f, p.CumulativeScores[2], 6);
        Assert.Equal(1f, p.CumulativeScores[4], 6);
    }

    [Fact]
    public void Prune_TightEdgeThreshold_RemovesFeaturesWithoutIncomingEdges()
    {
        // Same graph, edge threshold .3: cumulative .4 ≥ .3 at index 0 → cut .5: only l0←f1 survives.
        // Round 1: f0 has no kept outgoing edge → dropped; f1 has no kept incoming edge → dropped.
        // Round 2 changes nothing more; tokens and logits stay.
        var p = GraphPruner.Prune(Matrix1(), G1, W1, 0.8f, 0.3f);
        Assert.Equal(0.5f, p.EdgeScoreThreshold);
        Assert.Equal([false, false, false, true, true], p.NodeMask);
        Assert.False(p.EdgeKept(4, 1, 3f));
    }

    [Fact]
    public void Prune_Chain_IsRemovedOverSeveralRounds()
    {
        // Graph G2 (no errors): f0 ← t0 1, f0 ← t1 1;  f1 ← f0 1;  l0 ← f1 1;  p(l0) = 1. Nodes f0, f1, t0, t1, l0.
        // I = [1, 1, .5, .5, 0] (l0 → f1 → f0 → t0/t1 halves). Node threshold 1.0: cumulative /3 = 1/3, 2/3, 5/6, 1
        // → index 3 → cut .5 → all kept. I' = I; I' + w = [1, 1, .5, .5, 1].
        // E: l0←f1 1, f1←f0 1, f0←t0 .5, f0←t1 .5; Σ = 3. Edge threshold .6: cumulative 1/3, 2/3 → index 1 → cut 1.
        // Round 1: f0 loses its incoming edges → dropped. Round 2: f1←f0 is gone, f1 has no input → dropped.
        // Round 3: l0←f1 gone; nothing else changes. Only t0, t1, l0 remain.
        var layout = new GraphLayout(2, 0, 2, 1);
        var d = new float[25];
        d[0 * 5 + 2] = 1; d[0 * 5 + 3] = 1; d[1 * 5 + 0] = 1; d[4 * 5 + 1] = 1;
        var p = GraphPruner.Prune(AdjacencyMatrix.FromDense(d, 5), layout, [0, 0, 0, 0, 1], 1.0f, 0.6f);
        Assert.Equal([1f, 1f, 0.5f, 0.5f, 0f], p.NodeInfluence);
        Assert.Equal(0.5f, p.NodeInfluenceThreshold);
        Assert.Equal(1f, p.EdgeScoreThreshold);
        Assert.Equal([false, false, true, true, true], p.NodeMask);
    }

    [Fact]
    public void Scores_HandGraph_MatchHandComputation()
    {
        // Replacement: I(tokens) = I(t0) = .375, I(errors) = I(e0) = .125 → .375 / .5 = .75.
        // Completeness: non-error share per row = 1 except l0: 1 − Â[l0, e0] = .75. I + w = [.1875, .375, .125, .375, .5],
        // Σ = 1.5625; numerator = 1.0625 + .75·.5 = 1.4375 → 1.4375 / 1.5625 = .92.
        var s = GraphScores.Compute(Matrix1(), G1, W1);
        Assert.Equal(0.75, s.Replacement, 6);
        Assert.Equal(0.92, s.Completeness, 6);
    }

    [Fact]
    public void Scores_GraphWithoutErrorInfluence_AreOne()
    {
        var d = new float[25];
        d[0 * 5 + 3] = 1; d[1 * 5 + 0] = 2; d[4 * 5 + 1] = 3; // e0 unused
        var s = GraphScores.Compute(AdjacencyMatrix.FromDense(d, 5), G1, W1);
        Assert.Equal(1.0, s.Replacement, 9);
        Assert.Equal(1.0, s.Completeness, 9);
    }

    [Fact]
    public void Prune_InvalidThreshold_Throws()
    {
        Assert.Throws<CircuitInsightsException>(() => GraphPruner.Prune(Matrix1(), G1, W1, 1.5f, 0.98f));
        Assert.Throws<CircuitInsightsException>(() => GraphPruner.Prune(Matrix1(), G1, W1, 0.8f, -0.1f));
    }

    [Fact]
    public void Influence_Cycle_Throws()
    {
        var d = new float[4] { 0, 1, 1, 0 }; // two nodes feeding each other
        Assert.Throws<InvalidOperationException>(() => GraphInfluence.Influence(AdjacencyMatrix.FromDense(d, 2), [1f, 0f], maxIterations: 50));
    }

    [Fact]
    public void Influence_RandomDag_MatchesDensePowerSeries()
    {
        // Oracle: I = w·(Â + Â² + … + Â^N) in double precision on the dense matrix (nilpotent: Â^N = 0).
        var rng = new Random(7);
        int n = 40;
        var d = new float[n * n];
        for (int r = 1; r < n; r++)
            for (int c = 0; c < r; c++)
                if (rng.NextDouble() < 0.3) d[r * n + c] = (float)(rng.NextDouble() * 2 - 1);
        var w = new float[n];
        w[n - 1] = 0.7f; w[n - 2] = 0.2f;
        var expected = DenseInfluence(d, w, n);
        var actual = GraphInfluence.Influence(AdjacencyMatrix.FromDense(d, n), w);
        for (int i = 0; i < n; i++) Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"node {i}: {actual[i]} vs {expected[i]}");
    }

    internal static double[] DenseInfluence(float[] a, float[] w, int n)
    {
        var norm = new double[n * n];
        for (int r = 0; r < n; r++)
        {
            double s = 0;
            for (int c = 0; c < n; c++) s += Math.Abs(a[r * n + c]);
            s = Math.Max(s, 1e-10);
            for (int c = 0; c < n; c++) norm[r * n + c] = Math.Abs(a[r * n + c]) / s;
        }
        var cur = w.Select(v => (double)v).ToArray();
        var total = new double[n];
        for (int k = 0; k < n + 1; k++)
        {
            var next = new double[n];
            for (int r = 0; r < n; r++)
                if (cur[r] != 0) for (int c = 0; c < n; c++) next[c] += cur[r] * norm[r * n + c];
            for (int c = 0; c < n; c++) total[c] += next[c];
            cur = next;
        }
        return total;
    }
}
