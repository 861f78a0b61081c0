using CircuitInsights.Models.Hooks;
using CircuitInsights.Tensors;

namespace CircuitInsights.Models.Components;

/// <summary>
/// The shared pre-norm decoder forward pass (GPT-2, Gemma-2, Llama-3 differ only through <see cref="DecoderSpec"/> and
/// their weight maps). Per block, with TransformerLens hooks:
/// <code>
/// x   = E[t]·scale (+ W_pos[p])                                 hook_embed, hook_pos_embed
/// a   = Attn(Norm1(x)) (→ PostAttnNorm)                         hook_resid_pre … hook_attn_out
/// x  += a                                                       hook_resid_mid
/// m   = Mlp(Norm2(x)) (→ PostMlpNorm)                           ln2.* , mlp.* , hook_mlp_out
/// x  += m                                                       hook_resid_post
/// logits = FinalNorm(x)·W_U (→ soft-cap)
/// </code>
/// All arithmetic is fp32; 16-bit weights are widened inside the kernels.
/// </summary>
public sealed class DecoderModel : IDisposable
{
    readonly RotaryEmbedding? _rope;

    public DecoderSpec Spec { get; }
    public DecoderWeights Weights { get; }

    public DecoderModel(DecoderSpec spec, DecoderWeights weights)
    {
        spec.Validate(spec.Architecture);
        if (weights.Blocks.Length != spec.Layers) throw new ArgumentException($"{weights.Blocks.Length} blocks of weights for {spec.Layers} layers");
        Spec = spec;
        Weights = weights;
        if (spec.Positions == PositionKind.Rotary) _rope = new RotaryEmbedding(spec.Rope!);
    }

    public ForwardResult Forward(TokenBatch batch, ForwardOptions? options = null)
    {
        options ??= ForwardOptions.Default;
        var spec = Spec;
        int stop = options.StopAtLayer ?? spec.Layers;
        if (stop < 0 || stop > spec.Layers) throw new CircuitInsightsException($"stop-at-layer {stop} outside [0, {spec.Layers}]");
        if (spec.Positions == PositionKind.Learned && batch.Positions > spec.MaxPositions)
            throw new CircuitInsightsException($"sequence of {batch.Positions} tokens exceeds the model's {spec.MaxPositions} positions");

        var ctx = new ForwardContext(batch.BatchSize, batch.Positions, options.Hooks, options.Profile);
        int rows = ctx.Rows, d = spec.DModel;
        var x = new float[rows * d];
        Embed(batch, x, ctx);

        var normed = new float[rows * d];
        var scales = new float[rows];
        var sub = new float[rows * d];
        for (int l = 0; l < stop; l++) RunBlock(l, x, normed, scales, sub, ctx);

        if (stop < spec.Layers || options.Logits == LogitsMode.None)
        {
            if (stop == spec.Layers) FinalNorm(x, normed, scales, ctx);
            return new ForwardResult { Residual = x, BatchSize = batch.BatchSize, Positions = batch.Positions, LayersRun = stop };
        }

        FinalNorm(x, normed, scales, ctx);
        var (logits, shape, pre) = Unembed(batch, normed, options);
        return new ForwardResult
        {
            Logits = logits, LogitsShape = shape, PreSoftcapLogits = pre, Residual = x,
            BatchSize = batch.BatchSize, Positions = batch.Positions, LayersRun = stop,
        };
    }

    void Embed(TokenBatch batch, float[] x, ForwardContext ctx)
    {
        var spec = Spec;
        int d = spec.DModel;
        var emb = Weights.TokenEmbedding;
        for (int i = 0; i < batch.Ids.Length; i++)
        {
            int id = batch.Ids[i];
            if ((uint)id >= (uint)emb.Rows) throw new CircuitInsightsException($"token id {id} is outside the vocabulary [0, {emb.Rows})");
            var row = x.AsSpan(i * d, d);
            emb.CopyRow(id, row);
            if (spec.EmbeddingScale != 1f) System.Numerics.Tensors.TensorPrimitives.Multiply(row, spec.EmbeddingScale, row);
        }
        ctx.Emit(HookPoint.Embed, x, ctx.Batch, ctx.Positions, d);
        if (Weights.PositionEmbedding is { } pos)
        {
            var p = new float[x.Length];
            for (int b = 0; b < ctx.Batch; b++)
                for (int t = 0; t < ctx.Positions; t++)
                    pos.CopyRow(t, p.AsSpan((b * ctx.Positions + t) * d, d));
            ctx.Emit(HookPoint.PosEmbed, p, ctx.Batch, ctx.Positions, d);
            System.Numerics.Tensors.TensorPrimitives.Add(x, p, x);
        }
    }

