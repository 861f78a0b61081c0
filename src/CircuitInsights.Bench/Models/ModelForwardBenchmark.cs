using System.Diagnostics;
using CircuitInsights.Formats.Tokenization;
using CircuitInsights.Models;
using CircuitInsights.Models.Architectures;
using CircuitInsights.Tensors;

namespace CircuitInsights.Bench.Models;

/// <summary>
/// Forward-pass benchmark on random-weight models with the real shapes of Gemma-2-2B and Llama-3.2-1B stored in bf16
/// (docs/performance.md §Models). Each model is written as sharded safetensors (<see cref="RandomCheckpointWriter"/>) and
/// loaded through <see cref="ModelLoader"/>, so memory mapping, bf16 panels and the real weight maps are exercised. For
/// each batch shape it reports tokens/s, achieved GFLOP/s, that as a percentage of the measured GEMM roofline (bf16-packed
/// B, same machine, same thread count, measured right before and after the shape's forwards so both see the same machine
/// load; the higher of the two is used), and peak RSS (VmHWM, reset per model through /proc/self/clear_refs). Because other
/// processes share the machine, the same ratio is also reported on process CPU time (GFLOP per CPU-second of the forward
/// over that of the GEMM), which time-sharing disturbs much less than wall time.
/// FLOPs counted: 2 per weight per token for every projection and the unembedding, plus causal attention
/// 4·H·Dh·T(T+1)/2 per layer and sequence (scores and value mixing over visible keys only).
/// </summary>
public static class ModelForwardBenchmark
{
    /// <summary>google/gemma-2-2b config.json (reference.md §1.2).</summary>
    public const string Gemma2_2BConfig = """
        {"architectures": ["Gemma2ForCausalLM"], "attention_bias": false, "attn_logit_softcapping": 50.0, "bos_token_id": 2,
         "eos_token_id": 1, "final_logit_softcapping": 30.0, "head_dim": 256, "hidden_activation": "gelu_pytorch_tanh",
         "hidden_size": 2304, "intermediate_size": 9216, "max_position_embeddings": 8192, "model_type": "gemma2",
         "num_attention_heads": 8, "num_hidden_layers": 26, "num_key_value_heads": 4, "pad_token_id": 0, "query_pre_attn_scalar": 256,
         "rms_norm_eps": 1e-06, "rope_theta": 10000.0, "sliding_window": 4096, "torch_dtype": "bfloat16", "vocab_size": 256000}
        """;

    /// <summary>meta-llama/Llama-3.2-1B config.json (reference.md §1.3).</summary>
    public const string Llama32_1BConfig = """
        {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "bos_token_id": 128000, "eos_token_id": 128001, "head_dim": 64,
         "hidden_act": "silu", "hidden_size": 2048, "intermediate_size": 8192, "max_position_embeddings": 131072, "mlp_bias": false,
         "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 16, "num_key_value_heads": 8, "rms_norm_eps": 1e-05,
         "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"},
         "rope_theta": 500000.0, "tie_word_embeddings": true, "torch_dtype": "bfloat16", "vocab_size": 128256}
        """;

