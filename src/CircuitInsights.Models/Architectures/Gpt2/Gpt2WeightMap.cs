using CircuitInsights.Formats;
using CircuitInsights.Models.Components;
using CircuitInsights.Tensors;

namespace CircuitInsights.Models.Architectures.Gpt2;

/// <summary>
/// GPT-2 checkpoint names → canonical weights (reference.md §1.1). HF GPT-2 uses Conv1D, which stores weights as
/// [in, out] and computes x·W + b, so no transpose is needed; Q, K, V are column blocks of the fused <c>c_attn</c>
/// ([D, 3D], columns = concat(Q, K, V), heads contiguous within each). Keys may carry a <c>transformer.</c> prefix;
/// <c>lm_head.weight</c> is absent (tied to <c>wte</c>); the <c>attn.bias</c>/<c>attn.masked_bias</c> buffers are ignored.
/// </summary>
public static class Gpt2WeightMap
{
    /// <summary>The tensors a GPT-2 checkpoint must hold for <paramref name="spec"/>, with shapes (names without prefix).</summary>
    public static IEnumerable<(string Name, int[] Shape)> ExpectedTensors(DecoderSpec spec)
    {
        int d = spec.DModel, f = spec.DMlp;
        yield return ("wte.weight", [spec.Vocab, d]);
        yield return ("wpe.weight", [spec.MaxPositions, d]);
        for (int i = 0; i < spec.Layers; i++)
        {
            string p = $"h.{i}.";
            yield return (p + "ln_1.weight", [d]);
            yield return (p + "ln_1.bias", [d]);
            yield return (p + "attn.c_attn.weight", [d, 3 * d]);
            yield return (p + "attn.c_attn.bias", [3 * d]);
            yield return (p + "attn.c_proj.weight", [d, d]);
            yield return (p + "attn.c_proj.bias", [d]);
            yield return (p + "ln_2.weight", [d]);
            yield return (p + "ln_2.bias", [d]);
            yield return (p + "mlp.c_fc.weight", [d, f]);
            yield return (p + "mlp.c_fc.bias", [f]);
            yield return (p + "mlp.c_proj.weight", [f, d]);
            yield return (p + "mlp.c_proj.bias", [d]);
        }
        yield return ("ln_f.weight", [d]);
        yield return ("ln_f.bias", [d]);
    }

    /// <summary>Detects the optional "transformer." key prefix.</summary>
    public static string DetectPrefix(ITensorSource source) =>
        source.TryGetInfo("wte.weight", out _) ? "" :
        source.TryGetInfo("transformer.wte.weight", out _) ? "transformer." :
        throw new InvalidModelFileException(source.Location, "missing tensor 'wte.weight' (or 'transformer.wte.weight'): not a GPT-2 checkpoint");

    public static DecoderWeights Load(ITensorSource source, DecoderSpec spec)
    {
        var r = new WeightReader(source, DetectPrefix(source));
        int d = spec.DModel, f = spec.DMlp;
        var wte = r.Matrix("wte.weight", spec.Vocab, d);
        var wpe = r.Matrix("wpe.weight", spec.MaxPositions, d);
        var blocks = new BlockWeights[spec.Layers];
        ParallelLoop.For(0, spec.Layers, i =>
        {
            string p = $"h.{i}.";
            var cAttn = r.Matrix(p + "attn.c_attn.weight", d, 3 * d);
            var cAttnBias = r.Vector(p + "attn.c_attn.bias", 3 * d);
            var qRaw = cAttn.Slice(0, d, 0, d);
            var kRaw = cAttn.Slice(0, d, d, d);
            var vRaw = cAttn.Slice(0, d, 2 * d, d);
            var oRaw = r.Matrix(p + "attn.c_proj.weight", d, d);
            var inRaw = r.Matrix(p + "mlp.c_fc.weight", d, f);
            var outRaw = r.Matrix(p + "mlp.c_proj.weight", f, d);
            blocks[i] = new BlockWeights
            {
                Ln1 = new NormWeights(r.Vector(p + "ln_1.weight", d), r.Vector(p + "ln_1.bias", d)),
                Attention = new AttentionWeights
                {
                    Q = PackedMatrix.Pack(qRaw), K = PackedMatrix.Pack(kRaw), V = PackedMatrix.Pack(vRaw), O = PackedMatrix.Pack(oRaw),
                    QRaw = qRaw, KRaw = kRaw, VRaw = vRaw, ORaw = oRaw,
                    QBias = cAttnBias[..d], KBias = cAttnBias[d..(2 * d)], VBias = cAttnBias[(2 * d)..],
                    OBias = r.Vector(p + "attn.c_proj.bias", d),
                },
                Ln2 = new NormWeights(r.Vector(p + "ln_2.weight", d), r.Vector(p + "ln_2.bias", d)),
                Mlp = new MlpWeights
                {
                    In = PackedMatrix.Pack(inRaw), Out = PackedMatrix.Pack(outRaw), InRaw = inRaw, OutRaw = outRaw,
                    InBias = r.Vector(p + "mlp.c_fc.bias", f), OutBias = r.Vector(p + "mlp.c_proj.bias", d),
                },
            };
        });
        var unembed = wte.Transposed();
        return new DecoderWeights
        {
            TokenEmbedding = wte,
            PositionEmbedding = wpe,
            Blocks = blocks,
            FinalNorm = new NormWeights(r.Vector("ln_f.weight", d), r.Vector("ln_f.bias", d)),
            Unembed = PackedMatrix.Pack(unembed),
            UnembedRaw = unembed,
            Owners = [source],
        };
    }
}
