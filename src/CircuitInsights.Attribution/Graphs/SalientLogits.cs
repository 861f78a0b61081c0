using CircuitInsights.Tensors;

namespace CircuitInsights.Attribution.Graphs;

/// <summary>
/// circuit-tracer <c>compute_salient_logits</c> (reference.md §3.1 "Logit targets"): p = softmax(logits) — the model's
/// probabilities, i.e. after any final soft-cap — then the top <c>maxLogits</c> tokens (larger p first, lower id on
/// ties), truncated to the smallest prefix whose cumulative probability reaches <c>desiredProbability</c>
/// (<c>searchsorted(cumsum(top_p), desired) + 1</c>; all of them when the top k never reach it).
/// </summary>
public static class SalientLogits
{
    /// <param name="logits">[V] final logits of one position.</param>
    public static (int[] Tokens, float[] Probabilities) Select(ReadOnlySpan<float> logits, int maxLogits, float desiredProbability)
    {
        if (logits.Length == 0) throw new ArgumentException("empty logits");
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLogits, 1);
        var p = logits.ToArray();
        Softmax.InPlace(p, p.Length);
        int k = Math.Min(maxLogits, p.Length);
        var idx = new int[k];
        var top = new float[k];
        k = TopK.Largest(p, k, idx, top);
        int count = k;
        float cumulative = 0f;
        for (int i = 0; i < k; i++)
        {
            cumulative += top[i]; // float32 running sum, as torch.cumsum
            if (cumulative >= desiredProbability) { count = i + 1; break; }
        }
        return (idx[..count], top[..count]);
    }
}
