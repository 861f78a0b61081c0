namespace CircuitInsights.Bench;

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
