namespace CircuitInsights.Evaluation.Metrics;

/// <summary>
/// Area under the ROC curve by the rank (Mann–Whitney) formula: rank all n₀ + n₁ scores ascending, tied scores getting
/// the average of their ranks; with R₁ the rank sum of the positives, AUC = (R₁ − n₁(n₁+1)/2) / (n₀·n₁). This is the
/// probability that a random positive scores above a random negative, ties counting ½ — the value sklearn's
/// <c>roc_auc_score</c> returns, which FADE uses (paper.md §6).
/// </summary>
public static class Auc
{
    /// <summary>AUC of positives against negatives; NaN when either set is empty.</summary>
    public static double Compute(ReadOnlySpan<double> negatives, ReadOnlySpan<double> positives)
    {
        int n0 = negatives.Length, n1 = positives.Length;
        if (n0 == 0 || n1 == 0) return double.NaN;
        var all = new (double Value, bool Positive)[n0 + n1];
        for (int i = 0; i < n0; i++) all[i] = (negatives[i], false);
        for (int i = 0; i < n1; i++) all[n0 + i] = (positives[i], true);
        Array.Sort(all, (a, b) => a.Value.CompareTo(b.Value));
        double rankSum = 0;
        for (int i = 0; i < all.Length;)
        {
            int j = i;
            while (j + 1 < all.Length && all[j + 1].Value == all[i].Value) j++;
            double rank = (i + j) / 2.0 + 1; // average of ranks i+1 … j+1
            for (int k = i; k <= j; k++) if (all[k].Positive) rankSum += rank;
            i = j + 1;
        }
        return (rankSum - n1 * (n1 + 1) / 2.0) / ((double)n0 * n1);
    }

    /// <summary>FADE's "absolute Gini": |2·AUC − 1| (0 = no separation, 1 = perfect, either direction); NaN when undefined.</summary>
    public static double AbsoluteGini(ReadOnlySpan<double> negatives, ReadOnlySpan<double> positives) =>
        Math.Abs(2 * Compute(negatives, positives) - 1);
}
