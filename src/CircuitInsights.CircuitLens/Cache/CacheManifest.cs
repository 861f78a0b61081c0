using System.Text.Json;
using System.Text.Json.Serialization;
using CircuitInsights.Formats;
using CircuitInsights.Transcoders;

namespace CircuitInsights.CircuitLens.Cache;

/// <summary><c>cache.json</c>: what a cache folder holds and how far its pass got (written last, atomically).</summary>
public sealed record CacheManifest
{
    public const int CurrentVersion = 1;

    [JsonPropertyName("version")] public int Version { get; init; } = CurrentVersion;
    /// <summary>running (resumable), complete (pass done), finalized (samples and contexts written).</summary>
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("options")] public required CacheOptions Options { get; init; }
    [JsonPropertyName("corpus")] public required string Corpus { get; init; }
    [JsonPropertyName("corpus_fingerprint")] public required string CorpusFingerprint { get; init; }
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("transcoders")] public required TranscoderSetInfo Transcoders { get; init; }
    [JsonPropertyName("features")] public required int Features { get; init; }
    /// <summary>Corpus windows up to (excluding) this index have been processed (by this shard).</summary>
    [JsonPropertyName("next_window")] public long NextWindow { get; init; }
    [JsonPropertyName("windows")] public long Windows { get; init; }
    [JsonPropertyName("tokens")] public long Tokens { get; init; }
    /// <summary>Positions counted in the statistics (non-padding, excluding position 0 when skipped).</summary>
    [JsonPropertyName("positions")] public long Positions { get; init; }
    /// <summary>Shards merged into this cache (1 for a direct run).</summary>
    [JsonPropertyName("merged_shards")] public int MergedShards { get; init; } = 1;

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static string PathIn(string dir) => System.IO.Path.Combine(dir, "cache.json");

    public void Save(string dir) => AtomicFile.Write(PathIn(dir), s => JsonSerializer.Serialize(s, this, Json));

    public static CacheManifest? TryLoad(string dir)
    {
        string path = PathIn(dir);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<CacheManifest>(File.ReadAllText(path), Json) ?? throw new CircuitInsightsException($"{path}: empty");
        }
        catch (JsonException e)
        {
            throw new CircuitInsightsException($"{path}: invalid cache manifest ({e.Message})", e);
        }
    }

    public static CacheManifest Load(string dir) => TryLoad(dir) ?? throw new CircuitInsightsException($"{dir}: not an activation cache (no cache.json); run 'circuit-insights cache' first");

    public static string LayerFile(string dir, int layer) => System.IO.Path.Combine(dir, $"layer_{layer}.safetensors");
    public static string CoactivationFile(string dir, int layer) => System.IO.Path.Combine(dir, $"coactivation_layer_{layer}.safetensors");
    public static string SamplesFile(string dir, int layer) => System.IO.Path.Combine(dir, $"samples_layer_{layer}.safetensors");
    public static string ContextsFile(string dir) => System.IO.Path.Combine(dir, "contexts.safetensors");
}
