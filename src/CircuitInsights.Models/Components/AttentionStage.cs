using CircuitInsights.Models.Hooks;
using CircuitInsights.Tensors;

namespace CircuitInsights.Models.Components;

/// <summary>
/// Multi-head / grouped-query causal self-attention of one block, with TransformerLens hooks:
/// q,k,v = u·W + b → (RoPE) → S = scale·q_h k_hᵀ → (soft-cap c·tanh(S/c)) → causal (+ sliding-window) mask → softmax
/// → pattern → z_h = A_h v_h → out = z·W_O + b_O. Query head h reads key/value head h / (H/Hkv).
/// </summary>
internal static class AttentionStage
{
    /// <param name="u">[rows, D] normalised block input.</param>
    /// <param name="output">[rows, D] receives the attention output (before any post-norm).</param>
    public static void Run(DecoderSpec spec, int layer, AttentionWeights w, RotaryEmbedding? rope, float[] u, float[] output, ForwardContext ctx)
    {
        int rows = ctx.Rows, d = spec.DModel, hq = spec.Heads, hkv = spec.KvHeads, dh = spec.HeadDim;
        int qw = spec.QueryWidth, kvw = spec.KvWidth;
        var uRef = MatrixRef.FromF32(u, rows, d);
        var q = new float[rows * qw];
        var k = new float[rows * kvw];
        var v = new float[rows * kvw];
        ForwardProfile.Run(ctx.Profile, ForwardProfile.ProjectionGemm, () =>
        {
            Gemm.Multiply(uRef, w.Q, q, qw);
            Gemm.Multiply(uRef, w.K, k, kvw);
            Gemm.Multiply(uRef, w.V, v, kvw);
        });
        if (w.QBias is { } bq) RowOps.AddBias(q, qw, bq);
        if (w.KBias is { } bk) RowOps.AddBias(k, kvw, bk);
        if (w.VBias is { } bv) RowOps.AddBias(v, kvw, bv);
        ctx.Emit(HookPoint.Block(layer, HookNames.Q), q, ctx.Batch, ctx.Positions, hq, dh);
        ctx.Emit(HookPoint.Block(layer, HookNames.K), k, ctx.Batch, ctx.Positions, hkv, dh);
        ctx.Emit(HookPoint.Block(layer, HookNames.V), v, ctx.Batch, ctx.Positions, hkv, dh);
        if (rope is not null)
        {
            rope.Apply(q, ctx.Batch, ctx.Positions, hq, dh);
            rope.Apply(k, ctx.Batch, ctx.Positions, hkv, dh);
            ctx.Emit(HookPoint.Block(layer, HookNames.RotQ), q, ctx.Batch, ctx.Positions, hq, dh);
            ctx.Emit(HookPoint.Block(layer, HookNames.RotK), k, ctx.Batch, ctx.Positions, hkv, dh);
        }

        var z = new float[rows * qw];
        var scoresHook = HookPoint.Block(layer, HookNames.AttnScores);
        var patternHook = HookPoint.Block(layer, HookNames.Pattern);
        int t = ctx.Positions, pairs = ctx.Batch * hq;
        int? window = spec.UsesSlidingWindow(layer) ? spec.SlidingWindow : null;
        ForwardProfile.Run(ctx.Profile, ForwardProfile.AttentionCore, () => Core(spec, ctx, q, k, v, z, layer, pairs, t, window, scoresHook, patternHook));
        ctx.Emit(HookPoint.Block(layer, HookNames.Z), z, ctx.Batch, ctx.Positions, hq, dh);

        ForwardProfile.Run(ctx.Profile, ForwardProfile.ProjectionGemm, () => Gemm.Multiply(MatrixRef.FromF32(z, rows, qw), w.O, output, d));
        if (w.OBias is { } bo) RowOps.AddBias(output.AsSpan(0, rows * d), d, bo);
    }

    static void Core(DecoderSpec spec, ForwardContext ctx, float[] q, float[] k, float[] v, float[] z, int layer, int pairs, int t, int? window, HookPoint scoresHook, HookPoint patternHook)
    {
        int hq = spec.Heads;
        if (ctx.Wants(scoresHook) || ctx.Wants(patternHook))
        {
            // Materialise [B, H, T, T] so handlers can read or replace the pattern (frozen attention).
            var all = new float[(long)pairs * t * t];
            Parallel.For(0, pairs, pair => Scores(spec, q, k, pair, t, window, all.AsSpan(pair * t * t, t * t)));
            ctx.Emit(scoresHook, all, ctx.Batch, hq, t, t);
            Parallel.For(0, pairs, pair => SoftmaxRows(all.AsSpan(pair * t * t, t * t), t));
            ctx.Emit(patternHook, all, ctx.Batch, hq, t, t);
            Parallel.For(0, pairs, pair => MixValues(spec, all, pair * t * t, v, z, pair, t));
        }
        else
        {
            Parallel.For(0, pairs, () => new float[t * t], (pair, _, scratch) =>
            {
                Scores(spec, q, k, pair, t, window, scratch);
                SoftmaxRows(scratch, t);
                MixValues(spec, scratch, 0, v, z, pair, t);
                return scratch;
            }, _ => { });
        }
    }

    /// <summary>scores[p, s] for one (batch, head) pair: scaled, soft-capped, masked with −∞ where s is not visible from p.</summary>
    static void Scores(DecoderSpec spec, float[] q, float[] k, int pair, int t, int? window, Span<float> scores)
    {
        int hq = spec.Heads, dh = spec.HeadDim, b = pair / hq, h = pair % hq, kvh = h / (hq / spec.KvHeads);
        var qh = MatrixRef.FromF32(q, t, dh, offset: b * t * spec.QueryWidth + h * dh, rowStride: spec.QueryWidth);
        var kh = MatrixRef.FromF32(k, t, dh, offset: b * t * spec.KvWidth + kvh * dh, rowStride: spec.KvWidth);
        Gemm.Multiply(qh, kh.Transposed(), scores, t);
        float scale = spec.AttentionScale;
        float? cap = spec.AttentionLogitSoftcap;
        for (int p = 0; p < t; p++)
        {
            var row = scores.Slice(p * t, t);
            int first = window is int w ? Math.Max(0, p - w + 1) : 0;
            for (int s = 0; s < t; s++)
            {
                if (s > p || s < first) { row[s] = float.NegativeInfinity; continue; }
                float x = row[s] * scale;
                if (cap is float c) x = c * MathF.Tanh(x / c);
                row[s] = x;
            }
        }
    }

    static void SoftmaxRows(Span<float> scores, int t)
    {
        for (int p = 0; p < t; p++) Softmax.InPlace(scores.Slice(p * t, t), p + 1);
    }

    /// <summary>z[b, :, h, :] = pattern [T, T] · v[b, :, kvh, :].</summary>
    static void MixValues(DecoderSpec spec, float[] pattern, int patternOffset, float[] v, float[] z, int pair, int t)
    {
        int hq = spec.Heads, dh = spec.HeadDim, b = pair / hq, h = pair % hq, kvh = h / (hq / spec.KvHeads);
        var a = MatrixRef.FromF32(pattern, t, t, offset: patternOffset);
        var vh = MatrixRef.FromF32(v, t, dh, offset: b * t * spec.KvWidth + kvh * dh, rowStride: spec.KvWidth);
        Gemm.Multiply(a, vh, z.AsSpan(b * t * spec.QueryWidth + h * dh), spec.QueryWidth);
    }
}
