using CircuitInsights.Evaluation.Metrics;

namespace CircuitInsights.Evaluation.Tests.Metrics;

/// <summary>AUC by hand: count positive–negative pairs where the positive is higher (1) or tied (½), divide by n₀·n₁.</summary>
public class AucTests
{
    [Fact]
    public void PerfectSeparation_IsOne()
    {
        // every positive {2,3} above every negative {0,1}: 4/4
        Assert.Equal(1.0, Auc.Compute([0, 1], [2, 3]));
        Assert.Equal(1.0, Auc.AbsoluteGini([0, 1], [2, 3]));
    }

    [Fact]
    public void PartialOverlap_ThreeOfFourPairs()
    {
        // pos {2,4} vs neg {1,3}: 2>1 ✓, 2>3 ✗, 4>1 ✓, 4>3 ✓ → 3/4; |2·0.75 − 1| = 0.5
        Assert.Equal(0.75, Auc.Compute([1, 3], [2, 4]), 12);
        Assert.Equal(0.5, Auc.AbsoluteGini([1, 3], [2, 4]), 12);
    }

    [Fact]
    public void Ties_CountHalf()
    {
        // pos {2,2} vs neg {1,2}: (2,1)=1, (2,2)=½, twice → 3/4.
        // Rank formula: values 1,2,2,2 → ranks 1,3,3,3; R₁ = 6; U = 6 − 3 = 3; 3/4.
        Assert.Equal(0.75, Auc.Compute([1, 2], [2, 2]), 12);
        // all equal: every pair ½
        Assert.Equal(0.5, Auc.Compute([5, 5, 5], [5, 5]), 12);
        Assert.Equal(0.0, Auc.AbsoluteGini([5, 5, 5], [5, 5]), 12);
    }

    [Fact]
    public void Reversed_GiniIsStillOne()
    {
        // positives all below negatives: AUC 0, |2·0 − 1| = 1 (FADE takes the absolute value)
        Assert.Equal(0.0, Auc.Compute([3, 4], [1, 2]));
        Assert.Equal(1.0, Auc.AbsoluteGini([3, 4], [1, 2]));
    }

    [Fact]
    public void EmptyClass_IsNaN()
    {
        Assert.True(double.IsNaN(Auc.Compute([], [1])));
        Assert.True(double.IsNaN(Auc.Compute([1], [])));
    }

    [Fact]
    public void MatchesPairCounting_OnRandomData()
    {
        var rng = new Random(11);
        for (int trial = 0; trial < 20; trial++)
        {
            // small integers so ties are frequent
            var neg = Enumerable.Range(0, rng.Next(1, 30)).Select(_ => (double)rng.Next(6)).ToArray();
            var pos = Enumerable.Range(0, rng.Next(1, 30)).Select(_ => (double)rng.Next(8)).ToArray();
            double pairs = 0;
            foreach (var p in pos) foreach (var n in neg) pairs += p > n ? 1 : p == n ? 0.5 : 0;
            Assert.Equal(pairs / (pos.Length * neg.Length), Auc.Compute(neg, pos), 12);
        }
    }
}