    public static ModelBenchReport Run(TextWriter log, ModelBenchOptions options)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(options);
        using var threads = ComputeSettings.UseThreads(options.Threads ?? ComputeSettings.Threads);
        int t = ComputeSettings.Threads;
        string work = options.WorkDirectory ?? Path.Combine(Path.GetTempPath(), "ci-model-bench");
        var roofline = MeasureRoofline(options.Repetitions);
        log.WriteLine($"GEMM roofline ({t} thread(s), [512×2304]·[2304×9216], B packed bf16): {roofline.Wall:F1} GFLOP/s, {roofline.Cpu:F1} GFLOP per CPU-second (re-measured around every shape)");
        var results = new List<ModelBenchResult>();
        foreach (string name in options.Models)
        {
            string config = name switch
            {
                "gemma-2-2b" => Gemma2_2BConfig,
                "llama-3.2-1b" => Llama32_1BConfig,
                _ => throw new CircuitInsightsException($"bench models: unknown model '{name}' (known: gemma-2-2b, llama-3.2-1b)"),
            };
            string dir = Path.Combine(work, name);
            try
            {
                EnsureCheckpoint(dir, config, log);
                results.AddRange(RunModel(name, dir, options, log));
            }
            finally
            {
                if (!options.KeepFiles && Directory.Exists(dir)) Directory.Delete(dir, true);
            }
        }
        return new ModelBenchReport(t, roofline.Wall, results);
    }

    static void EnsureCheckpoint(string dir, string config, TextWriter log)
    {
        if (File.Exists(Path.Combine(dir, "model.safetensors.index.json"))) { log.WriteLine($"{dir}: reusing the checkpoint"); return; }
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), config);
        Gpt2TokenizerFiles.WriteTo(dir); // any tokenizer: the benchmark feeds random ids
        var (arch, spec, _) = ModelLoader.ReadConfig(Formats.ModelDirectory.Resolve(dir));
        var sw = Stopwatch.StartNew();
        long bytes = RandomCheckpointWriter.Write(dir, arch.ExpectedTensors(spec).ToList(), spec.NormGainOffset == 1f ? 0f : 1f, seed: 20251126);
        log.WriteLine($"{dir}: wrote {bytes / 1e9:F2} GB of random bf16 in {sw.Elapsed.TotalSeconds:F1} s");
    }

    static IEnumerable<ModelBenchResult> RunModel(string name, string dir, ModelBenchOptions options, TextWriter log)
    {
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        bool reset = ResetPeakRss();
        var sw = Stopwatch.StartNew();
        using var model = ModelLoader.Load(dir);
        double loadSeconds = sw.Elapsed.TotalSeconds;
        var spec = model.Spec;
        long afterLoad = PeakRssBytes();
        log.WriteLine($"{name}: loaded in {loadSeconds:F1} s ({spec.WeightDType}, packed panels {model.Decoder.Weights.PackedBytes / 1e9:F2} GB); " +
                      $"peak RSS {afterLoad / 1e9:F2} GB{(reset ? "" : " (peak counter not reset: includes earlier work)")}");
        var results = new List<ModelBenchResult>();
        var rng = new Random(7);
        foreach (var (batch, tokens) in options.Shapes)
        {
            var seqs = Enumerable.Range(0, batch).Select(_ => Enumerable.Range(0, tokens).Select(_ => rng.Next(spec.Vocab)).ToArray()).ToArray();
            var input = new TokenBatch(seqs);
            var forwardOptions = new ForwardOptions { Logits = options.Logits };
            var before = MeasureRoofline(options.Repetitions);
            double best = double.MaxValue, bestCpu = double.MaxValue;
            var process = Process.GetCurrentProcess();
            for (int r = 0; r < options.Repetitions; r++)
            {
                process.Refresh();
                var cpu0 = process.TotalProcessorTime;
                sw.Restart();
                var result = model.Decoder.Forward(input, forwardOptions);
                best = Math.Min(best, sw.Elapsed.TotalSeconds);
                process.Refresh();
                bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu0).TotalSeconds);
                GC.KeepAlive(result);
            }
            long peak = PeakRssBytes();
            var after = MeasureRoofline(options.Repetitions);
            double local = Math.Max(before.Wall, after.Wall), localCpu = Math.Max(before.Cpu, after.Cpu);
            double flops = ForwardFlops(spec, batch, tokens, options.Logits);
            double gflops = flops / best / 1e9, gflopsCpu = flops / bestCpu / 1e9;
            var res = new ModelBenchResult(name, batch, tokens, options.Logits, best, batch * tokens / best, flops / 1e9, gflops,
                local, 100 * gflops / local, 100 * gflopsCpu / localCpu, peak, loadSeconds, model.Decoder.Weights.PackedBytes);
            results.Add(res);
            log.WriteLine($"{name} {batch}×{tokens}: {best:F2} s, {res.TokensPerSecond:F1} tokens/s, {gflops:F1} GFLOP/s = {res.PercentOfRoofline:F0}% of GEMM roofline " +
                          $"({before.Wall:F1} / {after.Wall:F1} GFLOP/s before / after); by CPU time {gflopsCpu:F1} GFLOP/CPU-s = {res.PercentOfRooflineCpu:F0}% " +
                          $"({before.Cpu:F1} / {after.Cpu:F1}); peak RSS {peak / 1e9:F2} GB");
        }
        return results;
    }

    /// <summary>2·(projection + unembedding weights)·tokens + causal attention 4·H·Dh·T(T+1)/2 per layer and sequence.</summary>
    public static double ForwardFlops(DecoderSpec s, int batch, int tokens, LogitsMode logits)
    {
        double perTokenWeights = s.Layers * ((double)s.DModel * (s.QueryWidth + 2 * s.KvWidth) + (double)s.QueryWidth * s.DModel + 3.0 * s.DModel * s.DMlp);
        double unembedRows = logits switch { LogitsMode.All => batch * tokens, LogitsMode.Last => batch, _ => 0 };
        double attention = s.Layers * batch * 4.0 * s.Heads * s.HeadDim * tokens * (tokens + 1) / 2;
        return 2 * perTokenWeights * batch * tokens + 2.0 * s.DModel * s.Vocab * unembedRows + attention;
    }

    /// <summary>Best GFLOP/s (wall) and best GFLOP per CPU-second of our GEMM on a Gemma-MLP-like product with B packed as
    /// bf16 panels.</summary>
    public static (double Wall, double Cpu) MeasureRoofline(int repetitions)
    {
        const int m = 512, k = 2304, n = 9216;
        var rng = new Random(1);
        var a = new float[m * k];
        for (int i = 0; i < a.Length; i++) a[i] = (float)(rng.NextDouble() - 0.5);
        var b = new float[k * n];
        for (int i = 0; i < b.Length; i++) b[i] = (float)(rng.NextDouble() - 0.5) * 0.05f;
        var bits = new ushort[b.Length];
        HalfPrecision.NarrowToBf16(b, bits);
        using var packed = PackedMatrix.Pack(MatrixRef.From16Bit(bits, DType.BF16, k, n));
        var c = new float[m * n];
        var A = MatrixRef.FromF32(a, m, k);
        double best = double.MaxValue, bestCpu = double.MaxValue;
        var process = Process.GetCurrentProcess();
        for (int r = 0; r <= Math.Max(2, repetitions); r++)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            Gemm.Multiply(A, packed, c, n);
            double seconds = sw.Elapsed.TotalSeconds;
            process.Refresh();
            if (r == 0) continue;
            best = Math.Min(best, seconds);
            bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu0).TotalSeconds);
        }
        double flops = 2.0 * m * k * n;
        return (flops / best / 1e9, flops / bestCpu / 1e9);
    }

    /// <summary>VmHWM of this process in bytes (0 where /proc is unavailable).</summary>
    public static long PeakRssBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(6).Trim().ToString().Replace(" kB", "")) * 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return 0;
    }

    /// <summary>Resets VmHWM to the current RSS (Linux ≥ 4.0: write 5 to /proc/self/clear_refs).</summary>
    static bool ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }
}

