using CircuitInsights.WeightLens.Description;

namespace CircuitInsights.WeightLens.Tests.Support;

internal static class RecordAssert
{
    /// <summary>Same tokens, ids, contributions, descriptions; numbers equal to <paramref name="relative"/> relative error.</summary>
    public static void Equal(FeatureRecord expected, FeatureRecord actual, double relative = 1e-5)
    {
        string at = $"L{expected.Layer}:{expected.FeatureIdx}";
        Assert.Equal(expected.Layer, actual.Layer);
        Assert.Equal(expected.FeatureIdx, actual.FeatureIdx);
        Assert.Equal(expected.TopPositiveTokenIds, actual.TopPositiveTokenIds);
        Assert.Equal(expected.TopPositiveTokens, actual.TopPositiveTokens);
        Close(expected.TopPositiveTokensContribution, actual.TopPositiveTokensContribution, relative, at + " positive contributions");
        Close(expected.TopPositiveTokensRelativeContribution, actual.TopPositiveTokensRelativeContribution, relative, at + " positive relative");
        Close(expected.PositiveTokensActivation, actual.PositiveTokensActivation, relative, at + " activations");
        Assert.Equal(expected.TopNegativeTokensIds, actual.TopNegativeTokensIds);
        Assert.Equal(expected.TopNegativeTokens, actual.TopNegativeTokens);
        Close(expected.TopNegativeTokensContribution, actual.TopNegativeTokensContribution, relative, at + " negative contributions");
        Close(expected.TopNegativeTokensRelativeContribution, actual.TopNegativeTokensRelativeContribution, relative, at + " negative relative");
        Assert.Equal(expected.OutputTopPositiveTokens, actual.OutputTopPositiveTokens);
        Assert.Equal(expected.OutputTopNegativeTokens, actual.OutputTopNegativeTokens);
        Assert.Equal(expected.FeatureToFeatureContributions.Select(c => (c.FromLayer, c.FromFeatureIdx)), actual.FeatureToFeatureContributions.Select(c => (c.FromLayer, c.FromFeatureIdx)));
        Close(expected.FeatureToFeatureContributions.Select(c => c.Contribution).ToArray(), actual.FeatureToFeatureContributions.Select(c => c.Contribution).ToArray(), relative, at + " feature contributions");
        Close(expected.FeatureToFeatureContributions.Select(c => c.RelativeContribution).ToArray(), actual.FeatureToFeatureContributions.Select(c => c.RelativeContribution).ToArray(), relative, at + " feature relative");
        Close([expected.TotalInputInvariantContribution, expected.TotalInputInvariantDetectedContribution],
            [actual.TotalInputInvariantContribution, actual.TotalInputInvariantDetectedContribution], relative, at + " totals");
        Assert.Equal(expected.Description, actual.Description);
        Assert.Equal(expected.DescriptionSoft, actual.DescriptionSoft);
        Assert.Equal(expected.Validation, actual.Validation);
        Assert.Equal(expected.ValidationSoft, actual.ValidationSoft, 12);
    }

    static void Close(double[] expected, double[] actual, double relative, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double tol = relative * Math.Max(Math.Abs(expected[i]), 1e-30);
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol, $"{what}[{i}]: {actual[i]} vs expected {expected[i]}");
        }
    }
}
