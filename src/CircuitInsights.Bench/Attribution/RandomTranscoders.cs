using CircuitInsights.Models;
using CircuitInsights.Models.Components;
using CircuitInsights.Models.Hooks;
using CircuitInsights.Tensors;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Bench.Attribution;

/// <summary>
/// Random per-layer ReLU transcoders reading <c>mlp.hook_in</c> and writing <c>hook_mlp_out</c>, with entries uniform
/// with variance 1/D, whose shared encoder bias per layer is calibrated on a prompt so that a chosen mean number of
/// features is active per position (pre-activation without bias above its (1 − k/K) quantile).
/// </summary>
public static class RandomTranscoders
{
    public static TranscoderSet Create(DecoderSpec spec, int width, int seed)
    {
        int d = spec.DModel;
        var layers = new Transcoder[spec.Layers];
        ParallelLoop.For(0, spec.Layers, l =>
        {
            var enc = Uniform(d * width, MathF.Sqrt(3f / d), seed * 1000 + 2 * l);
            var dec = Uniform(width * d, MathF.Sqrt(3f / d), seed * 1000 + 2 * l + 1);
            layers[l] = new Transcoder(l, MatrixRef.FromF32(enc, d, width), new float[width], [MatrixRef.FromF32(dec, width, d)], new float[d], TranscoderActivation.Relu);
        });
        var info = new TranscoderSetInfo("random", $"random seed {seed}", spec.Architecture, HookNames.MlpIn, HookNames.MlpOut, "relu",
            false, true, false, false, width, Enumerable.Range(0, spec.Layers).ToArray(), Enumerable.Range(0, spec.Layers).ToDictionary(l => l, _ => "memory"));
        return new TranscoderSet(layers, info);
    }

    /// <summary>Sets every layer's encoder bias so that about <paramref name="perPosition"/> features are active at each
    /// position after the first of <paramref name="tokens"/>; returns the biases.</summary>
    public static float[] Calibrate(DecoderModel model, TranscoderSet set, int[] tokens, int perPosition)
    {
        int L = model.Spec.Layers, T = tokens.Length, d = model.Spec.DModel, K = set.Width;
        var trace = new ActivationTrace(Enumerable.Range(0, L).Select(l => HookPoint.Block(l, HookNames.MlpIn)));
        model.Forward(TokenBatch.Single(tokens), new ForwardOptions { Hooks = trace, Logits = LogitsMode.None });
        var biases = new float[L];
        int rows = Math.Max(1, T - 1), k = Math.Min(perPosition * rows, rows * K);
        for (int l = 0; l < L; l++)
        {
            var tc = set[l];
            Array.Clear(tc.EncoderBias);
            var x = trace.Get(HookPoint.Block(l, HookNames.MlpIn)).Data.AsSpan(T > 1 ? d : 0, rows * d);
            var pre = new float[(long)rows * K];
            tc.PreActivations(x, rows, pre);
            var idx = new int[k];
            var top = new float[k];
            TopK.Largest(pre, k, idx, top);
            biases[l] = -top[k - 1];
            Array.Fill(tc.EncoderBias, biases[l]);
        }
        return biases;
    }

    static float[] Uniform(int n, float half, int seed)
    {
        var a = new float[n];
        ulong s = (ulong)seed * 0x9E3779B97F4A7C15UL + 0x2545F4914F6CDD1DUL;
        for (int i = 0; i < n; i++)
        {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            a[i] = ((s >> 40) / (float)(1 << 24) * 2f - 1f) * half;
        }
        return a;
    }
}
