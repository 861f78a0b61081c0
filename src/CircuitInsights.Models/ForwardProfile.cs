using System.Diagnostics;

namespace CircuitInsights.Models;

/// <summary>
/// Optional wall-clock breakdown of forward passes (benchmarks only): time spent in the large GEMMs (QKV/O projections,
/// MLP, unembedding), in the attention core (scores, softmax, value mixing), and everything else.
/// </summary>
public sealed class ForwardProfile
{
    readonly Dictionary<string, long> _ticks = new(StringComparer.Ordinal);
    readonly object _lock = new();

    public const string ProjectionGemm = "projection GEMMs (QKV, O)";
    public const string MlpGemm = "MLP GEMMs";
    public const string UnembedGemm = "unembedding GEMM";
    public const string AttentionCore = "attention core (scores, softmax, mixing)";

    /// <summary>Runs <paramref name="action"/> and adds its duration to <paramref name="stage"/>.</summary>
    public void Time(string stage, Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        long elapsed = Stopwatch.GetTimestamp() - start;
        lock (_lock) _ticks[stage] = _ticks.GetValueOrDefault(stage) + elapsed;
    }

    public IReadOnlyDictionary<string, TimeSpan> Stages
    {
        get { lock (_lock) return _ticks.ToDictionary(kv => kv.Key, kv => TimeSpan.FromSeconds(kv.Value / (double)Stopwatch.Frequency)); }
    }

    /// <summary>Total time of the GEMM stages.</summary>
    public TimeSpan GemmTime => Stages.Where(kv => kv.Key is ProjectionGemm or MlpGemm or UnembedGemm).Aggregate(TimeSpan.Zero, (a, kv) => a + kv.Value);

    public void Reset()
    {
        lock (_lock) _ticks.Clear();
    }

    /// <summary>Times a stage when a profile is present (no overhead otherwise).</summary>
    public static void Run(ForwardProfile? profile, string stage, Action action)
    {
        if (profile is null) action();
        else profile.Time(stage, action);
    }
}
