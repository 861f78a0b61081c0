namespace CircuitInsights.Evaluation.Report;

/// <summary>Mean and median of one metric over the features where it is defined.</summary>
public sealed record MetricSummary(int Count, double? Mean, double? Median)
{
    public static MetricSummary Of(IEnumerable<double?> values)
    {
        var v = values.Where(x => x is double d && !double.IsNaN(d)).Select(x => x!.Value).Order().ToArray();
        if (v.Length == 0) return new MetricSummary(0, null, null);
        double median = v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
        return new MetricSummary(v.Length, v.Average(), median);
    }
}
