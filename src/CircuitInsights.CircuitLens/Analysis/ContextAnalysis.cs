using System.Text.Json.Serialization;

namespace CircuitInsights.CircuitLens.Analysis;

/// <summary>An upstream transcoder feature's contribution to the target (summed over its source positions).</summary>
public sealed record FeatureContribution(
    [property: JsonPropertyName("layer")] int Layer,
    [property: JsonPropertyName("feature")] int Feature,
    [property: JsonPropertyName("contribution")] float Contribution,
    [property: JsonPropertyName("position")] int Position);

/// <summary>An attention head's contribution reading source position target + <paramref name="Delta"/>.</summary>
public sealed record HeadContribution(
    [property: JsonPropertyName("layer")] int Layer,
    [property: JsonPropertyName("head")] int Head,
    [property: JsonPropertyName("delta")] int Delta,
    [property: JsonPropertyName("contribution")] float Contribution);

/// <summary>Effect of the feature on a logit.</summary>
public sealed record TokenEffect(
    [property: JsonPropertyName("token")] int Token,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("effect")] float Effect,
    [property: JsonPropertyName("offset")] int Offset = 0);

/// <summary>
/// What CircuitLens found in one sampled context of a feature: the input-centric attribution of its pre-activation
/// (features via the frozen Jacobian; heads as A_h[p,s]·(v_s W_O^h)·g summed over destinations; error, embedding and bias
/// totals; completeness: their sum equals the pre-activation) and the output-centric effects.
/// </summary>
public sealed record ContextAnalysis
{
    [JsonPropertyName("window")] public required int Window { get; init; }
    [JsonPropertyName("input_ids")] public required int[] InputIds { get; init; }
    [JsonPropertyName("target_position")] public required int TargetPosition { get; init; }
    [JsonPropertyName("target_activation")] public required float TargetActivation { get; init; }
    [JsonPropertyName("target_preactivation")] public required float TargetPreactivation { get; init; }
    [JsonPropertyName("cluster")] public int Cluster { get; set; } = -1;
    [JsonPropertyName("features")] public required FeatureContribution[] Features { get; init; }
    [JsonPropertyName("heads")] public required HeadContribution[] Heads { get; init; }
    [JsonPropertyName("embedding_total")] public required float EmbeddingTotal { get; init; }
    [JsonPropertyName("error_total")] public required float ErrorTotal { get; init; }
    [JsonPropertyName("bias_total")] public required float BiasTotal { get; init; }
    /// <summary>Sum of all feature contributions (not only the listed ones).</summary>
    [JsonPropertyName("feature_total")] public required float FeatureTotal { get; init; }
    /// <summary>Effect on the logit of the actual next tokens (offset 0 = the token right after the target position).</summary>
    [JsonPropertyName("next_token_effects")] public required TokenEffect[] NextTokenEffects { get; init; }
    /// <summary>Direct effect (through the frozen final norm only) on the demeaned logits at the target position.</summary>
    [JsonPropertyName("promoted")] public required TokenEffect[] Promoted { get; init; }
    [JsonPropertyName("suppressed")] public required TokenEffect[] Suppressed { get; init; }
    /// <summary>The significant contributors used for clustering: "f:{layer}:{feature}" and "h:{layer}:{head}:{delta}".</summary>
    [JsonPropertyName("circuit")] public required string[] Circuit { get; init; }
}
