using CircuitInsights.Testing;
using CircuitInsights.Testing.Llm;

namespace CircuitInsights.Llm.Tests;

public class CachedChatClientTests
{
    sealed class Counting(Func<ChatRequest, string> answer) : IChatClient
    {
        public int Calls;
        public Task<string> CompleteAsync(ChatRequest request, CancellationToken cancel = default)
        {
            Interlocked.Increment(ref Calls);
            return Task.FromResult(answer(request));
        }
    }

    static ChatRequest Req(string user, double t = 0, string? template = "t@1", int sample = 0) =>
        new() { Messages = [ChatMessage.User(user)], Temperature = t, TemplateVersion = template, Sample = sample };

    [Fact]
    public async Task SameRequest_SecondTimeFromDisk_AlsoAcrossInstances()
    {
        string dir = CheckpointDirectory.CreateTemp("ci-llm");
        var inner = new Counting(r => "A:" + r.Messages[0].Content);
        var a = new CachedChatClient(inner, dir, "gpt-x");
        Assert.Equal("A:q", await a.CompleteAsync(Req("q"), TestContext.Current.CancellationToken));
        Assert.Equal("A:q", await a.CompleteAsync(Req("q"), TestContext.Current.CancellationToken));
        var b = new CachedChatClient(inner, dir, "gpt-x");
        Assert.Equal("A:q", await b.CompleteAsync(Req("q"), TestContext.Current.CancellationToken));
        Assert.Equal(1, inner.Calls);
        Assert.Equal((1, 1), (a.Hits, a.Misses));
        Assert.Equal((1, 0), (b.Hits, b.Misses));
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task EveryKeyPart_ChangesTheKey()
    {
        string dir = CheckpointDirectory.CreateTemp("ci-llm");
        var inner = new Counting(_ => "x");
        var c = new CachedChatClient(inner, dir, "m1");
        var ct = TestContext.Current.CancellationToken;
        await c.CompleteAsync(Req("q"), ct);
        await c.CompleteAsync(Req("q2"), ct);
        await c.CompleteAsync(Req("q", t: 0.7), ct);
        await c.CompleteAsync(Req("q", template: "t@2"), ct);
        await c.CompleteAsync(Req("q", sample: 3), ct);
        await new CachedChatClient(inner, dir, "m2").CompleteAsync(Req("q"), ct);
        Assert.Equal(6, inner.Calls);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task CorruptEntry_IsAMissAndRewritten()
    {
        string dir = CheckpointDirectory.CreateTemp("ci-llm");
        var inner = new Counting(_ => "fresh");
        var c = new CachedChatClient(inner, dir, "m");
        await c.CompleteAsync(Req("q"), TestContext.Current.CancellationToken);
        string file = Directory.EnumerateFiles(dir, "*.json", SearchOption.AllDirectories).Single();
        File.WriteAllText(file, "{ not json");
        Assert.Equal("fresh", await c.CompleteAsync(Req("q"), TestContext.Current.CancellationToken));
        Assert.Equal(2, inner.Calls);
        Assert.Contains("fresh", File.ReadAllText(file));
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task OverHttp_SecondRunMakesNoRequests()
    {
        string dir = CheckpointDirectory.CreateTemp("ci-llm");
        using var server = new MockChatServer(c => c.User.ToUpperInvariant());
        var options = new OpenAiChatOptions { Endpoint = server.Endpoint, Model = "mock", InitialBackoff = TimeSpan.Zero };
        var ct = TestContext.Current.CancellationToken;
        for (int run = 0; run < 2; run++)
        {
            using var http = new OpenAiChatClient(options);
            var c = new CachedChatClient(http, dir, options.Model);
            var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => c.CompleteAsync(Req($"q{i}"), ct)));
            Assert.Equal(Enumerable.Range(0, 5).Select(i => $"Q{i}"), answers);
        }
        Assert.Equal(5, server.Received);
        Directory.Delete(dir, true);
    }
}
