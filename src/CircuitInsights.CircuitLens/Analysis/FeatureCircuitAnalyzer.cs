using CircuitInsights.CircuitLens.Clustering;
using CircuitInsights.Formats.Tokenization;

namespace CircuitInsights.CircuitLens.Analysis;

/// <summary>
/// Clusters a feature's analysed contexts by their circuits (paper.md §4.2): each context's significant contributors
/// (features "f:layer:index", heads "h:layer:head:Δ"); contributors in fewer than ρ of the contexts dropped; Jaccard
/// distance; DBSCAN. Summarises every cluster (contributors, target/source tokens, snippets, output effects) and writes a
/// structured description without an LLM.
/// </summary>
public sealed class FeatureCircuitAnalyzer(ITokenizer tokenizer, CircuitLensOptions options)
{
    public FeatureCircuitReport Analyze(int layer, int feature, IReadOnlyList<ContextAnalysis> contexts)
    {
        int n = contexts.Count;
        var counts = contexts.SelectMany(c => c.Circuit.Distinct()).GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        var kept = counts.Where(kv => kv.Value >= options.MinFrequency * n).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToArray();
        var keptSet = kept.ToHashSet();
        var sets = contexts.Select(c => (IReadOnlySet<string>)c.Circuit.Where(keptSet.Contains).ToHashSet()).ToList();
        int minSamples = Math.Clamp(Math.Min(options.MinSamples, n / 5), 2, Math.Max(2, options.MinSamples));
        var labels = n == 0 ? [] : Dbscan.Cluster(Jaccard.Distances(sets), options.Eps, minSamples);
        for (int i = 0; i < n; i++) contexts[i].Cluster = labels[i];

        var clusters = labels.Distinct().Order().Select(label =>
        {
            var members = Enumerable.Range(0, n).Where(i => labels[i] == label).Select(i => contexts[i]).ToList();
            return Summarize(label, members);
        }).OrderByDescending(c => c.Label >= 0).ThenByDescending(c => c.Size).ToArray();
        double maxError = contexts.Select(c => Math.Abs(c.FeatureTotal + c.ErrorTotal + c.EmbeddingTotal + c.BiasTotal - c.TargetPreactivation)).DefaultIfEmpty(0).Max();
        return new FeatureCircuitReport
        {
            Layer = layer, Feature = feature, Contexts = n, Clusters = clusters, Noise = labels.Count(l => l < 0),
            ContributorsKept = kept, MaxCompletenessError = maxError, Description = Describe(layer, feature, clusters), Options = options,
        };
    }

    ClusterSummary Summarize(int label, List<ContextAnalysis> members)
    {
        int n = members.Count;
        var contributorValues = new Dictionary<string, List<double>>();
        foreach (var c in members)
        {
            foreach (var key in c.Circuit.Distinct())
            {
                double v = ContributionOf(c, key);
                if (!contributorValues.TryGetValue(key, out var list)) contributorValues[key] = list = [];
                list.Add(v);
            }
        }
        var contributors = contributorValues.Select(kv => new ClusterContributor(kv.Key, kv.Value.Count / (double)n, kv.Value.Average()))
            .OrderByDescending(c => c.Frequency * Math.Abs(c.MeanContribution)).ThenBy(c => c.Key, StringComparer.Ordinal).Take(8).ToArray();
        var targetTokens = members.GroupBy(c => tokenizer.TokenText(c.InputIds[c.TargetPosition])).Select(g => new TokenCount(g.Key, g.Count()))
            .OrderByDescending(t => t.Count).ThenBy(t => t.Text, StringComparer.Ordinal).Take(8).ToArray();
        var sourceTokens = members.SelectMany(c => SourcePositions(c).Where(p => p != c.TargetPosition).Select(p => tokenizer.TokenText(c.InputIds[p])))
            .GroupBy(t => t).Select(g => new TokenCount(g.Key, g.Count())).OrderByDescending(t => t.Count).ThenBy(t => t.Text, StringComparer.Ordinal).Take(8).ToArray();
        var patterns = members.OrderByDescending(c => c.TargetActivation).Take(5).Select(Snippet).ToArray();
        var promoted = Aggregate(members.SelectMany(c => c.Promoted), descending: true);
        var suppressed = Aggregate(members.SelectMany(c => c.Suppressed), descending: false);
        var summary = new ClusterSummary
        {
            Label = label, Size = n, MeanActivation = members.Average(c => c.TargetActivation), MaxActivation = members.Max(c => c.TargetActivation),
            Contributors = contributors, TargetTokens = targetTokens, SourceTokens = sourceTokens, Patterns = patterns,
            Promoted = promoted, Suppressed = suppressed, Description = "",
        };
        return summary with { Description = DescribeCluster(summary) };
    }

