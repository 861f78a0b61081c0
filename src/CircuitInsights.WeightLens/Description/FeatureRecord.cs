using CircuitInsights.Transcoders;

namespace CircuitInsights.WeightLens.Description;

/// <summary>An upstream feature in <c>feature_to_feature_contributions</c>.</summary>
public sealed record FeatureContribution(int FromLayer, int FromFeatureIdx, double Contribution, double RelativeContribution);

/// <summary>
/// One feature's WeightLens result with exactly the fields (and JSON keys) of the authors' <c>feature_analysis_layer_{L}.json</c>
/// records (reference.md §3.4; WL input_invariant_analysis.analyze_feature / generate_description). Numbers are held as fp64
/// so that files from either implementation round-trip unchanged; values that are fp32 in the computation (contributions,
/// activations, token relative contributions) are the fp64 images of fp32 numbers, as torch's <c>tolist()</c> writes them.
/// </summary>
public sealed class FeatureRecord
{
    public required int Layer { get; init; }
    public required int FeatureIdx { get; init; }

    // embedding
    public required string[] TopPositiveTokens { get; init; }
    public required int[] TopPositiveTokenIds { get; init; }
    public required double[] TopPositiveTokensContribution { get; init; }
    public required double[] TopPositiveTokensRelativeContribution { get; init; }
    /// <summary>Activation of the feature on [BOS, token] for each positive token.</summary>
    public required double[] PositiveTokensActivation { get; init; }
    public required string[] TopNegativeTokens { get; init; }
    public required int[] TopNegativeTokensIds { get; init; }
    public required double[] TopNegativeTokensContribution { get; init; }
    public required double[] TopNegativeTokensRelativeContribution { get; init; }

    // output_logits
    public required string[] OutputTopPositiveTokens { get; init; }
    public required string[] OutputTopNegativeTokens { get; init; }

    /// <summary>Sorted by relative contribution, descending (stable).</summary>
    public required FeatureContribution[] FeatureToFeatureContributions { get; init; }
    public required double TotalInputInvariantDetectedContribution { get; init; }
    public required double TotalInputInvariantContribution { get; init; }

    /// <summary>Own positive tokens with activation &gt; 0 plus inherited upstream descriptions (null when empty).</summary>
    public required string[]? DescriptionSoft { get; init; }
    /// <summary>The validated tokens, sorted and unique (null when there are none).</summary>
    public required string[]? Description { get; init; }
    public required bool Validation { get; init; }
    public required double ValidationSoft { get; init; }

    public FeatureId Feature => new(Layer, FeatureIdx);
}
