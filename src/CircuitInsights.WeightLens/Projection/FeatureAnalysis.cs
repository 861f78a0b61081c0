using CircuitInsights.Transcoders;

namespace CircuitInsights.WeightLens.Projection;

/// <summary>A token and its projection value (fp32, as computed).</summary>
public readonly record struct TokenScore(int TokenId, float Value);

/// <summary>An upstream feature whose decoder the feature's encoder reads: contribution = w_dec^(from)·w_enc (fp32).</summary>
public readonly record struct UpstreamLink(int FromLayer, int FromIndex, float Contribution);

/// <summary>Σ|W_dec^ℓ'·w_enc| over all features of one earlier layer ℓ'.</summary>
public readonly record struct LayerAbsSum(int Layer, float Sum);

/// <summary>
/// The weight-only part of a feature's WeightLens analysis (reference.md §3.4 steps 1, 3, 4, 5): outlier tokens of
/// W_E·w_enc (input) and w_dec·W_U (output) within the top/bottom pools, outlier upstream features of W_dec^ℓ'·w_enc within
/// each earlier layer's top pool, and the absolute sums that make up <c>total_input_invariant_contribution</c>.
/// Nothing here depends on a forward pass; validation and descriptions are added later.
/// </summary>
public sealed class FeatureAnalysis
{
    public required FeatureId Feature { get; init; }
    /// <summary>Positive input outliers, descending value (embedding top pool).</summary>
    public required TokenScore[] InputPositive { get; init; }
    /// <summary>Negative input outliers, ascending value (embedding bottom pool).</summary>
    public required TokenScore[] InputNegative { get; init; }
    /// <summary>Promoted output tokens, descending value (unembedding top pool).</summary>
    public required TokenScore[] OutputPositive { get; init; }
    /// <summary>Suppressed output tokens, ascending value (unembedding bottom pool).</summary>
    public required TokenScore[] OutputNegative { get; init; }
    /// <summary>Outlier upstream features in discovery order: earlier layer ascending, then pool order.</summary>
    public required UpstreamLink[] Upstream { get; init; }
    /// <summary>Σ_vocab |W_E·w_enc| (fp32).</summary>
    public required float EmbeddingAbsSum { get; init; }
    /// <summary>Σ|W_dec^ℓ'·w_enc| per earlier layer, ascending layer.</summary>
    public required LayerAbsSum[] UpstreamAbsSums { get; init; }

    /// <summary>total_input_invariant_contribution: the fp32 sums added in fp64 in the authors' order (embedding, then
    /// layers ascending).</summary>
    public double TotalContribution
    {
        get
        {
            double total = EmbeddingAbsSum;
            foreach (var s in UpstreamAbsSums) total += s.Sum;
            return total;
        }
    }
}
