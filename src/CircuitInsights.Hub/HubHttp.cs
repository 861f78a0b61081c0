using System.Net;
using System.Net.Http.Headers;

namespace CircuitInsights.Hub;

/// <summary>How a request treats redirects.</summary>
internal enum RedirectPolicy
{
    /// <summary>Follow only relative redirects (a renamed repo) and return an absolute one (a CDN) to the caller (HEAD metadata).</summary>
    RelativeOnly,
    /// <summary>Follow every redirect (downloads, API calls).</summary>
    All,
}

/// <summary>
/// HTTP plumbing shared by metadata requests and downloads: the bearer token goes only to the hub's own host (never to
/// a CDN that a redirect points to, as huggingface_hub removes <c>authorization</c> for LFS blobs), redirects are
/// followed by hand, and transient failures (5xx, 429, dropped or refused connections, timeouts) are retried with
/// exponential backoff. DNS failures are not retried, so an offline machine falls back to the cache at once.
/// </summary>
internal sealed class HubHttp : IDisposable
{
    const int MaxRedirects = 10;
    readonly HttpClient client;
    readonly HubClientOptions options;
    readonly Uri endpoint;

    public HubHttp(HubClientOptions options)
    {
        this.options = options;
        endpoint = new Uri(options.Endpoint.TrimEnd('/') + "/");
        var handler = options.Handler ?? new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = options.RequestTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        client = new HttpClient(handler, disposeHandler: options.Handler is null) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("circuit-insights/0.1 (huggingface_hub-compatible)");
    }

    public Uri Endpoint => endpoint;

    /// <summary>Whether <paramref name="url"/> is on the hub's own host (scheme, host and port), so the token may go there.</summary>
    public bool IsHubHost(Uri url) => Uri.Compare(url, endpoint, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>
    /// Sends a request, retrying transient failures; returns the response with its headers read (the body is left for
    /// the caller). Non-transient error statuses (4xx) are returned, not thrown.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, RedirectPolicy policy, long rangeFrom, CancellationToken ct)
    {
        int attempt = 0;
        while (true)
        {
            try
            {
                var response = await SendFollowingRedirectsAsync(method, url, policy, rangeFrom, ct).ConfigureAwait(false);
                int status = (int)response.StatusCode;
                if (status < 500 && status != 429) return response;
                if (attempt >= options.MaxRetries) return response;
                response.Dispose();
            }
            catch (Exception e) when (IsTransient(e, ct))
            {
                if (attempt >= options.MaxRetries)
                    throw new HubException(HubErrorKind.Network, $"could not reach {Show(url)}: {Describe(e)} (after {attempt + 1} attempts)", e);
            }
            catch (HttpRequestException e)
            {
                throw new HubException(HubErrorKind.Network, $"could not reach {Show(url)}: {Describe(e)}", e);
            }
            await DelayAsync(attempt++, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Waits the backoff delay of retry number <paramref name="attempt"/> (0-based).</summary>
    public Task DelayAsync(int attempt, CancellationToken ct)
    {
        double ms = Math.Min(options.MaxRetryDelay.TotalMilliseconds, options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
        return Task.Delay(TimeSpan.FromMilliseconds(ms), ct);
    }

    async Task<HttpResponseMessage> SendFollowingRedirectsAsync(HttpMethod method, Uri url, RedirectPolicy policy, long rangeFrom, CancellationToken ct)
    {
        for (int hop = 0; ; hop++)
        {
            var response = await SendOnceAsync(method, url, rangeFrom, ct).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            if (status is < 300 or > 399 || status == 304 || response.Headers.Location is not { } location) return response;
            bool relative = !location.IsAbsoluteUri;
            if (policy == RedirectPolicy.RelativeOnly && !relative) return response;
            if (hop >= MaxRedirects)
            {
                response.Dispose();
                throw new HubException(HubErrorKind.Protocol, $"too many redirects from {Show(url)}");
            }
            response.Dispose();
            url = relative ? new Uri(url, location) : location;
        }
    }

    async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, Uri url, long rangeFrom, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
        if (options.Token is { } token && IsHubHost(url)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (rangeFrom > 0) request.Headers.Range = new RangeHeaderValue(rangeFrom, null);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.RequestTimeout);
        try
        {
            return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"no response within {options.RequestTimeout.TotalSeconds:G3} s", e);
        }
    }

    /// <summary>Failures worth another attempt: timeouts, dropped/refused connections; not DNS, TLS or cancellation.</summary>
    public static bool IsTransient(Exception e, CancellationToken ct)
    {
        if (ct.IsCancellationRequested) return false;
        return e switch
        {
            TimeoutException => true,
            HttpRequestException h => h.HttpRequestError is not (HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError
                or HttpRequestError.ProxyTunnelError or HttpRequestError.UserAuthenticationError or HttpRequestError.ConfigurationLimitExceeded),
            IOException => true,
            OperationCanceledException => true,
            _ => false,
        };
    }

    public static string Describe(Exception e)
    {
        var inner = e;
        while (inner.InnerException is { } next && inner is HttpRequestException or IOException) inner = next;
        string text = e == inner ? e.Message : $"{e.Message} ({inner.Message})";
        return text.ReplaceLineEndings(" ").Trim();
    }

    /// <summary>A URL for messages: without its query (signed CDN URLs carry credentials there).</summary>
    public static string Show(Uri url) => url.IsAbsoluteUri ? url.GetLeftPart(UriPartial.Path) : url.ToString();

    public void Dispose() => client.Dispose();
}
