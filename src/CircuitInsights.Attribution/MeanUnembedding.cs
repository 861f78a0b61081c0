using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using CircuitInsights.Models.Components;

namespace CircuitInsights.Attribution;

/// <summary>mean_v W_U[:, v] [D] of a model, computed once per loaded weights (reading W_Uᵀ row by row).</summary>
public static class MeanUnembedding
{
    static readonly ConditionalWeakTable<DecoderWeights, float[]> Cache = new();

    public static float[] Get(DecoderWeights weights) => Cache.GetValue(weights, Compute);

    static float[] Compute(DecoderWeights weights)
    {
        var ut = weights.UnembedRaw.Transposed(); // [V, D]: contiguous rows for tied embeddings
        int v = ut.Rows, d = ut.Cols;
        var sum = new double[d];
        var row = new float[d];
        for (int i = 0; i < v; i++)
        {
            ut.CopyRow(i, row);
            for (int j = 0; j < d; j++) sum[j] += row[j];
        }
        return sum.Select(x => (float)(x / v)).ToArray();
    }
}
