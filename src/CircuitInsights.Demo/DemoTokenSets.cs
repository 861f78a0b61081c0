using CircuitInsights.Formats.Tokenization;

namespace CircuitInsights.Demo;

/// <summary>The token sets of the demo model, as strings of the real GPT-2 vocabulary (only single-token strings are kept).</summary>
public static class DemoTokenSets
{
    public static readonly IReadOnlyDictionary<string, string[]> Words = new Dictionary<string, string[]>
    {
        ["animals"] = [" cat", " dog", " horse", " cow", " sheep", " pig", " bird", " fish", " lion", " tiger", " bear", " wolf", " fox", " rabbit", " mouse", " duck", "cat", "dog"],
        ["weekdays"] = [" Monday", " Tuesday", " Wednesday", " Thursday", " Friday", " Saturday", " Sunday", "Monday", "Friday", "Sunday"],
        ["colours"] = [" red", " blue", " green", " yellow", " purple", " orange", " pink", " brown", " black", " white", " grey", "red", "blue", "green"],
        ["numbers"] = [" one", " two", " three", " four", " five", " six", " seven", " eight", " nine", " ten", "one", "two", "three", "five"],
        ["river"] = [" river", " muddy", " grassy", " steep", " sandy", " rocky", " stream", " lake"],
        ["bank"] = [" bank"],
        ["prepositions"] = [" in", " at", " from", " near"],
        ["negations"] = [" not", " never", " no", " nobody"],
        ["cities"] = [" Paris", " London", " Berlin", " Tokyo", " Rome", " Madrid", " Vienna", " Moscow", " Chicago", " Boston"],
        ["affirmations"] = [" yes", " always", " sure", " certainly", " definitely"],
    };

    /// <summary>Residual direction of each set (see <see cref="DemoLayout"/>).</summary>
    public static readonly IReadOnlyDictionary<string, int> Direction = new Dictionary<string, int>
    {
        ["animals"] = DemoLayout.Animals, ["weekdays"] = DemoLayout.Weekdays, ["colours"] = DemoLayout.Colours,
        ["numbers"] = DemoLayout.Numbers, ["river"] = DemoLayout.River, ["bank"] = DemoLayout.Bank,
        ["prepositions"] = DemoLayout.Prepositions, ["negations"] = DemoLayout.Negations, ["cities"] = DemoLayout.Cities,
        ["affirmations"] = DemoLayout.Affirmations,
    };

    /// <summary>Set name → token ids (strings that are not exactly one GPT-2 token are skipped).</summary>
    public static Dictionary<string, int[]> Resolve(ITokenizer tokenizer)
    {
        var result = new Dictionary<string, int[]>();
        foreach (var (name, words) in Words)
        {
            var ids = new List<int>();
            foreach (var w in words)
            {
                var enc = tokenizer.Encode(w, addBos: false);
                if (enc.Length == 1 && !ids.Contains(enc[0])) ids.Add(enc[0]);
            }
            if (ids.Count == 0) throw new InvalidOperationException($"demo token set '{name}' has no single-token word");
            result[name] = ids.ToArray();
        }
        return result;
    }
}
