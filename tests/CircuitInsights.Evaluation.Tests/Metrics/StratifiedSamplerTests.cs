using CircuitInsights.Evaluation.Metrics;

namespace CircuitInsights.Evaluation.Tests.Metrics;

public class StratifiedSamplerTests
{
    [Fact]
    public void Sample_BandCountsAndTop()
    {
        // n = 10 000 distinct activations, N = 500, top 10 %: ⌊450/4⌋ = 112 per band; the remaining 52 are the highest not
        // yet drawn, all inside [95, 100] → band counts 112, 112, 112, 164.
        var rng = new Random(3);
        var acts = Enumerable.Range(0, 10_000).Select(_ => rng.NextDouble()).ToArray();
        var chosen = StratifiedSampler.Sample(acts, 500, 0.1, new Random(1));
        Assert.Equal(500, chosen.Length);
        Assert.Equal(500, chosen.Distinct().Count());
        var bands = StratifiedSampler.Bands(acts);
        Assert.Equal([112, 112, 112, 164], Enumerable.Range(0, 4).Select(b => chosen.Count(i => bands[i] == b)));
        // the 52 highest activations of all are in the sample
        var top52 = Enumerable.Range(0, acts.Length).OrderByDescending(i => acts[i]).Take(52);
        Assert.All(top52, i => Assert.Contains(i, chosen));
    }

    [Fact]
    public void Sample_BandEdgesAtFloorOfPercentile()
    {
        // n = 10: cuts at ⌊0⌋, ⌊5⌋, ⌊7.5⌋ = 7, ⌊9.5⌋ = 9 → bands of 5, 2, 2, 1
        var acts = Enumerable.Range(0, 10).Select(i => (double)i).ToArray();
        var bands = StratifiedSampler.Bands(acts);
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 2, 2, 3], bands);
    }

    [Fact]
    public void Sample_SmallPool_TakesEverything()
    {
        var acts = new double[] { 3, 1, 2 };
        Assert.Equal([0, 1, 2], StratifiedSampler.Sample(acts, 500, 0.1, new Random(1)));
    }

    [Fact]
    public void Sample_SparseFeature_TopIncludesAllActive()
    {
        // 2 000 samples, 30 active: bands draw 112 each (the top band is the 100 highest, all 30 active among them),
        // then the top fills up to 500 — every active sample is rated
        var acts = Enumerable.Range(0, 2000).Select(i => i % 67 == 0 ? 1.0 + i : 0.0).ToArray();
        var chosen = StratifiedSampler.Sample(acts, 500, 0.1, new Random(5));
        Assert.Equal(500, chosen.Length);
        Assert.All(Enumerable.Range(0, 2000).Where(i => acts[i] > 0), i => Assert.Contains(i, chosen));
    }

    [Fact]
    public void Sample_SameSeed_SameSample()
    {
        var acts = Enumerable.Range(0, 3000).Select(i => Math.Sin(i)).ToArray();
        Assert.Equal(StratifiedSampler.Sample(acts, 200, 0.1, new Random(9)), StratifiedSampler.Sample(acts, 200, 0.1, new Random(9)));
    }
}
