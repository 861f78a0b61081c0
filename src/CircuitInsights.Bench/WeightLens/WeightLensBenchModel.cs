using CircuitInsights.Formats;
using CircuitInsights.Formats.Tokenization;
using CircuitInsights.Models;
using CircuitInsights.Models.Architectures.Gpt2;
using CircuitInsights.Models.Components;
using CircuitInsights.Tensors;
using CircuitInsights.Transcoders;
using CircuitInsights.WeightLens;

namespace CircuitInsights.Bench.WeightLensBench;

/// <summary>A benchmark shape: vocabulary, widths and how many layers the synthetic model and transcoder set have.</summary>
public sealed record WeightLensBenchShape(string Name, string Architecture, int Vocab, int DModel, int ModelLayers, int Width, int Heads, int KvHeads, int HeadDim, int DMlp)
{
    /// <summary>GPT-2 small with 24576-wide transcoders on all 12 layers (pchlenski shapes).</summary>
    public static WeightLensBenchShape Gpt2Small { get; } = new("gpt2-small", "gpt2", 50257, 768, 12, 24576, 12, 12, 64, 3072);

    /// <summary>Gemma-2-2B's vocabulary, d_model and 16k transcoders on two layers (the benchmark describes layer 1: the
    /// vocabulary passes plus one upstream layer). Blocks keep Gemma's attention shapes; the MLP is narrowed to 2304 because
    /// only the validation forward pass uses it.</summary>
    public static WeightLensBenchShape Gemma2Layer { get; } = new("gemma-2-2b-layer", "gemma2", 256000, 2304, 2, 16384, 8, 4, 256, 2304);
}

/// <summary>
/// Random weights with the structure WeightLens looks for, at real model sizes (nothing is read from disk):
/// <list type="bullet">
/// <item>embeddings: per-token Gaussian noise (norm ≈ 1, log-normal per-token scale), a shared direction (anisotropy),
/// and V/25 token clusters of 3–8 tokens that share an extra direction;</item>
/// <item>transcoder encoders: 35 % read a cluster direction (token detectors), 15 % (layers &gt; 0) read the decoder of a
/// random earlier feature (upstream links), the rest are random;</item>
/// <item>decoders: 20 % write ± a cluster direction (promote / suppress it through the tied unembedding), the rest random;</item>
/// <item>transcoder weights in bf16, circuit-tracer layout ([K, D] rows); model blocks with GPT-2-style init (std 0.02).</item>
/// </list>
/// </summary>
public sealed class WeightLensBenchModel : IDisposable
{
    public required WeightLensModel Lens { get; init; }
    public required DecoderModel Decoder { get; init; }
    public required TranscoderSet Transcoders { get; init; }
    /// <summary>The fp32 embedding (GPT-2) or null (Gemma: bf16).</summary>
    public float[]? EmbeddingF32 { get; init; }

