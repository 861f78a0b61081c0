namespace CircuitInsights.Bench;

/// <summary>Settings of <see cref="GemmBenchmark.Run"/>.</summary>
public sealed record GemmBenchOptions
{
    /// <summary>Timed repetitions per measurement (after one warm-up); the best is reported.</summary>
    public int Repetitions { get; init; } = 3;
    /// <summary>Thread counts to measure.</summary>
    public int[] Threads { get; init; } = [1, 2];
    /// <summary>Divide the row count M of each shape by this (1 = the full shapes; larger for a quick smoke run).</summary>
    public int RowDivisor { get; init; } = 1;
    /// <summary>Compare with OpenBLAS when the library can be loaded.</summary>
    public bool OpenBlas { get; init; } = true;
    /// <summary>Also time the naive triple loop (on a reduced shape).</summary>
    public bool Naive { get; init; } = true;
}

/// <summary>One timed product.</summary>
/// <param name="Shape">Name of the shape (S1, S2, S3, naive).</param>
/// <param name="M">Rows of A and C.</param>
/// <param name="K">Reduction length.</param>
/// <param name="N">Columns of B and C.</param>
/// <param name="Variant">Which implementation and B storage ("ours, B pre-packed fp32", "OpenBLAS", …).</param>
/// <param name="Threads">Thread count.</param>
/// <param name="GFlops">Best 2·M·N·K / time, in 10⁹ flop per second.</param>
/// <param name="PercentOfPeak">GFlops as a percentage of the measured FMA peak at the same thread count.</param>
/// <param name="VersusOpenBlas">GFlops / OpenBLAS GFlops on the same shape and thread count, when measured.</param>
public sealed record GemmBenchResult(string Shape, int M, int K, int N, string Variant, int Threads, double GFlops, double PercentOfPeak, double? VersusOpenBlas);

/// <summary>Everything <see cref="GemmBenchmark.Run"/> measured.</summary>
public sealed record GemmBenchReport(string Machine, IReadOnlyDictionary<int, double> PeakGFlops, string? OpenBlas, IReadOnlyList<GemmBenchResult> Results);
