using CircuitInsights.CircuitLens.Cache;
using CircuitInsights.Storage.Import;

namespace CircuitInsights.Storage.Tests.Import;

public class ActivationHistogramTests
{
    static FeatureSketches Sketch(int windows, int topK, int reservoir)
    {
        var s = new FeatureSketches(0, 1, topK, reservoir, seed: 3);
        for (int w = 0; w < windows; w++) s.AddWindow(0, w, 1, 1 + w); // maxima 1..windows, uniform
        return s;
    }

    [Fact]
    public void FromSketch_ReservoirHoldsEveryWindow_EqualsExactHistogram()
    {
        var s = Sketch(40, topK: 5, reservoir: 64);
        var h = ActivationHistogram.FromSketch(s, 0, bins: 8)!;
        var exact = ActivationHistogram.FromValues(Enumerable.Range(1, 40).Select(v => (float)v).ToArray(), bins: 8);
        Assert.Equal(exact.Counts, h.Counts);
        Assert.Equal((1.0, 40.0, 40L, false), (h.Lo, h.Hi, h.Total, h.Exact));
    }

    [Fact]
    public void FromSketch_TopListHoldsEveryWindow_IsExact()
    {
        var h = ActivationHistogram.FromSketch(Sketch(10, topK: 16, reservoir: 4), 0, bins: 5)!;
        Assert.True(h.Exact);
        Assert.Equal(new long[] { 2, 2, 2, 2, 2 }, h.Counts);
    }

    [Fact]
    public void FromSketch_SmallReservoir_EstimatesAUniformDistribution()
    {
        var h = ActivationHistogram.FromSketch(Sketch(5000, topK: 50, reservoir: 400), 0, bins: 10)!;
        Assert.InRange(h.Counts.Sum(), 4990, 5010);
        Assert.All(h.Counts.Take(9), c => Assert.InRange(c, 300, 700)); // 500 expected per bin; sampling noise of 400 draws
        Assert.Null(ActivationHistogram.FromSketch(new FeatureSketches(0, 1, 4, 4, 1), 0));
    }
}
