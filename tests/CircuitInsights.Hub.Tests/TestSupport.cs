using CircuitInsights.Testing.Hub;

namespace CircuitInsights.Hub.Tests;

/// <summary>A fresh temporary directory, deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ci-hub-" + Guid.NewGuid().ToString("N"));

    public TempDir() => Directory.CreateDirectory(Path);

    public string Sub(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public static class Hubs
{
    public const string Commit1 = "1111111111111111111111111111111111111111";
    public const string Commit2 = "2222222222222222222222222222222222222222";

    /// <summary>A client of <paramref name="server"/> with fast retries, writing to <paramref name="cache"/>.</summary>
    public static HubClient Client(MockHubServer server, string cache, string? token = null, bool offline = false, int maxRetries = 5,
        Func<HubClientOptions, HubClientOptions>? tweak = null) =>
        new(Options(server.Endpoint, cache, token, offline, maxRetries, tweak));

    public static HubClientOptions Options(string endpoint, string cache, string? token = null, bool offline = false, int maxRetries = 5,
        Func<HubClientOptions, HubClientOptions>? tweak = null)
    {
        var o = new HubClientOptions
        {
            Endpoint = endpoint, CacheDir = cache, Token = token, Offline = offline, MaxRetries = maxRetries,
            RetryBaseDelay = TimeSpan.FromMilliseconds(5), MaxRetryDelay = TimeSpan.FromMilliseconds(20),
            RequestTimeout = TimeSpan.FromSeconds(5), ReadTimeout = TimeSpan.FromSeconds(5), ProgressInterval = TimeSpan.Zero,
        };
        return tweak is null ? o : tweak(o);
    }

    /// <summary>A client whose handler fails the test on any request (proves an answer came from the cache).</summary>
    public static HubClient NoNetworkClient(string cache) =>
        new(new HubClientOptions { Endpoint = "http://127.0.0.1:9", CacheDir = cache, Handler = new ForbiddenHandler() });

    sealed class ForbiddenHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new Xunit.Sdk.XunitException($"unexpected network request: {request.Method} {request.RequestUri}");
    }

    /// <summary>Asserts a hub failure of the given kind whose one-line message contains every fragment.</summary>
    public static HubException Throws(HubErrorKind kind, Action action, params string[] fragments)
    {
        var e = Assert.Throws<HubException>(action);
        Assert.Equal(kind, e.Kind);
        Assert.DoesNotContain('\n', e.Message);
        foreach (var f in fragments) Assert.True(e.Message.Contains(f, StringComparison.Ordinal), $"message \"{e.Message}\" lacks \"{f}\"");
        return e;
    }
}

/// <summary>An <see cref="IProgress{T}"/> that calls back synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
public sealed class SyncProgress(Action<DownloadProgress> onReport) : IProgress<DownloadProgress>
{
    readonly object gate = new();
    public void Report(DownloadProgress value) { lock (gate) onReport(value); }
}
