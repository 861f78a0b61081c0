using CircuitInsights.Evaluation.Metrics;

namespace CircuitInsights.Evaluation.Tests.Metrics;

public class FadeMetricsTests
{
    [Fact]
    public void ResponsivenessPurity_UsesOnlyZeroAndTwo()
    {
        // activations:  0.1  0.9  0.5  0.7  0.2   ratings: 0 2 1 2 null → neg {0.1}, pos {0.9, 0.7}; label 1 and unrated dropped
        var (r, p) = FadeMetrics.ResponsivenessPurity([0.1, 0.9, 0.5, 0.7, 0.2], [0, 2, 1, 2, null]);
        Assert.Equal(1.0, r!.Value, 12);
        Assert.Equal(1.0, p!.Value, 12);
    }

    [Fact]
    public void ResponsivenessPurity_HandDerivedOverlap()
    {
        // neg {1,3}, pos {2,4}: R = |2·¾ − 1| = ½; P = AP = ⅚ (see AveragePrecisionTests)
        var (r, p) = FadeMetrics.ResponsivenessPurity([1, 2, 3, 4], [0, 2, 0, 2]);
        Assert.Equal(0.5, r!.Value, 12);
        Assert.Equal(0.5 + 1.0 / 3.0, p!.Value, 12);
    }

    [Fact]
    public void Purity_NegativeGini_FlipsActivations()
    {
        // pos {1,2} below neg {8,9}: gini = −1 → R = 1, and AP on negated scores: pos {−1,−2} above neg {−8,−9} → 1
        var (r, p) = FadeMetrics.ResponsivenessPurity([1, 2, 8, 9], [2, 2, 0, 0]);
        Assert.Equal(1.0, r!.Value, 12);
        Assert.Equal(1.0, p!.Value, 12);
    }

    [Fact]
    public void ResponsivenessPurity_MissingClass_IsNull()
    {
        Assert.Equal((null, null), FadeMetrics.ResponsivenessPurity([1, 2], [0, 1]));
        Assert.Equal((null, null), FadeMetrics.ResponsivenessPurity([1, 2], [2, 2]));
    }

    [Fact]
    public void Clarity_ConceptAgainstNatural()
    {
        Assert.Equal(1.0, FadeMetrics.Clarity([0, 0, 0, 1], [5, 6])!.Value, 12);
        Assert.Null(FadeMetrics.Clarity([0, 1], []));
    }

    [Fact]
    public void Faithfulness_HandDerived()
    {
        // R₀ = 0.2, best R = 0.6 (m = 10): (0.6 − 0.2)/(1 − 0.2) = 0.5
        var rates = new Dictionary<double, double> { [-50] = 0.0, [-10] = 0.1, [-1] = 0.2, [0] = 0.2, [1] = 0.3, [10] = 0.6, [50] = 0.4 };
        Assert.Equal(0.5, FadeMetrics.Faithfulness(rates)!.Value, 12);
    }

    [Fact]
    public void Faithfulness_NoGainOrFullBaseline_IsZero_NoZeroFactor_IsNull()
    {
        Assert.Equal(0.0, FadeMetrics.Faithfulness(new Dictionary<double, double> { [0] = 0.4, [10] = 0.1 })!.Value);
        Assert.Equal(0.0, FadeMetrics.Faithfulness(new Dictionary<double, double> { [0] = 1.0, [10] = 1.0 })!.Value);
        Assert.Null(FadeMetrics.Faithfulness(new Dictionary<double, double> { [1] = 0.4, [10] = 0.9 }));
    }

    [Theory]
    [InlineData(0.5, 0.5, true)]
    [InlineData(0.9, 0.49, false)]
    [InlineData(0.49, 0.9, false)]
    [InlineData(null, 0.9, false)]
    [InlineData(0.9, null, false)]
    public void FaithfulnessGate_BothAtLeastThreshold(double? clarity, double? responsiveness, bool open) =>
        Assert.Equal(open, FadeMetrics.FaithfulnessGate(clarity, responsiveness));

    [Fact]
    public void TextActivation_LargestMagnitudeWithSign()
    {
        Assert.Equal(3f, TextActivation.Of([0f, 1f, 3f, 2f]));
        Assert.Equal(-4f, TextActivation.Of([1f, -4f, 3f]));
        Assert.Equal(0f, TextActivation.Of([]));
    }
}
