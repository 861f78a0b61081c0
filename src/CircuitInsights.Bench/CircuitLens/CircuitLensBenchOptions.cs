namespace CircuitInsights.Bench.CircuitLensBench;

/// <summary>Options of <see cref="CircuitLensBenchmark"/>. The defaults are the GPT-2-small shapes of the issue.</summary>
public sealed record CircuitLensBenchOptions
{
    /// <summary>Tokens cached (the corpus is cut at this many tokens, BOS included).</summary>
    public long Tokens { get; init; } = 20_000;
    /// <summary>Contexts attributed in the CircuitLens step (each analysed on its own, one target per window).</summary>
    public int Contexts { get; init; } = 40;
    /// <summary>Features whose sampled contexts are attributed (spread over the layers).</summary>
    public int Features { get; init; } = 4;
    /// <summary>The cache pass runs as this many shards one after the other (same total tokens), then merges them, so the merge is timed.</summary>
    public int Shards { get; init; } = 2;
    public int ContextLength { get; init; } = 128;
    public int BatchSize { get; init; } = 16;
    /// <summary>Model layers (GPT-2 small: 12); every layer has a transcoder and is cached.</summary>
    public int Layers { get; init; } = 12;
    public int TranscoderWidth { get; init; } = 24576;
    /// <summary>Mean active features per position the encoder biases are calibrated to.</summary>
    public int ActivePerPosition { get; init; } = 50;
    /// <summary>TWERA pairs per target feature (the cache default). Their setup (a K×K virtual-weight GEMM per layer pair) is
    /// timed for one layer pair and extrapolated; the pass itself runs with them only when <see cref="CoactivationInPass"/>.</summary>
    public int CoactivationPairs { get; init; } = 16;
    /// <summary>Track TWERA co-activation in the timed pass too (its setup then costs ≈ L(L−1)/2 layer-pair GEMMs per shard: minutes to hours).</summary>
    public bool CoactivationInPass { get; init; }
    /// <summary>Folder for the corpus and the caches (default: a new temporary folder, deleted afterwards).</summary>
    public string? WorkDirectory { get; init; }
    public int Seed { get; init; } = 1;

    public void Validate()
    {
        if (Tokens < 256) throw new CircuitInsightsException($"bench circuitlens: --tokens must be at least 256 (got {Tokens})");
        if (Contexts < 1) throw new CircuitInsightsException($"bench circuitlens: --contexts must be at least 1 (got {Contexts})");
        if (Features < 1) throw new CircuitInsightsException($"bench circuitlens: --features must be at least 1 (got {Features})");
        if (Shards < 1 || Shards > 64) throw new CircuitInsightsException($"bench circuitlens: --shards must be in [1, 64] (got {Shards})");
        if (ContextLength < 16 || ContextLength > 1024) throw new CircuitInsightsException($"bench circuitlens: context length must be in [16, 1024] (got {ContextLength})");
        if (Layers < 2 || TranscoderWidth < 16 || BatchSize < 1 || ActivePerPosition < 1)
            throw new CircuitInsightsException("bench circuitlens: need at least 2 layers, width 16, batch 1 and 1 active feature per position");
    }
}
