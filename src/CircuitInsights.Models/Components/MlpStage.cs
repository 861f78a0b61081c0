using CircuitInsights.Models.Hooks;
using CircuitInsights.Tensors;

namespace CircuitInsights.Models.Components;

/// <summary>
/// The feed-forward sublayer with hooks. Plain (GPT-2): pre = m·W_in + b_in, post = act(pre), out = post·W_out + b_out.
/// Gated (Gemma/Llama): pre = m·W_gate, pre_linear = m·W_in, post = act(pre) ⊙ pre_linear, out = post·W_out.
/// </summary>
internal static class MlpStage
{
    /// <param name="m">[rows, D] MLP input (mlp.hook_in).</param>
    /// <param name="output">[rows, D] receives the MLP module output (mlp.hook_out).</param>
    public static void Run(DecoderSpec spec, int layer, MlpWeights w, float[] m, float[] output, ForwardContext ctx)
    {
        int rows = ctx.Rows, d = spec.DModel, f = spec.DMlp;
        var mRef = MatrixRef.FromF32(m, rows, d);
        var pre = new float[(long)rows * f];
        if (spec.Mlp == MlpKind.Plain)
        {
            ForwardProfile.Run(ctx.Profile, ForwardProfile.MlpGemm, () => Gemm.Multiply(mRef, w.In, pre, f));
            if (w.InBias is { } bIn) RowOps.AddBias(pre, f, bIn);
            ctx.Emit(HookPoint.Block(layer, HookNames.MlpPre), pre, ctx.Batch, ctx.Positions, f);
            Activate(spec.Activation, pre);
        }
        else
        {
            var gate = w.Gate ?? throw new InvalidOperationException("gated MLP without gate weights");
            var linear = new float[(long)rows * f];
            ForwardProfile.Run(ctx.Profile, ForwardProfile.MlpGemm, () =>
            {
                Gemm.Multiply(mRef, gate, pre, f);
                Gemm.Multiply(mRef, w.In, linear, f);
            });
            if (w.InBias is { } bIn) RowOps.AddBias(linear, f, bIn);
            ctx.Emit(HookPoint.Block(layer, HookNames.MlpPre), pre, ctx.Batch, ctx.Positions, f);
            ctx.Emit(HookPoint.Block(layer, HookNames.MlpPreLinear), linear, ctx.Batch, ctx.Positions, f);
            Activate(spec.Activation, pre);
            System.Numerics.Tensors.TensorPrimitives.Multiply(pre, linear, pre);
        }
        ctx.Emit(HookPoint.Block(layer, HookNames.MlpPost), pre, ctx.Batch, ctx.Positions, f);
        ForwardProfile.Run(ctx.Profile, ForwardProfile.MlpGemm, () => Gemm.Multiply(MatrixRef.FromF32(pre, rows, f), w.Out, output, d));
        if (w.OutBias is { } bOut) RowOps.AddBias(output.AsSpan(0, rows * d), d, bOut);
    }

    static void Activate(ActivationKind kind, Span<float> x)
    {
        if (kind == ActivationKind.GeluTanh) Activations.GeluTanh(x);
        else Activations.Silu(x);
    }
}
