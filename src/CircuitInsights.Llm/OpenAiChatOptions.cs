namespace CircuitInsights.Llm;

/// <summary>Where and how <see cref="OpenAiChatClient"/> talks to an OpenAI-compatible server.</summary>
public sealed record OpenAiChatOptions
{
    /// <summary>Base URL (e.g. <c>https://api.openai.com/v1</c>, <c>http://localhost:8000/v1</c> for vLLM, <c>http://localhost:11434/v1</c>
    /// for Ollama); <c>/chat/completions</c> is appended unless the URL already ends with it.</summary>
    public required string Endpoint { get; init; }
    /// <summary>Model name sent to the server (and the cache's model key).</summary>
    public required string Model { get; init; }
    /// <summary>Name of the environment variable holding the API key; unset or empty = no Authorization header (local servers).</summary>
    public string ApiKeyVariable { get; init; } = "OPENAI_API_KEY";
    /// <summary>Time allowed for one HTTP attempt.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>Attempts after the first one for 408/409/429/5xx answers, connection failures and timeouts.</summary>
    public int MaxRetries { get; init; } = 5;
    /// <summary>Wait before the first retry; doubled after each one (capped by <see cref="MaxBackoff"/>); a Retry-After header wins when longer.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Requests in flight at once.</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>The chat-completions URL.</summary>
    public Uri CompletionsUri
    {
        get
        {
            string e = Endpoint.Trim().TrimEnd('/');
            if (!Uri.TryCreate(e.EndsWith("/chat/completions", StringComparison.Ordinal) ? e : e + "/chat/completions", UriKind.Absolute, out var uri)
                || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                throw new CircuitInsightsException($"--llm-endpoint '{Endpoint}': expected an http(s) URL such as https://api.openai.com/v1");
            return uri;
        }
    }
}
