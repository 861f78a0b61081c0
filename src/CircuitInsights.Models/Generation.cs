using CircuitInsights.Models.Components;

namespace CircuitInsights.Models;

/// <summary>Text generation helpers.</summary>
public static class Generation
{
    /// <summary>
    /// Greedy decoding (argmax, lowest id on ties): returns the prompt followed by up to <paramref name="maxNewTokens"/>
    /// tokens, stopping after <paramref name="eosId"/>. Each step reruns the full sequence (no KV cache): simple and exact;
    /// fine for short generations. Hooks (e.g. a steering intervention) apply to every step.
    /// </summary>
    public static int[] Greedy(DecoderModel model, int[] prompt, int maxNewTokens, int? eosId = null, ForwardOptions? options = null)
    {
        var tokens = prompt.ToList();
        var opts = (options ?? ForwardOptions.Default) with { Logits = LogitsMode.Last, StopAtLayer = null };
        for (int step = 0; step < maxNewTokens; step++)
        {
            if (model.Spec.Positions == PositionKind.Learned && tokens.Count >= model.Spec.MaxPositions) break;
            var logits = model.Forward(TokenBatch.Single(tokens.ToArray()), opts).Logits!;
            int best = 0;
            for (int v = 1; v < logits.Length; v++) if (logits[v] > logits[best]) best = v;
            tokens.Add(best);
            if (best == eosId) break;
        }
        return tokens.ToArray();
    }
}
