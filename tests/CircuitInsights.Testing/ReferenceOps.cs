namespace CircuitInsights.Testing;

/// <summary>
/// Plain double-precision building blocks for the reference decoders (<see cref="ReferenceGemma2"/>,
/// <see cref="ReferenceLlama"/>), written from the equations in reference.md §2.2–2.3 and HF's module code, independently
/// of the production kernels. One sequence at a time; row-major [T, ·] arrays.
/// </summary>
public static class ReferenceOps
{
    /// <summary>HF RMSNorm: n = x / sqrt(mean(x²) + eps); out = n ⊙ (offset + w). Returns (out, s per row, n).</summary>
    public static (double[] Out, double[] Scale, double[] Normalized) RmsNorm(double[] x, int rows, int d, float[] w, double offset, double eps)
    {
        var y = new double[rows * d]; var n = new double[rows * d]; var s = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double ms = 0;
            for (int i = 0; i < d; i++) ms += x[r * d + i] * x[r * d + i];
            s[r] = Math.Sqrt(ms / d + eps);
            for (int i = 0; i < d; i++)
            {
                n[r * d + i] = x[r * d + i] / s[r];
                y[r * d + i] = n[r * d + i] * (offset + w[i]);
            }
        }
        return (y, s, n);
    }

    /// <summary>torch.nn.Linear: y = x·Wᵀ + b with W stored [out, in].</summary>
    public static double[] Linear(double[] x, int rows, int inDim, float[] weight, float[]? bias, int outDim)
    {
        var y = new double[rows * outDim];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outDim; o++)
            {
                double sum = bias is null ? 0 : bias[o];
                for (int i = 0; i < inDim; i++) sum += x[r * inDim + i] * weight[o * inDim + i];
                y[r * outDim + o] = sum;
            }
        return y;
    }

    /// <summary>
    /// RoPE inverse frequencies inv_i = θ^(−2i/dim), i &lt; dim/2, optionally with HF's "llama3" rescaling
    /// (<c>_compute_llama3_parameters</c>): wavelength λ = 2π/inv; λ &gt; L/low ⇒ inv/factor; λ &lt; L/high ⇒ inv;
    /// otherwise (1 − s)·inv/factor + s·inv with s = (L/λ − low)/(high − low).
    /// </summary>
    public static double[] InverseFrequencies(double theta, int dim, (double Factor, double Low, double High, double OriginalContext)? llama3 = null)
    {
        var inv = new double[dim / 2];
        for (int i = 0; i < inv.Length; i++) inv[i] = 1.0 / Math.Pow(theta, 2.0 * i / dim);
        if (llama3 is not { } s) return inv;
        double lowWavelen = s.OriginalContext / s.Low, highWavelen = s.OriginalContext / s.High;
        for (int i = 0; i < inv.Length; i++)
        {
            double wavelen = 2 * Math.PI / inv[i];
            if (wavelen > lowWavelen) inv[i] /= s.Factor;
            else if (!(wavelen < highWavelen))
            {
                double smooth = (s.OriginalContext / wavelen - s.Low) / (s.High - s.Low);
                inv[i] = (1 - smooth) * inv[i] / s.Factor + smooth * inv[i];
            }
        }
        return inv;
    }

    /// <summary>HF <c>apply_rotary_pos_emb</c> on x [T, heads·dh]: x·cos + rotate_half(x)·sin, rotate_half([a, b]) = [−b, a],
    /// cos/sin of p·inv over concat(freqs, freqs).</summary>
    public static double[] Rope(double[] x, int T, int heads, int dh, double[] inv)
    {
        var y = new double[x.Length];
        int half = dh / 2;
        for (int t = 0; t < T; t++)
            for (int h = 0; h < heads; h++)
            {
                int o = t * heads * dh + h * dh;
                for (int i = 0; i < dh; i++)
                {
                    double angle = t * inv[i % half];
                    double rotated = i < half ? -x[o + i + half] : x[o + i - half];
                    y[o + i] = x[o + i] * Math.Cos(angle) + rotated * Math.Sin(angle);
                }
            }
        return y;
    }

    /// <summary>
    /// Eager causal attention with GQA (query head h reads kv head h / (H/Hkv)): S = scale·q kᵀ; optional soft-cap
    /// c·tanh(S/c) before the mask; key s visible from p iff s ≤ p and (no window or p − s &lt; window); softmax; z = A v.
    /// Returns scores [H, T, T] (−∞ where masked), pattern [H, T, T] and z [T, H·dh].
    /// </summary>
    public static (double[] Scores, double[] Pattern, double[] Z) Attention(double[] q, double[] k, double[] v, int T, int H, int Hkv, int dh,
        double scale, double? softcap, int? window)
    {
        var scores = new double[H * T * T];
        var pattern = new double[H * T * T];
        var z = new double[T * H * dh];
        int group = H / Hkv;
        for (int h = 0; h < H; h++)
        {
            int kvh = h / group;
            for (int p = 0; p < T; p++)
            {
                double max = double.NegativeInfinity;
                for (int s = 0; s < T; s++)
                {
                    bool visible = s <= p && (window is not int w || p - s < w);
                    double value = double.NegativeInfinity;
                    if (visible)
                    {
                        double dot = 0;
                        for (int e = 0; e < dh; e++) dot += q[p * H * dh + h * dh + e] * k[s * Hkv * dh + kvh * dh + e];
                        value = dot * scale;
                        if (softcap is double c) value = c * Math.Tanh(value / c);
                        max = Math.Max(max, value);
                    }
                    scores[(h * T + p) * T + s] = value;
                }
                double sum = 0;
                for (int s = 0; s < T; s++)
                {
                    double sc = scores[(h * T + p) * T + s];
                    double e = double.IsNegativeInfinity(sc) ? 0 : Math.Exp(sc - max);
                    pattern[(h * T + p) * T + s] = e;
                    sum += e;
                }
                for (int s = 0; s < T; s++)
                {
                    double a = pattern[(h * T + p) * T + s] /= sum;
                    for (int e = 0; e < dh; e++) z[p * H * dh + h * dh + e] += a * v[s * Hkv * dh + kvh * dh + e];
                }
            }
        }
        return (scores, pattern, z);
    }

    /// <summary>gelu_pytorch_tanh = 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³))).</summary>
    public static double GeluTanh(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));

    /// <summary>SiLU x·σ(x).</summary>
    public static double Silu(double x) => x / (1 + Math.Exp(-x));

    public static double[] Add(double[] a, double[] b) => a.Select((v, i) => v + b[i]).ToArray();

    /// <summary>logits [T, V] = x [T, D] · Wᵀ with W [V, D] (the tied embedding or lm_head).</summary>
    public static double[] Unembed(double[] x, int T, int d, float[] w, int vocab) => Linear(x, T, d, w, null, vocab);
}
