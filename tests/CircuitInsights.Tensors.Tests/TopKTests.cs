using CircuitInsights.Tensors;

namespace CircuitInsights.Tensors.Tests;

public class TopKTests
{
    static void Check(float[] values, int k)
    {
        var (refIdx, refVals) = NaiveKernels.TopK(values, k);
        int cap = Math.Min(k, values.Length);
        var idx = new int[cap];
        var vals = new float[cap];
        int n = TopK.Largest(values, k, idx, vals);
        Assert.Equal(refIdx.Length, n);
        Assert.Equal(refIdx, idx[..n]);
        Assert.Equal(refVals, vals[..n]);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(10, 3)]
    [InlineData(1000, 10)]
    [InlineData(1000, 999)]
    [InlineData(50257, 50)]
    [InlineData(5, 9)]
    public void Largest_RandomValues_MatchesNaive(int n, int k)
    {
        Check(TestMatrices.RandomArray(new Random(n + k), n), k);
    }

    [Fact]
    public void Largest_ManyTies_LowerIndexFirst()
    {
        var rng = new Random(8);
        var values = Enumerable.Range(0, 3000).Select(_ => (float)rng.Next(5)).ToArray();
        foreach (int k in new[] { 1, 7, 600, 2999 }) Check(values, k);
        values[10] = -0f; values[11] = 0f;
        Check(values, 3000);
    }

    [Fact]
    public void Largest_NaNIgnored_InfinitiesKept()
    {
        var values = new[] { float.NaN, 1f, float.NegativeInfinity, float.PositiveInfinity, float.NaN, -2f };
        Check(values, 6);
        Check(values, 2);
        var idx = new int[3];
        Assert.Equal(0, TopK.Largest([float.NaN, float.NaN], 2, idx, new float[3]));
    }

    [Fact]
    public void Largest_AdversarialOrders_MatchNaive()
    {
        // sorted, reverse-sorted and organ-pipe inputs stress the pivot choice
        int n = 20000;
        Check(Enumerable.Range(0, n).Select(i => (float)i).ToArray(), 100);
        Check(Enumerable.Range(0, n).Select(i => (float)-i).ToArray(), 100);
        Check(Enumerable.Range(0, n).Select(i => (float)Math.Min(i, n - i)).ToArray(), 100);
    }

    [Fact]
    public void Largest_DestinationTooShort_Throws()
    {
        Assert.Throws<ArgumentException>(() => TopK.Largest(new float[10], 5, new int[4], new float[5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => TopK.Largest(new float[10], -1, new int[4], new float[5]));
    }
}
