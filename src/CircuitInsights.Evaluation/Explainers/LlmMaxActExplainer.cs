using CircuitInsights.CircuitLens;
using CircuitInsights.Evaluation.Descriptions;
using CircuitInsights.Llm;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Evaluation.Explainers;

/// <summary>
/// MaxAct with an LLM (prompt <c>Prompts/maxact-explain.prompt</c>): the top contexts, each with the token at the
/// maximum marked «like this» and its activation, go to the model, whose answer (one short sentence) is the description.
/// Tokens for the offline judge are the answer's quoted strings (<see cref="TokenExtractor"/>).
/// </summary>
public sealed class LlmMaxActExplainer(IChatClient client) : IFeatureExplainer
{
    public static readonly PromptTemplate Template = PromptTemplate.FromResource(typeof(LlmMaxActExplainer).Assembly, "maxact-explain.prompt");

    /// <summary>Tokens shown on each side of the maximum.</summary>
    public int Window { get; init; } = 12;
    public string Name => "maxact-llm";

    public async Task<FeatureDescription> ExplainAsync(FeatureId feature, IReadOnlyList<ActivatingExample> examples, CancellationToken cancel = default)
    {
        var valid = examples.Where(e => e.Position >= 0 && e.Position < e.Tokens.Count).ToArray();
        if (valid.Length == 0) return FeatureDescription.None(DescriptionMethods.MaxAct, feature);
        var lines = valid.Select((e, i) =>
        {
            int start = Math.Max(0, e.Position - Window), end = Math.Min(e.Tokens.Count, e.Position + Window + 1);
            var text = string.Concat(Enumerable.Range(start, end - start).Select(p => p == e.Position ? $"«{e.Tokens[p]}»" : e.Tokens[p]));
            return $"{i + 1}. (activation {e.Activation:G3}) {text.ReplaceLineEndings("↵")}";
        });
        var request = Template.Request(new Dictionary<string, string> { ["examples"] = string.Join("\n", lines) });
        string answer = (await client.CompleteAsync(request, cancel).ConfigureAwait(false)).Trim();
        if (answer.Length == 0) return FeatureDescription.None(DescriptionMethods.MaxAct, feature);
        return new FeatureDescription { Method = DescriptionMethods.MaxAct, Feature = feature, Text = answer, Tokens = TokenExtractor.FromText(answer) };
    }
}
