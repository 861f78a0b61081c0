using System.Diagnostics;
using CircuitInsights.Formats;
using CircuitInsights.Models;
using CircuitInsights.Models.Architectures.Gpt2;
using CircuitInsights.Models.Components;

namespace CircuitInsights.Bench.Forward;

/// <summary>Result of <see cref="Gpt2ForwardBenchmark"/>.</summary>
public sealed record ForwardBenchResult(int Batch, int Positions, double Seconds, double TokensPerSecond, double GemmShare, double GemmGFlops,
    IReadOnlyDictionary<string, TimeSpan> Stages);

/// <summary>
/// Forward pass of a GPT-2-small-shaped model (12 layers, d_model 768, 12 heads, d_mlp 3072, vocab 50257) with random
/// weights of the real shapes, at batch 8×128: tokens/s and the share of wall time spent in the large GEMMs
/// (projections, MLP, unembedding), measured with <see cref="ForwardProfile"/> in the same runs.
/// </summary>
public static class Gpt2ForwardBenchmark
{
    public static ForwardBenchResult Run(TextWriter log, int batch = 8, int positions = 128, int repetitions = 3)
    {
        log.WriteLine($"building a GPT-2-small-shaped model with random weights ...");
        var spec = new DecoderSpec
        {
            Architecture = "gpt2", Layers = 12, DModel = 768, Heads = 12, KvHeads = 12, HeadDim = 64, DMlp = 3072, Vocab = 50257,
            MaxPositions = 1024, Norm = NormKind.LayerNorm, NormEps = 1e-5f, Mlp = MlpKind.Plain, Activation = ActivationKind.GeluTanh,
            Positions = PositionKind.Learned, AttentionScale = 0.125f,
        };
        using var model = new DecoderModel(spec, Gpt2WeightMap.Load(RandomGpt2(spec, seed: 1), spec));
        var rng = new Random(2);
        var seqs = Enumerable.Range(0, batch).Select(_ => Enumerable.Range(0, positions).Select(_ => rng.Next(spec.Vocab)).ToArray()).ToArray();
        var tokens = new TokenBatch(seqs);
        model.Forward(tokens); // warm-up (JIT, page faults)
        var profile = new ForwardProfile();
        double best = double.MaxValue;
        IReadOnlyDictionary<string, TimeSpan> bestStages = new Dictionary<string, TimeSpan>();
        double bestShare = 0;
        for (int r = 0; r < repetitions; r++)
        {
            profile.Reset();
            var sw = Stopwatch.StartNew();
            model.Forward(tokens, new ForwardOptions { Profile = profile });
            double s = sw.Elapsed.TotalSeconds;
            if (s < best) { best = s; bestStages = profile.Stages; bestShare = profile.GemmTime.TotalSeconds / s; }
        }
        int rows = batch * positions;
        double gemmFlops = 2.0 * rows * (spec.Layers * (4.0 * spec.DModel * spec.DModel + 2.0 * spec.DModel * spec.DMlp) + spec.DModel * (double)spec.Vocab);
        double gemmSeconds = bestStages.Where(kv => kv.Key is ForwardProfile.ProjectionGemm or ForwardProfile.MlpGemm or ForwardProfile.UnembedGemm).Sum(kv => kv.Value.TotalSeconds);
        var result = new ForwardBenchResult(batch, positions, best, rows / best, bestShare, gemmFlops / gemmSeconds / 1e9, bestStages);
        log.WriteLine($"GPT-2-small shapes, batch {batch}×{positions}: {best * 1000:F0} ms per forward, {result.TokensPerSecond:F0} tokens/s, GEMM share {bestShare:P1} (GEMMs at {result.GemmGFlops:F1} GFLOP/s)");
        foreach (var (stage, t) in bestStages.OrderByDescending(kv => kv.Value)) log.WriteLine($"  {stage,-45} {t.TotalMilliseconds,8:F1} ms  {t.TotalSeconds / best,6:P1}");
        return result;
    }

    /// <summary>A GPT-2 checkpoint (HF names and layouts) with N(0, 0.02)-like random weights and unit LayerNorm gains.</summary>
    public static InMemoryTensorSource RandomGpt2(DecoderSpec spec, int seed)
    {
        var src = new InMemoryTensorSource("random gpt2");
        ulong state = (ulong)seed * 0x9E3779B97F4A7C15UL + 1;
        float[] R(int n, float scale)
        {
            var a = new float[n];
            for (int i = 0; i < n; i++)
            {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                a[i] = ((state >> 40) / (float)(1 << 24) - 0.5f) * 2 * scale;
            }
            return a;
        }
        float[] Ones(int n) { var a = new float[n]; Array.Fill(a, 1f); return a; }
        int d = spec.DModel, f = spec.DMlp;
        src.AddF32("wte.weight", R(spec.Vocab * d, 0.05f), spec.Vocab, d);
        src.AddF32("wpe.weight", R(spec.MaxPositions * d, 0.02f), spec.MaxPositions, d);
        for (int l = 0; l < spec.Layers; l++)
        {
            string p = $"h.{l}.";
            src.AddF32(p + "ln_1.weight", Ones(d), d); src.AddF32(p + "ln_1.bias", R(d, 0.01f), d);
            src.AddF32(p + "attn.c_attn.weight", R(d * 3 * d, 0.04f), d, 3 * d); src.AddF32(p + "attn.c_attn.bias", R(3 * d, 0.01f), 3 * d);
            src.AddF32(p + "attn.c_proj.weight", R(d * d, 0.02f), d, d); src.AddF32(p + "attn.c_proj.bias", R(d, 0.01f), d);
            src.AddF32(p + "ln_2.weight", Ones(d), d); src.AddF32(p + "ln_2.bias", R(d, 0.01f), d);
            src.AddF32(p + "mlp.c_fc.weight", R(d * f, 0.04f), d, f); src.AddF32(p + "mlp.c_fc.bias", R(f, 0.01f), f);
            src.AddF32(p + "mlp.c_proj.weight", R(f * d, 0.02f), f, d); src.AddF32(p + "mlp.c_proj.bias", R(d, 0.01f), d);
        }
        src.AddF32("ln_f.weight", Ones(d), d); src.AddF32("ln_f.bias", R(d, 0.01f), d);
        return src;
    }
}
