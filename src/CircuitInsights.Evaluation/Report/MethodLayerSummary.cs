namespace CircuitInsights.Evaluation.Report;

/// <summary>Aggregates of one method on one layer: features evaluated, share described, and each metric's summary.</summary>
public sealed record MethodLayerSummary(string Method, int Layer, int Features, int Described,
    MetricSummary Clarity, MetricSummary Responsiveness, MetricSummary Purity, MetricSummary Faithfulness)
{
    public double DescribedShare => Features == 0 ? 0 : Described / (double)Features;

    public static IReadOnlyList<MethodLayerSummary> Of(IEnumerable<FeatureScores> scores, IReadOnlyList<string> methodOrder)
    {
        return scores.GroupBy(s => (s.Method, s.Layer))
            .OrderBy(g => IndexOf(methodOrder, g.Key.Method)).ThenBy(g => g.Key.Layer)
            .Select(g => new MethodLayerSummary(g.Key.Method, g.Key.Layer, g.Count(), g.Count(s => s.Described),
                MetricSummary.Of(g.Select(s => s.Clarity)), MetricSummary.Of(g.Select(s => s.Responsiveness)),
                MetricSummary.Of(g.Select(s => s.Purity)), MetricSummary.Of(g.Select(s => s.Faithfulness))))
            .ToArray();
    }

    static int IndexOf(IReadOnlyList<string> order, string method)
    {
        for (int i = 0; i < order.Count; i++) if (order[i] == method) return i;
        return order.Count;
    }
}
