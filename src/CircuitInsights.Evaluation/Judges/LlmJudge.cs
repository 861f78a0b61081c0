using CircuitInsights.Evaluation.Descriptions;
using CircuitInsights.Llm;

namespace CircuitInsights.Evaluation.Judges;

/// <summary>
/// FADE's LLM evaluator over any <see cref="IChatClient"/> (prompts <c>Prompts/fade-generate.prompt</c> and
/// <c>fade-rate.prompt</c>, our own wording of FADE's tasks):
/// <list type="bullet">
/// <item>concept samples: <see cref="LlmJudgeOptions.GenerationCalls"/> calls of the same prompt (told apart by
/// <see cref="ChatRequest.Sample"/> so each is cached separately), each answering a list of strings; the union of
/// distinct strings is returned;</item>
/// <item>ratings: texts in batches of <see cref="LlmJudgeOptions.RatingBatchSize"/>, each shown as
/// <c>Sequence ID {i}: '{text}'</c>; the answer maps ids to 0/1/2; texts left unrated are sent again up to
/// <see cref="LlmJudgeOptions.MaxFailedRetries"/> times, then stay null.</item>
/// </list>
/// </summary>
public sealed class LlmJudge(IChatClient client, string modelName, LlmJudgeOptions? options = null) : IJudge
{
    public static readonly PromptTemplate GenerateTemplate = PromptTemplate.FromResource(typeof(LlmJudge).Assembly, "fade-generate.prompt");
    public static readonly PromptTemplate RateTemplate = PromptTemplate.FromResource(typeof(LlmJudge).Assembly, "fade-rate.prompt");

    readonly LlmJudgeOptions _o = options ?? new LlmJudgeOptions();

    public string Name => "llm:" + modelName;

    public async Task<IReadOnlyList<string>> GenerateConceptSamplesAsync(FeatureDescription description, CancellationToken cancel = default)
    {
        var values = new Dictionary<string, string> { ["concept"] = description.Concept };
        var answers = await Task.WhenAll(Enumerable.Range(0, _o.GenerationCalls).Select(k =>
            client.CompleteAsync(GenerateTemplate.Request(values, _o.GenerationTemperature, sample: k), cancel))).ConfigureAwait(false);
        var seen = new HashSet<string>();
        var result = new List<string>();
        foreach (var a in answers)
            foreach (var s in LlmAnswerParser.StringList(a))
                if (seen.Add(s)) result.Add(s);
        return result;
    }

    public async Task<IReadOnlyList<int?>> RateAsync(FeatureDescription description, IReadOnlyList<string> texts, CancellationToken cancel = default)
    {
        var ratings = new int?[texts.Count];
        var pending = Enumerable.Range(0, texts.Count).ToList();
        for (int round = 0; round <= _o.MaxFailedRetries && pending.Count > 0; round++)
        {
            var batches = pending.Chunk(Math.Max(1, _o.RatingBatchSize)).ToArray();
            var answers = await Task.WhenAll(batches.Select(b => RateBatch(description, texts, b, round, cancel))).ConfigureAwait(false);
            for (int i = 0; i < batches.Length; i++)
                foreach (int id in batches[i])
                    if (answers[i].TryGetValue(id, out int r)) ratings[id] = r;
            pending = pending.Where(i => ratings[i] is null).ToList();
        }
        return ratings;
    }

    async Task<Dictionary<int, int>> RateBatch(FeatureDescription d, IReadOnlyList<string> texts, int[] ids, int round, CancellationToken cancel)
    {
        var lines = ids.Select(i => $"Sequence ID {i}: '{Clip(texts[i]).ReplaceLineEndings(" ")}'");
        var values = new Dictionary<string, string> { ["concept"] = d.Concept, ["sequences"] = string.Join("\n", lines) };
        string answer = await client.CompleteAsync(RateTemplate.Request(values, _o.RatingTemperature, sample: round), cancel).ConfigureAwait(false);
        return LlmAnswerParser.Ratings(answer);
    }

    string Clip(string text) => text.Length <= _o.MaxTextChars ? text : text[.._o.MaxTextChars] + "…";
}
