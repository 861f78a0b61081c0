using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using CircuitInsights.Tensors;

namespace CircuitInsights.Bench;

/// <summary>
/// GEMM benchmark (docs/performance.md §GEMM, dotnet.md §1): in one run, the FMA peak, our GEMM on the transcoder
/// shapes S1 = [4096×768]·[768×24576], S2 = [512×2304]·[2304×16384], S3 = [64×768]·[768×24576] with B pre-packed (fp32,
/// and bf16 panels for S1) and packed per call, the naive kernel on a reduced shape, and OpenBLAS when installed.
/// Timings are best-of-N; runs of ours and OpenBLAS alternate so both see the same machine noise.
/// </summary>
public static class GemmBenchmark
{
    static readonly (string Name, int M, int K, int N)[] Shapes =
    [
        ("S1", 4096, 768, 24576),
        ("S2", 512, 2304, 16384),
        ("S3", 64, 768, 24576),
    ];

    public static GemmBenchReport Run(TextWriter log, GemmBenchOptions options)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Repetitions < 1 || options.RowDivisor < 1 || options.Threads.Length == 0 || options.Threads.Any(t => t < 1))
            throw new CircuitInsightsException("bench gemm: repetitions, row divisor and thread counts must be at least 1");

        string machine = DescribeMachine();
        log.WriteLine($"machine: {machine}");
        // The peak is measured before and after the products (best of both): on a shared host a busy neighbour during
        // one measurement would otherwise inflate every "% of peak" figure.
        var peak = options.Threads.Distinct().ToDictionary(t => t, t => FmaPeak.Measure(t));
        foreach (int t in peak.Keys) log.WriteLine($"FMA peak ({t} thread{(t > 1 ? "s" : "")}, 12 Vector256 chains): {peak[t]:F1} GFLOP/s (before)");

        var blas = options.OpenBlas ? OpenBlasGemm.TryLoad() : null;
        log.WriteLine(blas is null ? "OpenBLAS: not found (apt install libopenblas0-pthread to compare)" : $"OpenBLAS: {blas.Path} ({blas.Config})");

        var results = new List<GemmBenchResult>();
        var rng = new Random(2025);
        log.WriteLine("timing (best of runs):");
        foreach (var (name, m0, k, n) in Shapes)
        {
            int m = Math.Max(1, m0 / options.RowDivisor);
            var a = Random(rng, (long)m * k);
            var b = Random(rng, (long)k * n);
            var c = new float[(long)m * n];
            var bBf16 = new ushort[b.Length];
            HalfPrecision.NarrowToBf16(b, bBf16);
            var A = MatrixRef.FromF32(a, m, k);
            var B = MatrixRef.FromF32(b, k, n);
            using var packed = PackedMatrix.Pack(B);
            using var packedBf16 = name == "S1" ? PackedMatrix.Pack(MatrixRef.From16Bit(bBf16, DType.BF16, k, n)) : null;

            foreach (int t in options.Threads)
            {
                var variants = new List<(string Label, Action Body)>
                {
                    ("ours, B pre-packed fp32", () => Gemm.Multiply(A, packed, c, n)),
                    ("ours, B packed per call", () => Gemm.Multiply(A, B, c, n)),
                };
                if (packedBf16 is not null) variants.Add(("ours, B pre-packed bf16", () => Gemm.Multiply(A, packedBf16, c, n)));
                if (blas is not null) variants.Add(("OpenBLAS cblas_sgemm", () => blas.Multiply(a, b, c, m, k, n)));

                var best = TimeInterleaved(variants, t, blas, options.Repetitions);
                double? blasGFlops = blas is null ? null : Flops(m, k, n) / best[^1] / 1e9;
                for (int v = 0; v < variants.Count; v++)
                {
                    double gf = Flops(m, k, n) / best[v] / 1e9;
                    bool isBlas = blas is not null && v == variants.Count - 1;
                    var r = new GemmBenchResult(name, m, k, n, variants[v].Label, t, gf, 100 * gf / peak[t], isBlas ? null : gf / blasGFlops);
                    results.Add(r);
                    log.WriteLine($"  {name} {m}×{k}×{n} {r.Variant}, {t} thread(s): {gf:F1} GFLOP/s");
                }
            }
        }

        foreach (int t in peak.Keys.ToArray())
        {
            double after = FmaPeak.Measure(t);
            log.WriteLine($"FMA peak ({t} thread{(t > 1 ? "s" : "")}): {after:F1} GFLOP/s (after); using {Math.Max(peak[t], after):F1}");
            if (after > peak[t])
            {
                double scale = peak[t] / after;
                peak[t] = after;
                for (int i = 0; i < results.Count; i++)
                    if (results[i].Threads == t) results[i] = results[i] with { PercentOfPeak = results[i].PercentOfPeak * scale };
            }
        }

        if (options.Naive)
        {
            const int m = 64, k = 768, n = 512;
            var A = MatrixRef.FromF32(Random(rng, m * k), m, k);
            var B = MatrixRef.FromF32(Random(rng, k * n), k, n);
            var c = new float[m * n];
            double seconds = Best(() => NaiveGemm.Multiply(A, B, c, n), 2);
            double gf = Flops(m, k, n) / seconds / 1e9;
            int t1 = options.Threads.Min();
            results.Add(new GemmBenchResult("naive", m, k, n, "NaiveGemm (fp64 accumulation)", 1, gf, 100 * gf / peak[t1], null));
        }

        log.WriteLine();
        log.WriteLine($"{"shape",-5} {"M×K×N",-18} {"variant",-29} {"thr",3} {"GFLOP/s",8} {"% peak",7} {"vs OpenBLAS",11}");
        foreach (var r in results)
            log.WriteLine($"{r.Shape,-5} {$"{r.M}×{r.K}×{r.N}",-18} {r.Variant,-29} {r.Threads,3} {r.GFlops,8:F1} {r.PercentOfPeak,6:F0}% {(r.VersusOpenBlas is double x ? $"{100 * x:F0}%" : ""),11}");
        return new GemmBenchReport(machine, peak, blas is null ? null : $"{blas.Path} ({blas.Config})", results);
    }

    static double Flops(int m, int k, int n) => 2.0 * m * k * n;

    /// <summary>Best time of each variant over rounds in which every variant runs once, after one warm-up round.</summary>
    static double[] TimeInterleaved(List<(string Label, Action Body)> variants, int threads, OpenBlasGemm? blas, int repetitions)
    {
        var best = Enumerable.Repeat(double.MaxValue, variants.Count).ToArray();
        using var scope = ComputeSettings.UseThreads(threads);
        blas?.SetThreads(threads);
        for (int round = 0; round <= repetitions; round++)
        {
            for (int v = 0; v < variants.Count; v++)
            {
                var sw = Stopwatch.StartNew();
                variants[v].Body();
                double s = sw.Elapsed.TotalSeconds;
                if (round > 0) best[v] = Math.Min(best[v], s);
                // OpenBLAS worker threads spin for a while after a call; let them go to sleep before timing ours.
                if (blas is not null && threads > 1) Thread.Sleep(200);
            }
        }
        return best;
    }

    static double Best(Action body, int repetitions)
    {
        double best = double.MaxValue;
        for (int r = 0; r <= repetitions; r++)
        {
            var sw = Stopwatch.StartNew();
            body();
            if (r > 0) best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return best;
    }

    static float[] Random(Random rng, long n)
    {
        var x = new float[n];
        for (long i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    static string DescribeMachine()
    {
        string cpu = "unknown CPU";
        try
        {
            var line = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name")) : null;
            if (line is not null) cpu = line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        return $"{cpu}, {Environment.ProcessorCount} logical CPUs, {RuntimeInformation.FrameworkDescription}, " +
               $"AVX2={Avx2.IsSupported} FMA={Fma.IsSupported} AVX-512F={Avx512F.IsSupported} Vector512 accelerated={Vector512.IsHardwareAccelerated}";
    }
}
