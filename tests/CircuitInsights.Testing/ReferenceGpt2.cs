namespace CircuitInsights.Testing;

/// <summary>
/// An independent, deliberately plain GPT-2 forward pass in double precision that reads the HF checkpoint tensors by their
/// own names and layouts (reference.md §2.1). It is the oracle for the production forward and its weight map. Records
/// TransformerLens hook values for one sequence: [T, D], [T, H, Dh], patterns [H, T, T].
/// </summary>
public static class ReferenceGpt2
{
    public sealed class Result
    {
        /// <summary>[T, V].</summary>
        public required double[] Logits { get; init; }
        public Dictionary<string, double[]> Hooks { get; } = new(StringComparer.Ordinal);
    }

    /// <param name="zeroMlpOutLayer">If set, that layer's hook_mlp_out is replaced by zeros (to test hook editing).</param>
    public static Result Forward(CheckpointTensors w, SyntheticGpt2.Config c, int[] tokens, int? zeroMlpOutLayer = null)
    {
        int T = tokens.Length, d = c.DModel, H = c.Heads, dh = d / H, f = c.DMlp, V = c.Vocab;
        var hooks = new Dictionary<string, double[]>(StringComparer.Ordinal);
        var x = new double[T * d];
        var wte = w["wte.weight"]; var wpe = w["wpe.weight"];
        var embed = new double[T * d]; var pos = new double[T * d];
        for (int t = 0; t < T; t++)
            for (int i = 0; i < d; i++)
            {
                embed[t * d + i] = wte[tokens[t] * d + i];
                pos[t * d + i] = wpe[t * d + i];
                x[t * d + i] = embed[t * d + i] + pos[t * d + i];
            }
        hooks["hook_embed"] = embed; hooks["hook_pos_embed"] = pos;

        for (int l = 0; l < c.Layers; l++)
        {
            string p = $"h.{l}.", hk = $"blocks.{l}.";
            hooks[hk + "hook_resid_pre"] = (double[])x.Clone();
            var (u, s1, _) = LayerNorm(x, T, d, w[p + "ln_1.weight"], w[p + "ln_1.bias"], c.Eps);
            hooks[hk + "ln1.hook_scale"] = s1; hooks[hk + "ln1.hook_normalized"] = u;
            var qkv = Linear(u, T, d, w[p + "attn.c_attn.weight"], w[p + "attn.c_attn.bias"], 3 * d);
            var q = new double[T * d]; var k = new double[T * d]; var v = new double[T * d];
            for (int t = 0; t < T; t++)
                for (int i = 0; i < d; i++) { q[t * d + i] = qkv[t * 3 * d + i]; k[t * d + i] = qkv[t * 3 * d + d + i]; v[t * d + i] = qkv[t * 3 * d + 2 * d + i]; }
            hooks[hk + "attn.hook_q"] = q; hooks[hk + "attn.hook_k"] = k; hooks[hk + "attn.hook_v"] = v;
            var pattern = new double[H * T * T];
            var z = new double[T * d];
            for (int h = 0; h < H; h++)
                for (int a = 0; a < T; a++)
                {
                    var scores = new double[a + 1];
                    double max = double.NegativeInfinity;
                    for (int b = 0; b <= a; b++)
                    {
                        double sdot = 0;
                        for (int e = 0; e < dh; e++) sdot += q[a * d + h * dh + e] * k[b * d + h * dh + e];
                        scores[b] = sdot / Math.Sqrt(dh);
                        max = Math.Max(max, scores[b]);
                    }
                    double sum = 0;
                    for (int b = 0; b <= a; b++) { scores[b] = Math.Exp(scores[b] - max); sum += scores[b]; }
                    for (int b = 0; b <= a; b++)
                    {
                        double prob = scores[b] / sum;
                        pattern[(h * T + a) * T + b] = prob;
                        for (int e = 0; e < dh; e++) z[a * d + h * dh + e] += prob * v[b * d + h * dh + e];
                    }
                }
            hooks[hk + "attn.hook_pattern"] = pattern; hooks[hk + "attn.hook_z"] = z;
            var attn = Linear(z, T, d, w[p + "attn.c_proj.weight"], w[p + "attn.c_proj.bias"], d);
            hooks[hk + "hook_attn_out"] = attn;
            for (int i = 0; i < x.Length; i++) x[i] += attn[i];
            hooks[hk + "hook_resid_mid"] = (double[])x.Clone();
            var (m, s2, pre2) = LayerNorm(x, T, d, w[p + "ln_2.weight"], w[p + "ln_2.bias"], c.Eps);
            hooks[hk + "ln2.hook_scale"] = s2; hooks[hk + "ln2.hook_normalized"] = m;
            hooks[hk + "ln2.hook_normalized_pre_affine"] = pre2; hooks[hk + "mlp.hook_in"] = m;
            var hpre = Linear(m, T, d, w[p + "mlp.c_fc.weight"], w[p + "mlp.c_fc.bias"], f);
            var hpost = hpre.Select(GeluNew).ToArray();
            hooks[hk + "mlp.hook_pre"] = hpre; hooks[hk + "mlp.hook_post"] = hpost;
            var mlp = Linear(hpost, T, f, w[p + "mlp.c_proj.weight"], w[p + "mlp.c_proj.bias"], d);
            if (zeroMlpOutLayer == l) Array.Clear(mlp);
            hooks[hk + "mlp.hook_out"] = mlp; hooks[hk + "hook_mlp_out"] = mlp;
            for (int i = 0; i < x.Length; i++) x[i] += mlp[i];
            hooks[hk + "hook_resid_post"] = (double[])x.Clone();
        }
        var (xf, sf, _) = LayerNorm(x, T, d, w["ln_f.weight"], w["ln_f.bias"], c.Eps);
        hooks["ln_final.hook_scale"] = sf; hooks["ln_final.hook_normalized"] = xf; hooks["unembed.hook_pre"] = xf;
        var logits = new double[T * V];
        for (int t = 0; t < T; t++)
            for (int vv = 0; vv < V; vv++)
            {
                double sum = 0;
                for (int i = 0; i < d; i++) sum += xf[t * d + i] * wte[vv * d + i];
                logits[t * V + vv] = sum;
            }
        var result = new Result { Logits = logits };
        foreach (var kv in hooks) result.Hooks[kv.Key] = kv.Value;
        return result;
    }

