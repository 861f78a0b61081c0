using CircuitInsights.Evaluation.Descriptions;

namespace CircuitInsights.Evaluation.Judges;

/// <summary>
/// A deterministic judge for token-list descriptions, so evaluation runs without an LLM. The description's tokens (its
/// token list, else the tokens its text names: <see cref="TokenExtractor"/>) are normalised (<see cref="TokenNormalizer"/>).
/// <list type="bullet">
/// <item>Rating: 2 when a word of the text equals a description token or shares its lemma; 1 for a near match (one is a
/// prefix of the other with at least 3 characters, or edit distance 1 between words of at least 4 characters); else 0.
/// A description without tokens rates every text 0.</item>
/// <item>Concept samples: <see cref="ConceptSamples"/> texts, sample i = a slice of up to <see cref="ContextWords"/>
/// words of natural context (i·7 mod n) with description token (i mod k) inserted as its own word after a word chosen
/// by a hash of i — natural text that contains the concept, like the LLM's samples but reproducible.</item>
/// </list>
/// For <c>wl+cl</c> the tokens are the union of both methods' tokens, so the combined description is rated 2 wherever
/// either part matches.
/// </summary>
public sealed class OfflineJudge(IReadOnlyList<string> contexts) : IJudge
{
    public int ConceptSamples { get; init; } = 60;
    public int ContextWords { get; init; } = 24;
    public string Name => "offline";

    public static IReadOnlyList<string> TokensOf(FeatureDescription d) =>
        (d.Tokens.Count > 0 ? d.Tokens : TokenExtractor.FromText(d.Text)).Where(t => TokenNormalizer.Normalize(t).Length > 0).ToArray();

    public Task<IReadOnlyList<string>> GenerateConceptSamplesAsync(FeatureDescription description, CancellationToken cancel = default)
    {
        var tokens = TokensOf(description);
        var samples = new List<string>();
        if (tokens.Count == 0) return Task.FromResult<IReadOnlyList<string>>(samples);
        for (int i = 0; i < ConceptSamples; i++)
        {
            var words = contexts.Count == 0 ? [] : contexts[(int)((long)i * 7 % contexts.Count)].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            int start = words.Length > ContextWords ? (int)(Mix(i, 1) % (ulong)(words.Length - ContextWords + 1)) : 0;
            var slice = words.Skip(start).Take(ContextWords).ToList();
            // after the first word, so the token follows a space as it does mid-sentence (" cat", not "cat")
            int at = slice.Count == 0 ? 0 : 1 + (int)(Mix(i, 2) % (ulong)slice.Count);
            slice.Insert(at, tokens[i % tokens.Count].Trim().TrimStart('Ġ', '▁'));
            samples.Add(string.Join(' ', slice));
        }
        return Task.FromResult<IReadOnlyList<string>>(samples.Distinct().ToArray());
    }

    public Task<IReadOnlyList<int?>> RateAsync(FeatureDescription description, IReadOnlyList<string> texts, CancellationToken cancel = default)
    {
        var tokens = TokensOf(description).Select(TokenNormalizer.Normalize).Distinct().ToArray();
        var lemmas = tokens.Select(TokenNormalizer.Lemma).ToHashSet();
        var exact = tokens.ToHashSet();
        var ratings = texts.Select(t => (int?)Rate(t, exact, lemmas, tokens)).ToArray();
        return Task.FromResult<IReadOnlyList<int?>>(ratings);
    }

    static int Rate(string text, HashSet<string> exact, HashSet<string> lemmas, string[] tokens)
    {
        if (tokens.Length == 0) return 0;
        int best = 0;
        foreach (var w in TokenNormalizer.Words(text))
        {
            string n = TokenNormalizer.Normalize(w);
            if (exact.Contains(n) || lemmas.Contains(TokenNormalizer.Lemma(n))) return 2;
            if (best == 0 && tokens.Any(t => Near(n, t))) best = 1;
        }
        return best;
    }

    static bool Near(string word, string token)
    {
        if (!word.All(char.IsLetterOrDigit) || !token.All(char.IsLetterOrDigit)) return false;
        var (shorter, longer) = word.Length <= token.Length ? (word, token) : (token, word);
        if (shorter.Length >= 3 && longer.StartsWith(shorter, StringComparison.Ordinal)) return true;
        return shorter.Length >= 4 && Math.Abs(word.Length - token.Length) <= 1 && TokenNormalizer.EditDistance(word, token) <= 1;
    }

    /// <summary>SplitMix64 of (i, salt): a fixed pseudo-random number per sample.</summary>
    static ulong Mix(int i, int salt)
    {
        ulong z = (ulong)i * 0x9E3779B97F4A7C15UL + (ulong)salt * 0xD1B54A32D192ED03UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
