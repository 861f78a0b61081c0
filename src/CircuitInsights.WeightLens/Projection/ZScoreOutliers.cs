namespace CircuitInsights.WeightLens.Projection;

/// <summary>
/// The authors' outlier rule (WeightLens utils.get_outliers, reference.md §3.4): z = (v − mean)/std with mean and the
/// unbiased standard deviation taken over the pool itself (the top- or bottom-k values, not the whole vocabulary or
/// dictionary); top-pool outliers have z &gt; threshold, bottom-pool outliers z &lt; −threshold. Statistics are computed in
/// fp64 over the pool in its sorted order. A pool of fewer than 2 values or with zero spread has no outliers.
/// </summary>
public static class ZScoreOutliers
{
    /// <summary>Mean and unbiased standard deviation of <paramref name="pool"/> (NaN std for fewer than 2 values).</summary>
    public static (double Mean, double Std) Statistics(ReadOnlySpan<float> pool)
    {
        int n = pool.Length;
        if (n == 0) return (double.NaN, double.NaN);
        double sum = 0;
        foreach (float v in pool) sum += v;
        double mean = sum / n;
        if (n < 2) return (mean, double.NaN);
        double ss = 0;
        foreach (float v in pool) { double dv = v - mean; ss += dv * dv; }
        return (mean, Math.Sqrt(ss / (n - 1)));
    }

    /// <summary>
    /// Number of leading pool entries that are outliers. <paramref name="pool"/> is sorted best first (descending for a
    /// top pool, ascending for a bottom pool), so the outliers are a prefix.
    /// </summary>
    public static int LeadingOutliers(ReadOnlySpan<float> pool, double threshold, bool top)
    {
        var (mean, std) = Statistics(pool);
        if (!(std > 0) || double.IsInfinity(std)) return 0;
        int count = 0;
        foreach (float v in pool)
        {
            double z = (v - mean) / std;
            if (top ? z > threshold : z < -threshold) count++;
            else break;
        }
        return count;
    }
}
