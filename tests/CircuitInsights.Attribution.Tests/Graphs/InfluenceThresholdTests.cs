using CircuitInsights.Attribution.Graphs;

namespace CircuitInsights.Attribution.Tests.Graphs;

public class InfluenceThresholdTests
{
    [Theory]
    // scores 3, 2, 1, 0: cumulative share .5, .833, 1, 1
    [InlineData(0.5, 3f)]   // .5 ≥ .5 at index 0
    [InlineData(0.51, 2f)]  // first ≥ .51 is .833 at index 1
    [InlineData(0.9, 1f)]
    [InlineData(1.0, 1f)]   // index 2 (clamped to the last non-zero score, never 0)
    [InlineData(0.0, 3f)]
    public void Find_HandValues_FollowSearchsorted(double threshold, float expected)
    {
        Assert.Equal(expected, InfluenceThreshold.Find([1f, 0f, 3f, 2f], threshold));
    }

    [Fact]
    public void Find_AllZero_ReturnsZero()
    {
        Assert.Equal(0f, InfluenceThreshold.Find([0f, 0f, 0f], 0.8));
        Assert.Equal(0f, InfluenceThreshold.FindStreaming(2, 3, (r, d) => d.Clear(), 0.8));
    }

    [Theory]
    [InlineData(1, 0.8)]
    [InlineData(2, 0.98)]
    [InlineData(3, 0.5)]
    [InlineData(4, 1.0)]
    [InlineData(5, 0.0)]
    public void FindStreaming_RandomScoresWithTies_EqualsSorting(int seed, double threshold)
    {
        var rng = new Random(seed);
        int rows = 37, width = 53;
        var data = new float[rows * width];
        for (int i = 0; i < data.Length; i++)
        {
            double u = rng.NextDouble();
            data[i] = u < 0.3 ? 0f : u < 0.4 ? 0.25f : (float)Math.Exp(-8 * rng.NextDouble()); // zeros, ties, heavy tail
        }
        float expected = InfluenceThreshold.Find(data, threshold);
        float actual = InfluenceThreshold.FindStreaming(rows, width, (r, d) => data.AsSpan(r * width, width).CopyTo(d), threshold);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void FindStreaming_NegativeScore_Throws()
    {
        Assert.Throws<ArgumentException>(() => InfluenceThreshold.FindStreaming(1, 2, (r, d) => { d[0] = 1; d[1] = -1; }, 0.5));
    }
}
