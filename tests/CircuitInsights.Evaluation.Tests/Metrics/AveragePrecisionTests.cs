using CircuitInsights.Evaluation.Metrics;

namespace CircuitInsights.Evaluation.Tests.Metrics;

/// <summary>AP = Σ (Rₙ − Rₙ₋₁)·Pₙ over distinct thresholds, highest first (sklearn's definition), derived by hand.</summary>
public class AveragePrecisionTests
{
    [Fact]
    public void PerfectRanking_IsOne() => Assert.Equal(1.0, AveragePrecision.Compute([0, 1], [2, 3]), 12);

    [Fact]
    public void Interleaved_HandDerived()
    {
        // sorted: 4(+) 3(−) 2(+) 1(−); P = 1 R = ½ at 4; P = ½ R = ½ at 3; P = ⅔ R = 1 at 2; P = ½ R = 1 at 1
        // AP = ½·1 + 0·½ + ½·⅔ + 0·½ = 0.8333…
        Assert.Equal(0.5 + 0.5 * 2.0 / 3.0, AveragePrecision.Compute([1, 3], [2, 4]), 12);
    }

    [Fact]
    public void TiedScores_EnterTogether()
    {
        // pos {2,2}, neg {1,2}: threshold 2 takes all three 2s: P = ⅔, R = 1 → AP = ⅔ (not 1 for "positives first")
        Assert.Equal(2.0 / 3.0, AveragePrecision.Compute([1, 2], [2, 2]), 12);
    }

    [Fact]
    public void AllNegativesAbove_IsPositiveRate()
    {
        // sorted: 9(−) 8(−) 1(+): only threshold 1 adds recall: P = ⅓ → AP = ⅓
        Assert.Equal(1.0 / 3.0, AveragePrecision.Compute([8, 9], [1]), 12);
    }

    [Fact]
    public void NoPositives_IsNaN() => Assert.True(double.IsNaN(AveragePrecision.Compute([1, 2], [])));
}
