using CircuitInsights.CircuitLens;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Evaluation.Descriptions;

/// <summary>
/// What one method says a feature means: free text (the concept the LLM judge sees) and/or a token list (what the
/// offline judge matches). A feature without either is "not described" by that method and gets no scores.
/// </summary>
public sealed record FeatureDescription
{
    /// <summary>Method name: wl, wl+out, cl, wl+cl, maxact, external.</summary>
    public required string Method { get; init; }
    public required FeatureId Feature { get; init; }
    /// <summary>Natural-language description, or null.</summary>
    public string? Text { get; init; }
    /// <summary>Tokens the description consists of or names (vocabulary strings, e.g. " cat"); may be empty.</summary>
    public IReadOnlyList<string> Tokens { get; init; } = [];

    public bool IsDescribed => !string.IsNullOrWhiteSpace(Text) || Tokens.Count > 0;

    /// <summary>The concept given to the LLM judge: the text, else the token list.</summary>
    public string Concept => !string.IsNullOrWhiteSpace(Text) ? Text! : TokenPhrase(Tokens);

    /// <summary>"the tokens 'cat', 'dog'" (leading spaces shown as they are).</summary>
    public static string TokenPhrase(IEnumerable<string> tokens) =>
        "the tokens " + string.Join(", ", tokens.Select(t => $"'{t.Replace("\n", "\\n")}'"));

    public static FeatureDescription None(string method, FeatureId feature) => new() { Method = method, Feature = feature };
}