    public static WeightLensBenchModel Create(WeightLensBenchShape shape, int seed = 2027)
    {
        int v = shape.Vocab, d = shape.DModel;
        var rng = new Random(seed);
        var common = Unit(rng, d);
        int clusters = v / 25;
        var clusterDirs = new float[clusters][];
        var extra = new Dictionary<int, List<int>>(); // token → clusters it belongs to
        for (int c = 0; c < clusters; c++)
        {
            clusterDirs[c] = Unit(rng, d);
            int members = 3 + rng.Next(6);
            for (int m = 0; m < members; m++)
            {
                int t = rng.Next(v);
                if (!extra.TryGetValue(t, out var list)) extra[t] = list = [];
                list.Add(c);
            }
        }
        // rows are generated in chunks so that a bf16 embedding never exists as fp32 as a whole
        bool bf16 = shape.Architecture != "gpt2";
        float[]? embedding = bf16 ? null : new float[(long)v * d];
        ushort[]? embeddingBits = bf16 ? new ushort[(long)v * d] : null;
        const int ChunkRows = 4096;
        ParallelLoop.For(0, (v + ChunkRows - 1) / ChunkRows, chunk =>
        {
            int t0 = chunk * ChunkRows, rows = Math.Min(ChunkRows, v - t0);
            var buffer = new float[(long)rows * d];
            FastNormal.Fill(buffer, seed * 7919 + chunk, 1 / MathF.Sqrt(d));
            var local = new Random(seed + chunk);
            for (int r = 0; r < rows; r++)
            {
                float scale = (float)Math.Exp(0.3 * Gaussian(local));
                var row = buffer.AsSpan(r * d, d);
                for (int i = 0; i < d; i++) row[i] = row[i] * scale + 0.3f * common[i];
                if (extra.TryGetValue(t0 + r, out var cs))
                    foreach (int c in cs) for (int i = 0; i < d; i++) row[i] += 0.4f * clusterDirs[c][i];
            }
            if (bf16) HalfPrecision.NarrowToBf16(buffer, embeddingBits.AsSpan((int)((long)t0 * d), buffer.Length));
            else buffer.CopyTo(embedding.AsSpan((int)((long)t0 * d), buffer.Length));
        });

        var transcoders = new List<Transcoder>();
        var decoderRows = new List<ushort[]>();
        int layers = shape.ModelLayers;
        for (int l = 0; l < layers; l++)
        {
            int k = shape.Width;
            var enc = new float[(long)k * d];
            var dec = new float[(long)k * d];
            FastNormal.Fill(enc, seed + 101 * l + 1, 1 / MathF.Sqrt(d));
            FastNormal.Fill(dec, seed + 101 * l + 2, 1 / MathF.Sqrt(d));
            var bias = new float[k];
            for (int f = 0; f < k; f++)
            {
                double u = rng.NextDouble();
                long row = (long)f * d;
                if (u < 0.35)
                {
                    var c = clusterDirs[rng.Next(clusters)];
                    for (int i = 0; i < d; i++) enc[row + i] = 0.5f * enc[row + i] + 2f * c[i];
                    bias[f] = -6f;
                }
                else if (u < 0.5 && l > 0)
                {
                    int from = rng.Next(l), g = rng.Next(k);
                    var source = decoderRows[from];
                    for (int i = 0; i < d; i++) enc[row + i] = 0.5f * enc[row + i] + 2f * HalfPrecision.Bf16ToSingle(source[(long)g * d + i]);
                    bias[f] = -4f;
                }
                else bias[f] = -3f;
                if (rng.NextDouble() < 0.2)
                {
                    var c = clusterDirs[rng.Next(clusters)];
                    float sign = rng.Next(2) == 0 ? 1f : -1f;
                    for (int i = 0; i < d; i++) dec[row + i] = 0.3f * dec[row + i] + sign * c[i];
                }
            }
            var encBits = new ushort[enc.Length];
            var decBits = new ushort[dec.Length];
            HalfPrecision.NarrowToBf16(enc, encBits);
            HalfPrecision.NarrowToBf16(dec, decBits);
            decoderRows.Add(decBits);
            transcoders.Add(new Transcoder(l, MatrixRef.From16Bit(encBits, DType.BF16, k, d).Transposed(), bias,
                [MatrixRef.From16Bit(decBits, DType.BF16, k, d)], null, TranscoderActivation.Relu));
        }
        var info = new TranscoderSetInfo("bench", "synthetic", shape.Name, "ln2.hook_normalized", "hook_mlp_out", "relu", false, false, false, false,
            shape.Width, Enumerable.Range(0, layers).ToArray(), Enumerable.Range(0, layers).ToDictionary(l => l, _ => "memory"));
        var set = new TranscoderSet(transcoders, info);

        var tokenizer = Gpt2TokenizerFiles.Load();
        DecoderModel decoder;
        float[]? f32 = null;
        if (!bf16)
        {
            decoder = Gpt2(shape, embedding!, rng);
            f32 = embedding;
        }
        else decoder = Gemma(shape, embeddingBits!, rng);
        return new WeightLensBenchModel { Lens = new WeightLensModel(decoder, tokenizer, set, shape.Name), Decoder = decoder, Transcoders = set, EmbeddingF32 = f32 };
    }

