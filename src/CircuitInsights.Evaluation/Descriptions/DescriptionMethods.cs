using CircuitInsights.CircuitLens;
using CircuitInsights.CircuitLens.Analysis;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Evaluation.Descriptions;

/// <summary>
/// Turns each method's output into a <see cref="FeatureDescription"/>:
/// <list type="bullet">
/// <item><c>wl</c>: WeightLens's validated input tokens (described iff <c>validation</c> and non-empty);</item>
/// <item><c>wl+out</c>: the same plus the promoted output tokens (unvalidated; paper "WeightLens+Out");</item>
/// <item><c>cl</c>: the CircuitLens report's description text; its tokens are the target tokens of its clusters (of the
/// DBSCAN clusters, or of the noise group when there is no cluster);</item>
/// <item><c>wl+cl</c>: both: text "WeightLens tokens …; CircuitLens: …", tokens = the union (what the offline judge
/// matches); described when either is.</item>
/// </list>
/// <c>maxact</c> comes from an <see cref="Explainers.IFeatureExplainer"/>, <c>external</c> from <see cref="ExternalLabels"/>.
/// </summary>
public static class DescriptionMethods
{
    public const string WeightLens = "wl", WeightLensOut = "wl+out", CircuitLens = "cl", Combined = "wl+cl", MaxAct = "maxact", External = "external";

    public static readonly IReadOnlyList<string> Known = [WeightLens, WeightLensOut, CircuitLens, Combined, MaxAct, External];

    /// <summary>Parses "wl,cl,wl+cl,maxact" (order kept, duplicates dropped).</summary>
    public static IReadOnlyList<string> Parse(string text)
    {
        var list = new List<string>();
        foreach (var m in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string name = m.ToLowerInvariant();
            if (!Known.Contains(name)) throw new CircuitInsightsException($"--methods: unknown method '{m}' (known: {string.Join(", ", Known)})");
            if (!list.Contains(name)) list.Add(name);
        }
        if (list.Count == 0) throw new CircuitInsightsException("--methods: no method given");
        return list;
    }

    public static FeatureDescription FromWeightLens(FeatureId f, WeightLensRecord? r, bool withOutput = false)
    {
        string method = withOutput ? WeightLensOut : WeightLens;
        if (r is null || !r.IsDescribed) return FeatureDescription.None(method, f);
        var tokens = withOutput ? r.Description.Concat(r.PromotedTokens).Distinct().ToArray() : r.Description.ToArray();
        return new FeatureDescription { Method = method, Feature = f, Tokens = tokens };
    }

    public static FeatureDescription FromCircuitLens(FeatureId f, FeatureCircuitReport? r)
    {
        if (r is null || r.Contexts == 0) return FeatureDescription.None(CircuitLens, f);
        var clusters = r.Clusters.Where(c => c.Label >= 0).ToArray();
        if (clusters.Length == 0) clusters = r.Clusters;
        var tokens = clusters.SelectMany(c => c.TargetTokens.Select(t => t.Text)).Distinct().ToArray();
        return new FeatureDescription { Method = CircuitLens, Feature = f, Text = r.Description, Tokens = tokens };
    }

    /// <summary>The CircuitLens report of a feature in a CircuitLens output folder, or null.</summary>
    public static FeatureCircuitReport? LoadCircuitLens(string dir, FeatureId f) =>
        File.Exists(CircuitLensRunner.ReportPath(dir, f)) ? CircuitLensRunner.LoadReport(dir, f) : null;

    public static FeatureDescription Combine(FeatureDescription weightLens, FeatureDescription circuitLens)
    {
        var f = weightLens.Feature;
        if (!weightLens.IsDescribed && !circuitLens.IsDescribed) return FeatureDescription.None(Combined, f);
        var parts = new List<string>();
        if (weightLens.IsDescribed) parts.Add("WeightLens: " + FeatureDescription.TokenPhrase(weightLens.Tokens));
        if (circuitLens.IsDescribed) parts.Add("CircuitLens: " + circuitLens.Concept);
        return new FeatureDescription
        {
            Method = Combined, Feature = f, Text = string.Join("; ", parts),
            Tokens = weightLens.Tokens.Concat(circuitLens.Tokens).Distinct().ToArray(),
        };
    }
}
