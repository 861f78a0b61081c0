namespace CircuitInsights.Evaluation.Descriptions;

/// <summary>
/// Tokens named by a free-text description, for the offline judge: the quoted strings ("…", '…', “…”, «…») when there are
/// any, else the content words (stop words and one-letter words dropped). Used for Neuronpedia labels, LLM-written MaxAct
/// descriptions and the like; token-list methods carry their tokens directly.
/// </summary>
public static class TokenExtractor
{
    static readonly HashSet<string> Stop = new(StringComparer.Ordinal)
    {
        "the", "a", "an", "of", "and", "or", "to", "in", "on", "at", "for", "with", "by", "from", "as", "is", "are", "be", "this",
        "that", "these", "those", "it", "its", "feature", "features", "token", "tokens", "word", "words", "text", "mentions",
        "mention", "related", "such", "like", "e.g", "eg", "i.e", "ie", "various", "fires", "activates", "activating", "when",
        "after", "before", "about", "terms", "term", "concept", "concepts", "contexts", "context", "references", "reference",
        "including", "especially", "often", "usually", "other", "which", "where", "not", "but", "also", "any",
    };

    public static IReadOnlyList<string> FromText(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var quoted = new List<string>();
        (char Open, char Close)[] pairs = [('"', '"'), ('“', '”'), ('«', '»'), ('\'', '\'')];
        foreach (var (open, close) in pairs)
        {
            for (int i = 0; i < text.Length; i++)
            {
                if (text[i] != open) continue;
                // an apostrophe inside a word is not a quote
                if (open == '\'' && i > 0 && char.IsLetter(text[i - 1])) continue;
                int j = text.IndexOf(close, i + 1);
                if (j < 0) break;
                string inner = text[(i + 1)..j];
                if (inner.Length > 0 && inner.Length <= 40 && !inner.Contains('\n')) quoted.Add(inner);
                i = j;
            }
            if (quoted.Count > 0) return quoted.Distinct().ToArray();
        }
        return TokenNormalizer.Words(text).Where(w => w.Length > 1 && char.IsLetterOrDigit(w[0]) && !Stop.Contains(w.ToLowerInvariant()))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }
}
