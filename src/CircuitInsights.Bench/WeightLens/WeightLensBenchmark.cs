using System.Diagnostics;
using CircuitInsights.Tensors;
using CircuitInsights.WeightLens;
using CircuitInsights.WeightLens.Run;

namespace CircuitInsights.Bench.WeightLensBench;

/// <summary>Settings of <see cref="WeightLensBenchmark.Run"/>.</summary>
public sealed record WeightLensBenchOptions
{
    /// <summary>gpt2-small (all layers) or gemma-2-2b-layer (layer 1 of a 2-layer set).</summary>
    public string Shape { get; init; } = "gpt2-small";
    /// <summary>Describe shard 0 of this many (1 = every feature); the full-run time is extrapolated from it.</summary>
    public int Fraction { get; init; } = 12;
    /// <summary>Timed repetitions of the pure-GEMM reference (best is used).</summary>
    public int Repetitions { get; init; } = 3;
    public WeightLensOptions Options { get; init; } = new();
}

/// <summary>What <see cref="WeightLensBenchmark.Run"/> measured (times in seconds, rates in GFLOP/s).</summary>
public sealed record WeightLensBenchReport(
    string Shape, int Threads, int Layers, int Width, int FeaturesDescribed, int FeaturesProjected, double ProjectionFlops,
    double BuildSeconds, double ProjectionSeconds, double ValidationSeconds, double TotalSeconds,
    double PureGemmGFlops, double PureGemmSeconds, double ProjectionRatio, double TotalRatio, long ProbeSequenceBlocks,
    double PeakRssGiB, double ModelGiB, double ExtrapolatedFullSeconds, double ExtrapolatedFullRatio, string Machine);

/// <summary>
/// WeightLens speed (docs/performance.md "WeightLens"): builds a model of real size with random weights that carry the
/// structure WeightLens finds (<see cref="WeightLensBenchModel"/>), describes a deterministic 1/Fraction of the features
/// of every layer (a shard: same per-feature cost mix as the full run), and compares the projection phase with the time
/// our GEMM needs for the same FLOPs at its best measured speed in the same process (before and after the run). The
/// full run is extrapolated from the measured projection FLOP rate and the full run's FLOPs, plus the validation sweeps
/// bounded by every vocabulary token running through every layer twice (own and inherited tokens). Peak RSS is the process high-water
/// mark after the model was built (VmHWM reset through /proc/self/clear_refs).
/// </summary>
public static class WeightLensBenchmark
{
    public static WeightLensBenchReport Run(TextWriter log, WeightLensBenchOptions options)
    {
        var shape = options.Shape switch
        {
            "gpt2-small" => WeightLensBenchShape.Gpt2Small,
            "gemma-2-2b-layer" => WeightLensBenchShape.Gemma2Layer,
            _ => throw new CircuitInsightsException($"unknown benchmark shape '{options.Shape}' (gpt2-small or gemma-2-2b-layer)"),
        };
        if (options.Fraction < 1 || options.Repetitions < 1) throw new CircuitInsightsException("fraction and repetitions must be at least 1");
        string machine = $"{Environment.ProcessorCount} logical CPUs, {ComputeSettings.Threads} threads, load {LoadAverage()}";
        log.WriteLine($"machine: {machine}");

        var clock = Stopwatch.StartNew();
        using var bench = WeightLensBenchModel.Create(shape);
        double build = clock.Elapsed.TotalSeconds;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        double modelGiB = Rss("VmRSS") / 1024.0 / 1024;
        ResetPeakRss();
        log.WriteLine($"built {shape.Name}: vocab {shape.Vocab}, d_model {shape.DModel}, {shape.ModelLayers} transcoder layers × {shape.Width} (bf16) in {build:F1} s, RSS {modelGiB:F2} GiB");

        double gemm = PureGemm(bench, options.Repetitions);
        log.WriteLine($"pure GEMM (ours, [8192×{shape.DModel}]·[{shape.DModel}×4096], B packed fp32): {gemm:F1} GFLOP/s");

        var selection = shape.Architecture == "gpt2"
            ? new FeatureSelection { ShardIndex = 0, ShardCount = options.Fraction }
            : new FeatureSelection { Layers = [1], ShardIndex = 0, ShardCount = options.Fraction };
        var runner = new WeightLensRunner(bench.Lens, options.Options) { Log = m => log.WriteLine($"  {m} [RSS {Rss("VmRSS") / 1048576:F2} GiB, peak {Rss("VmHWM") / 1048576:F2} GiB]") };
        clock.Restart();
        var records = runner.Describe(selection);
        double total = clock.Elapsed.TotalSeconds;
        var stats = runner.Statistics!;
        gemm = Math.Max(gemm, PureGemm(bench, options.Repetitions));
        double peak = Rss("VmHWM") / 1024.0 / 1024;

        double pure = stats.ProjectionFlops / (gemm * 1e9);
        double validation = total - stats.ProjectionSeconds;
        // Full run: the projections scale exactly with the features. The validation sweeps grow with the distinct tokens,
        // which saturate at the vocabulary: at most 2 sweeps (own tokens, inherited tokens) × V tokens × all layers.
        int lastLayer = selection.Resolve(bench.Lens).Keys.Max();
        double perBlock = stats.ProbeSequenceBlocks > 0 ? validation / stats.ProbeSequenceBlocks : 0;
        double fullValidation = Math.Min(validation * options.Fraction, Math.Max(validation, perBlock * 2.0 * shape.Vocab * (lastLayer + 1)));
        // projection work of describing every feature of the selected layers (no on-demand upstream then)
        double fullFlops = FullProjectionFlops(bench.Lens, selection with { ShardCount = 1, ShardIndex = 0 });
        double fullSeconds = stats.ProjectionSeconds * fullFlops / stats.ProjectionFlops + fullValidation;
        double fullRatio = fullSeconds / (fullFlops / (gemm * 1e9));
        int described = records.Values.Sum(r => r.Length);
        var report = new WeightLensBenchReport(shape.Name, ComputeSettings.Threads, shape.ModelLayers, shape.Width, described,
            stats.FeaturesAnalysed, stats.ProjectionFlops, build, stats.ProjectionSeconds, validation, total, gemm, pure,
            stats.ProjectionSeconds / pure, total / pure, stats.ProbeSequenceBlocks, peak, modelGiB, fullSeconds, fullRatio, machine + $" → load {LoadAverage()}");
        log.WriteLine($"described {described} features ({stats.FeaturesAnalysed} projected incl. on-demand upstream), {stats.ProjectionFlops / 1e12:F2} TFLOP; " +
            $"validation ran {stats.ProbeSequences} sequences ({stats.ProbeSequenceBlocks} sequence-blocks, {stats.TokenActivations} activations)");
        log.WriteLine($"projections {stats.ProjectionSeconds:F1} s = {report.ProjectionRatio:F2}× pure GEMM ({pure:F1} s); validation + descriptions {validation:F1} s; total {total:F1} s = {report.TotalRatio:F2}×");
        log.WriteLine($"peak RSS {peak:F2} GiB (model + transcoders {modelGiB:F2} GiB); extrapolated full run {fullSeconds / 60:F1} min = {fullRatio:F2}× pure GEMM");
        return report;
    }

