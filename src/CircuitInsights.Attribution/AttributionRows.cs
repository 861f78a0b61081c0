namespace CircuitInsights.Attribution;

/// <summary>
/// Direct effects on a list of targets (one row per target): of every active feature (columns aligned with
/// <see cref="AttributionContext.Features"/>), every error node [layer, position], every embedding [position], plus the
/// constant part (attention/decoder/encoder biases). Under the frozen linearisation these add up exactly to the target's
/// value: Σ Features + Σ Errors + Σ Embeddings + Bias = target (completeness).
/// </summary>
public sealed class AttributionRows
{
    public required int Count { get; init; }
    public required int FeatureCount { get; init; }
    public required int Layers { get; init; }
    public required int Positions { get; init; }
    public required int Heads { get; init; }
    /// <summary>[n, NF].</summary>
    public required float[] Features { get; init; }
    /// <summary>[n, L, T].</summary>
    public required float[] Errors { get; init; }
    /// <summary>[n, T].</summary>
    public required float[] Embeddings { get; init; }
    /// <summary>[n].</summary>
    public required double[] Bias { get; init; }
    /// <summary>[n, L, H, T]: contribution of head h of layer l reading source position s (summed over destinations p),
    /// A_h[p,s]·((v_s − c_v) W_O^h)·g_p where c_v = β·W_V + b_V is the input-independent part of the values (counted in
    /// <see cref="Bias"/>) — present when requested. In direct mode Total + Σ heads = target value.</summary>
    public float[]? HeadsBySource { get; init; }

    public ReadOnlySpan<float> FeatureRow(int i) => Features.AsSpan(i * FeatureCount, FeatureCount);
    public ReadOnlySpan<float> ErrorRow(int i) => Errors.AsSpan(i * Layers * Positions, Layers * Positions);
    public ReadOnlySpan<float> EmbeddingRow(int i) => Embeddings.AsSpan(i * Positions, Positions);

    /// <summary>Sum of all contributions of target i (should equal its value).</summary>
    public double Total(int i)
    {
        double s = Bias[i];
        foreach (var v in FeatureRow(i)) s += v;
        foreach (var v in ErrorRow(i)) s += v;
        foreach (var v in EmbeddingRow(i)) s += v;
        return s;
    }

    public float Head(int i, int layer, int head, int source) =>
        HeadsBySource is { } h ? h[((i * Layers + layer) * Heads + head) * Positions + source] : throw new InvalidOperationException("head contributions were not requested");
}