    void RunBlock(int l, float[] x, float[] normed, float[] scales, float[] sub, ForwardContext ctx)
    {
        var spec = Spec;
        var w = Weights.Blocks[l];
        int d = spec.DModel, rows = ctx.Rows;
        ctx.Emit(HookPoint.ResidPre(l), x, ctx.Batch, ctx.Positions, d);

        NormStage.Apply(spec, w.Ln1, x, normed, scales, ctx, new NormStage.Hooks(
            HookPoint.Block(l, HookNames.Ln1Scale), HookPoint.Block(l, HookNames.Ln1Normalized), null, null));
        AttentionStage.Run(spec, l, w.Attention, _rope, normed, sub, ctx);
        if (w.PostAttentionNorm is { } post) PostNorm(post, sub, scales, HookPoint.Block(l, HookNames.Ln1PostScale), ctx);
        ctx.Emit(HookPoint.AttnOut(l), sub, ctx.Batch, ctx.Positions, d);
        System.Numerics.Tensors.TensorPrimitives.Add(x, sub, x);
        ctx.Emit(HookPoint.ResidMid(l), x, ctx.Batch, ctx.Positions, d);

        NormStage.Apply(spec, w.Ln2, x, normed, scales, ctx, new NormStage.Hooks(
            HookPoint.Block(l, HookNames.Ln2Scale), HookPoint.Block(l, HookNames.Ln2Normalized),
            HookPoint.Block(l, HookNames.Ln2NormalizedPreAffine), HookPoint.MlpIn(l)));
        MlpStage.Run(spec, l, w.Mlp, normed, sub, ctx);
        ctx.Emit(HookPoint.Block(l, HookNames.MlpHookOut), sub, ctx.Batch, ctx.Positions, d);
        if (w.PostMlpNorm is { } postMlp) PostNorm(postMlp, sub, scales, HookPoint.Block(l, HookNames.Ln2PostScale), ctx);
        ctx.Emit(HookPoint.MlpOut(l), sub, ctx.Batch, ctx.Positions, d);
        System.Numerics.Tensors.TensorPrimitives.Add(x, sub, x);
        ctx.Emit(HookPoint.ResidPost(l), x, ctx.Batch, ctx.Positions, d);
    }

    /// <summary>Gemma-2 post-sublayer RMSNorm, in place: y = y / s ⊙ (offset + w); the scale hook is editable.</summary>
    void PostNorm(NormWeights w, float[] y, float[] scales, HookPoint scaleHook, ForwardContext ctx)
    {
        int d = Spec.DModel, rows = ctx.Rows;
        var span = y.AsSpan(0, rows * d);
        Norms.RmsNorm(span, d, w.Weight ?? default, Spec.NormGainOffset, Spec.NormEps, span, scales.AsSpan(0, rows));
        NormStage.EmitScale(scaleHook, y, scales, d, ctx);
    }

    void FinalNorm(float[] x, float[] normed, float[] scales, ForwardContext ctx) =>
        NormStage.Apply(Spec, Weights.FinalNorm, x, normed, scales, ctx, new NormStage.Hooks(
            HookPoint.Model(HookNames.LnFinalScale), HookPoint.Model(HookNames.LnFinalNormalized), null, HookPoint.Model(HookNames.UnembedPre)));

    (float[] Logits, int[] Shape, float[]? Pre) Unembed(TokenBatch batch, float[] normed, ForwardOptions options)
    {
        int d = Spec.DModel, v = Spec.Vocab;
        float[] input;
        int rows;
        int[] shape;
        if (options.Logits == LogitsMode.Last)
        {
            rows = batch.BatchSize;
            input = new float[rows * d];
            for (int b = 0; b < rows; b++)
                normed.AsSpan((b * batch.Positions + batch.Lengths[b] - 1) * d, d).CopyTo(input.AsSpan(b * d, d));
            shape = [batch.BatchSize, v];
        }
        else
        {
            rows = batch.BatchSize * batch.Positions;
            input = normed;
            shape = [batch.BatchSize, batch.Positions, v];
        }
        var logits = new float[(long)rows * v];
        ForwardProfile.Run(options.Profile, ForwardProfile.UnembedGemm, () => Gemm.Multiply(MatrixRef.FromF32(input, rows, d), Weights.Unembed, logits, v));
        float[]? pre = null;
        if (Spec.FinalLogitSoftcap is float cap)
        {
            if (options.KeepPreSoftcapLogits) pre = (float[])logits.Clone();
            for (int i = 0; i < logits.Length; i++) logits[i] = cap * MathF.Tanh(logits[i] / cap);
        }
        return (logits, shape, pre);
    }

    public void Dispose() => Weights.Dispose();
}
