using CircuitInsights.Models.Hooks;
using CircuitInsights.Tensors;

namespace CircuitInsights.Models.Components;

/// <summary>
/// Applies one norm of a decoder with its hooks, in TransformerLens order. For LayerNorm: normalise → <c>hook_scale</c>
/// → (pre-affine copy) → γ,β → <c>hook_normalized</c> → output hook. For RMSNorm: normalise → <c>hook_scale</c> →
/// <c>hook_normalized</c> (before the gain, as TL) → (pre-affine copy) → ×(offset + w) → output hook.
/// <c>hook_scale</c> ([B,T,1], s per row) is editable: a handler that replaces s (e.g. freezing norm denominators for
/// attribution checks) changes the normalised output to (x − mean)/s_new (LayerNorm) or x/s_new (RMSNorm).
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
        if (spec.Norm == NormKind.LayerNorm) Norms.LayerNorm(xs, d, default, default, spec.NormEps, ys, scales.AsSpan(0, rows));
        else Norms.RmsNorm(xs, d, default, 0f, spec.NormEps, ys, scales.AsSpan(0, rows));
        EmitScale(hooks.Scale, y, scales, d, ctx);

        if (spec.Norm == NormKind.LayerNorm)
        {
            if (hooks.PreAffine is { } pa) ctx.EmitCopy(pa, ys, ctx.Batch, ctx.Positions, d);
            if (w.Weight is { } g) RowOps.MultiplyGain(ys, d, g, 0f);
            if (w.Bias is { } b) RowOps.AddBias(ys, d, b);
            if (hooks.Normalized is { } n) ctx.Emit(n, y, ctx.Batch, ctx.Positions, d);
        }
        else
        {
            if (hooks.Normalized is { } n) ctx.Emit(n, y, ctx.Batch, ctx.Positions, d);
            if (hooks.PreAffine is { } pa) ctx.EmitCopy(pa, ys, ctx.Batch, ctx.Positions, d);
            if (w.Weight is { } g) RowOps.MultiplyGain(ys, d, g, spec.NormGainOffset);
        }
        if (hooks.Output is { } o) ctx.Emit(o, y, ctx.Batch, ctx.Positions, d);
    }

    /// <summary>
    /// Emits the per-row scales (editable). <paramref name="normalized"/> must hold values proportional to 1/s per row
    /// (normalised, before any bias); rows whose scale the handler changed are rescaled by s_old/s_new.
    /// </summary>
    public static void EmitScale(HookPoint? hook, float[] normalized, float[] scales, int d, ForwardContext ctx)
    {
        if (hook is not { } h || !ctx.Wants(h)) return;
        int rows = ctx.Rows;
        var original = scales.AsSpan(0, rows).ToArray();
        ctx.Emit(h, scales, ctx.Batch, ctx.Positions, 1);
        for (int r = 0; r < rows; r++)
        {
            if (scales[r] == original[r]) continue;
            var row = normalized.AsSpan(r * d, d);
            System.Numerics.Tensors.TensorPrimitives.Multiply(row, original[r] / scales[r], row);
        }
    }
}
