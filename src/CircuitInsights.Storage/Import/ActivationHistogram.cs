using CircuitInsights.CircuitLens.Cache;

namespace CircuitInsights.Storage.Import;

/// <summary>
/// Histogram of a feature's per-window maximum activation over [<see cref="Lo"/>, <see cref="Hi"/>] in equal-width bins.
/// From a cache sketch: windows in the exact top list are counted exactly; the remaining n − |top| windows are spread over
/// the bins in proportion to the uniform reservoir's members below the top list's threshold (each stands for
/// (n − |top|)/|reservoir below|), the same estimate the context sampler uses. <see cref="Exact"/> is true when the top list
/// holds every active window. Counts are rounded to integers; <see cref="Total"/> is the true window count n.
/// </summary>
public sealed record ActivationHistogram(double Lo, double Hi, long[] Counts, long Total, bool Exact)
{
    public const int DefaultBins = 24;

    public static ActivationHistogram? FromSketch(FeatureSketches s, int feature, int bins = DefaultBins)
    {
        long n = s.WindowCount[feature];
        if (n == 0) return null;
        float lo = s.WindowMin[feature], hi = s.WindowMax[feature];
        var top = s.Top(feature);
        var counts = new double[bins];
        foreach (var t in top) counts[ContextSampler.BinOf(t.Value, lo, hi, bins)]++;
        bool exact = n <= top.Length;
        if (!exact)
        {
            float threshold = top[^1].Value;
            var topWindows = top.Select(t => t.Window).ToHashSet();
            var low = s.Sample(feature).Where(r => r.Value <= threshold && !topWindows.Contains(r.Window)).ToArray();
            double rest = n - top.Length;
            if (low.Length > 0)
                foreach (var r in low) counts[ContextSampler.BinOf(r.Value, lo, hi, bins)] += rest / low.Length;
            else counts[ContextSampler.BinOf(threshold, lo, hi, bins)] += rest; // no reservoir member below: all at the threshold
        }
        return new ActivationHistogram(lo, hi, counts.Select(c => (long)Math.Round(c)).ToArray(), n, exact);
    }

    /// <summary>Builds from raw values (tests, synthetic stores).</summary>
    public static ActivationHistogram FromValues(IReadOnlyList<float> values, int bins = DefaultBins)
    {
        if (values.Count == 0) return new ActivationHistogram(0, 0, new long[bins], 0, true);
        float lo = values.Min(), hi = values.Max();
        var counts = new long[bins];
        foreach (var v in values) counts[ContextSampler.BinOf(v, lo, hi, bins)]++;
        return new ActivationHistogram(lo, hi, counts, values.Count, true);
    }
}
