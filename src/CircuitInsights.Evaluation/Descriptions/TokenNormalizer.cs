namespace CircuitInsights.Evaluation.Descriptions;

/// <summary>
/// Normalises vocabulary tokens and words so the offline judge can match them: lowercase; a leading space, GPT-2's 'Ġ'
/// and SentencePiece's '▁' removed; surrounding whitespace trimmed. <see cref="Lemma"/> applies a few English suffix rules
/// (plural -ies/-es/-s, -ing, -ed with a doubled final consonant undone), the same to tokens and words, so "cats" and
/// " cat" meet at "cat". Not a linguistic lemmatiser: consistency matters here, not correctness.
/// </summary>
public static class TokenNormalizer
{
    public static string Normalize(string token)
    {
        var s = token.AsSpan();
        while (s.Length > 0 && (s[0] == 'Ġ' || s[0] == '▁' || char.IsWhiteSpace(s[0]))) s = s[1..];
        return s.Trim().ToString().ToLowerInvariant();
    }

    public static string Lemma(string token)
    {
        string w = Normalize(token);
        if (w.Length < 4 || !w.All(char.IsLetter)) return w;
        if (w.EndsWith("ies") && w.Length > 4) return w[..^3] + "y";
        if (w.EndsWith("sses") || w.EndsWith("xes") || w.EndsWith("zes") || w.EndsWith("ches") || w.EndsWith("shes")) return w[..^2];
        if (w.EndsWith('s') && !w.EndsWith("ss") && !w.EndsWith("us") && !w.EndsWith("is")) return w[..^1];
        if (w.EndsWith("ing") && w.Length > 5) return Undouble(w[..^3]);
        if (w.EndsWith("ed") && w.Length > 4) return Undouble(w[..^2]);
        return w;
    }

    static string Undouble(string stem) =>
        stem.Length >= 3 && stem[^1] == stem[^2] && !"aeiouls".Contains(stem[^1]) ? stem[..^1] : stem;

    /// <summary>Words of a text: runs of letters/digits/apostrophes, and every other non-space character on its own.</summary>
    public static List<string> Words(string text)
    {
        var words = new List<string>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (char.IsLetterOrDigit(c))
            {
                int j = i;
                while (j < text.Length && (char.IsLetterOrDigit(text[j]) || (text[j] == '\'' && j + 1 < text.Length && char.IsLetter(text[j + 1])))) j++;
                words.Add(text[i..j]);
                i = j;
            }
            else { words.Add(c.ToString()); i++; }
        }
        return words;
    }

    /// <summary>Levenshtein distance (bounded use: short words).</summary>
    public static int EditDistance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
