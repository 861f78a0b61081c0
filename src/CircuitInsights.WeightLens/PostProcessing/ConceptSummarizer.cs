using CircuitInsights.Formats;
using CircuitInsights.Llm;
using CircuitInsights.WeightLens.Output;

namespace CircuitInsights.WeightLens.PostProcessing;

/// <summary>One feature's LLM concept.</summary>
public sealed record FeatureConcept(int Layer, int FeatureIdx, string Concept);

/// <summary>
/// The optional LLM step (WeightLens+Out+LLM): for each post-processed description with at least one token, asks the
/// chat endpoint for a one-line concept and writes <c>concepts_layer_{L}.json</c>. Without an LLM the structured
/// description (<see cref="DescriptionPostProcessor"/>) is the output. Any <see cref="IChatClient"/> works (the CLI uses
/// an OpenAI-compatible endpoint behind the on-disk answer cache); requests are sent at temperature 0.
/// </summary>
public sealed class ConceptSummarizer(IChatClient client, ConceptPrompt prompt)
{
    /// <summary>Cache/provenance id of the prompt (bump when <see cref="ConceptPrompt"/> changes).</summary>
    public const string TemplateVersion = "weightlens-concept@1";

    public static string FileName(int layer) => $"concepts_layer_{layer}.json";

    /// <summary>Summarises <paramref name="descriptions"/> (only validated ones when <paramref name="validatedOnly"/>).</summary>
    public async Task<List<FeatureConcept>> SummarizeAsync(IEnumerable<PostProcessedDescription> descriptions, bool validatedOnly,
        int? limit = null, Action<int>? progress = null, CancellationToken cancellation = default)
    {
        var result = new List<FeatureConcept>();
        foreach (var d in descriptions)
        {
            if (limit is int max && result.Count >= max) break;
            if (validatedOnly && !d.Validation) continue;
            if (d.ImportantTokens.Length + d.TokensPromoted.Length + d.TokensSuppressed.Length == 0) continue;
            var request = new ChatRequest
            {
                Messages = [ChatMessage.System(prompt.SystemPrompt), ChatMessage.User(ConceptPrompt.UserMessage(d.ImportantTokens, d.TokensPromoted, d.TokensSuppressed))],
                Temperature = 0, TemplateVersion = TemplateVersion,
            };
            string answer = await client.CompleteAsync(request, cancellation).ConfigureAwait(false);
            result.Add(new FeatureConcept(d.Layer, d.FeatureIdx, ConceptPrompt.ParseConcept(answer)));
            progress?.Invoke(result.Count);
        }
        return result;
    }

    public static void WriteFile(string path, IEnumerable<FeatureConcept> concepts) =>
        AtomicFile.Write(path, stream =>
        {
            using var text = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
            var w = new PythonJsonWriter(text);
            w.BeginArray();
            foreach (var c in concepts.OrderBy(c => c.FeatureIdx))
            {
                w.BeginObject();
                w.Key("feature");
                w.BeginObject();
                w.Property("layer", c.Layer);
                w.Property("feature_idx", c.FeatureIdx);
                w.EndObject();
                w.Property("concept", c.Concept);
                w.EndObject();
            }
            w.EndArray();
        });
}
