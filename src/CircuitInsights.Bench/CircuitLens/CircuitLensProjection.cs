namespace CircuitInsights.Bench.CircuitLensBench;

/// <summary>Projected wall time of one full-scale step on <see cref="Machines"/> machines (seconds).</summary>
/// <param name="ShardSeconds">One shard's cache pass: tokenising the whole corpus (every shard cuts all windows and keeps
/// every N-th) + its share of forward passes + TWERA setup + checkpoint saves.</param>
/// <param name="MergeSeconds">Merging the N shards' sketches on one machine (0 for N = 1).</param>
/// <param name="FinalizeSeconds">Sampling contexts for every feature + re-reading the corpus for the stored windows.</param>
public sealed record ProjectedCache(int Machines, double ShardSeconds, double MergeSeconds, double FinalizeSeconds)
{
    public double TotalSeconds => ShardSeconds + MergeSeconds + FinalizeSeconds;
}

/// <summary>
/// Extrapolates the measured rates of <see cref="CircuitLensBenchmark"/> to a full run: the cache pass over
/// <see cref="CorpusTokens"/> tokens split into N shards on N identical machines (shards partition the windows; the
/// merge and the finalisation run on one machine), and CircuitLens over every feature. A linear model: the rates do not
/// depend on the corpus size; checkpoints every <see cref="CheckpointWindows"/> windows cost one sketch save each.
/// </summary>
public sealed record CircuitLensProjection
{
    public long CorpusTokens { get; init; } = 24_000_000;
    public int ContextLength { get; init; } = 128;
    public int CheckpointWindows { get; init; } = 2000;
    /// <summary>Forward passes + sketch folding, tokens per second (final saves excluded).</summary>
    public required double PassTokensPerSecond { get; init; }
    /// <summary>Cutting the corpus into windows (reading + BPE), tokens per second.</summary>
    public required double TokenizeTokensPerSecond { get; init; }
    /// <summary>One save of all layers' sketches (a checkpoint or the final save).</summary>
    public required double SaveSeconds { get; init; }
    /// <summary>TWERA co-activation: candidate selection per shard (all layer pairs) and accumulation per token.</summary>
    public required double CoactivationSetupSeconds { get; init; }
    public required double CoactivationSecondsPerToken { get; init; }
    /// <summary>Merge cost per shard (load + merge + a share of the save).</summary>
    public required double MergeSecondsPerShard { get; init; }
    /// <summary>Finalisation without re-reading the corpus (sampling every feature, writing the samples).</summary>
    public required double FinalizeFixedSeconds { get; init; }
    /// <summary>CircuitLens: features × contexts per feature, analysed at <see cref="ContextsPerSecond"/>.</summary>
    public required long Features { get; init; }
    public int ContextsPerFeature { get; init; } = 100;
    public required double ContextsPerSecond { get; init; }
    /// <summary>Clustering + report per feature (after its contexts are attributed).</summary>
    public required double ClusterSecondsPerFeature { get; init; }
    /// <summary>Analysing many features' contexts of one window in one call: fixed cost per window and cost per target
    /// (<see cref="WindowSharingResult"/>); 0 = not measured.</summary>
    public double SharedWindowSeconds { get; init; }
    public double SharedTargetSeconds { get; init; }

    public ProjectedCache Cache(int machines)
    {
        double shardTokens = (double)CorpusTokens / machines;
        double windows = shardTokens / ContextLength;
        double checkpoints = Math.Floor(windows / CheckpointWindows) + 1; // periodic + final
        double shard = CorpusTokens / TokenizeTokensPerSecond + shardTokens / PassTokensPerSecond
            + CoactivationSetupSeconds + shardTokens * CoactivationSecondsPerToken + checkpoints * SaveSeconds;
        double merge = machines > 1 ? machines * MergeSecondsPerShard : 0;
        double finalize = FinalizeFixedSeconds + CorpusTokens / TokenizeTokensPerSecond;
        return new ProjectedCache(machines, shard, merge, finalize);
    }

    public long TotalContexts => Features * ContextsPerFeature;

    /// <summary>CircuitLens over every feature on N machines (features split evenly; results merged, cost not counted).</summary>
    public double CircuitLensSeconds(int machines) => (TotalContexts / ContextsPerSecond + Features * ClusterSecondsPerFeature) / machines;

    /// <summary>CircuitLens over every feature if the contexts of all features were grouped by window (every window of the
    /// cache analysed once, with all its targets), on N machines.</summary>
    public double CircuitLensGroupedSeconds(int machines) =>
        ((double)CorpusTokens / ContextLength * SharedWindowSeconds + TotalContexts * SharedTargetSeconds + Features * ClusterSecondsPerFeature) / machines;

    /// <summary>Seconds as "12.3 s", "4.5 min", "7.8 h" or "3.2 days".</summary>
    public static string Duration(double s) => s switch
    {
        < 120 => $"{s:F1} s",
        < 7200 => $"{s / 60:F1} min",
        < 172800 => $"{s / 3600:F1} h",
        _ => $"{s / 86400:F1} days",
    };

    public void Write(TextWriter log, IEnumerable<int> machines)
    {
        log.WriteLine($"projection: cache pass over {CorpusTokens:N0} tokens (windows of {ContextLength}, checkpoint every {CheckpointWindows} windows), N shards on N machines like this one:");
        log.WriteLine($"  {"N",5}  {"per shard",12}  {"merge",10}  {"finalize",10}  {"total",12}");
        foreach (int n in machines)
        {
            var p = Cache(n);
            log.WriteLine($"  {n,5}  {Duration(p.ShardSeconds),12}  {Duration(p.MergeSeconds),10}  {Duration(p.FinalizeSeconds),10}  {Duration(p.TotalSeconds),12}");
        }
        log.WriteLine($"projection: CircuitLens on all {Features:N0} features × {ContextsPerFeature} contexts = {TotalContexts:N0} contexts at {ContextsPerSecond:F3} contexts/s "
            + $"(each context its own window, as in a {CorpusTokens / 1e6:F0}M-token cache where 16 features × {ContextsPerFeature} samples rarely share one of {CorpusTokens / ContextLength:N0} windows):");
        foreach (int n in machines) log.WriteLine($"  {n,5} machines: {Duration(CircuitLensSeconds(n))}");
        if (SharedWindowSeconds <= 0 && SharedTargetSeconds <= 0) return;
        long windows = CorpusTokens / ContextLength;
        log.WriteLine($"projection: the same if every window were analysed once for all features sampled in it ({TotalContexts / (double)windows:F0} targets per window on average; "
            + $"{SharedWindowSeconds:F2} s per window + {SharedTargetSeconds:F3} s per target, extrapolated linearly):");
        foreach (int n in machines) log.WriteLine($"  {n,5} machines: {Duration(CircuitLensGroupedSeconds(n))}");
    }
}
