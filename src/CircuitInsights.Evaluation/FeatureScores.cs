using System.Text.Json.Serialization;

namespace CircuitInsights.Evaluation;

/// <summary>FADE scores of one method's description of one feature: one line of <c>scores.jsonl</c>. Null = not
/// computed (not described, an empty class, or Faithfulness gated off).</summary>
public sealed record FeatureScores
{
    [JsonPropertyName("method")] public required string Method { get; init; }
    [JsonPropertyName("layer")] public required int Layer { get; init; }
    [JsonPropertyName("feature")] public required int Feature { get; init; }
    [JsonPropertyName("judge")] public required string Judge { get; init; }
    [JsonPropertyName("described")] public required bool Described { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("tokens")] public IReadOnlyList<string> Tokens { get; init; } = [];
    [JsonPropertyName("clarity")] public double? Clarity { get; init; }
    [JsonPropertyName("responsiveness")] public double? Responsiveness { get; init; }
    [JsonPropertyName("purity")] public double? Purity { get; init; }
    [JsonPropertyName("faithfulness")] public double? Faithfulness { get; init; }
    [JsonPropertyName("natural_samples")] public int NaturalSamples { get; init; }
    [JsonPropertyName("concept_samples")] public int ConceptSamples { get; init; }
    [JsonPropertyName("mean_natural_activation")] public double? MeanNaturalActivation { get; init; }
    [JsonPropertyName("mean_concept_activation")] public double? MeanConceptActivation { get; init; }
    /// <summary>Rated natural samples: counts of ratings 0, 1, 2 and of texts left unrated.</summary>
    [JsonPropertyName("ratings")] public int[] Ratings { get; init; } = [0, 0, 0, 0];
    /// <summary>Share of steered generations rated 2 per factor m ("m" → R_m), when Faithfulness ran.</summary>
    [JsonPropertyName("faithfulness_rates")] public Dictionary<string, double>? FaithfulnessRates { get; init; }
    [JsonPropertyName("seconds")] public double Seconds { get; init; }
}
