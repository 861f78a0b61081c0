using CircuitInsights.Testing;

namespace CircuitInsights.Transcoders.Tests.Loading;

/// <summary>
/// The transcoder formulas of reference.md §1.4 as plain double-precision loops over the canonical weights — the oracle
/// the loaders are checked against (independent of any loader, view or GEMM).
/// </summary>
internal static class ReferenceTranscoder
{
    /// <summary>pre [rows, K] = (x − c)·W_enc + b_enc.</summary>
    public static double[] Pre(TranscoderLayerWeights w, double[] x, int rows)
    {
        int d = w.DModel, k = w.Width;
        var pre = new double[rows * k];
        for (int r = 0; r < rows; r++)
            for (int f = 0; f < k; f++)
            {
                double s = w.EncoderBias[f];
                for (int i = 0; i < d; i++) s += (x[r * d + i] - (w.InputCentering?[i] ?? 0)) * w.Encoder[i * k + f];
                pre[r * k + f] = s;
            }
        return pre;
    }

    /// <summary>ReLU, JumpReLU (pre &gt; θ, strict) or TopK (k largest, then ReLU) per row.</summary>
    public static double[] Activate(TranscoderLayerWeights w, double[] pre, int rows, string activation, int k = 0)
    {
        int width = w.Width;
        var a = new double[pre.Length];
        for (int r = 0; r < rows; r++)
        {
            if (activation == "topk")
            {
                var order = Enumerable.Range(0, width).OrderByDescending(f => pre[r * width + f]).Take(k);
                foreach (int f in order) a[r * width + f] = Math.Max(0, pre[r * width + f]);
                continue;
            }
            for (int f = 0; f < width; f++)
            {
                double p = pre[r * width + f];
                a[r * width + f] = activation switch
                {
                    "relu" => Math.Max(0, p),
                    "jumprelu" => p > w.Threshold![f] ? p : 0,
                    _ => throw new ArgumentException(activation),
                };
            }
        }
        return a;
    }

    /// <summary>
    /// Per row, whether some feature sits within <paramref name="margin"/> of its activation boundary (0, θ, or the
    /// k-th/(k+1)-th gap for TopK), where fp32 and fp64 may legitimately disagree.
    /// </summary>
    public static bool[] Borderline(TranscoderLayerWeights w, double[] pre, int rows, string activation, int k, double margin)
    {
        int width = w.Width;
        var result = new bool[rows];
        for (int r = 0; r < rows; r++)
        {
            var row = pre.AsSpan(r * width, width);
            if (activation == "topk")
            {
                var sorted = row.ToArray().OrderByDescending(v => v).ToArray();
                result[r] = k < width && sorted[k - 1] - sorted[k] < margin || Math.Abs(sorted[k - 1]) < margin;
                continue;
            }
            for (int f = 0; f < width && !result[r]; f++)
            {
                double edge = activation == "jumprelu" ? w.Threshold![f] : 0;
                if (Math.Abs(row[f] - edge) < margin) result[r] = true;
            }
        }
        return result;
    }

    /// <summary>
    /// Reconstruction of output layer <paramref name="layer"/>: Σ over writers i ≤ layer of a_i·W_dec_i^(layer) +
    /// b_dec_layer + x_layer·S_layer (per-layer sets: only i = layer).
    /// </summary>
    public static double[] Reconstruct(IReadOnlyDictionary<int, TranscoderLayerWeights> weights, IReadOnlyDictionary<int, double[]> acts,
        IReadOnlyDictionary<int, double[]> inputs, int layer, int rows)
    {
        var own = weights[layer];
        int d = own.DModel;
        var y = new double[rows * d];
        foreach (var (i, w) in weights)
        {
            int j = layer - i;
            if (j < 0 || j >= w.Decoders.Length) continue;
            var dec = w.Decoders[j];
            var a = acts[i];
            for (int r = 0; r < rows; r++)
                for (int f = 0; f < w.Width; f++)
                {
                    double v = a[r * w.Width + f];
                    if (v == 0) continue;
                    for (int o = 0; o < d; o++) y[r * d + o] += v * dec[f * d + o];
                }
        }
        var x = inputs[layer];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < d; o++)
            {
                double s = own.DecoderBias?[o] ?? 0;
                if (own.Skip is { } skip)
                    for (int i = 0; i < d; i++) s += x[r * d + i] * skip[i * d + o];
                y[r * d + o] += s;
            }
        return y;
    }
}
