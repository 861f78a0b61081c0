using System.Globalization;
using CircuitInsights.Formats;

namespace CircuitInsights.Hub;

/// <summary>
/// Settings of a <see cref="HubClient"/>. <see cref="FromEnvironment"/> reads the variables huggingface_hub reads
/// (constants.py): HF_ENDPOINT, HF_TOKEN (<see cref="HubToken"/>), HF_HUB_CACHE/HF_HOME (<see cref="HubCacheLayout"/>),
/// HF_HUB_OFFLINE (1/ON/YES/TRUE, or TRANSFORMERS_OFFLINE), HF_HUB_ETAG_TIMEOUT and HF_HUB_DOWNLOAD_TIMEOUT (seconds).
/// </summary>
public sealed record HubClientOptions
{
    public const string DefaultEndpoint = "https://huggingface.co";

    /// <summary>Hub base URL, without trailing slash.</summary>
    public string Endpoint { get; init; } = DefaultEndpoint;
    /// <summary>Sent as <c>Authorization: Bearer</c> to the hub (never to a CDN on another host); null = anonymous.</summary>
    public string? Token { get; init; }
    /// <summary>Cache root (the folder holding <c>models--org--name</c>).</summary>
    public string CacheDir { get; init; } = HubCacheLayout.DefaultCacheRoot();
    /// <summary>Never touch the network: answer from the cache or fail with <see cref="HubErrorKind.Offline"/>.</summary>
    public bool Offline { get; init; }
    /// <summary>HTTP handler (tests); null = a SocketsHttpHandler that does not follow redirects itself.</summary>
    public HttpMessageHandler? Handler { get; init; }
    /// <summary>Limit for a metadata request (HEAD, repo info) and for the response headers of a download.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Longest wait for the next bytes of a download before the connection counts as dropped.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Retries after a server error (5xx, 429) or a dropped connection; a download that made progress resets the count.</summary>
    public int MaxRetries { get; init; } = 5;
    /// <summary>First backoff delay; doubles each retry up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(0.5);
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(8);
    /// <summary>How long to wait for another process that is downloading the same blob.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(30);
    /// <summary>Minimum interval between progress reports of one file.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Options from the environment (see the type's summary); <paramref name="getEnv"/> replaces it in tests.</summary>
    public static HubClientOptions FromEnvironment(Func<string, string?>? getEnv = null)
    {
        getEnv ??= Environment.GetEnvironmentVariable;
        var o = new HubClientOptions
        {
            Endpoint = (NonEmpty(getEnv("HF_ENDPOINT")) ?? DefaultEndpoint).TrimEnd('/'),
            Token = HubToken.Resolve(getEnv),
            CacheDir = HubCacheLayout.DefaultCacheRoot(getEnv),
            Offline = IsTrue(getEnv("HF_HUB_OFFLINE")) || IsTrue(getEnv("TRANSFORMERS_OFFLINE")),
        };
        if (Seconds(getEnv("HF_HUB_ETAG_TIMEOUT")) is { } etag) o = o with { RequestTimeout = etag };
        if (Seconds(getEnv("HF_HUB_DOWNLOAD_TIMEOUT")) is { } download) o = o with { ReadTimeout = download };
        return o;
    }

    /// <summary>huggingface_hub's truthy environment values: 1, ON, YES, TRUE (any case).</summary>
    public static bool IsTrue(string? value) => value?.Trim().ToUpperInvariant() is "1" or "ON" or "YES" or "TRUE";

    static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    static TimeSpan? Seconds(string? s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0 ? TimeSpan.FromSeconds(v) : null;
}
