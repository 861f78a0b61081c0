using CircuitInsights.Models;
using CircuitInsights.Models.Components;
using CircuitInsights.Models.Hooks;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Attribution;

/// <summary>
/// One prompt's frozen linearisation point (reference.md §3.1): the exact forward pass is run once; attention patterns,
/// norm denominators and MLP outputs are recorded. Under this freezing the residual stream is linear in its sources —
/// active features (a·W_dec), error nodes (MLP output − reconstruction), token (+position) embeddings and constant
/// biases — which is what <see cref="Attributor"/> differentiates.
/// </summary>
public sealed class AttributionContext
{
    public required ReplacementModel Replacement { get; init; }
    public required int[] Tokens { get; init; }
    public required ReplacementRun Run { get; init; }

    public DecoderSpec Spec => Replacement.Model.Spec;
    public DecoderWeights Weights => Replacement.Model.Weights;
    public TranscoderSet Transcoders => Replacement.Transcoders;
    public int Positions => Tokens.Length;

    /// <summary>Per layer [H, T, T] attention pattern (rows = destination).</summary>
    public required float[][] Patterns { get; init; }
    /// <summary>Per layer [T, Hkv·Dh] value vectors (incl. biases).</summary>
    public required float[][] Values { get; init; }
    /// <summary>Per layer [T] norm denominators of ln1, ln2, and (Gemma) the post-attention / post-MLP norms.</summary>
    public required float[][] Ln1Scales { get; init; }
    public required float[][] Ln2Scales { get; init; }
    public float[][]? PostAttentionScales { get; init; }
    public float[][]? PostMlpScales { get; init; }
    /// <summary>[T] final norm denominators.</summary>
    public required float[] FinalScales { get; init; }

    /// <summary>Active features ordered by (layer, position, feature).</summary>
    public required ActiveFeature[] Features { get; init; }
    /// <summary>Per layer [T, D] error vectors: output-hook value − reconstruction; for layers without a transcoder the
    /// whole MLP output (the frozen MLP is then a single error node per position).</summary>
    public required float[][] Errors { get; init; }
    /// <summary>Per layer: true when the error vector lives at the transcoders' output hook (covered layers), false when it
    /// is the residual-additive <c>hook_mlp_out</c> (uncovered layers).</summary>
    public required bool[] ErrorsInOutputHookSpace { get; init; }
    /// <summary>[T, D] what the embedding adds per position (token embedding × scale + learned position).</summary>
    public required float[] Embeddings { get; init; }
    /// <summary>Per layer [Hkv·Dh]: β_ln1·W_V + b_V, the input-independent part of each value vector.</summary>
    public required float[][] ValueConstants { get; init; }
    /// <summary>Per layer [D]: the constant the attention sublayer adds at every position (Σ_h (β·W_V + b_V)_h W_O^h + b_O).</summary>
    public required float[][] AttentionConstants { get; init; }
    /// <summary>Logits of the exact forward at every position [T, V] (pre-soft-cap when the model has one).</summary>
    public required float[] Logits { get; init; }