    static double ContributionOf(ContextAnalysis c, string key)
    {
        var parts = key.Split(':');
        if (parts[0] == "f")
        {
            int l = int.Parse(parts[1]), f = int.Parse(parts[2]);
            return c.Features.FirstOrDefault(x => x.Layer == l && x.Feature == f)?.Contribution ?? 0;
        }
        int hl = int.Parse(parts[1]), h = int.Parse(parts[2]), d = int.Parse(parts[3]);
        return c.Heads.FirstOrDefault(x => x.Layer == hl && x.Head == h && x.Delta == d)?.Contribution ?? 0;
    }

    /// <summary>Positions the significant contributors read from: head sources and upstream features' positions.</summary>
    static IEnumerable<int> SourcePositions(ContextAnalysis c)
    {
        var keys = c.Circuit.ToHashSet();
        foreach (var h in c.Heads)
            if (keys.Contains($"h:{h.Layer}:{h.Head}:{h.Delta}")) yield return c.TargetPosition + h.Delta;
        foreach (var f in c.Features)
            if (keys.Contains($"f:{f.Layer}:{f.Feature}")) yield return f.Position;
    }

    string Snippet(ContextAnalysis c)
    {
        var sources = SourcePositions(c).ToHashSet();
        int start = Math.Max(1, c.TargetPosition - 8), end = Math.Min(c.InputIds.Length, c.TargetPosition + 2);
        var sb = new System.Text.StringBuilder("…");
        for (int p = start; p < end; p++)
        {
            string text = tokenizer.TokenText(c.InputIds[p]);
            if (p == c.TargetPosition) sb.Append('⟦').Append(text).Append('⟧');
            else if (sources.Contains(p)) sb.Append('‹').Append(text).Append('›');
            else sb.Append(text);
        }
        return sb.Append('…').ToString().ReplaceLineEndings("↵");
    }

    static TokenEffect[] Aggregate(IEnumerable<TokenEffect> effects, bool descending)
    {
        var grouped = effects.GroupBy(e => e.Token).Select(g => new TokenEffect(g.Key, g.First().Text, g.Sum(e => e.Effect)));
        return (descending ? grouped.OrderByDescending(e => e.Effect) : grouped.OrderBy(e => e.Effect)).ThenBy(e => e.Token).Take(6).ToArray();
    }

    static string Quote(IEnumerable<TokenCount> tokens) => string.Join(", ", tokens.Take(5).Select(t => $"\"{t.Text}\""));

    static string DescribeCluster(ClusterSummary s)
    {
        var parts = new List<string> { $"fires on {Quote(s.TargetTokens)}" };
        if (s.SourceTokens.Length > 0) parts.Add($"when reading {Quote(s.SourceTokens)}");
        var heads = s.Contributors.Where(c => c.Key.StartsWith("h:", StringComparison.Ordinal)).Take(2)
            .Select(c => { var p = c.Key.Split(':'); return $"head {p[1]}.{p[2]} at Δ={p[3]}"; }).ToArray();
        var feats = s.Contributors.Where(c => c.Key.StartsWith("f:", StringComparison.Ordinal)).Take(3)
            .Select(c => { var p = c.Key.Split(':'); return $"L{p[1]} F{p[2]}"; }).ToArray();
        if (heads.Length > 0) parts.Add($"via {string.Join(", ", heads)}");
        if (feats.Length > 0) parts.Add($"driven by {string.Join(", ", feats)}");
        if (s.Promoted.Length > 0) parts.Add($"promotes {string.Join(", ", s.Promoted.Take(3).Select(e => $"\"{e.Text}\""))}");
        return string.Join("; ", parts);
    }

    static string Describe(int layer, int feature, ClusterSummary[] clusters)
    {
        var real = clusters.Where(c => c.Label >= 0).ToArray();
        if (clusters.Length == 0) return $"L{layer} F{feature}: no active contexts in the cache";
        if (real.Length <= 1) return $"L{layer} F{feature}: {(real.Length == 1 ? real[0] : clusters[0]).Description}";
        return $"L{layer} F{feature} (polysemantic, {real.Length} circuits): " + string.Join(" | ", real.Select((c, i) => $"[{i + 1}] {c.Description} ({c.Size} contexts)"));
    }
}
