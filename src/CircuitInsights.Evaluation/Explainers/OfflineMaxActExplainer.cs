using CircuitInsights.CircuitLens;
using CircuitInsights.Evaluation.Descriptions;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Evaluation.Explainers;

/// <summary>
/// MaxAct without an LLM: the tokens at the maximum of the top contexts, most frequent first (ties by first appearance),
/// taken until they cover <see cref="Coverage"/> of the contexts or <see cref="MaxTokens"/> are taken.
/// </summary>
public sealed class OfflineMaxActExplainer : IFeatureExplainer
{
    public double Coverage { get; init; } = 0.8;
    public int MaxTokens { get; init; } = 10;
    public string Name => "maxact-offline";

    public Task<FeatureDescription> ExplainAsync(FeatureId feature, IReadOnlyList<ActivatingExample> examples, CancellationToken cancel = default)
    {
        var valid = examples.Where(e => e.Position >= 0 && e.Position < e.Tokens.Count).ToArray();
        if (valid.Length == 0) return Task.FromResult(FeatureDescription.None(DescriptionMethods.MaxAct, feature));
        var counts = valid.Select((e, i) => (Token: e.Tokens[e.Position], i)).GroupBy(x => x.Token)
            .Select(g => (Token: g.Key, Count: g.Count(), First: g.Min(x => x.i))).OrderByDescending(x => x.Count).ThenBy(x => x.First).ToArray();
        var tokens = new List<string>();
        int covered = 0;
        foreach (var (token, count, _) in counts)
        {
            if (tokens.Count >= MaxTokens || covered >= Coverage * valid.Length) break;
            tokens.Add(token);
            covered += count;
        }
        return Task.FromResult(new FeatureDescription
        {
            Method = DescriptionMethods.MaxAct, Feature = feature, Tokens = tokens,
            Text = "the most frequent tokens at the maximum: " + string.Join(", ", tokens.Select(t => $"'{t}'")),
        });
    }
}
