using CircuitInsights.Models;

namespace CircuitInsights.Cli.Common;

/// <summary>Parses <c>--token-ids 1,2,3;4,5,6</c> and builds batches from prompts.</summary>
public static class TokenInput
{
    public static int[][] ParseIds(string text, int vocab)
    {
        var seqs = new List<int[]>();
        foreach (var part in text.Split(';'))
        {
            var ids = new List<int>();
            foreach (var item in part.Split(',', StringSplitOptions.TrimEntries))
            {
                if (item.Length == 0) continue;
                if (!int.TryParse(item, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int id))
                    throw new CircuitInsightsException($"--token-ids: '{item}' is not an integer");
                if (id < 0 || id >= vocab) throw new CircuitInsightsException($"--token-ids: {id} is outside the vocabulary [0, {vocab})");
                ids.Add(id);
            }
            if (ids.Count == 0) throw new CircuitInsightsException("--token-ids: empty sequence (use ',' between ids and ';' between sequences)");
            seqs.Add(ids.ToArray());
        }
        return seqs.ToArray();
    }

    /// <summary>Token sequences from either a prompt (one per --prompt) or explicit ids.</summary>
    public static int[][] Resolve(TransformerModel model, string[]? prompts, string? tokenIds, bool? prependBos)
    {
        bool hasPrompt = prompts is { Length: > 0 };
        if (hasPrompt == (tokenIds is not null)) throw new CircuitInsightsException("give exactly one of --prompt or --token-ids");
        if (tokenIds is not null)
        {
            var seqs = ParseIds(tokenIds, model.Spec.Vocab);
            if (prependBos == true && model.Tokenizer.BosTokenId is int bos)
                seqs = seqs.Select(s => s.Length > 0 && s[0] == bos ? s : new[] { bos }.Concat(s).ToArray()).ToArray();
            return seqs;
        }
        return prompts!.Select(p => model.Encode(p, prependBos)).ToArray();
    }
}