/// <summary>Settings of <see cref="ModelForwardBenchmark.Run"/>.</summary>
public sealed record ModelBenchOptions
{
    /// <summary>gemma-2-2b and/or llama-3.2-1b.</summary>
    public string[] Models { get; init; } = ["gemma-2-2b", "llama-3.2-1b"];
    /// <summary>(batch, tokens per sequence) shapes.</summary>
    public (int Batch, int Tokens)[] Shapes { get; init; } = [(1, 128), (4, 512)];
    /// <summary>Timed forwards per shape; the best is reported.</summary>
    public int Repetitions { get; init; } = 2;
    public LogitsMode Logits { get; init; } = LogitsMode.All;
    /// <summary>Thread count (default: <see cref="ComputeSettings.Threads"/>).</summary>
    public int? Threads { get; init; }
    /// <summary>Where checkpoints are written (default: a folder under the system temp directory).</summary>
    public string? WorkDirectory { get; init; }
    /// <summary>Keep the generated checkpoints (and reuse them on the next run).</summary>
    public bool KeepFiles { get; init; }
}

/// <summary>One model and batch shape.</summary>
public sealed record ModelBenchResult(string Model, int Batch, int Tokens, LogitsMode Logits, double Seconds, double TokensPerSecond,
    double GFlop, double GFlopsPerSecond, double RooflineGFlops, double PercentOfRoofline, double PercentOfRooflineCpu, long PeakRssBytes,
    double LoadSeconds, long PackedBytes);

public sealed record ModelBenchReport(int Threads, double RooflineGFlops, IReadOnlyList<ModelBenchResult> Results);
