using CircuitInsights.CircuitLens;
using CircuitInsights.Evaluation.Descriptions;
using CircuitInsights.Evaluation.Judges;
using CircuitInsights.Llm;
using CircuitInsights.Testing;
using CircuitInsights.Testing.Llm;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Evaluation.Tests.Judges;

public class LlmJudgeTests
{
    static readonly FeatureDescription Animals = new() { Method = "cl", Feature = new FeatureId(0, 5), Text = "animal words such as \"cat\"" };

    /// <summary>A fake evaluator: generation answers a Python-style list (with a fence); rating marks texts containing "cat" as 2.</summary>
    static string Fake(MockChatCall c)
    {
        if (c.System.Contains("collection of short texts"))
            return "```python\n['A cat sat.', \"The dog's bowl\", 'A cat sat.']\n```";
        var ids = System.Text.RegularExpressions.Regex.Matches(c.User, @"Sequence ID (\d+): '(.*)'");
        return "{" + string.Join(", ", ids.Select(m => $"\"{m.Groups[1].Value}\": {(m.Groups[2].Value.Contains("cat") ? 2 : 0)}")) + "}";
    }

    [Fact]
    public async Task Judge_OverMockServer_ParsesAndCaches_SecondRunZeroRequests()
    {
        string dir = CheckpointDirectory.CreateTemp("ci-judge");
        using var server = new MockChatServer(Fake);
        var texts = Enumerable.Range(0, 20).Select(i => i % 3 == 0 ? $"text {i} with a cat" : $"text {i}").ToArray();
        var options = new LlmJudgeOptions { GenerationCalls = 3, RatingBatchSize = 7 };
        IReadOnlyList<string>? samples1 = null, samples2 = null;
        IReadOnlyList<int?>? ratings1 = null, ratings2 = null;
        for (int run = 0; run < 2; run++)
        {
            using var http = new OpenAiChatClient(new OpenAiChatOptions { Endpoint = server.Endpoint, Model = "judge", InitialBackoff = TimeSpan.Zero });
            var judge = new LlmJudge(new CachedChatClient(http, dir, "judge"), "judge", options);
            var s = await judge.GenerateConceptSamplesAsync(Animals, TestContext.Current.CancellationToken);
            var r = await judge.RateAsync(Animals, texts, TestContext.Current.CancellationToken);
            if (run == 0) (samples1, ratings1) = (s, r); else (samples2, ratings2) = (s, r);
            if (run == 0) Assert.Equal(3 + 3, server.Received); // 3 generation calls + ⌈20/7⌉ rating calls
        }
        Assert.Equal(6, server.Received); // the second run was served from the cache
        Assert.Equal(["A cat sat.", "The dog's bowl"], samples1);
        Assert.Equal(samples1, samples2);
        Assert.Equal(texts.Select(t => (int?)(t.Contains("cat") ? 2 : 0)), ratings1);
        Assert.Equal(ratings1, ratings2);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task Judge_FailuresRetried_UnratedTextsResent()
    {
        using var server = new MockChatServer(Fake);
        server.FailNext(503, 429);
        int calls = 0;
        var inner = new OpenAiChatClient(new OpenAiChatOptions { Endpoint = server.Endpoint, Model = "judge", InitialBackoff = TimeSpan.Zero, MaxConcurrency = 1 });
        // drop the answer for id 1 the first time it is asked
        server.Responder = c => Interlocked.Increment(ref calls) == 1 ? "{\"0\": 2}" : Fake(c);
        var judge = new LlmJudge(inner, "judge", new LlmJudgeOptions { RatingBatchSize = 10 });
        var r = await judge.RateAsync(Animals, ["a cat", "a cat too"], TestContext.Current.CancellationToken);
        Assert.Equal([2, 2], r);
        Assert.Equal(4, server.Received); // 2 injected failures + first answer (id 1 missing) + re-ask
        inner.Dispose();
    }

    [Fact]
    public void Parser_Ratings_LenientAndBounded()
    {
        var r = LlmAnswerParser.Ratings("Sure! ```json\n{\"1\": 2, '2': 0, \"3\": \"1\", \"4\": 7}\n```");
        Assert.Equal(new Dictionary<int, int> { [1] = 2, [2] = 0, [3] = 1 }, r);
    }

    [Fact]
    public void Parser_StringList_EscapesAndQuotes()
    {
        Assert.Equal(["it's \"ok\"", "line\nbreak"], LlmAnswerParser.StringList("[\"it's \\\"ok\\\"\", 'line\\nbreak']"));
        Assert.Empty(LlmAnswerParser.StringList("no list here"));
    }
}
