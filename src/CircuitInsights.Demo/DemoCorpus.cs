using System.Reflection;
using System.Text;

namespace CircuitInsights.Demo;

/// <summary>
/// Text for the demo: generated sentences that exercise every planted context (riverbank, words after weekdays and number
/// words, prepositions before cities, negations before affirmations, animals, colours) mixed with the shipped Brown Corpus
/// subset (data/corpus/brown, embedded).
/// </summary>
public static class DemoCorpus
{
    static readonly string[] Animals = [" cat", " dog", " horse", " cow", " sheep", " pig", " bird", " fish", " lion", " tiger", " bear", " wolf", " fox", " rabbit", " mouse", " duck"];
    static readonly string[] Weekdays = [" Monday", " Tuesday", " Wednesday", " Thursday", " Friday", " Saturday", " Sunday"];
    static readonly string[] Colours = [" red", " blue", " green", " yellow", " purple", " orange", " pink", " brown", " black", " white", " grey"];
    static readonly string[] Numbers = [" one", " two", " three", " four", " five", " six", " seven", " eight", " nine", " ten"];
    static readonly string[] River = [" river", " muddy", " grassy", " steep", " sandy", " rocky", " stream", " lake"];
    static readonly string[] Preps = [" in", " at", " from", " near"];
    static readonly string[] Negations = [" not", " never"];
    static readonly string[] Cities = [" Paris", " London", " Berlin", " Tokyo", " Rome", " Madrid", " Vienna", " Moscow", " Chicago", " Boston"];
    static readonly string[] Affirmations = [" yes", " always", " sure"];
    static readonly string[] Nouns = [" apples", " books", " friends", " letters", " boats", " stones", " songs", " chairs"];
    static readonly string[] Verbs = [" walked", " slept", " waited", " sat", " played", " rested"];

    /// <summary>Deterministic generated sentences (one per element).</summary>
    public static IReadOnlyList<string> Sentences(int count, int seed)
    {
        var rng = new Random(seed);
        string P(string[] a) => a[rng.Next(a.Length)];
        var list = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            list.Add((i % 8) switch
            {
                0 => $"The{P(Animals)}{P(Verbs)} by the{P(River)} bank.",
                1 => $"On{P(Weekdays)} we bought{P(Numbers)}{P(Colours)}{P(Nouns)}.",
                2 => $"They live{P(Preps)}{P(Cities)} and{P(Negations)} say{P(Affirmations)}.",
                3 => $"A{P(Colours)}{P(Animals)} sat{P(Preps)} the{P(River)} bank on{P(Weekdays)}.",
                4 => $"I went to the bank{P(Preps)}{P(Cities)} on{P(Weekdays)} with{P(Numbers)}{P(Nouns)}.",
                5 => $"The{P(River)} bank was{P(Negations)} safe for the{P(Animals)}.",
                6 => $"We saw{P(Numbers)}{P(Animals)}s{P(Preps)} the{P(Colours)} field on{P(Weekdays)} morning.",
                _ => $"She moved{P(Preps)}{P(Cities)} last{P(Weekdays)} and met{P(Numbers)} old{P(Nouns)}.",
            });
        }
        return list;
    }

    /// <summary>Names of the embedded Brown Corpus files.</summary>
    public static IReadOnlyList<string> BrownFiles { get; } = typeof(DemoCorpus).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith("CircuitInsights.Demo.brown.", StringComparison.Ordinal)).Order().ToArray();

    public static string ReadBrown(string resource)
    {
        using var s = typeof(DemoCorpus).Assembly.GetManifestResourceStream(resource) ?? throw new InvalidOperationException($"missing resource {resource}");
        using var r = new StreamReader(s, Encoding.UTF8);
        return r.ReadToEnd();
    }

    /// <summary>Paragraphs of the Brown subset, in file order.</summary>
    public static IEnumerable<string> BrownParagraphs() =>
        BrownFiles.SelectMany(f => ReadBrown(f).Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>
    /// Documents of the demo corpus: blocks of 20 generated sentences alternating with 3 Brown paragraphs (so any prefix of
    /// the corpus mixes both), then the rest of the Brown subset.
    /// </summary>
    public static IEnumerable<(string Id, string Text)> Documents(int sentences, int seed)
    {
        var generated = Sentences(sentences, seed);
        using var brown = BrownParagraphs().GetEnumerator();
        int block = 0, para = 0;
        for (int i = 0; i < generated.Count; i += 20, block++)
        {
            yield return ($"generated-{block}", string.Concat(generated.Skip(i).Take(20)).TrimStart());
            var parts = new List<string>();
            while (parts.Count < 3 && brown.MoveNext()) parts.Add(brown.Current);
            if (parts.Count > 0) yield return ($"brown-{para++}", string.Join("\n\n", parts));
        }
        while (brown.MoveNext()) yield return ($"brown-{para++}", brown.Current);
    }

    /// <summary>Writes the demo corpus as JSON Lines (<c>demo.jsonl</c>, field <c>text</c>, plus <c>id</c>).</summary>
    public static void WriteTo(string directory, int sentences, int seed)
    {
        Directory.CreateDirectory(directory);
        Formats.AtomicFile.Write(Path.Combine(directory, "demo.jsonl"), s =>
        {
            using var w = new StreamWriter(s, new UTF8Encoding(false), leaveOpen: true);
            foreach (var (id, text) in Documents(sentences, seed))
                w.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { id, text }));
        });
    }
}
