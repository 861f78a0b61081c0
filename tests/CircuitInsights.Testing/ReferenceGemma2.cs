using CircuitInsights.Tensors;
using static CircuitInsights.Testing.ReferenceOps;

namespace CircuitInsights.Testing;

/// <summary>
/// An independent, deliberately plain Gemma-2 forward pass in double precision that reads the HF checkpoint tensors by
/// their own names (reference.md §2.2, HF <c>modeling_gemma2.py</c>). It is the oracle for the production decoder and the
/// Gemma-2 weight map. Records TransformerLens hook values for one sequence: [T, D], [T, H·Dh], [H, T, T], scales [T].
/// </summary>
public static class ReferenceGemma2
{
    public sealed class Result
    {
        /// <summary>[T, V] after the final soft-cap (what HF returns).</summary>
        public required double[] Logits { get; init; }
        /// <summary>[T, V] before the final soft-cap.</summary>
        public required double[] PreSoftcapLogits { get; init; }
        public Dictionary<string, double[]> Hooks { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>HF's embedding normaliser: sqrt(D) as a tensor of the model dtype.</summary>
    public static double Normalizer(int d, DType dtype)
    {
        float v = (float)Math.Sqrt(d);
        return dtype == DType.BF16 ? HalfPrecision.Bf16ToSingle(HalfPrecision.SingleToBf16(v)) : v;
    }

    /// <param name="dtype">Dtype the weights are stored in (the HF model dtype); sets the normaliser's rounding.</param>
    public static Result Forward(CheckpointTensors w, SyntheticGemma2.Config c, int[] tokens, DType dtype = DType.F32)
    {
        int T = tokens.Length, d = c.DModel, H = c.Heads, Hkv = c.KvHeads, dh = c.HeadDim, f = c.DMlp, V = c.Vocab;
        var hooks = new Dictionary<string, double[]>(StringComparer.Ordinal);
        var embedding = w["model.embed_tokens.weight"];
        double normalizer = Normalizer(d, dtype);
        var x = new double[T * d];
        for (int t = 0; t < T; t++)
            for (int i = 0; i < d; i++) x[t * d + i] = embedding[tokens[t] * d + i] * normalizer;
        hooks["hook_embed"] = (double[])x.Clone();
        var inv = InverseFrequencies(c.RopeTheta, dh);
        double scale = 1 / Math.Sqrt(c.QueryPreAttnScalar);

        for (int l = 0; l < c.Layers; l++)
        {
            string p = $"model.layers.{l}.", hk = $"blocks.{l}.";
            hooks[hk + "hook_resid_pre"] = (double[])x.Clone();
            var (u, s1, n1) = RmsNorm(x, T, d, w[p + "input_layernorm.weight"], 1, c.Eps);
            hooks[hk + "ln1.hook_scale"] = s1; hooks[hk + "ln1.hook_normalized"] = n1;
            var q = Linear(u, T, d, w[p + "self_attn.q_proj.weight"], null, H * dh);
            var k = Linear(u, T, d, w[p + "self_attn.k_proj.weight"], null, Hkv * dh);
            var v = Linear(u, T, d, w[p + "self_attn.v_proj.weight"], null, Hkv * dh);
            hooks[hk + "attn.hook_q"] = q; hooks[hk + "attn.hook_k"] = k; hooks[hk + "attn.hook_v"] = v;
            var rq = Rope(q, T, H, dh, inv); var rk = Rope(k, T, Hkv, dh, inv);
            hooks[hk + "attn.hook_rot_q"] = rq; hooks[hk + "attn.hook_rot_k"] = rk;
            var (scores, pattern, z) = Attention(rq, rk, v, T, H, Hkv, dh, scale, c.AttnSoftcap, c.IsSliding(l) ? c.SlidingWindow : null);
            hooks[hk + "attn.hook_attn_scores"] = scores; hooks[hk + "attn.hook_pattern"] = pattern; hooks[hk + "attn.hook_z"] = z;
            var o = Linear(z, T, H * dh, w[p + "self_attn.o_proj.weight"], null, d);
            var (attnOut, sPost, _) = RmsNorm(o, T, d, w[p + "post_attention_layernorm.weight"], 1, c.Eps);
            hooks[hk + "ln1_post.hook_scale"] = sPost; hooks[hk + "hook_attn_out"] = attnOut;
            x = Add(x, attnOut);
            hooks[hk + "hook_resid_mid"] = (double[])x.Clone();

            var (m, s2, n2) = RmsNorm(x, T, d, w[p + "pre_feedforward_layernorm.weight"], 1, c.Eps);
            hooks[hk + "ln2.hook_scale"] = s2; hooks[hk + "ln2.hook_normalized"] = n2;
            hooks[hk + "ln2.hook_normalized_pre_affine"] = n2; hooks[hk + "mlp.hook_in"] = m;
            var gate = Linear(m, T, d, w[p + "mlp.gate_proj.weight"], null, f);
            var up = Linear(m, T, d, w[p + "mlp.up_proj.weight"], null, f);
            var post = gate.Select((g, i) => GeluTanh(g) * up[i]).ToArray();
            hooks[hk + "mlp.hook_pre"] = gate; hooks[hk + "mlp.hook_pre_linear"] = up; hooks[hk + "mlp.hook_post"] = post;
            var down = Linear(post, T, f, w[p + "mlp.down_proj.weight"], null, d);
            hooks[hk + "mlp.hook_out"] = down;
            var (mlpOut, sPostMlp, _) = RmsNorm(down, T, d, w[p + "post_feedforward_layernorm.weight"], 1, c.Eps);
            hooks[hk + "ln2_post.hook_scale"] = sPostMlp; hooks[hk + "hook_mlp_out"] = mlpOut;
            x = Add(x, mlpOut);
            hooks[hk + "hook_resid_post"] = (double[])x.Clone();
        }
        var (xf, sf, nf) = RmsNorm(x, T, d, w["model.norm.weight"], 1, c.Eps);
        hooks["ln_final.hook_scale"] = sf; hooks["ln_final.hook_normalized"] = nf; hooks["unembed.hook_pre"] = xf;
        var pre = Unembed(xf, T, d, embedding, V);
        var logits = c.FinalSoftcap is float cap ? pre.Select(v => cap * Math.Tanh(v / cap)).ToArray() : pre;
        var result = new Result { Logits = logits, PreSoftcapLogits = pre };
        foreach (var kv in hooks) result.Hooks[kv.Key] = kv.Value;
        return result;
    }
}
