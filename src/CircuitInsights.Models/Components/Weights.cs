using CircuitInsights.Tensors;

namespace CircuitInsights.Models.Components;

/// <summary>Norm parameters: LayerNorm γ (and β), or RMSNorm gain w (applied as offset + w). Null weight = no affine.</summary>
public sealed record NormWeights(float[]? Weight, float[]? Bias);

/// <summary>
/// Attention projections in canonical orientation (x·W): Q [D, H·Dh], K and V [D, Hkv·Dh], O [H·Dh, D]; heads are
/// contiguous column blocks of Dh. Packed copies feed the forward GEMMs; the raw views (memory-mapped checkpoint data)
/// serve weight-based analyses and the attribution backward.
/// </summary>
public sealed class AttentionWeights
{
    public required PackedMatrix Q { get; init; }
    public required PackedMatrix K { get; init; }
    public required PackedMatrix V { get; init; }
    public required PackedMatrix O { get; init; }
    public required MatrixRef QRaw { get; init; }
    public required MatrixRef KRaw { get; init; }
    public required MatrixRef VRaw { get; init; }
    public required MatrixRef ORaw { get; init; }
    public float[]? QBias { get; init; }
    public float[]? KBias { get; init; }
    public float[]? VBias { get; init; }
    public float[]? OBias { get; init; }
}

/// <summary>MLP weights in x·W orientation: In (and Gate for gated MLPs) [D, F], Out [F, D].</summary>
public sealed class MlpWeights
{
    public required PackedMatrix In { get; init; }
    public PackedMatrix? Gate { get; init; }
    public required PackedMatrix Out { get; init; }
    public required MatrixRef InRaw { get; init; }
    public MatrixRef? GateRaw { get; init; }
    public required MatrixRef OutRaw { get; init; }
    public float[]? InBias { get; init; }
    /// <summary>[F] gate-projection bias of gated MLPs (Llama <c>mlp_bias</c>), or null.</summary>
    public float[]? GateBias { get; init; }
    public float[]? OutBias { get; init; }
}

/// <summary>One decoder block.</summary>
public sealed class BlockWeights
{
    public required NormWeights Ln1 { get; init; }
    public required AttentionWeights Attention { get; init; }
    /// <summary>Gemma-2 post-attention norm, else null.</summary>
    public NormWeights? PostAttentionNorm { get; init; }
    public required NormWeights Ln2 { get; init; }
    public required MlpWeights Mlp { get; init; }
    /// <summary>Gemma-2 post-feed-forward norm, else null.</summary>
    public NormWeights? PostMlpNorm { get; init; }
}

/// <summary>All weights of a decoder, canonical names and orientations; owns the checkpoint it maps (disposed with it).</summary>
public sealed class DecoderWeights : IDisposable
{
    /// <summary>[V, D] token embedding as stored (unscaled; see <see cref="DecoderSpec.EmbeddingScale"/>).</summary>
    public required MatrixRef TokenEmbedding { get; init; }
    /// <summary>[P, D] learned positional embedding (GPT-2), else null.</summary>
    public MatrixRef? PositionEmbedding { get; init; }
    public required BlockWeights[] Blocks { get; init; }
    public required NormWeights FinalNorm { get; init; }
    /// <summary>[D, V] unembedding, packed.</summary>
    public required PackedMatrix Unembed { get; init; }
    /// <summary>[D, V] unembedding view (the transposed embedding for tied models).</summary>
    public required MatrixRef UnembedRaw { get; init; }
    /// <summary>Resources (memory-mapped files) that back the raw views.</summary>
    public IReadOnlyList<IDisposable> Owners { get; init; } = [];

    /// <summary>Bytes held by packed copies.</summary>
    public long PackedBytes =>
        Unembed.Bytes + Blocks.Sum(b => b.Attention.Q.Bytes + b.Attention.K.Bytes + b.Attention.V.Bytes + b.Attention.O.Bytes
                                        + b.Mlp.In.Bytes + (b.Mlp.Gate?.Bytes ?? 0) + b.Mlp.Out.Bytes);

    public void Dispose()
    {
        foreach (var b in Blocks)
        {
            b.Attention.Q.Dispose(); b.Attention.K.Dispose(); b.Attention.V.Dispose(); b.Attention.O.Dispose();
            b.Mlp.In.Dispose(); b.Mlp.Gate?.Dispose(); b.Mlp.Out.Dispose();
        }
        Unembed.Dispose();
        foreach (var o in Owners) o.Dispose();
    }
}
