using System.Text.Json;
using System.Text.Json.Serialization;
using CircuitInsights.Formats;
using CircuitInsights.WeightLens.Description;

namespace CircuitInsights.WeightLens.Run;

/// <summary>Counts of one layer's records.</summary>
public sealed record LayerSummary(
    [property: JsonPropertyName("layer")] int Layer,
    [property: JsonPropertyName("features")] int Features,
    [property: JsonPropertyName("validated")] int Validated,
    [property: JsonPropertyName("with_description_soft")] int WithDescriptionSoft,
    [property: JsonPropertyName("with_input_tokens")] int WithInputTokens,
    [property: JsonPropertyName("with_output_tokens")] int WithOutputTokens,
    [property: JsonPropertyName("with_upstream_features")] int WithUpstreamFeatures,
    [property: JsonPropertyName("mean_validation_soft")] double MeanValidationSoft)
{
    public static LayerSummary Of(int layer, IReadOnlyCollection<FeatureRecord> records) => new(
        layer, records.Count,
        records.Count(r => r.Validation),
        records.Count(r => r.DescriptionSoft is not null),
        records.Count(r => r.TopPositiveTokens.Length > 0),
        records.Count(r => r.OutputTopPositiveTokens.Length + r.OutputTopNegativeTokens.Length > 0),
        records.Count(r => r.FeatureToFeatureContributions.Length > 0),
        records.Count == 0 ? 0 : records.Sum(r => r.ValidationSoft) / records.Count);
}

/// <summary>
/// <c>weightlens_summary.json</c>: the run manifest and per-layer counts (validated = the paper's "described" share).
/// Deterministic (no timings or paths), so merged shards reproduce a single run's summary byte for byte.
/// </summary>
public sealed record RunSummary
{
    public const string FileName = "weightlens_summary.json";

    [JsonPropertyName("manifest")] public required RunManifest Manifest { get; init; }
    [JsonPropertyName("layers")] public required LayerSummary[] Layers { get; init; }
    [JsonPropertyName("features")] public int Features => Layers.Sum(l => l.Features);
    [JsonPropertyName("validated")] public int Validated => Layers.Sum(l => l.Validated);
    [JsonPropertyName("validated_share")] public double ValidatedShare => Features == 0 ? 0 : (double)Validated / Features;

    public void Write(string directory) =>
        AtomicFile.Write(Path.Combine(directory, FileName), s => JsonSerializer.Serialize(s, this, RunManifest.Json));

    public static RunSummary Read(string directory)
    {
        string path = Path.Combine(directory, FileName);
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<RunSummary>(stream, RunManifest.Json) ?? throw new CircuitInsightsException($"{path}: empty summary");
        }
        catch (JsonException e) { throw new CircuitInsightsException($"{path}: invalid summary ({e.Message})", e); }
        catch (IOException e) { throw new CircuitInsightsException($"{path}: cannot read ({e.Message})", e); }
    }
}
