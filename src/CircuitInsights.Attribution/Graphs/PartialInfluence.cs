using CircuitInsights.Tensors;

namespace CircuitInsights.Attribution.Graphs;

/// <summary>
/// circuit-tracer <c>compute_partial_influences</c> (reference.md §3.1 "Feature ordering / budget"): the influence of every
/// node estimated from the rows computed so far. Row r (target node rowToNode[r]) is normalised as |row| /
/// max(Σ|row|, 1e-8); starting from the logit probabilities, prod ← prod[rowToNode]·Â is iterated (at most
/// <see cref="MaxIterations"/> times) and summed. Nodes without a computed row pass nothing on, so the estimate
/// grows as more rows are computed.
/// </summary>
public static class PartialInfluence
{
    public const int MaxIterations = 128;
    /// <summary>circuit-tracer's row-sum clamp here (1e-8, not normalize_matrix's 1e-10).</summary>
    public const float RowSumFloor = 1e-8f;

    /// <param name="rows">Computed rows, each [width] over the source nodes [0, width) (logit nodes are never sources).</param>
    /// <param name="rowSums">Σ|row| of each row.</param>
    /// <param name="rowToNode">Node index of each row's target, in [0, nodeCount).</param>
    /// <param name="logitProbabilities">Probabilities of the logit nodes, which are the last nodes.</param>
    /// <returns>[nodeCount] estimated influences.</returns>
    public static float[] Compute(IReadOnlyList<float[]> rows, IReadOnlyList<float> rowSums, IReadOnlyList<int> rowToNode,
        ReadOnlySpan<float> logitProbabilities, int nodeCount, int width)
    {
        int count = rows.Count;
        if (rowSums.Count != count || rowToNode.Count != count) throw new ArgumentException("rows, row sums and row nodes must have the same count");
        var influence = new float[nodeCount];
        var prod = new float[nodeCount];
        logitProbabilities.CopyTo(prod.AsSpan(nodeCount - logitProbabilities.Length));
        var next = new float[nodeCount];
        const int Stripe = 4096;
        int stripes = (width + Stripe - 1) / Stripe;
        for (int iteration = 0; iteration < MaxIterations; iteration++)
        {
            var active = new List<(float[] Row, float Scale)>();
            for (int r = 0; r < count; r++)
            {
                float p = prod[rowToNode[r]];
                if (p != 0f) active.Add((rows[r], p / Math.Max(rowSums[r], RowSumFloor)));
            }
            Array.Clear(next);
            var list = active.ToArray();
            ParallelLoop.For(0, stripes, s =>
            {
                int c0 = s * Stripe, len = Math.Min(Stripe, width - c0);
                var acc = next.AsSpan(c0, len);
                foreach (var (row, scale) in list) GraphInfluence.AddScaledAbs(row.AsSpan(c0, len), scale, acc);
            });
            if (next.AsSpan().IndexOfAnyExcept(0f) < 0) return influence;
            System.Numerics.Tensors.TensorPrimitives.Add(influence, next, influence);
            (prod, next) = (next, prod);
        }
        throw new InvalidOperationException($"partial influences did not converge in {MaxIterations} iterations");
    }
}
