using CircuitInsights.CircuitLens.Cache;

namespace CircuitInsights.CircuitLens.Tests.Cache;

public class ContextSamplerTests
{
    /// <summary>A feature whose window maxima are known exactly: many weak windows, few strong ones.</summary>
    static FeatureSketches Population(int weak, int strong, int topK = 500, int reservoir = 500)
    {
        var s = new FeatureSketches(0, 1, topK, reservoir, seed: 7);
        int w = 0;
        var rng = new Random(3);
        for (int i = 0; i < weak; i++) s.AddWindow(0, w++, 1, 0.50f + (float)rng.NextDouble() * 0.1f);  // first bin of [0.5, 10]
        for (int i = 0; i < strong; i++) s.AddWindow(0, w++, 1, 9.9f + (float)rng.NextDouble() * 0.1f); // last bin
        return s;
    }

    [Fact]
    public void Sample_WithoutReplacement_DistinctWindowsAndCount()
    {
        var samples = ContextSampler.Sample(Population(300, 50), 0, new SamplingOptions());
        Assert.Equal(100, samples.Length);
        Assert.Equal(100, samples.Select(s => s.Window).Distinct().Count());
    }

    [Fact]
    public void Sample_InverseFrequencyWeights_OversampleTheRareStrongBin()
    {
        // Exact population (everything fits in the top list): bin 0 holds 1000 windows, bin 19 holds 40. With weight
        // n_b^-0.9 the chance that a draw comes from bin b is ∝ n_b · n_b^-0.9 = n_b^0.1: far above the 40/1040 frequency.
        int strongDrawn = 0, total = 0;
        for (int seed = 0; seed < 40; seed++)
        {
            var samples = ContextSampler.Sample(Population(1000, 40, topK: 2000, reservoir: 10), 0, new SamplingOptions { Count = 20, Seed = seed });
            strongDrawn += samples.Count(s => s.Activation >= 9f);
            total += samples.Length;
        }
        double share = strongDrawn / (double)total;
        // first draw: 40^0.1 / (40^0.1 + 1000^0.1) = 1.446 / 3.441 = 0.42; 20 draws deplete the strong bin slightly
        Assert.InRange(share, 0.35, 0.48);
        Assert.True(share > 5 * 40.0 / 1040, $"strong share {share:F3} is not oversampled");
    }

    [Fact]
    public void Sample_AlphaZero_IsUniformOverWindows()
    {
        int strongDrawn = 0, total = 0;
        for (int seed = 0; seed < 40; seed++)
        {
            var samples = ContextSampler.Sample(Population(1000, 40, topK: 2000, reservoir: 10), 0, new SamplingOptions { Count = 20, Seed = seed, Alpha = 0 });
            strongDrawn += samples.Count(s => s.Activation >= 9f);
            total += samples.Length;
        }
        Assert.InRange(strongDrawn / (double)total, 0.01, 0.08); // ≈ 40/1040 = 0.038
    }

    [Fact]
    public void Sample_IsDeterministicForASeed()
    {
        var s = Population(300, 50, topK: 60, reservoir: 100);
        Assert.Equal(ContextSampler.Sample(s, 0, new SamplingOptions()), ContextSampler.Sample(s, 0, new SamplingOptions()));
    }

    [Theory]
    [InlineData(0f, 0f, 10f, 20, 0)]
    [InlineData(10f, 0f, 10f, 20, 19)]
    [InlineData(4.99f, 0f, 10f, 20, 9)]
    [InlineData(5f, 0f, 10f, 20, 10)]
    [InlineData(3f, 3f, 3f, 20, 0)]
    public void BinOf_EqualWidthBins(float v, float min, float max, int bins, int expected) => Assert.Equal(expected, ContextSampler.BinOf(v, min, max, bins));
}
