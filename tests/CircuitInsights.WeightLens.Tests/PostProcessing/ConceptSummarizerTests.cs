using CircuitInsights.Llm;
using CircuitInsights.WeightLens.PostProcessing;
using CircuitInsights.WeightLens.Tests.Support;

namespace CircuitInsights.WeightLens.Tests.PostProcessing;

public class ConceptSummarizerTests
{
    const string KeyVariable = "CI_TEST_WEIGHTLENS_CONCEPT_KEY";

    static OpenAiChatClient Client(string endpoint, bool withKey = false)
    {
        if (withKey) Environment.SetEnvironmentVariable(KeyVariable, "secret-key");
        return new OpenAiChatClient(new OpenAiChatOptions { Endpoint = endpoint, Model = withKey ? "fake-model" : "m", ApiKeyVariable = withKey ? KeyVariable : "CI_TEST_UNSET_KEY", MaxRetries = 0, Timeout = TimeSpan.FromSeconds(20) });
    }

    static readonly PostProcessedDescription[] Descriptions =
    [
        new(3, 1, true, ["officer"], ["headquarters"], []),
        new(3, 2, false, [], ["paris"], []),
        new(3, 4, true, [], [], []),
    ];

    [Fact]
    public async Task Summarize_ValidatedFeatures_SendsStructuredPromptAndParsesConcept()
    {
        using var server = new FakeChatServer();
        using var client = Client(server.Endpoint, withKey: true);
        var concepts = await new ConceptSummarizer(client, ConceptPrompt.Default).SummarizeAsync(Descriptions, validatedOnly: true, cancellation: TestContext.Current.CancellationToken);
        var c = Assert.Single(concepts);
        Assert.Equal((3, 1), (c.Layer, c.FeatureIdx));
        Assert.Equal("tokens [Important Tokens]: ['officer']", c.Concept);
        var (auth, body) = Assert.Single(server.Requests);
        Assert.Equal("Bearer secret-key", auth);
        Assert.Equal("fake-model", body["model"]!.GetValue<string>());
        Assert.Equal(ConceptPrompt.Default.SystemPrompt, body["messages"]![0]!["content"]!.GetValue<string>());
        Assert.Equal("[Important Tokens]: ['officer']\n[Tokens Promoted]: ['headquarters']\n[Tokens Suppressed]: None",
            body["messages"]![1]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Summarize_AllFeatures_SkipsOnlyEmptyOnes()
    {
        using var server = new FakeChatServer();
        using var client = Client(server.Endpoint + "/");
        var concepts = await new ConceptSummarizer(client, ConceptPrompt.Default).SummarizeAsync(Descriptions, validatedOnly: false, cancellation: TestContext.Current.CancellationToken);
        Assert.Equal([1, 2], concepts.Select(c => c.FeatureIdx));
        Assert.All(server.Requests, r => Assert.Null(r.Authorization));
    }

    [Fact]
    public async Task Complete_ServerError_ThrowsOneLineWithStatus()
    {
        using var server = new FakeChatServer { Status = 503 };
        using var client = Client(server.Endpoint);
        var e = await Assert.ThrowsAsync<CircuitInsightsException>(() => client.CompleteAsync(new ChatRequest { Messages = [ChatMessage.System("s"), ChatMessage.User("u")] }, TestContext.Current.CancellationToken));
        Assert.Contains("HTTP 503", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("ftp://x/v1")]
    [InlineData("not a url")]
    public void Client_BadEndpoint_Throws(string endpoint) => Assert.Throws<CircuitInsightsException>(() => Client(endpoint));

    [Theory]
    [InlineData("[Concept: Days of the week.]", "Days of the week.")]
    [InlineData("Sure!\n[Concept: a [nested] thing]", "a [nested] thing")]
    [InlineData("  no marker  ", "no marker")]
    public void ParseConcept_ExtractsTheBracketedText(string answer, string concept) => Assert.Equal(concept, ConceptPrompt.ParseConcept(answer));

    [Fact]
    public void PythonList_QuotesLikePythonRepr()
    {
        Assert.Equal("None", ConceptPrompt.PythonList([]));
        Assert.Equal("['a', \"it's\", 'x\\\\y']", ConceptPrompt.PythonList(["a", "it's", "x\\y"]));
    }
}
