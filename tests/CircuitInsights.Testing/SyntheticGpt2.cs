using CircuitInsights.Models;

namespace CircuitInsights.Testing;

/// <summary>Small random GPT-2 checkpoints in the exact HF layout (Conv1D [in, out], fused c_attn, no lm_head).</summary>
public static class SyntheticGpt2
{
    public sealed record Config(int Layers = 2, int DModel = 32, int Heads = 4, int DMlp = 64, int Vocab = 97, int Positions = 40, float Eps = 1e-5f);

    public static DecoderSpec Spec(Config c) => new()
    {
        Architecture = "gpt2", Layers = c.Layers, DModel = c.DModel, Heads = c.Heads, KvHeads = c.Heads, HeadDim = c.DModel / c.Heads,
        DMlp = c.DMlp, Vocab = c.Vocab, MaxPositions = c.Positions, Norm = NormKind.LayerNorm, NormEps = c.Eps, AttentionBias = true, MlpBias = true,
        Mlp = MlpKind.Plain, Activation = ActivationKind.GeluTanh, Positions = PositionKind.Learned,
        AttentionScale = 1f / MathF.Sqrt(c.DModel / c.Heads),
    };

    /// <summary>Random weights; <paramref name="bf16"/> rounds every value to bf16 precision.</summary>
    public static CheckpointTensors Create(Config c, int seed, bool bf16 = false)
    {
        var rng = new Random(seed);
        var t = new CheckpointTensors();
        int d = c.DModel, f = c.DMlp;
        float[] N(int n, double std) => bf16 ? TestRandom.RoundToBf16(TestRandom.Normal(rng, n, std)) : TestRandom.Normal(rng, n, std);
        float[] Gain(int n) { var g = N(n, 0.1); for (int i = 0; i < n; i++) g[i] += 1f; return bf16 ? TestRandom.RoundToBf16(g) : g; }
        t.Add("wte.weight", N(c.Vocab * d, 0.5), c.Vocab, d);
        t.Add("wpe.weight", N(c.Positions * d, 0.2), c.Positions, d);
        for (int i = 0; i < c.Layers; i++)
        {
            string p = $"h.{i}.";
            t.Add(p + "ln_1.weight", Gain(d), d);
            t.Add(p + "ln_1.bias", N(d, 0.1), d);
            t.Add(p + "attn.c_attn.weight", N(d * 3 * d, 0.3), d, 3 * d);
            t.Add(p + "attn.c_attn.bias", N(3 * d, 0.1), 3 * d);
            t.Add(p + "attn.c_proj.weight", N(d * d, 0.2), d, d);
            t.Add(p + "attn.c_proj.bias", N(d, 0.1), d);
            t.Add(p + "ln_2.weight", Gain(d), d);
            t.Add(p + "ln_2.bias", N(d, 0.1), d);
            t.Add(p + "mlp.c_fc.weight", N(d * f, 0.3), d, f);
            t.Add(p + "mlp.c_fc.bias", N(f, 0.1), f);
            t.Add(p + "mlp.c_proj.weight", N(f * d, 0.2), f, d);
            t.Add(p + "mlp.c_proj.bias", N(d, 0.1), d);
        }
        t.Add("ln_f.weight", Gain(d), d);
        t.Add("ln_f.bias", N(d, 0.1), d);
        return t;
    }
}
