using CircuitInsights.Formats;
using CircuitInsights.Models.Components;
using CircuitInsights.Tensors;

namespace CircuitInsights.Models.Architectures.Llama;

/// <summary>
/// Llama checkpoint names → canonical weights (reference.md §1.3). <c>model.embed_tokens.weight</c> [V, D]; per block
/// <c>model.layers.{i}.input_layernorm.weight</c>, <c>post_attention_layernorm.weight</c> [D] (applied as w),
/// <c>self_attn.{q,k,v,o}_proj</c> and <c>mlp.{gate,up,down}_proj</c> in nn.Linear [out, in] layout (+ biases when
/// <c>attention_bias</c>/<c>mlp_bias</c>; see <see cref="LinearLayerLayout"/>); <c>model.norm.weight</c>; untied models
/// add <c>lm_head.weight</c> [V, D] (always at the top level). The <c>model.</c> prefix of the other keys is optional.
/// </summary>
public static class LlamaWeightMap
{
    /// <summary>Every tensor the checkpoint must hold for <paramref name="spec"/> (standard names).</summary>
    public static IEnumerable<(string Name, int[] Shape)> ExpectedTensors(DecoderSpec spec)
    {
        foreach (var (name, shape) in Local(spec)) yield return ("model." + name, shape);
        if (!spec.TiedEmbeddings) yield return ("lm_head.weight", [spec.Vocab, spec.DModel]);
    }

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
            foreach (var t in LinearLayerLayout.GatedMlpTensors(p, spec, spec.MlpBias)) yield return t;
        }
        yield return ("norm.weight", [d]);
    }

    public static DecoderWeights Load(ITensorSource source, DecoderSpec spec)
    {
        var r = new WeightReader(source, LinearLayerLayout.DetectPrefix(source, "llama"));
        var top = new WeightReader(source);
        r.CheckAll(Local(spec));
        int d = spec.DModel;
        if (!spec.TiedEmbeddings) top.Check("lm_head.weight", [spec.Vocab, d]);
        var embed = r.Matrix("embed_tokens.weight", spec.Vocab, d);
        var blocks = new BlockWeights[spec.Layers];
        ParallelLoop.For(0, spec.Layers, i =>
        {
            string p = $"layers.{i}.";
            blocks[i] = new BlockWeights
            {
                Ln1 = new NormWeights(r.Vector(p + "input_layernorm.weight", d), null),
                Attention = LinearLayerLayout.Attention(r, p, spec, spec.AttentionBias),
                Ln2 = new NormWeights(r.Vector(p + "post_attention_layernorm.weight", d), null),
                Mlp = LinearLayerLayout.GatedMlp(r, p, spec, spec.MlpBias),
            };
        });
        var unembed = spec.TiedEmbeddings ? embed.Transposed() : LinearLayerLayout.Linear(top, "lm_head.weight", d, spec.Vocab); // [D, V]
        return new DecoderWeights
        {
            TokenEmbedding = embed,
            Blocks = blocks,
            FinalNorm = new NormWeights(r.Vector("norm.weight", d), null),
            Unembed = ResidentPages.Pack(unembed),
            UnembedRaw = unembed,
            Owners = [source],
        };
    }
}
