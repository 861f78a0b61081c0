using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CircuitInsights.Bench;

/// <summary>
/// Measures the machine's fp32 FMA ceiling: 12 independent Vector256 FMA chains per thread (enough to hide the FMA
/// latency on 2 FMA pipes), on 1..n threads started together. This is the realistic "100 %" for GEMM efficiency.
/// </summary>
public static class FmaPeak
{
    /// <summary>Best-of-<paramref name="repetitions"/> GFLOP/s on <paramref name="threads"/> threads (≈ 0.2 s per run).</summary>
    public static double Measure(int threads, int repetitions = 5)
    {
        if (!Fma.IsSupported) return double.NaN;
        const long iterations = 20_000_000;
        Chains(1000); // JIT
        double best = 0;
        for (int rep = 0; rep < repetitions; rep++)
        {
            using var start = new Barrier(threads + 1);
            var workers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                workers[t] = new Thread(() => { start.SignalAndWait(); Chains(iterations); }) { IsBackground = true };
                workers[t].Start();
            }
            start.SignalAndWait();
            var sw = Stopwatch.StartNew();
            foreach (var w in workers) w.Join();
            double seconds = sw.Elapsed.TotalSeconds;
            best = Math.Max(best, threads * iterations * 12.0 * 16 / seconds / 1e9); // 12 FMAs × 8 lanes × 2 flop
        }
        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static float Chains(long iterations)
    {
        Vector256<float> x = Vector256.Create(0.999f), y = Vector256.Create(1e-7f);
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector256<float> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Fma.MultiplyAdd(a0, x, y); a1 = Fma.MultiplyAdd(a1, x, y); a2 = Fma.MultiplyAdd(a2, x, y);
            a3 = Fma.MultiplyAdd(a3, x, y); a4 = Fma.MultiplyAdd(a4, x, y); a5 = Fma.MultiplyAdd(a5, x, y);
            a6 = Fma.MultiplyAdd(a6, x, y); a7 = Fma.MultiplyAdd(a7, x, y); a8 = Fma.MultiplyAdd(a8, x, y);
            a9 = Fma.MultiplyAdd(a9, x, y); a10 = Fma.MultiplyAdd(a10, x, y); a11 = Fma.MultiplyAdd(a11, x, y);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).ToScalar();
    }
}
