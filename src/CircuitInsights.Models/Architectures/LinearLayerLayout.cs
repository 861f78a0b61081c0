using CircuitInsights.Models.Components;
using CircuitInsights.Tensors;

namespace CircuitInsights.Models.Architectures;

/// <summary>
/// The checkpoint layout shared by HF decoders built from <c>nn.Linear</c> (Llama, Gemma-2; reference.md §1.2–1.3):
/// per block <c>{p}self_attn.{q,k,v,o}_proj.weight</c> and <c>{p}mlp.{gate,up,down}_proj.weight</c>, optional
/// <c>.bias</c> tensors. <c>nn.Linear</c> stores its weight as [out, in] and computes x·Wᵀ + b, so the canonical
/// x·W operand [in, out] is the transposed view of the stored tensor — a view over the mapped file, never a copy
/// (the packed GEMM operand is the only copy; the view's pages are then released, see <see cref="ResidentPages"/>).
/// </summary>
public static class LinearLayerLayout
{
    /// <summary>The stored [out, in] weight <paramref name="name"/> as an [in, out] view.</summary>
    public static MatrixRef Linear(WeightReader r, string name, int inDim, int outDim) => r.Matrix(name, outDim, inDim).Transposed();

    /// <summary>Attention tensors of one block (names under <paramref name="p"/>) with their stored shapes.</summary>
    public static IEnumerable<(string Name, int[] Shape)> AttentionTensors(string p, DecoderSpec spec, bool bias)
    {
        int d = spec.DModel, qw = spec.QueryWidth, kvw = spec.KvWidth;
        yield return (p + "self_attn.q_proj.weight", [qw, d]);
        yield return (p + "self_attn.k_proj.weight", [kvw, d]);
        yield return (p + "self_attn.v_proj.weight", [kvw, d]);
        yield return (p + "self_attn.o_proj.weight", [d, qw]);
        if (!bias) yield break;
        yield return (p + "self_attn.q_proj.bias", [qw]);
        yield return (p + "self_attn.k_proj.bias", [kvw]);
        yield return (p + "self_attn.v_proj.bias", [kvw]);
        yield return (p + "self_attn.o_proj.bias", [d]);
    }

    /// <summary>Gated-MLP tensors of one block: gate_proj, up_proj [F, D], down_proj [D, F] (+ biases).</summary>
    public static IEnumerable<(string Name, int[] Shape)> GatedMlpTensors(string p, DecoderSpec spec, bool bias)
    {
        int d = spec.DModel, f = spec.DMlp;
        yield return (p + "mlp.gate_proj.weight", [f, d]);
        yield return (p + "mlp.up_proj.weight", [f, d]);
        yield return (p + "mlp.down_proj.weight", [d, f]);
        if (!bias) yield break;
        yield return (p + "mlp.gate_proj.bias", [f]);
        yield return (p + "mlp.up_proj.bias", [f]);
        yield return (p + "mlp.down_proj.bias", [d]);
    }

    /// <summary>q = u·W_Q (+ b), etc.: views of q/k/v/o_proj and their packed copies. Heads are contiguous blocks of Dh
    /// output features in HF's projections (<c>view(…, heads, head_dim)</c>), which is the canonical layout.</summary>
    public static AttentionWeights Attention(WeightReader r, string p, DecoderSpec spec, bool bias)
    {
        int d = spec.DModel, qw = spec.QueryWidth, kvw = spec.KvWidth;
        var q = Linear(r, p + "self_attn.q_proj.weight", d, qw);
        var k = Linear(r, p + "self_attn.k_proj.weight", d, kvw);
        var v = Linear(r, p + "self_attn.v_proj.weight", d, kvw);
        var o = Linear(r, p + "self_attn.o_proj.weight", qw, d);
        return new AttentionWeights
        {
            Q = ResidentPages.Pack(q), K = ResidentPages.Pack(k), V = ResidentPages.Pack(v), O = ResidentPages.Pack(o),
            QRaw = q, KRaw = k, VRaw = v, ORaw = o,
            QBias = bias ? r.Vector(p + "self_attn.q_proj.bias", qw) : null,
            KBias = bias ? r.Vector(p + "self_attn.k_proj.bias", kvw) : null,
            VBias = bias ? r.Vector(p + "self_attn.v_proj.bias", kvw) : null,
            OBias = bias ? r.Vector(p + "self_attn.o_proj.bias", d) : null,
        };
    }

    /// <summary>down(act(gate(m)) ⊙ up(m)): W_gate = gate_projᵀ, W_in = up_projᵀ, W_out = down_projᵀ (views + packed copies).</summary>
    public static MlpWeights GatedMlp(WeightReader r, string p, DecoderSpec spec, bool bias)
    {
        int d = spec.DModel, f = spec.DMlp;
        var gate = Linear(r, p + "mlp.gate_proj.weight", d, f);
        var up = Linear(r, p + "mlp.up_proj.weight", d, f);
        var down = Linear(r, p + "mlp.down_proj.weight", f, d);
        return new MlpWeights
        {
            Gate = ResidentPages.Pack(gate), In = ResidentPages.Pack(up), Out = ResidentPages.Pack(down),
            GateRaw = gate, InRaw = up, OutRaw = down,
            GateBias = bias ? r.Vector(p + "mlp.gate_proj.bias", f) : null,
            InBias = bias ? r.Vector(p + "mlp.up_proj.bias", f) : null,
            OutBias = bias ? r.Vector(p + "mlp.down_proj.bias", d) : null,
        };
    }

    /// <summary>Detects whether block keys carry HF's <c>model.</c> prefix (checkpoints saved from <c>*ForCausalLM</c>) or
    /// none (saved from the bare model).</summary>
    public static string DetectPrefix(Formats.ITensorSource source, string architecture) =>
        source.TryGetInfo("model.embed_tokens.weight", out _) ? "model." :
        source.TryGetInfo("embed_tokens.weight", out _) ? "" :
        throw new Formats.InvalidModelFileException(source.Location, $"missing tensor 'model.embed_tokens.weight' (or 'embed_tokens.weight'): not a {architecture} checkpoint");
}