    /// <summary>Runs the model on one prompt and records the frozen state.</summary>
    /// <param name="zeroFirstPosition">circuit-tracer zeroes features at position 0 (BOS); their effect then sits in the error node.</param>
    public static AttributionContext Build(ReplacementModel replacement, int[] tokens, bool zeroFirstPosition = true)
    {
        var spec = replacement.Model.Spec;
        int L = spec.Layers, T = tokens.Length, d = spec.DModel;
        var hooks = new List<string> { HookNames.LnFinalScale, HookNames.Embed, HookNames.PosEmbed };
        for (int l = 0; l < L; l++)
        {
            string p = $"blocks.{l}.";
            hooks.AddRange([p + HookNames.Pattern, p + HookNames.V, p + HookNames.Ln1Scale, p + HookNames.Ln2Scale, p + HookNames.MlpOut]);
            if (spec.PostAttentionNorm) hooks.Add(p + HookNames.Ln1PostScale);
            if (spec.PostMlpNorm) hooks.Add(p + HookNames.Ln2PostScale);
        }
        var trace = new ActivationTrace(hooks);
        var run = replacement.Run(TokenBatch.Single(tokens), new ReplacementOptions
        {
            ZeroFirstPosition = zeroFirstPosition, ExtraHooks = trace, KeepPreActivations = false, KeepPreSoftcapLogits = true,
        });
        float[] logits = run.Forward.PreSoftcapLogits ?? run.Forward.Logits!;

        var features = new List<ActiveFeature>();
        var errors = new float[L][];
        var inOutputSpace = new bool[L];
        for (int l = 0; l < L; l++)
        {
            if (run.Layers.TryGetValue(l, out var lr))
            {
                errors[l] = lr.Error;
                inOutputSpace[l] = true;
                for (int t = 0; t < T; t++)
                {
                    var f = lr.Active.FeaturesOf(t); var v = lr.Active.ValuesOf(t);
                    for (int i = 0; i < f.Length; i++) features.Add(new ActiveFeature(l, t, f[i], v[i]));
                }
            }
            else errors[l] = trace.Get($"blocks.{l}.{HookNames.MlpOut}").Data;
        }

        var embeddings = trace.Get(HookNames.Embed).Data;
        if (trace.Contains(HookNames.PosEmbed))
            System.Numerics.Tensors.TensorPrimitives.Add(embeddings, trace.Get(HookNames.PosEmbed).Data, embeddings);

        float[][] Per(string name) => Enumerable.Range(0, L).Select(l => trace.Get($"blocks.{l}.{name}").Data).ToArray();
        return new AttributionContext
        {
            Replacement = replacement, Tokens = tokens, Run = run,
            Patterns = Per(HookNames.Pattern), Values = Per(HookNames.V),
            Ln1Scales = Per(HookNames.Ln1Scale), Ln2Scales = Per(HookNames.Ln2Scale),
            PostAttentionScales = spec.PostAttentionNorm ? Per(HookNames.Ln1PostScale) : null,
            PostMlpScales = spec.PostMlpNorm ? Per(HookNames.Ln2PostScale) : null,
            FinalScales = trace.Get(HookNames.LnFinalScale).Data,
            Features = features.ToArray(), Errors = errors, ErrorsInOutputHookSpace = inOutputSpace, Embeddings = embeddings,
            ValueConstants = Enumerable.Range(0, L).Select(l => ValueConstant(spec, replacement.Model.Weights.Blocks[l])).ToArray(),
            AttentionConstants = Enumerable.Range(0, L).Select(l => AttentionConstant(spec, replacement.Model.Weights.Blocks[l])).ToArray(),
            Logits = logits,
        };
    }

    /// <summary>β_ln1·W_V + b_V [Hkv·Dh]: the part of every value vector that does not depend on the residual.</summary>
    static float[] ValueConstant(DecoderSpec spec, BlockWeights w)
    {
        int d = spec.DModel, kvw = spec.KvWidth;
        var cv = new float[kvw];
        if (w.Ln1.Bias is { } beta)
            for (int j = 0; j < kvw; j++)
            {
                double s = 0;
                for (int i = 0; i < d; i++) s += beta[i] * w.Attention.VRaw[i, j];
                cv[j] = (float)s;
            }
        if (w.Attention.VBias is { } bv) System.Numerics.Tensors.TensorPrimitives.Add(cv, bv, cv);
        return cv;
    }

    /// <summary>Σ_h (β_ln1·W_V + b_V)_h · W_O^h + b_O: what attention adds regardless of its input (pattern rows sum to 1).</summary>
    static float[] AttentionConstant(DecoderSpec spec, BlockWeights w)
    {
        int d = spec.DModel, dh = spec.HeadDim, group = spec.Heads / spec.KvHeads;
        var cv = ValueConstant(spec, w);
        var c = new float[d];
        for (int h = 0; h < spec.Heads; h++)
        {
            int kvh = h / group;
            for (int e = 0; e < dh; e++)
            {
                float ve = cv[kvh * dh + e];
                if (ve == 0) continue;
                for (int i = 0; i < d; i++) c[i] += ve * w.Attention.ORaw[h * dh + e, i];
            }
        }
        if (w.Attention.OBias is { } bo) System.Numerics.Tensors.TensorPrimitives.Add(c, bo, c);
        return c;
    }
}
