namespace CircuitInsights.Bench;

/// <summary>Everything <see cref="GemmBenchmark.Run"/> measured.</summary>
/// <param name="Machine">CPU, logical processors, runtime and ISA flags.</param>
/// <param name="PeakGFlops">Measured FMA peak per thread count (best of before and after the products).</param>
/// <param name="OpenBlas">The OpenBLAS library and configuration used, or null when not installed.</param>
/// <param name="Results">Every timed product.</param>
public sealed record GemmBenchReport(string Machine, IReadOnlyDictionary<int, double> PeakGFlops, string? OpenBlas, IReadOnlyList<GemmBenchResult> Results);
