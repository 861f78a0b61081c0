using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using CircuitInsights.Tensors;

namespace CircuitInsights.Attribution.Graphs;

/// <summary>
/// Influence on the output through a row-normalised adjacency (circuit-tracer graph.py, reference.md §3.1):
/// <code>
/// Â = normalize_matrix(A) = |A| / max(rowsum |A|, 1e-10)      (each target's incoming |edges| sum to 1)
/// I = wᵀ(Â + Â² + Â³ + …)                                     (compute_influence: cur ← cur·Â until cur = 0)
/// </code>
/// The normalised matrix is never materialised: a step is out[j] = Σ_r (cur[r] / rowsum[r])·|A[r, j]|. Optional node
/// masks give the pruned matrix A' (rows and columns of dropped nodes zeroed) without copying. Each output column is
/// summed over rows in a fixed order, so results do not depend on the thread count.
/// Naive twin: the dense double-precision powers in the tests.
/// </summary>
public static class GraphInfluence
{
    /// <summary>circuit-tracer's clamp of row sums in normalize_matrix.</summary>
    public const float RowSumFloor = 1e-10f;

    /// <summary>[N] Σ_c |A[r, c]| over kept columns for kept rows (0 for dropped rows), float accumulation like torch.</summary>
    public static float[] RowAbsSums(AdjacencyMatrix a, bool[]? keep = null)
    {
        var sums = new float[a.Size];
        ParallelLoop.For(0, a.Size, r =>
        {
            if (keep is not null && !keep[r]) return;
            var row = a.Row(r);
            if (row.IsEmpty) return;
            double s = 0;
            if (keep is null) s = System.Numerics.Tensors.TensorPrimitives.SumOfMagnitudes(row);
            else for (int c = 0; c < row.Length; c++) if (keep[c]) s += Math.Abs(row[c]);
            sums[r] = (float)s;
        });
        return sums;
    }

    /// <summary>
    /// out = cur·Â (restricted to kept nodes): out[j] = Σ_r cur[r]/max(rowSums[r], floor)·|A[r, j]| for kept r, j.
    /// </summary>
    public static void Step(AdjacencyMatrix a, ReadOnlySpan<float> cur, ReadOnlySpan<float> rowSums, bool[]? keep, Span<float> output, float floor = RowSumFloor)
    {
        int n = a.Size;
        if (cur.Length != n || rowSums.Length != n || output.Length != n) throw new ArgumentException("vector lengths must equal the matrix size");
        // Rows that contribute and their scale cur[r] / rowsum[r].
        var rows = new List<(int Row, float Scale)>();
        for (int r = 0; r < n; r++)
        {
            if (cur[r] == 0f || !a.HasRow(r) || keep is not null && !keep[r]) continue;
            rows.Add((r, cur[r] / Math.Max(rowSums[r], floor)));
        }
        var result = new float[n];
        const int Stripe = 4096;
        int stripes = (n + Stripe - 1) / Stripe;
        var list = rows.ToArray();
        ParallelLoop.For(0, stripes, s =>
        {
            int c0 = s * Stripe, len = Math.Min(Stripe, n - c0);
            var acc = result.AsSpan(c0, len);
            foreach (var (r, scale) in list) AddScaledAbs(a.Row(r).Slice(c0, len), scale, acc);
        });
        if (keep is not null) for (int j = 0; j < n; j++) if (!keep[j]) result[j] = 0f;
        result.CopyTo(output);
    }

    /// <summary>acc += scale·|x|.</summary>
    internal static void AddScaledAbs(ReadOnlySpan<float> x, float scale, Span<float> acc)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vs = Vector256.Create(scale);
            ref float px = ref MemoryMarshal.GetReference(x);
            ref float pa = ref MemoryMarshal.GetReference(acc);
            for (; i + 8 <= x.Length; i += 8)
            {
                var v = Vector256.Abs(Vector256.LoadUnsafe(ref px, (nuint)i));
                (Vector256.LoadUnsafe(ref pa, (nuint)i) + v * vs).StoreUnsafe(ref pa, (nuint)i);
            }
        }
        for (; i < x.Length; i++) acc[i] += Math.Abs(x[i]) * scale;
    }

    /// <summary>
    /// compute_influence: I = Σ_{k≥1} wᵀÂᵏ over the (optionally node-masked) matrix. Iterates until the propagated vector
    /// is exactly zero, which takes at most the depth of the DAG; more than <paramref name="maxIterations"/> steps means
    /// the matrix has a cycle.
    /// </summary>
    public static float[] Influence(AdjacencyMatrix a, ReadOnlySpan<float> weights, bool[]? keep = null, int maxIterations = 1000)
    {
        var sums = RowAbsSums(a, keep);
        var cur = new float[a.Size];
        Step(a, weights, sums, keep, cur);
        var influence = (float[])cur.Clone();
        int iterations = 0;
        var next = new float[a.Size];
        while (cur.AsSpan().IndexOfAnyExcept(0f) >= 0)
        {
            if (iterations >= maxIterations) throw new InvalidOperationException($"influence computation did not converge after {iterations} iterations (the adjacency matrix has a cycle)");
            Step(a, cur, sums, keep, next);
            (cur, next) = (next, cur);
            System.Numerics.Tensors.TensorPrimitives.Add(influence, cur, influence);
            iterations++;
        }
        return influence;
    }
}
