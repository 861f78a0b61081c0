using System.Text.Json;
using System.Text.Json.Serialization;

namespace CircuitInsights.WeightLens.Run;

/// <summary>
/// Everything that determines a run's outputs (style rule: numerics-changing choices are stored with every artifact):
/// the model and transcoder identity, the resolved options and the selection. Stored in the run state (a resumed run
/// must match it) and at the top of <c>weightlens_summary.json</c>. Shards of one run differ only in <see cref="Shard"/>.
/// </summary>
public sealed record RunManifest
{
    [JsonPropertyName("format")] public string Format { get; init; } = "circuit-insights/weightlens/1";
    [JsonPropertyName("model")] public required ModelInfo Model { get; init; }
    [JsonPropertyName("transcoders")] public required TranscoderInfo Transcoders { get; init; }
    [JsonPropertyName("options")] public required OptionsInfo Options { get; init; }
    [JsonPropertyName("selection")] public required string Selection { get; init; }
    /// <summary>"i/n" for a shard, null for a whole run.</summary>
    [JsonPropertyName("shard")] public string? Shard { get; init; }

    public sealed record ModelInfo(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("architecture")] string Architecture,
        [property: JsonPropertyName("layers")] int Layers,
        [property: JsonPropertyName("d_model")] int DModel,
        [property: JsonPropertyName("vocab")] int Vocab,
        [property: JsonPropertyName("embedding_scale")] float EmbeddingScale);

    public sealed record TranscoderInfo(
        [property: JsonPropertyName("format")] string Format,
        [property: JsonPropertyName("width")] int Width,
        [property: JsonPropertyName("layers")] int[] Layers,
        [property: JsonPropertyName("activation")] string Activation,
        [property: JsonPropertyName("input_hook")] string InputHook,
        [property: JsonPropertyName("output_hook")] string OutputHook);

    public sealed record OptionsInfo(
        [property: JsonPropertyName("preset")] string Preset,
        [property: JsonPropertyName("threshold_tokens")] double ThresholdTokens,
        [property: JsonPropertyName("threshold_features")] double ThresholdFeatures,
        [property: JsonPropertyName("token_pool")] int TokenPool,
        [property: JsonPropertyName("feature_pool")] int FeaturePool,
        [property: JsonPropertyName("validation")] string Validation,
        [property: JsonPropertyName("validation_bos_id")] int? ValidationBosId,
        [property: JsonPropertyName("sequence_bos_id")] int? SequenceBosId,
        [property: JsonPropertyName("inheritance")] string Inheritance);

    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static RunManifest Create(WeightLensModel model, WeightLensOptions options, FeatureSelection selection)
    {
        var spec = model.Decoder.Spec;
        var info = model.Transcoders.Info;
        var describer = new Description.LayerDescriber(model, options, new Validation.ActivationProbe(model, 1));
        return new RunManifest
        {
            Model = new ModelInfo(model.Name, spec.Architecture, spec.Layers, spec.DModel, model.Vocab, spec.EmbeddingScale),
            Transcoders = new TranscoderInfo(info.Format, info.Width, model.Layers.Order().ToArray(), info.Activation, info.InputHook, info.OutputHook),
            Options = new OptionsInfo(options.Preset, options.ThresholdTokens, options.ThresholdFeatures, options.TokenPool, options.FeaturePool,
                options.Validation == ValidationMode.PerToken ? "per-token" : "authors",
                describer.ValidationBos,
                options.Validation == ValidationMode.Authors ? describer.SequenceBos : null,
                describer.Policy == InheritancePolicy.FirstLayer ? "first-layer" : "all-layers"),
            Selection = selection.Describe(withShard: false),
            Shard = selection.ShardCount > 1 ? $"{selection.ShardIndex}/{selection.ShardCount}" : null,
        };
    }

    /// <summary>Canonical text, used to compare runs.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
