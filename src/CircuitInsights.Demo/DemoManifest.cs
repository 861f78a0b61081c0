using System.Text.Json;
using System.Text.Json.Serialization;

namespace CircuitInsights.Demo;

/// <summary>Ground truth of the demo model (written as <c>manifest.json</c> next to it).</summary>
public sealed record DemoManifest
{
    public const int CurrentVersion = 2;
    /// <summary>Name of the manifest inside the demo model's folder.</summary>
    public const string FileName = "manifest.json";

    [JsonPropertyName("version")] public int Version { get; init; } = CurrentVersion;
    [JsonPropertyName("seed")] public int Seed { get; init; }
    [JsonPropertyName("model_dir")] public string ModelDir { get; init; } = "model";
    [JsonPropertyName("transcoders_dir")] public string TranscodersDir { get; init; } = "transcoders";
    [JsonPropertyName("corpus_dir")] public string CorpusDir { get; init; } = "corpus";
    [JsonPropertyName("token_sets")] public Dictionary<string, TokenEntry[]> TokenSets { get; init; } = new();
    [JsonPropertyName("features")] public List<PlantedFeature> Features { get; init; } = [];
    [JsonPropertyName("heads")] public List<PlantedHead> Heads { get; init; } = [];
    [JsonPropertyName("graph_prompts")] public List<GraphPrompt> GraphPrompts { get; init; } = [];

    public PlantedFeature Feature(string name) => Features.Single(f => f.Name == name);

    static readonly JsonSerializerOptions Options = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static DemoManifest Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<DemoManifest>(File.ReadAllText(path), Options)
                ?? throw new CircuitInsightsException($"{path}: empty manifest");
        }
        catch (JsonException e)
        {
            throw new CircuitInsightsException($"{path}: invalid demo manifest ({e.Message})", e);
        }
        catch (IOException e)
        {
            throw new CircuitInsightsException($"{path}: cannot read demo manifest ({e.Message})", e);
        }
    }
}

public sealed record TokenEntry([property: JsonPropertyName("id")] int Id, [property: JsonPropertyName("text")] string Text);

public sealed record FeatureRef([property: JsonPropertyName("layer")] int Layer, [property: JsonPropertyName("index")] int Index);

public sealed record HeadRef([property: JsonPropertyName("layer")] int Layer, [property: JsonPropertyName("head")] int Head, [property: JsonPropertyName("delta")] int Delta);

/// <summary>One planted feature and what each method should find.</summary>
public sealed record PlantedFeature
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    /// <summary>token_detector, inherited, output, context, polysemantic.</summary>
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    [JsonPropertyName("layer")] public required int Layer { get; init; }
    [JsonPropertyName("index")] public required int Index { get; init; }
    [JsonPropertyName("description")] public required string Description { get; init; }
    /// <summary>Tokens that activate it on their own ([BOS, token]): what WeightLens should describe it with.</summary>
    [JsonPropertyName("input_set")] public string? InputSet { get; init; }
    /// <summary>Token sets its decoder promotes / suppresses through the unembedding.</summary>
    [JsonPropertyName("promoted_set")] public string? PromotedSet { get; init; }
    [JsonPropertyName("suppressed_set")] public string? SuppressedSet { get; init; }
    /// <summary>Upstream features whose decoder its encoder reads (weight-visible links).</summary>
    [JsonPropertyName("upstream")] public List<FeatureRef> Upstream { get; init; } = [];
    /// <summary>Heads (with relative source position) that carry its input.</summary>
    [JsonPropertyName("heads")] public List<HeadRef> Heads { get; init; } = [];
    /// <summary>For polysemantic features: disjoint circuits, each an upstream feature + head + trigger set.</summary>
    [JsonPropertyName("circuits")] public List<PlantedCircuit> Circuits { get; init; } = [];
    /// <summary>Whether weights alone (token/feature projections + single-token validation) explain it.</summary>
    [JsonPropertyName("weight_explainable")] public required bool WeightExplainable { get; init; }
    /// <summary>Calibration margin: min positive − max negative pre-activation on the calibration contexts.</summary>
    [JsonPropertyName("margin")] public float Margin { get; init; }
}

public sealed record PlantedCircuit
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("trigger_set")] public required string TriggerSet { get; init; }
    [JsonPropertyName("upstream")] public required FeatureRef Upstream { get; init; }
    [JsonPropertyName("head")] public required HeadRef Head { get; init; }
}

public sealed record PlantedHead
{
    [JsonPropertyName("layer")] public required int Layer { get; init; }
    [JsonPropertyName("head")] public required int Head { get; init; }
    [JsonPropertyName("role")] public required string Role { get; init; }
    /// <summary>Feature whose output the head copies from the previous position.</summary>
    [JsonPropertyName("copies")] public required string Copies { get; init; }
    /// <summary>Mean attention weight on the previous token measured on the calibration contexts.</summary>
    [JsonPropertyName("previous_token_weight")] public float PreviousTokenWeight { get; init; }
}

/// <summary>A prompt whose attribution graph must contain the planted path.</summary>
public sealed record GraphPrompt
{
    [JsonPropertyName("prompt")] public required string Prompt { get; init; }
    [JsonPropertyName("target")] public required FeatureRef Target { get; init; }
    [JsonPropertyName("target_position")] public required int TargetPosition { get; init; }
    [JsonPropertyName("source")] public required FeatureRef Source { get; init; }
    [JsonPropertyName("source_position")] public required int SourcePosition { get; init; }
}
