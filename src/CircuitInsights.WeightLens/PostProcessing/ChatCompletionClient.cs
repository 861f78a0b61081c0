using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CircuitInsights.WeightLens.PostProcessing;

/// <summary>
/// A minimal client for an OpenAI-compatible <c>POST {endpoint}/chat/completions</c> (OpenAI, vLLM, llama.cpp server,
/// Ollama, …): one system and one user message, temperature 0, the first choice's message content is returned. The key
/// is sent as a Bearer token when given (the CLI reads it from OPENAI_API_KEY). Failures (connection, HTTP status,
/// malformed answer, timeout) throw <see cref="CircuitInsightsException"/> with one line naming the endpoint.
/// </summary>
public sealed class ChatCompletionClient : IDisposable
{
    readonly HttpClient _http;
    readonly Uri _uri;

    public string Model { get; }

    /// <param name="endpoint">Base URL such as <c>http://localhost:8000/v1</c> (or the full …/chat/completions URL).</param>
    public ChatCompletionClient(string endpoint, string model, string? apiKey, TimeSpan? timeout = null)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
            throw new CircuitInsightsException($"--llm-endpoint: '{endpoint}' is not an http(s) URL");
        if (string.IsNullOrWhiteSpace(model)) throw new CircuitInsightsException("--llm-model: a model name is required");
        string url = endpoint.TrimEnd('/');
        _uri = new Uri(url.EndsWith("/chat/completions", StringComparison.Ordinal) ? url : url + "/chat/completions");
        Model = model;
        _http = new HttpClient { Timeout = timeout ?? TimeSpan.FromSeconds(120) };
        if (!string.IsNullOrEmpty(apiKey)) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    public async Task<string> CompleteAsync(string system, string user, CancellationToken cancellation = default)
    {
        var body = new JsonObject
        {
            ["model"] = Model,
            ["temperature"] = 0,
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = system },
                new JsonObject { ["role"] = "user", ["content"] = user }),
        };
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try { response = await _http.PostAsync(_uri, content, cancellation).ConfigureAwait(false); }
        catch (HttpRequestException e) { throw new CircuitInsightsException($"{_uri}: request failed ({e.Message})", e); }
        catch (TaskCanceledException e) when (!cancellation.IsCancellationRequested) { throw new CircuitInsightsException($"{_uri}: no answer within {_http.Timeout.TotalSeconds:F0} s", e); }
        using (response)
        {
            string text = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new CircuitInsightsException($"{_uri}: HTTP {(int)response.StatusCode} ({Shorten(text)})");
            try
            {
                var message = JsonNode.Parse(text)?["choices"]?[0]?["message"]?["content"];
                return message?.GetValue<string>() ?? throw new CircuitInsightsException($"{_uri}: answer has no choices[0].message.content ({Shorten(text)})");
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                throw new CircuitInsightsException($"{_uri}: malformed answer ({Shorten(text)})", e);
            }
        }
    }

    static string Shorten(string s)
    {
        s = s.ReplaceLineEndings(" ");
        return s.Length <= 200 ? s : s[..200] + "…";
    }

    public void Dispose() => _http.Dispose();
}