    static DecoderModel Gpt2(WeightLensBenchShape s, float[] embedding, Random rng)
    {
        int d = s.DModel, f = s.DMlp;
        var spec = new DecoderSpec
        {
            Architecture = "gpt2", Layers = s.ModelLayers, DModel = d, Heads = s.Heads, KvHeads = s.Heads, HeadDim = s.HeadDim, DMlp = f,
            Vocab = s.Vocab, MaxPositions = 1024, Norm = NormKind.LayerNorm, NormEps = 1e-5f, Mlp = MlpKind.Plain, Activation = ActivationKind.GeluTanh,
            Positions = PositionKind.Learned, AttentionScale = 1f / MathF.Sqrt(s.HeadDim),
        };
        var source = new InMemoryTensorSource("bench gpt2");
        int seed = rng.Next();
        float[] N(long n, float std) { var a = new float[n]; FastNormal.Fill(a, seed++, std); return a; }
        float[] Ones(int n) => Enumerable.Repeat(1f, n).ToArray();
        source.AddF32("wte.weight", embedding, [s.Vocab, d]);
        source.AddF32("wpe.weight", N(1024L * d, 0.01f), [1024, d]);
        for (int l = 0; l < s.ModelLayers; l++)
        {
            string p = $"h.{l}.";
            source.AddF32(p + "ln_1.weight", Ones(d), [d]); source.AddF32(p + "ln_1.bias", new float[d], [d]);
            source.AddF32(p + "attn.c_attn.weight", N((long)d * 3 * d, 0.02f), [d, 3 * d]); source.AddF32(p + "attn.c_attn.bias", new float[3 * d], [3 * d]);
            source.AddF32(p + "attn.c_proj.weight", N((long)d * d, 0.02f), [d, d]); source.AddF32(p + "attn.c_proj.bias", new float[d], [d]);
            source.AddF32(p + "ln_2.weight", Ones(d), [d]); source.AddF32(p + "ln_2.bias", new float[d], [d]);
            source.AddF32(p + "mlp.c_fc.weight", N((long)d * f, 0.02f), [d, f]); source.AddF32(p + "mlp.c_fc.bias", new float[f], [f]);
            source.AddF32(p + "mlp.c_proj.weight", N((long)f * d, 0.02f), [f, d]); source.AddF32(p + "mlp.c_proj.bias", new float[d], [d]);
        }
        source.AddF32("ln_f.weight", Ones(d), [d]); source.AddF32("ln_f.bias", new float[d], [d]);
        return new DecoderModel(spec, Gpt2WeightMap.Load(source, spec));
    }

