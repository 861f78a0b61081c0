using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CircuitInsights.Llm;

/// <summary>
/// <see cref="IChatClient"/> over the OpenAI chat-completions protocol (POST <c>{endpoint}/chat/completions</c> with
/// <c>{model, messages, temperature[, max_tokens]}</c>; answer in <c>choices[0].message.content</c>), which OpenAI, Azure
/// OpenAI's v1 route, vLLM, Ollama, llama.cpp's server and LM Studio all speak. Transient failures (408, 409, 429, 5xx,
/// connection errors, per-attempt timeouts) are retried with exponential backoff (Retry-After honoured); other HTTP
/// errors and malformed answers throw <see cref="CircuitInsightsException"/> with one line naming the URL and status.
/// Plain HttpClient rather than the OpenAI SDK: one endpoint, a retry policy we own and test, no second retry layer.
/// </summary>
public sealed class OpenAiChatClient : IChatClient, IDisposable
{
    readonly OpenAiChatOptions _options;
    readonly HttpClient _http;
    readonly bool _ownsHttp;
    readonly SemaphoreSlim _slots;
    readonly Func<TimeSpan, CancellationToken, Task> _delay;
    readonly string? _apiKey;
    readonly Uri _uri;

    /// <param name="http">HttpClient to use (default: a new one owned by this client).</param>
    /// <param name="delay">Waits between retries (tests pass a recorder; default Task.Delay).</param>
    public OpenAiChatClient(OpenAiChatOptions options, HttpClient? http = null, Func<TimeSpan, CancellationToken, Task>? delay = null)
    {
        _options = options;
        _uri = options.CompletionsUri;
        if (string.IsNullOrWhiteSpace(options.Model)) throw new CircuitInsightsException("--llm-model: a model name is required");
        if (options.MaxConcurrency < 1 || options.MaxRetries < 0) throw new CircuitInsightsException("LLM client: concurrency must be ≥ 1 and retries ≥ 0");
        _ownsHttp = http is null;
        _http = http ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        _slots = new SemaphoreSlim(options.MaxConcurrency);
        _delay = delay ?? Task.Delay;
        _apiKey = Environment.GetEnvironmentVariable(options.ApiKeyVariable) is { Length: > 0 } k ? k : null;
    }

    /// <summary>HTTP attempts made (including retries), for reporting and tests.</summary>
    public int Attempts => _attempts;
    int _attempts;

    public async Task<string> CompleteAsync(ChatRequest request, CancellationToken cancel = default)
    {
        string body = RequestBody(request);
        await _slots.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            for (int attempt = 0; ; attempt++)
            {
                var (result, retryAfter, failure) = await AttemptAsync(body, cancel).ConfigureAwait(false);
                if (result is not null) return result;
                if (attempt >= _options.MaxRetries)
                    throw new CircuitInsightsException($"{_uri}: {failure} (gave up after {attempt + 1} attempts)");
                double backoff = Math.Min(_options.MaxBackoff.TotalSeconds, _options.InitialBackoff.TotalSeconds * Math.Pow(2, attempt));
                var wait = TimeSpan.FromSeconds(Math.Max(backoff, Math.Min(retryAfter?.TotalSeconds ?? 0, _options.MaxBackoff.TotalSeconds)));
                await _delay(wait, cancel).ConfigureAwait(false);
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>The JSON body: model, messages, temperature and max_tokens.</summary>
    public string RequestBody(ChatRequest request)
    {
        var messages = new JsonArray();
        foreach (var m in request.Messages) messages.Add(new JsonObject { ["role"] = m.Role, ["content"] = m.Content });
        var o = new JsonObject { ["model"] = _options.Model, ["messages"] = messages, ["temperature"] = request.Temperature };
        if (request.MaxTokens is int max) o["max_tokens"] = max;
        return o.ToJsonString();
    }

    /// <summary>One HTTP attempt: the answer, or why it failed transiently (permanent failures throw).</summary>
    async Task<(string? Result, TimeSpan? RetryAfter, string Failure)> AttemptAsync(string body, CancellationToken cancel)
    {
        Interlocked.Increment(ref _attempts);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(_options.Timeout);
        using var message = new HttpRequestMessage(HttpMethod.Post, _uri) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (_apiKey is not null) message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return (null, null, $"no answer within {_options.Timeout.TotalSeconds:F0} s");
        }
        catch (HttpRequestException e)
        {
            return (null, null, $"connection failed ({OneLine(e.Message)})");
        }
        using (response)
        {
            string text;
            try { text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested) { return (null, null, "answer body timed out"); }
            catch (HttpRequestException e) { return (null, null, $"answer body failed ({OneLine(e.Message)})"); }
            int status = (int)response.StatusCode;
            if (status is 408 or 409 or 429 or >= 500)
                return (null, RetryAfter(response), $"HTTP {status} {Snippet(text)}");
            if (response.StatusCode == HttpStatusCode.Unauthorized || response.StatusCode == HttpStatusCode.Forbidden)
                throw new CircuitInsightsException($"{_uri}: HTTP {status}: the server refused the API key (set it in ${_options.ApiKeyVariable}) {Snippet(text)}");
            if (!response.IsSuccessStatusCode)
                throw new CircuitInsightsException($"{_uri}: HTTP {status} {Snippet(text)}");
            return (ParseContent(text), null, "");
        }
    }

    string ParseContent(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
                && choices[0].TryGetProperty("message", out var msg) && msg.TryGetProperty("content", out var content))
                return content.ValueKind == JsonValueKind.String ? content.GetString()! : content.ValueKind == JsonValueKind.Null ? "" : content.GetRawText();
        }
        catch (JsonException e)
        {
            throw new CircuitInsightsException($"{_uri}: answer is not JSON ({OneLine(e.Message)}) {Snippet(json)}");
        }
        throw new CircuitInsightsException($"{_uri}: answer has no choices[0].message.content {Snippet(json)}");
    }

    static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var h = response.Headers.RetryAfter;
        if (h?.Delta is TimeSpan d) return d;
        if (h?.Date is DateTimeOffset at) return at - DateTimeOffset.UtcNow;
        return null;
    }

    static string Snippet(string text)
    {
        string one = OneLine(text);
        return one.Length == 0 ? "" : "«" + (one.Length > 200 ? one[..200] + "…" : one) + "»";
    }

    static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
        _slots.Dispose();
    }
}
