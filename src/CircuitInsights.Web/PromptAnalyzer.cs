using CircuitInsights.Models;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Web;

/// <summary>An active feature at one token of a prompt.</summary>
public sealed record PromptFeature(int Layer, int Index, float Activation, string? Description);

/// <summary>One token of an analysed prompt and its strongest active features (all layers, by activation).</summary>
public sealed record PromptToken(int Id, string Text, IReadOnlyList<PromptFeature> Features);

/// <summary>
/// The explorer's prompt box: tokenises user text (BOS prepended when the tokenizer has one, as the cache windows are),
/// runs the exact model with its transcoders (<see cref="ReplacementModel.Run"/>, no logits, position 0 zeroed as
/// circuit-tracer does) and lists the top active features of every token. One prompt at a time; prompts are capped at
/// <see cref="MaxTokens"/> tokens and <see cref="MaxChars"/> characters.
/// </summary>
public sealed class PromptAnalyzer(TransformerModel model, TranscoderSet transcoders)
{
    public const int MaxTokens = 256;
    public const int MaxChars = 4000;
    readonly ReplacementModel _replacement = new(model.Decoder, transcoders);
    readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<IReadOnlyList<PromptToken>> AnalyzeAsync(string text, int topK, Func<int, int, string?> describe, CancellationToken cancel)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new CircuitInsightsException("empty prompt");
        if (text.Length > MaxChars) throw new CircuitInsightsException($"prompt longer than {MaxChars} characters");
        topK = Math.Clamp(topK, 1, 50);
        var ids = model.Tokenizer.Encode(text, addBos: model.Tokenizer.BosTokenId is not null);
        if (ids.Length == 0) throw new CircuitInsightsException("the prompt tokenises to zero tokens");
        if (ids.Length > MaxTokens) throw new CircuitInsightsException($"prompt of {ids.Length} tokens exceeds {MaxTokens}");
        await _gate.WaitAsync(cancel);
        ReplacementRun run;
        try { run = await Task.Run(() => _replacement.Run(TokenBatch.Single(ids), new ReplacementOptions { ZeroFirstPosition = true, Logits = LogitsMode.None }), cancel); }
        finally { _gate.Release(); }
        var tokens = new List<PromptToken>(ids.Length);
        for (int t = 0; t < ids.Length; t++)
        {
            var feats = new List<(int Layer, int Index, float Value)>();
            foreach (var (layer, rep) in run.Layers)
            {
                var f = rep.Active.FeaturesOf(t);
                var v = rep.Active.ValuesOf(t);
                for (int i = 0; i < f.Length; i++) if (v[i] > 0) feats.Add((layer, f[i], v[i]));
            }
            var top = feats.OrderByDescending(x => x.Value).Take(topK).Select(x => new PromptFeature(x.Layer, x.Index, x.Value, describe(x.Layer, x.Index))).ToList();
            tokens.Add(new PromptToken(ids[t], model.Tokenizer.TokenText(ids[t]), top));
        }
        return tokens;
    }
}
