using CircuitInsights.Models.Hooks;
using CircuitInsights.Tensors;

namespace CircuitInsights.Models.Components;

/// <summary>
/// Applies one norm of a decoder with its hooks, in TransformerLens order. For LayerNorm: normalise → (pre-affine copy)
/// → γ,β → <c>hook_normalized</c> → output hook. For RMSNorm: normalise → <c>hook_normalized</c> (before the gain, as TL)
/// → (pre-affine copy) → ×(offset + w) → output hook. <c>hook_scale</c> receives s per row.
/// </summary>
internal static class NormStage
{
    public sealed record Hooks(HookPoint? Scale, HookPoint? Normalized, HookPoint? PreAffine, HookPoint? Output);

    /// <param name="x">[rows, D] input.</param>
    /// <param name="y">[rows, D] output.</param>
    /// <param name="scales">[rows] receives s = sqrt(var + eps) (LayerNorm) or sqrt(mean(x²) + eps) (RMSNorm).</param>
    public static void Apply(DecoderSpec spec, NormWeights w, float[] x, float[] y, float[] scales, ForwardContext ctx, Hooks hooks)
    {
        int d = spec.DModel, rows = ctx.Rows;
        var xs = x.AsSpan(0, rows * d);
        var ys = y.AsSpan(0, rows * d);
        var ss = scales.AsSpan(0, rows);
        if (spec.Norm == NormKind.LayerNorm)
        {
            Norms.LayerNorm(xs, d, default, default, spec.NormEps, ys, ss);
            if (hooks.Scale is { } s) ctx.EmitCopy(s, ss, ctx.Batch, ctx.Positions, 1);
            if (hooks.PreAffine is { } pa) ctx.EmitCopy(pa, ys, ctx.Batch, ctx.Positions, d);
            if (w.Weight is { } g) RowOps.MultiplyGain(ys, d, g, 0f);
            if (w.Bias is { } b) RowOps.AddBias(ys, d, b);
            if (hooks.Normalized is { } n) ctx.Emit(n, y, ctx.Batch, ctx.Positions, d);
        }
        else
        {
            Norms.RmsNorm(xs, d, default, 0f, spec.NormEps, ys, ss);
            if (hooks.Scale is { } s) ctx.EmitCopy(s, ss, ctx.Batch, ctx.Positions, 1);
            if (hooks.Normalized is { } n) ctx.Emit(n, y, ctx.Batch, ctx.Positions, d);
            if (hooks.PreAffine is { } pa) ctx.EmitCopy(pa, ys, ctx.Batch, ctx.Positions, d);
            if (w.Weight is { } g) RowOps.MultiplyGain(ys, d, g, spec.NormGainOffset);
        }
        if (hooks.Output is { } o) ctx.Emit(o, y, ctx.Batch, ctx.Positions, d);
    }
}
