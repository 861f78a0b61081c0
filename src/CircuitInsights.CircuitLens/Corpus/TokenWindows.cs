using CircuitInsights.Formats.Tokenization;

namespace CircuitInsights.CircuitLens.Corpus;

/// <summary>
/// Cuts documents into windows deterministically: each document is tokenised without special tokens, split into
/// consecutive chunks of ContextLength − 1 tokens (− 0 without BOS), each prefixed with BOS. Windows never span documents.
/// </summary>
public static class TokenWindows
{
    public static IEnumerable<TokenWindow> Create(IEnumerable<CorpusDocument> documents, ITokenizer tokenizer, WindowOptions options)
    {
        if (options.ContextLength < 2) throw new CircuitInsightsException($"--context-len must be at least 2 (got {options.ContextLength})");
        int? bos = options.PrependBos ? tokenizer.BosTokenId ?? throw new CircuitInsightsException("the tokenizer has no BOS token; use --no-bos") : null;
        int body = options.ContextLength - (bos is null ? 0 : 1);
        long index = 0, tokens = 0;
        foreach (var doc in documents)
        {
            var ids = tokenizer.Encode(doc.Text, addBos: false);
            for (int start = 0; start < ids.Length; start += body)
            {
                int len = Math.Min(body, ids.Length - start);
                if (len + (bos is null ? 0 : 1) < Math.Min(options.MinLength, options.ContextLength)) break;
                var window = new int[len + (bos is null ? 0 : 1)];
                int o = 0;
                if (bos is int b) window[o++] = b;
                Array.Copy(ids, start, window, o, len);
                if (options.MaxTokens is long max && tokens + window.Length > max) yield break;
                tokens += window.Length;
                yield return new TokenWindow(index++, doc.Id, window);
            }
        }
    }
}
