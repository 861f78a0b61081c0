using CircuitInsights.WeightLens.Projection;

namespace CircuitInsights.WeightLens.Description;

/// <summary>
/// Turns a <see cref="FeatureAnalysis"/>, the activations of its positive tokens and its finished description into the
/// authors' record (WL analyze_feature): relative contributions |c| / total (fp32 division for tokens, as torch does it
/// on an fp32 tensor; fp64 for features), upstream features sorted by relative contribution (stable, descending),
/// detected contribution = Σ token relatives + Σ feature relatives.
/// </summary>
internal static class RecordBuilder
{
    public static FeatureRecord Build(FeatureAnalysis a, float[] positiveActivations, DescriptionResult description, Func<int, string> tokenString)
    {
        double total = a.TotalContribution;
        float total32 = (float)total;
        double[] Relative(TokenScore[] s) => s.Select(t => (double)(MathF.Abs(t.Value) / total32)).ToArray();
        var contributions = a.Upstream
            .Select(u => new FeatureContribution(u.FromLayer, u.FromIndex, u.Contribution, Math.Abs((double)u.Contribution) / total))
            .OrderByDescending(c => c.RelativeContribution) // stable, like Python's sorted(reverse=True)
            .ToArray();
        var positiveRelative = Relative(a.InputPositive);
        double tokenSum = 0, featureSum = 0;
        foreach (double r in positiveRelative) tokenSum += r;
        foreach (var c in contributions) featureSum += c.RelativeContribution;
        return new FeatureRecord
        {
            Layer = a.Feature.Layer,
            FeatureIdx = a.Feature.Index,
            TopPositiveTokens = a.InputPositive.Select(t => tokenString(t.TokenId)).ToArray(),
            TopPositiveTokenIds = a.InputPositive.Select(t => t.TokenId).ToArray(),
            TopPositiveTokensContribution = a.InputPositive.Select(t => (double)t.Value).ToArray(),
            TopPositiveTokensRelativeContribution = positiveRelative,
            PositiveTokensActivation = positiveActivations.Select(v => (double)v).ToArray(),
            TopNegativeTokens = a.InputNegative.Select(t => tokenString(t.TokenId)).ToArray(),
            TopNegativeTokensIds = a.InputNegative.Select(t => t.TokenId).ToArray(),
            TopNegativeTokensContribution = a.InputNegative.Select(t => (double)t.Value).ToArray(),
            TopNegativeTokensRelativeContribution = Relative(a.InputNegative),
            OutputTopPositiveTokens = a.OutputPositive.Select(t => tokenString(t.TokenId)).ToArray(),
            OutputTopNegativeTokens = a.OutputNegative.Select(t => tokenString(t.TokenId)).ToArray(),
            FeatureToFeatureContributions = contributions,
            TotalInputInvariantDetectedContribution = tokenSum + featureSum,
            TotalInputInvariantContribution = total,
            DescriptionSoft = description.Soft,
            Description = description.Description,
            Validation = description.Validation,
            ValidationSoft = description.ValidationSoft,
        };
    }

    /// <summary>Upstream features in the record's order (relative contribution descending, stable).</summary>
    public static UpstreamLink[] SortedUpstream(FeatureAnalysis a)
    {
        double total = a.TotalContribution;
        return a.Upstream.OrderByDescending(u => Math.Abs((double)u.Contribution) / total).ToArray();
    }
}
