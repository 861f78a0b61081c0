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
