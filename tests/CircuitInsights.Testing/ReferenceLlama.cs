using static CircuitInsights.Testing.ReferenceOps;

namespace CircuitInsights.Testing;

/// <summary>
/// An independent, deliberately plain Llama-3 forward pass in double precision that reads the HF checkpoint tensors by
/// their own names (reference.md §2.3, HF <c>modeling_llama.py</c>, <c>_compute_llama3_parameters</c>). Oracle for the
/// production decoder and the Llama weight map. Records TransformerLens hook values for one sequence.
/// </summary>
public static class ReferenceLlama
{
    public sealed class Result
    {
        /// <summary>[T, V].</summary>
        public required double[] Logits { get; init; }
        public Dictionary<string, double[]> Hooks { get; } = new(StringComparer.Ordinal);
    }

    public static double[] InverseFrequencies(SyntheticLlama.Config c) =>
        ReferenceOps.InverseFrequencies(c.RopeTheta, c.Dh, c.Llama3Scaling is { } s ? (s.Factor, s.Low, s.High, s.Original) : null);

    public static Result Forward(CheckpointTensors w, SyntheticLlama.Config c, int[] tokens)
    {
        int T = tokens.Length, d = c.DModel, H = c.Heads, Hkv = c.KvHeads, dh = c.Dh, f = c.DMlp, V = c.Vocab;
        var hooks = new Dictionary<string, double[]>(StringComparer.Ordinal);
        var embedding = w["model.embed_tokens.weight"];
        var x = new double[T * d];
        for (int t = 0; t < T; t++)
            for (int i = 0; i < d; i++) x[t * d + i] = embedding[tokens[t] * d + i];
        hooks["hook_embed"] = (double[])x.Clone();
        var inv = InverseFrequencies(c);
        float[]? B(string name) => w.Tensors.TryGetValue(name, out var b) ? b.Data : null;

        for (int l = 0; l < c.Layers; l++)
        {
            string p = $"model.layers.{l}.", hk = $"blocks.{l}.";
            hooks[hk + "hook_resid_pre"] = (double[])x.Clone();
            var (u, s1, n1) = RmsNorm(x, T, d, w[p + "input_layernorm.weight"], 0, c.Eps);
            hooks[hk + "ln1.hook_scale"] = s1; hooks[hk + "ln1.hook_normalized"] = n1;
            var q = Linear(u, T, d, w[p + "self_attn.q_proj.weight"], B(p + "self_attn.q_proj.bias"), H * dh);
            var k = Linear(u, T, d, w[p + "self_attn.k_proj.weight"], B(p + "self_attn.k_proj.bias"), Hkv * dh);
            var v = Linear(u, T, d, w[p + "self_attn.v_proj.weight"], B(p + "self_attn.v_proj.bias"), Hkv * dh);
            hooks[hk + "attn.hook_q"] = q; hooks[hk + "attn.hook_k"] = k; hooks[hk + "attn.hook_v"] = v;
            var rq = Rope(q, T, H, dh, inv); var rk = Rope(k, T, Hkv, dh, inv);
            hooks[hk + "attn.hook_rot_q"] = rq; hooks[hk + "attn.hook_rot_k"] = rk;
            var (scores, pattern, z) = Attention(rq, rk, v, T, H, Hkv, dh, 1 / Math.Sqrt(dh), null, null);
            hooks[hk + "attn.hook_attn_scores"] = scores; hooks[hk + "attn.hook_pattern"] = pattern; hooks[hk + "attn.hook_z"] = z;
            var attnOut = Linear(z, T, H * dh, w[p + "self_attn.o_proj.weight"], B(p + "self_attn.o_proj.bias"), d);
            hooks[hk + "hook_attn_out"] = attnOut;
            x = Add(x, attnOut);
            hooks[hk + "hook_resid_mid"] = (double[])x.Clone();

            var (m, s2, n2) = RmsNorm(x, T, d, w[p + "post_attention_layernorm.weight"], 0, c.Eps);
            hooks[hk + "ln2.hook_scale"] = s2; hooks[hk + "ln2.hook_normalized"] = n2;
            hooks[hk + "ln2.hook_normalized_pre_affine"] = n2; hooks[hk + "mlp.hook_in"] = m;
            var gate = Linear(m, T, d, w[p + "mlp.gate_proj.weight"], B(p + "mlp.gate_proj.bias"), f);
            var up = Linear(m, T, d, w[p + "mlp.up_proj.weight"], B(p + "mlp.up_proj.bias"), f);
            var post = gate.Select((g, i) => Silu(g) * up[i]).ToArray();
            hooks[hk + "mlp.hook_pre"] = gate; hooks[hk + "mlp.hook_pre_linear"] = up; hooks[hk + "mlp.hook_post"] = post;
            var mlpOut = Linear(post, T, f, w[p + "mlp.down_proj.weight"], B(p + "mlp.down_proj.bias"), d);
            hooks[hk + "mlp.hook_out"] = mlpOut; hooks[hk + "hook_mlp_out"] = mlpOut;
            x = Add(x, mlpOut);
            hooks[hk + "hook_resid_post"] = (double[])x.Clone();
        }
        var (xf, sf, nf) = RmsNorm(x, T, d, w["model.norm.weight"], 0, c.Eps);
        hooks["ln_final.hook_scale"] = sf; hooks["ln_final.hook_normalized"] = nf; hooks["unembed.hook_pre"] = xf;
        var logits = Unembed(xf, T, d, c.Tied ? embedding : w["lm_head.weight"], V);
        var result = new Result { Logits = logits };
        foreach (var kv in hooks) result.Hooks[kv.Key] = kv.Value;
        return result;
    }
}
