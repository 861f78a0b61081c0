using System.Text;

namespace CircuitInsights.WeightLens.PostProcessing;

/// <summary>
/// The authors' description post-processing (WL postprocessing.unique_tokens): normalise each token (strip, lowercase,
/// drop punctuation unless the token is all ASCII punctuation), lemmatise the words (<see cref="EnglishLemmatizer"/>),
/// then greedily group near-duplicates — a token joins the first group holding a member with
/// <see cref="SequenceMatcher.Ratio"/> &gt; 0.85 (words) or &gt; 0.6 (punctuation) — and keep each group's first token.
/// Words come before punctuation. If everything normalises to a single empty string the original tokens are returned.
/// </summary>
public static class UniqueTokens
{
    const string Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    public static string[] Compute(IReadOnlyList<string> tokens, double wordThreshold = 0.85, double punctuationThreshold = 0.6)
    {
        var words = new List<string>();
        var punctuation = new List<string>();
        foreach (var token in tokens)
        {
            string n = Normalize(token);
            if (IsPunctuationLike(n)) punctuation.Add(n);
            else words.Add(EnglishLemmatizer.Lemmatize(n));
        }
        var result = Group(words, wordThreshold).Concat(Group(punctuation, punctuationThreshold)).ToArray();
        return result is [""] ? tokens.ToArray() : result;
    }

    /// <summary>True when every character is ASCII punctuation (also for the empty string, as Python's all()).</summary>
    public static bool IsPunctuationLike(string token) => token.All(c => Punctuation.Contains(c));

    /// <summary>strip() + lower(), then (unless punctuation-like) remove every character that is neither a word
    /// character (letter, digit, other numeric, underscore) nor whitespace, as <c>re.sub(r"[^\w\s]", "", t)</c>.</summary>
    public static string Normalize(string token)
    {
        string t = token.Trim().ToLowerInvariant();
        if (IsPunctuationLike(t)) return t;
        var sb = new StringBuilder(t.Length);
        foreach (var r in t.EnumerateRunes())
            if (Rune.IsLetterOrDigit(r) || Rune.IsWhiteSpace(r) || r.Value == '_'
                || Rune.GetUnicodeCategory(r) is System.Globalization.UnicodeCategory.LetterNumber or System.Globalization.UnicodeCategory.OtherNumber)
                sb.Append(r.ToString());
        return sb.ToString();
    }

    /// <summary>WL group_similar: greedy first-fit grouping; returns each group's first member.</summary>
    public static List<string> Group(IReadOnlyList<string> tokens, double threshold)
    {
        var groups = new List<List<string>>();
        foreach (var token in tokens)
        {
            var group = groups.FirstOrDefault(g => g.Any(member => SequenceMatcher.Ratio(token, member) > threshold));
            if (group is not null) group.Add(token);
            else groups.Add([token]);
        }
        return groups.Select(g => g[0]).ToList();
    }
}
