namespace CircuitInsights.Evaluation.Metrics;

/// <summary>
/// Average precision as sklearn's <c>average_precision_score</c> defines it: AP = Σₙ (Rₙ − Rₙ₋₁)·Pₙ over the distinct
/// score thresholds taken in decreasing order, where Pₙ and Rₙ are precision and recall of "score ≥ threshold n" (tied
/// scores enter together; R₀ = 0). No interpolation.
/// </summary>
public static class AveragePrecision
{
    /// <summary>AP of positives against negatives; NaN when there are no positives.</summary>
    public static double Compute(ReadOnlySpan<double> negatives, ReadOnlySpan<double> positives)
    {
        int n1 = positives.Length;
        if (n1 == 0) return double.NaN;
        var all = new (double Value, bool Positive)[negatives.Length + n1];
        for (int i = 0; i < negatives.Length; i++) all[i] = (negatives[i], false);
        for (int i = 0; i < n1; i++) all[negatives.Length + i] = (positives[i], true);
        Array.Sort(all, (a, b) => b.Value.CompareTo(a.Value));
        double ap = 0, previousRecall = 0;
        int tp = 0, seen = 0;
        for (int i = 0; i < all.Length;)
        {
            int j = i;
            while (j < all.Length && all[j].Value == all[i].Value) { if (all[j].Positive) tp++; j++; }
            seen = j;
            double recall = tp / (double)n1, precision = tp / (double)seen;
            ap += (recall - previousRecall) * precision;
            previousRecall = recall;
            i = j;
        }
        return ap;
    }
}
