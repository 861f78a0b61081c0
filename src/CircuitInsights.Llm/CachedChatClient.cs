using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CircuitInsights.Formats;

namespace CircuitInsights.Llm;

/// <summary>
/// Decorator that stores every answer on disk so re-runs cost no requests. The key is the SHA-256 of the canonical JSON
/// <c>{model, template, temperature, max_tokens, sample, messages}</c>; the model is the name only (not the endpoint), so
/// the same model served from another URL reuses the cache. One file per answer, <c>{dir}/{h[0..2]}/{h}.json</c>, written
/// atomically; unreadable files count as misses and are rewritten.
/// </summary>
public sealed class CachedChatClient(IChatClient inner, string directory, string model) : IChatClient
{
    int _hits, _misses;

    /// <summary>Answers served from disk.</summary>
    public int Hits => _hits;
    /// <summary>Answers fetched from the inner client.</summary>
    public int Misses => _misses;

    public string Directory { get; } = directory;

    public async Task<string> CompleteAsync(ChatRequest request, CancellationToken cancel = default)
    {
        var key = KeyJson(model, request);
        string hash = Hash(key);
        string path = Path.Combine(Directory, hash[..2], hash + ".json");
        if (TryRead(path, key) is { } cached)
        {
            Interlocked.Increment(ref _hits);
            return cached;
        }
        string answer = await inner.CompleteAsync(request, cancel).ConfigureAwait(false);
        Interlocked.Increment(ref _misses);
        var entry = new JsonObject { ["key"] = JsonNode.Parse(key), ["response"] = answer };
        AtomicFile.WriteAllText(path, entry.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return answer;
    }

    /// <summary>Canonical JSON of everything that determines the answer.</summary>
    public static string KeyJson(string model, ChatRequest r)
    {
        var messages = new JsonArray();
        foreach (var m in r.Messages) messages.Add(new JsonObject { ["role"] = m.Role, ["content"] = m.Content });
        return new JsonObject
        {
            ["model"] = model,
            ["template"] = r.TemplateVersion,
            ["temperature"] = r.Temperature.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["max_tokens"] = r.MaxTokens,
            ["sample"] = r.Sample,
            ["messages"] = messages,
        }.ToJsonString();
    }

    public static string Hash(string keyJson) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(keyJson)));

    static string? TryRead(string path, string key)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var entry = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
            if (entry?["key"] is not JsonNode stored || !JsonNode.DeepEquals(stored, JsonNode.Parse(key))) return null;
            return entry["response"] is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }
}
