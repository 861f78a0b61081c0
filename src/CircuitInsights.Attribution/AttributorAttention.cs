using System.Numerics.Tensors;
using CircuitInsights.Tensors;

namespace CircuitInsights.Attribution;

public sealed partial class Attributor
{
    /// <summary>
    /// Backward through attention of <paramref name="layer"/> with frozen patterns and ln1 scales:
    /// g_raw = G (⊙ (o + w)/s for Gemma's post-attention norm); g_z = g_raw·W_Oᵀ; g_v[s] = Σ_p A[p, s]·g_z[p] (summed over
    /// the query heads sharing a KV head); G += ln1ᵀ(g_v·W_Vᵀ). Head contributions: A_h[p, s]·(v_s·g_z,h[p]).
    /// </summary>
    void AttentionBackward(SweepState sw, int layer, float[] G, double[] bias, AttributionRows rows, (int Row, AttributionTarget Target)[] chunk, AttributeOptions options)
    {
        int n = sw.N, T = sw.Te, TT = _ctx.Positions, D = _spec.DModel, H = _spec.Heads, Hkv = _spec.KvHeads, Dh = _spec.HeadDim;
        int QW = _spec.QueryWidth, KvW = _spec.KvWidth, group = H / Hkv, L = _spec.Layers;
        var block = _ctx.Weights.Blocks[layer];
        float[] gRaw = G;
        if (block.PostAttentionNorm is { } post)
        {
            gRaw = new float[G.Length];
            ScaleByPostNorm(sw, G, gRaw, post, _ctx.PostAttentionScales![layer]);
        }
        var constant = _ctx.AttentionConstants[layer];
        for (int i = 0; i < n; i++)
            for (int p = 0; p < T; p++) bias[i] += TensorPrimitives.Dot<float>(gRaw.AsSpan((i * T + p) * D, D), constant);

        var oT = Packed(_oT, layer, () => block.Attention.ORaw.Transposed());
        var gz = new float[(long)n * T * QW];
        Gemm.Multiply(MatrixRef.FromF32(gRaw, n * T, D), oT, gz, QW);
        var pattern = _ctx.Patterns[layer];

        if (rows.HeadsBySource is { } heads)
        {
            // Input-dependent part of the values: the constant β·W_V + b_V is already in Bias.
            var values = (float[])_ctx.Values[layer].Clone();
            var vc = _ctx.ValueConstants[layer];
            for (int t = 0; t < T; t++) TensorPrimitives.Subtract(values.AsSpan(t * KvW, KvW), vc, values.AsSpan(t * KvW, KvW));
            ParallelLoop.For(0, n * H, pair =>
            {
                int i = pair / H, h = pair % H, kvh = h / group;
                var m = new float[T * T];
                var gzh = MatrixRef.FromF32(gz, T, Dh, offset: i * T * QW + h * Dh, rowStride: QW);
                var vh = MatrixRef.FromF32(values, T, Dh, offset: kvh * Dh, rowStride: KvW);
                Gemm.Multiply(gzh, vh.Transposed(), m, T);
                var dst = heads.AsSpan((int)((((long)chunk[i].Row * L + layer) * H + h) * TT), TT);
                for (int p = 0; p < T; p++)
                {
                    var a = pattern.AsSpan((h * TT + p) * TT, TT);
                    var mp = m.AsSpan(p * T, T);
                    for (int s = 0; s <= p; s++) dst[s] += a[s] * mp[s];
                }
            });
        }
        if (!options.ThroughAttention) return;

        var gv = new float[(long)n * T * KvW];
        ParallelLoop.For(0, n * Hkv, pair =>
        {
            int i = pair / Hkv, kvh = pair % Hkv;
            for (int h = kvh * group; h < (kvh + 1) * group; h++)
            {
                var aT = MatrixRef.FromF32(pattern, T, T, offset: h * TT * TT, rowStride: TT).Transposed();
                var gzh = MatrixRef.FromF32(gz, T, Dh, offset: i * T * QW + h * Dh, rowStride: QW);
                Gemm.Multiply(aT, gzh, gv.AsSpan(i * T * KvW + kvh * Dh), KvW, accumulate: h != kvh * group);
            }
        });
        var vT = Packed(_vT, layer, () => block.Attention.VRaw.Transposed());
        var gu = new float[(long)n * T * D];
        Gemm.Multiply(MatrixRef.FromF32(gv, n * T, KvW), vT, gu, D);
        var scales = _ctx.Ln1Scales[layer];
        for (int i = 0; i < n; i++)
            for (int p = 0; p < T; p++)
                FrozenBackward.Norm(_spec.Norm, block.Ln1.Weight, _spec.NormGainOffset, scales[p], gu.AsSpan((i * T + p) * D, D), G.AsSpan((i * T + p) * D, D));
    }

    public void Dispose()
    {
        foreach (var p in _oT) p?.Dispose();
        foreach (var p in _vT) p?.Dispose();
    }
}
