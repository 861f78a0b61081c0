namespace CircuitInsights.Evaluation.Metrics;

/// <summary>
/// The four FADE metrics (Puri et al. 2025; paper.md §6, FADE <c>results.py</c>):
/// <list type="bullet">
/// <item>Clarity = |2·AUC − 1| of concept samples (positives) against natural samples (negatives), on text activations;</item>
/// <item>Responsiveness = |2·AUC − 1| of natural samples rated 2 (positives) against those rated 0 (label 1 dropped);</item>
/// <item>Purity = average precision on the same 0-vs-2 split; when 2·AUC − 1 &lt; 0 the activations are negated first,
/// so AP measures the direction in which the split separates (FADE <c>gini_ap_metric</c>);</item>
/// <item>Faithfulness = max(maxₘ Rₘ − R₀, 0) / (1 − R₀), Rₘ = share of steered generations rated 2 at factor m
/// (0 when R₀ = 1: nothing left to gain).</item>
/// </list>
/// Undefined values (an empty class) are null.
/// </summary>
public static class FadeMetrics
{
    public static double? Clarity(ReadOnlySpan<double> natural, ReadOnlySpan<double> concept) => Defined(Auc.AbsoluteGini(natural, concept));

    /// <summary>Responsiveness and purity from natural activations and their ratings (0, 1, 2; null = unrated).</summary>
    public static (double? Responsiveness, double? Purity) ResponsivenessPurity(IReadOnlyList<double> activations, IReadOnlyList<int?> ratings)
    {
        if (activations.Count != ratings.Count) throw new ArgumentException("one rating per activation");
        var neg = new List<double>();
        var pos = new List<double>();
        for (int i = 0; i < ratings.Count; i++)
        {
            if (ratings[i] == 0) neg.Add(activations[i]);
            else if (ratings[i] == 2) pos.Add(activations[i]);
        }
        if (neg.Count == 0 || pos.Count == 0) return (null, null);
        double gini = 2 * Auc.Compute(neg.ToArray(), pos.ToArray()) - 1;
        if (gini < 0)
        {
            for (int i = 0; i < neg.Count; i++) neg[i] = -neg[i];
            for (int i = 0; i < pos.Count; i++) pos[i] = -pos[i];
        }
        return (Math.Abs(gini), Defined(AveragePrecision.Compute(neg.ToArray(), pos.ToArray())));
    }

    /// <summary>Faithfulness from the share of generations rated 2 per factor; needs factor 0.</summary>
    public static double? Faithfulness(IReadOnlyDictionary<double, double> ratedTwoShare)
    {
        if (!ratedTwoShare.TryGetValue(0, out double r0) || double.IsNaN(r0)) return null;
        double best = ratedTwoShare.Values.Where(v => !double.IsNaN(v)).Max();
        if (r0 >= 1) return 0;
        return Math.Max(best - r0, 0) / (1 - r0);
    }

    /// <summary>Faithfulness is computed only for features whose description passed both activation-side tests.</summary>
    public static bool FaithfulnessGate(double? clarity, double? responsiveness, double threshold = 0.5) =>
        clarity is double c && responsiveness is double r && c >= threshold && r >= threshold;

    static double? Defined(double v) => double.IsNaN(v) ? null : v;
}
