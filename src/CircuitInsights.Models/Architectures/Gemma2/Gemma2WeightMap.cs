using CircuitInsights.Formats;
using CircuitInsights.Models.Components;
using CircuitInsights.Tensors;

namespace CircuitInsights.Models.Architectures.Gemma2;

/// <summary>
/// Gemma-2 checkpoint names → canonical weights (reference.md §1.2). Keys <c>model.embed_tokens.weight</c> [V, D];
/// per block <c>model.layers.{i}.</c>{<c>input_layernorm</c>, <c>post_attention_layernorm</c>,
/// <c>pre_feedforward_layernorm</c>, <c>post_feedforward_layernorm</c>}<c>.weight</c> [D] (stored w, applied as 1 + w),
/// <c>self_attn.{q,k,v,o}_proj.weight</c> and <c>mlp.{gate,up,down}_proj.weight</c> in nn.Linear [out, in] layout
/// (see <see cref="LinearLayerLayout"/>), <c>model.norm.weight</c> [D]. No <c>lm_head.weight</c>: the unembedding is
/// the transposed embedding view (a stored <c>lm_head.weight</c>, if any, is ignored as in HF's tying). q/k/v/o biases
/// are read when the config sets <c>attention_bias</c>. The <c>model.</c> prefix is optional.
/// </summary>
public static class Gemma2WeightMap
{
    /// <summary>Every tensor the checkpoint must hold for <paramref name="spec"/> (standard names, with <c>model.</c>).</summary>
    public static IEnumerable<(string Name, int[] Shape)> ExpectedTensors(DecoderSpec spec) =>
        Local(spec).Select(t => ("model." + t.Name, t.Shape));

    /// <summary>Expected tensors relative to the <c>model.</c> prefix.</summary>
    static IEnumerable<(string Name, int[] Shape)> Local(DecoderSpec spec)
    {
        int d = spec.DModel;
        yield return ("embed_tokens.weight", [spec.Vocab, d]);
        for (int i = 0; i < spec.Layers; i++)
        {
            string p = $"layers.{i}.";
            yield return (p + "input_layernorm.weight", [d]);
            foreach (var t in LinearLayerLayout.AttentionTensors(p, spec, spec.AttentionBias)) yield return t;
            yield return (p + "post_attention_layernorm.weight", [d]);
            yield return (p + "pre_feedforward_layernorm.weight", [d]);
            foreach (var t in LinearLayerLayout.GatedMlpTensors(p, spec, bias: false)) yield return t;
            yield return (p + "post_feedforward_layernorm.weight", [d]);
        }
        yield return ("norm.weight", [d]);
    }

    public static DecoderWeights Load(ITensorSource source, DecoderSpec spec)
    {
        var r = new WeightReader(source, LinearLayerLayout.DetectPrefix(source, "gemma2"));
        r.CheckAll(Local(spec));
        int d = spec.DModel;
        var embed = r.Matrix("embed_tokens.weight", spec.Vocab, d);
        var blocks = new BlockWeights[spec.Layers];
        ParallelLoop.For(0, spec.Layers, i =>
        {
            string p = $"layers.{i}.";
            blocks[i] = new BlockWeights
            {
                Ln1 = Norm(r, p + "input_layernorm.weight", d),
                Attention = LinearLayerLayout.Attention(r, p, spec, spec.AttentionBias),
                PostAttentionNorm = Norm(r, p + "post_attention_layernorm.weight", d),
                Ln2 = Norm(r, p + "pre_feedforward_layernorm.weight", d),
                Mlp = LinearLayerLayout.GatedMlp(r, p, spec, bias: false),
                PostMlpNorm = Norm(r, p + "post_feedforward_layernorm.weight", d),
            };
        });
        var unembed = embed.Transposed(); // [D, V]
        return new DecoderWeights
        {
            TokenEmbedding = embed,
            Blocks = blocks,
            FinalNorm = Norm(r, "norm.weight", d),
            Unembed = ResidentPages.Pack(unembed),
            UnembedRaw = unembed,
            Owners = [source],
        };
    }

    static NormWeights Norm(WeightReader r, string name, int d) => new(r.Vector(name, d), null);
}