    static double FullProjectionFlops(WeightLensModel lens, FeatureSelection selection)
    {
        long d = lens.Decoder.Spec.DModel, v = lens.Vocab;
        double total = 0;
        foreach (var (layer, features) in selection.Resolve(lens))
        {
            double per = 2.0 * 2 * v * d;
            foreach (int earlier in lens.EarlierLayers(layer)) per += 2.0 * lens.Transcoders[earlier].Width * d;
            total += per * features.Length;
        }
        return total;
    }

    /// <summary>Best GFLOP/s of C[8192, 4096] = A·B with A = embedding rows (fp32) and B packed fp32 [D, 4096].</summary>
    static double PureGemm(WeightLensBenchModel bench, int repetitions)
    {
        var emb = bench.Decoder.Weights.TokenEmbedding;
        int d = emb.Cols, m = 8192, n = 4096;
        var a = MatrixRef.FromF32(emb.Slice(0, m, 0, d).ToArray(), m, d);
        var b = new float[d * n];
        FastNormal.Fill(b, 5, 0.05f);
        using var packed = PackedMatrix.Pack(MatrixRef.FromF32(b, d, n));
        var c = new float[(long)m * n];
        Gemm.Multiply(a, packed, c, n); // warm-up
        double best = double.MaxValue;
        for (int r = 0; r < repetitions; r++)
        {
            var sw = Stopwatch.StartNew();
            Gemm.Multiply(a, packed, c, n);
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return 2.0 * m * d * n / best / 1e9;
    }

    static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; } catch (IOException) { return "?"; }
    }

    /// <summary>A field of /proc/self/status in KiB (0 when unavailable).</summary>
    static double Rss(string field)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                    return double.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        return 0;
    }

    static void ResetPeakRss()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