    /// <summary>Returns (γ·n + β, s, n) with n = (x − μ)/s, s = sqrt(biased var + eps), per row.</summary>
    public static (double[] Out, double[] Scale, double[] Normalized) LayerNorm(double[] x, int rows, int d, float[] gamma, float[] beta, double eps)
    {
        var y = new double[rows * d]; var n = new double[rows * d]; var s = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double mean = 0, var = 0;
            for (int i = 0; i < d; i++) mean += x[r * d + i];
            mean /= d;
            for (int i = 0; i < d; i++) var += (x[r * d + i] - mean) * (x[r * d + i] - mean);
            s[r] = Math.Sqrt(var / d + eps);
            for (int i = 0; i < d; i++)
            {
                n[r * d + i] = (x[r * d + i] - mean) / s[r];
                y[r * d + i] = n[r * d + i] * gamma[i] + beta[i];
            }
        }
        return (y, s, n);
    }

    /// <summary>Conv1D: y = x·W + b with W stored [in, out].</summary>
    public static double[] Linear(double[] x, int rows, int inDim, float[] weight, float[]? bias, int outDim)
    {
        var y = new double[rows * outDim];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outDim; o++)
            {
                double sum = bias is null ? 0 : bias[o];
                for (int i = 0; i < inDim; i++) sum += x[r * inDim + i] * weight[i * outDim + o];
                y[r * outDim + o] = sum;
            }
        return y;
    }

    public static double GeluNew(double v) => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
}
