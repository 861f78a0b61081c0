namespace CircuitInsights.Llm;

/// <summary>
/// The one LLM operation the pipeline needs: send a chat, get the assistant's text. Implementations:
/// <see cref="OpenAiChatClient"/> (any OpenAI-compatible server) and the <see cref="CachedChatClient"/> decorator.
/// Failures that are the user's to fix (bad endpoint, key, model) throw <see cref="CircuitInsightsException"/>.
/// </summary>
public interface IChatClient
{
    Task<string> CompleteAsync(ChatRequest request, CancellationToken cancel = default);
}
