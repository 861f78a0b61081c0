using System.Text.Json.Serialization;
using CircuitInsights.CircuitLens.Corpus;

namespace CircuitInsights.CircuitLens.Cache;

/// <summary>Options of an activation-cache pass; stored in <c>cache.json</c> and checked on resume and merge.</summary>
public sealed record CacheOptions
{
    /// <summary>Transcoder layers to cache (the forward pass stops after the deepest one).</summary>
    [JsonPropertyName("layers")] public required int[] Layers { get; init; }
    [JsonPropertyName("context_length")] public int ContextLength { get; init; } = 128;
    [JsonPropertyName("prepend_bos")] public bool PrependBos { get; init; } = true;
    [JsonPropertyName("max_tokens")] public long? MaxTokens { get; init; }
    [JsonPropertyName("text_field")] public string TextField { get; init; } = "text";
    /// <summary>Best windows kept exactly per feature (by the window's max activation).</summary>
    [JsonPropertyName("top_k")] public int TopK { get; init; } = 100;
    /// <summary>Uniform sample of active windows per feature (bottom-k of a hash: deterministic and mergeable).</summary>
    [JsonPropertyName("reservoir")] public int Reservoir { get; init; } = 128;
    /// <summary>Position 0 (BOS) is excluded from all statistics, as circuit-tracer zeroes it.</summary>
    [JsonPropertyName("skip_first_position")] public bool SkipFirstPosition { get; init; } = true;
    /// <summary>Upstream features per target tracked for TWERA co-activation (largest |virtual weight|); 0 = off.</summary>
    [JsonPropertyName("coactivation_pairs")] public int CoactivationPairs { get; init; } = 16;
    [JsonPropertyName("batch_size")] public int BatchSize { get; init; } = 16;
    [JsonPropertyName("checkpoint_windows")] public int CheckpointWindows { get; init; } = 2000;
    [JsonPropertyName("seed")] public int Seed { get; init; } = 1234;
    /// <summary>Process only windows with index % ShardCount == ShardIndex.</summary>
    [JsonPropertyName("shard_index")] public int ShardIndex { get; init; }
    [JsonPropertyName("shard_count")] public int ShardCount { get; init; } = 1;

    public WindowOptions Windows => new() { ContextLength = ContextLength, PrependBos = PrependBos, MaxTokens = MaxTokens };

    public void Validate()
    {
        if (Layers.Length == 0) throw new CircuitInsightsException("no layers to cache");
        if (TopK < 1 || Reservoir < 1) throw new CircuitInsightsException("--top-k and --reservoir must be at least 1");
        if (ShardCount < 1 || ShardIndex < 0 || ShardIndex >= ShardCount) throw new CircuitInsightsException($"--shard {ShardIndex}/{ShardCount}: need 0 ≤ i < n");
        if (BatchSize < 1) throw new CircuitInsightsException("--batch-size must be at least 1");
    }

    /// <summary>The options that must agree between runs whose sketches are merged or resumed.</summary>
    public CacheOptions Canonical() => this with { ShardIndex = 0, ShardCount = 1, BatchSize = 0, CheckpointWindows = 0 };
}