    /// <summary>Gemma-2-shaped blocks built directly (there is no Gemma loader to go through); the embedding is stored as
    /// bf16 (as the authors run Gemma) and, since WeightLens never computes logits, the packed unembedding is a [D, 16]
    /// placeholder while <see cref="DecoderWeights.UnembedRaw"/> is the real tied view.</summary>
    static DecoderModel Gemma(WeightLensBenchShape s, ushort[] bits, Random rng)
    {
        int d = s.DModel, f = s.DMlp, q = s.Heads * s.HeadDim, kv = s.KvHeads * s.HeadDim;
        var tokenEmbedding = MatrixRef.From16Bit(bits, DType.BF16, s.Vocab, d);
        var spec = new DecoderSpec
        {
            Architecture = "gemma2", Layers = s.ModelLayers, DModel = d, Heads = s.Heads, KvHeads = s.KvHeads, HeadDim = s.HeadDim, DMlp = f,
            Vocab = s.Vocab, MaxPositions = 8192, Norm = NormKind.RmsNorm, NormEps = 1e-6f, NormGainOffset = 1, PostAttentionNorm = true, PostMlpNorm = true,
            Mlp = MlpKind.Gated, Activation = ActivationKind.GeluTanh, Positions = PositionKind.Rotary, Rope = new RopeSpec(10000, s.HeadDim),
            AttentionScale = 1f / MathF.Sqrt(256), AttentionLogitSoftcap = 50, FinalLogitSoftcap = 30, SlidingWindow = 4096,
            SlidingWindowLayers = Enumerable.Range(0, s.ModelLayers).Select(l => l % 2 == 0).ToArray(), EmbeddingScale = 48f, WeightDType = DType.BF16,
        };
        int seed = rng.Next();
        (PackedMatrix Packed, MatrixRef Raw) W(int rows, int cols)
        {
            var a = new float[(long)rows * cols];
            FastNormal.Fill(a, seed++, 0.02f);
            var m = MatrixRef.FromF32(a, rows, cols);
            return (PackedMatrix.Pack(m), m);
        }
        NormWeights Norm() => new(new float[d], null);
        var blocks = new BlockWeights[s.ModelLayers];
        for (int l = 0; l < s.ModelLayers; l++)
        {
            var (qp, qr) = W(d, q); var (kp, kr) = W(d, kv); var (vp, vr) = W(d, kv); var (op, or) = W(q, d);
            var (ip, ir) = W(d, f); var (gp, gr) = W(d, f); var (outp, outr) = W(f, d);
            blocks[l] = new BlockWeights
            {
                Ln1 = Norm(), PostAttentionNorm = Norm(), Ln2 = Norm(), PostMlpNorm = Norm(),
                Attention = new AttentionWeights { Q = qp, K = kp, V = vp, O = op, QRaw = qr, KRaw = kr, VRaw = vr, ORaw = or },
                Mlp = new MlpWeights { In = ip, Gate = gp, Out = outp, InRaw = ir, GateRaw = gr, OutRaw = outr },
            };
        }
        var weights = new DecoderWeights
        {
            TokenEmbedding = tokenEmbedding, Blocks = blocks, FinalNorm = Norm(),
            Unembed = PackedMatrix.Pack(MatrixRef.FromF32(new float[d * 16], d, 16)), UnembedRaw = tokenEmbedding.Transposed(),
        };
        return new DecoderModel(spec, weights);
    }

    static float[] Unit(Random rng, int d)
    {
        var x = new float[d];
        double norm = 0;
        for (int i = 0; i < d; i++) { x[i] = (float)Gaussian(rng); norm += x[i] * x[i]; }
        for (int i = 0; i < d; i++) x[i] /= (float)Math.Sqrt(norm);
        return x;
    }

    static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    public void Dispose()
    {
        Transcoders.Dispose();
        Decoder.Dispose();
    }
}

/// <summary>Fast seeded Gaussian fill (SplitMix64 + Box–Muller, chunked in parallel; deterministic for a seed).</summary>
internal static class FastNormal
{
    public static void Fill(float[] a, int seed, float std)
    {
        const int Chunk = 1 << 16;
        int chunks = (int)((a.LongLength + Chunk - 1) / Chunk);
        ParallelLoop.For(0, chunks, c =>
        {
            ulong state = (ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)c * 0xBF58476D1CE4E5B9UL + 1;
            long start = (long)c * Chunk, end = Math.Min(a.LongLength, start + Chunk);
            for (long i = start; i < end; i += 2)
            {
                double u1 = ((Next(ref state) >> 11) + 1) * (1.0 / 9007199254740993.0), u2 = (Next(ref state) >> 11) * (1.0 / 9007199254740992.0);
                double r = Math.Sqrt(-2 * Math.Log(u1)) * std;
                a[i] = (float)(r * Math.Cos(2 * Math.PI * u2));
                if (i + 1 < end) a[i + 1] = (float)(r * Math.Sin(2 * Math.PI * u2));
            }
        });
    }

    static ulong Next(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
