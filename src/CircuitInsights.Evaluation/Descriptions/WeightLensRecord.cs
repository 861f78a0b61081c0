using CircuitInsights.CircuitLens;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Evaluation.Descriptions;

/// <summary>The fields of one WeightLens feature record that evaluation uses (paper.md §8, reference.md §3.4).</summary>
/// <param name="Description">Validated input tokens (<c>description</c>), empty when null.</param>
/// <param name="Validation">The record's <c>validation</c>: the description activates the feature.</param>
/// <param name="PromotedTokens"><c>output_logits.top_positive_tokens</c> (not validated).</param>
public sealed record WeightLensRecord(FeatureId Feature, IReadOnlyList<string> Description, bool Validation, IReadOnlyList<string> PromotedTokens, IReadOnlyList<string> SuppressedTokens)
{
    /// <summary>Described as the authors' notebook defines it: a non-empty description that passed validation.</summary>
    public bool IsDescribed => Validation && Description.Count > 0;
}
