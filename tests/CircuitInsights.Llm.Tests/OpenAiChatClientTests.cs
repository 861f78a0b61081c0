using CircuitInsights.Testing.Llm;

namespace CircuitInsights.Llm.Tests;

public class OpenAiChatClientTests
{
    static ChatRequest Hello(string text = "hello") => new() { Messages = [ChatMessage.System("be brief"), ChatMessage.User(text)], Temperature = 0.5 };

    static (OpenAiChatClient Client, List<TimeSpan> Waits) Client(MockChatServer server, int retries = 3, TimeSpan? timeout = null)
    {
        var waits = new List<TimeSpan>();
        var options = new OpenAiChatOptions
        {
            Endpoint = server.Endpoint, Model = "mock-model", ApiKeyVariable = "CI_TEST_NO_SUCH_KEY_VARIABLE", MaxRetries = retries,
            Timeout = timeout ?? TimeSpan.FromSeconds(30), InitialBackoff = TimeSpan.FromMilliseconds(10),
        };
        return (new OpenAiChatClient(options, delay: (t, _) => { lock (waits) waits.Add(t); return Task.CompletedTask; }), waits);
    }

    [Fact]
    public async Task Complete_SendsModelMessagesAndTemperature_ReturnsContent()
    {
        using var server = new MockChatServer(c => $"echo:{c.User}");
        var (client, _) = Client(server);
        using var _c = client;
        string answer = await client.CompleteAsync(Hello("abc"), TestContext.Current.CancellationToken);
        Assert.Equal("echo:abc", answer);
        var call = Assert.Single(server.Answered);
        Assert.Equal("mock-model", call.Model);
        Assert.Equal(0.5, call.Temperature);
        Assert.Equal([("system", "be brief"), ("user", "abc")], call.Messages);
        Assert.Null(call.Authorization);
    }

    [Fact]
    public async Task Complete_ApiKeyFromNamedVariable_SentAsBearer()
    {
        using var server = new MockChatServer();
        Environment.SetEnvironmentVariable("CI_TEST_LLM_KEY", "sk-test-123");
        try
        {
            using var client = new OpenAiChatClient(new OpenAiChatOptions { Endpoint = server.Endpoint + "/", Model = "m", ApiKeyVariable = "CI_TEST_LLM_KEY" });
            await client.CompleteAsync(Hello(), TestContext.Current.CancellationToken);
            Assert.Equal("Bearer sk-test-123", Assert.Single(server.Answered).Authorization);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CI_TEST_LLM_KEY", null);
        }
    }

    [Fact]
    public async Task Complete_TransientFailures_RetriedWithDoublingBackoff()
    {
        using var server = new MockChatServer(_ => "fine");
        server.FailNext(503, 429, 500);
        var (client, waits) = Client(server, retries: 3);
        using var _c = client;
        Assert.Equal("fine", await client.CompleteAsync(Hello(), TestContext.Current.CancellationToken));
        Assert.Equal(4, server.Received);
        Assert.Equal(4, client.Attempts);
        Assert.Equal([10, 20, 40], waits.Select(w => (int)Math.Round(w.TotalMilliseconds)));
    }

    [Fact]
    public async Task Complete_RetriesExhausted_ThrowsOneLineWithStatus()
    {
        using var server = new MockChatServer();
        server.FailNext(503, 503, 503);
        var (client, _) = Client(server, retries: 2);
        using var _c = client;
        var e = await Assert.ThrowsAsync<CircuitInsightsException>(() => client.CompleteAsync(Hello(), TestContext.Current.CancellationToken));
        Assert.Contains("HTTP 503", e.Message);
        Assert.Contains("3 attempts", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public async Task Complete_BadRequest_NotRetried()
    {
        using var server = new MockChatServer();
        server.FailNext(400);
        var (client, waits) = Client(server);
        using var _c = client;
        var e = await Assert.ThrowsAsync<CircuitInsightsException>(() => client.CompleteAsync(Hello(), TestContext.Current.CancellationToken));
        Assert.Contains("HTTP 400", e.Message);
        Assert.Equal(1, server.Received);
        Assert.Empty(waits);
    }

    [Fact]
    public async Task Complete_StalledServer_TimesOutAndRetries()
    {
        using var server = new MockChatServer(_ => "late but fine");
        server.StallNext(1);
        var (client, waits) = Client(server, retries: 2, timeout: TimeSpan.FromMilliseconds(500));
        using var _c = client;
        Assert.Equal("late but fine", await client.CompleteAsync(Hello(), TestContext.Current.CancellationToken));
        Assert.Equal(2, client.Attempts);
        Assert.Single(waits);
    }

    [Fact]
    public async Task Complete_NothingListening_RetriesThenThrows()
    {
        int port;
        using (var s = new MockChatServer()) port = s.Port;
        var waits = new List<TimeSpan>();
        using var client = new OpenAiChatClient(new OpenAiChatOptions { Endpoint = $"http://127.0.0.1:{port}/v1", Model = "m", MaxRetries = 2, InitialBackoff = TimeSpan.Zero },
            delay: (t, _) => { waits.Add(t); return Task.CompletedTask; });
        var e = await Assert.ThrowsAsync<CircuitInsightsException>(() => client.CompleteAsync(Hello(), TestContext.Current.CancellationToken));
        Assert.Contains("connection failed", e.Message);
        Assert.Equal(2, waits.Count);
    }

    [Theory]
    [InlineData("ftp://host/v1")]
    [InlineData("not a url")]
    public void Options_BadEndpoint_Throws(string endpoint) =>
        Assert.Throws<CircuitInsightsException>(() => new OpenAiChatClient(new OpenAiChatOptions { Endpoint = endpoint, Model = "m" }));

    [Fact]
    public void Options_Endpoint_ChatCompletionsAppendedOnce()
    {
        Assert.Equal("http://h/v1/chat/completions", new OpenAiChatOptions { Endpoint = "http://h/v1/", Model = "m" }.CompletionsUri.ToString());
        Assert.Equal("http://h/v1/chat/completions", new OpenAiChatOptions { Endpoint = "http://h/v1/chat/completions", Model = "m" }.CompletionsUri.ToString());
    }
}
