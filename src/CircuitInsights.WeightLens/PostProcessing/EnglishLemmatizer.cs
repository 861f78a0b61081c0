using System.Reflection;

namespace CircuitInsights.WeightLens.PostProcessing;

/// <summary>
/// A small English noun lemmatiser in the style of WordNet's morphy (what the authors call through NLTK's
/// <c>WordNetLemmatizer().lemmatize(token)</c>, i.e. pos = noun): WordNet's irregular noun forms first (noun.exc,
/// 1,949 entries, shortest lemma), then the noun suffix rules (-sses → -ss, -ies → -y, -ches → -ch, -shes → -sh, -xes → -x,
/// -zzes → -zz, -men → -man, -s → ∅). Morphy accepts a rule only when the result is a WordNet noun; instead of the 117k-lemma
/// index this ships the 1,152 WordNet nouns ending in -s that no rule reduces to another noun (headquarters, news,
/// series, lens, …: kept as they are) and uses guards otherwise: words of ≤ 3 letters and words ending in -ss, -us, -is
/// or -ics are kept, -ies gives -y only for words longer than 4 letters, -men gives -man only for words longer than 4
/// letters. Known differences from NLTK: NLTK turns "was" into "wa", "gas" into "ga" and "species" into "specie" (valid
/// WordNet nouns), this keeps them; "buses" gives "buse" here.
/// Input is expected lowercase (the authors lowercase before lemmatising).
/// </summary>
public static class EnglishLemmatizer
{
    static readonly Lazy<Dictionary<string, string>> Exceptions = new(LoadExceptions);
    static readonly Lazy<HashSet<string>> SNouns = new(() => new HashSet<string>(ReadLines("noun_s_lemmas.txt"), StringComparer.Ordinal));

    public static string Lemmatize(string word)
    {
        if (word.Length == 0) return word;
        if (Exceptions.Value.TryGetValue(word, out var lemma)) return lemma;
        if (word.Length <= 3 || !IsLowerAscii(word) || SNouns.Value.Contains(word)) return word;
        if (word.EndsWith("ss", StringComparison.Ordinal) || word.EndsWith("us", StringComparison.Ordinal)
            || word.EndsWith("is", StringComparison.Ordinal) || word.EndsWith("ics", StringComparison.Ordinal)) return word;
        if (word.EndsWith("sses", StringComparison.Ordinal)) return word[..^2];
        if (word.EndsWith("ies", StringComparison.Ordinal)) return word.Length > 4 ? word[..^3] + "y" : word[..^1];
        if (word.EndsWith("ches", StringComparison.Ordinal) || word.EndsWith("shes", StringComparison.Ordinal)
            || word.EndsWith("xes", StringComparison.Ordinal) || word.EndsWith("zzes", StringComparison.Ordinal)) return word[..^2];
        if (word.EndsWith("men", StringComparison.Ordinal)) return word.Length > 4 ? word[..^3] + "man" : word;
        if (word.EndsWith('s')) return word[..^1];
        return word;
    }

    static bool IsLowerAscii(string s)
    {
        foreach (char c in s) if (c is < 'a' or > 'z') return false;
        return true;
    }

    static IEnumerable<string> ReadLines(string resource)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("CircuitInsights.WeightLens.PostProcessing.Data." + resource)
            ?? throw new InvalidOperationException($"embedded {resource} is missing from the build");
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
            if (line.Length > 0) yield return line;
    }

    static Dictionary<string, string> LoadExceptions()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in ReadLines("noun_exceptions.txt"))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2) continue;
            // NLTK returns the shortest of the candidate lemmas (the first on ties)
            map[parts[0]] = parts.Skip(1).MinBy(p => p.Length)!;
        }
        return map;
    }
}
