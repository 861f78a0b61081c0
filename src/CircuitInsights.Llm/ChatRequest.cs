namespace CircuitInsights.Llm;

/// <summary>
/// One chat completion to ask for. Everything that can change the answer is part of the request, so a cache keyed by it
/// (<see cref="CachedChatClient"/>) is exact: messages, temperature, token limit, the version of the prompt template the
/// messages came from, and <see cref="Sample"/>, which tells apart repeated draws of the same prompt (e.g. FADE's 15
/// parallel generation calls) that would otherwise share one cached answer.
/// </summary>
public sealed record ChatRequest
{
    public required IReadOnlyList<ChatMessage> Messages { get; init; }
    /// <summary>Sampling temperature sent to the server.</summary>
    public double Temperature { get; init; }
    /// <summary>max_tokens sent to the server (null = server default).</summary>
    public int? MaxTokens { get; init; }
    /// <summary>"name@version" of the prompt template (<see cref="PromptTemplate.Id"/>), or null for ad-hoc prompts.</summary>
    public string? TemplateVersion { get; init; }
    /// <summary>Index of a repeated draw of the same prompt; part of the cache key only (not sent).</summary>
    public int Sample { get; init; }
}
