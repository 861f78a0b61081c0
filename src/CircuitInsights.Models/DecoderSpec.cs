using CircuitInsights.Tensors;

namespace CircuitInsights.Models;

public enum NormKind { LayerNorm, RmsNorm }

public enum MlpKind
{
    /// <summary>out = act(x·W_in + b_in)·W_out + b_out (GPT-2).</summary>
    Plain,
    /// <summary>out = (act(x·W_gate) ⊙ x·W_in)·W_out (Gemma, Llama).</summary>
    Gated,
}

public enum ActivationKind
{
    /// <summary>GELU tanh approximation (GPT-2 gelu_new, Gemma gelu_pytorch_tanh).</summary>
    GeluTanh,
    /// <summary>SiLU / swish (Llama).</summary>
    Silu,
}

public enum PositionKind { Learned, Rotary }

/// <summary>"llama3" RoPE frequency scaling (HF <c>rope_scaling</c> with <c>rope_type: llama3</c>); reference.md §2.3.</summary>
public sealed record Llama3RopeScaling(float Factor, float LowFreqFactor, float HighFreqFactor, int OriginalMaxPositions);

/// <summary>Rotary embedding settings: rotate-half convention (HF), applied to the first <paramref name="RotaryDim"/> dims.</summary>
public sealed record RopeSpec(double Theta, int RotaryDim, Llama3RopeScaling? Llama3Scaling = null);

/// <summary>
/// Everything that determines a decoder's forward numerics, independent of how its checkpoint names things. Architectures
/// translate their HF config.json into a spec; the shared <see cref="Components.DecoderModel"/> runs it. Every field is
/// stored with artifacts so results state exactly what was computed.
/// </summary>
public sealed record DecoderSpec
{
    /// <summary>HF <c>model_type</c> (gpt2, gemma2, llama).</summary>
    public required string Architecture { get; init; }
    public required int Layers { get; init; }
    public required int DModel { get; init; }
    public required int Heads { get; init; }
    public required int KvHeads { get; init; }
    public required int HeadDim { get; init; }
    public required int DMlp { get; init; }
    public required int Vocab { get; init; }
    public required int MaxPositions { get; init; }

    public required NormKind Norm { get; init; }
    public required float NormEps { get; init; }
    /// <summary>RMSNorm gain is applied as (offset + w): Gemma 1, Llama 0. Unused for LayerNorm.</summary>
    public float NormGainOffset { get; init; }
    /// <summary>Gemma-2: RMSNorm on the attention output before it is added to the residual.</summary>
    public bool PostAttentionNorm { get; init; }
    /// <summary>Gemma-2: RMSNorm on the MLP output before it is added to the residual.</summary>
    public bool PostMlpNorm { get; init; }

    /// <summary>q/k/v/o projections carry biases (GPT-2 always; HF <c>attention_bias</c> for Llama and Gemma-2).</summary>
    public bool AttentionBias { get; init; }
    /// <summary>MLP projections carry biases (GPT-2 always; HF <c>mlp_bias</c> for Llama).</summary>
    public bool MlpBias { get; init; }

    public required MlpKind Mlp { get; init; }
    public required ActivationKind Activation { get; init; }

    public required PositionKind Positions { get; init; }
    public RopeSpec? Rope { get; init; }

    /// <summary>Multiplier of q·kᵀ (1/sqrt(Dh); Gemma query_pre_attn_scalar^-½).</summary>
    public required float AttentionScale { get; init; }
    /// <summary>Gemma-2 attention logit soft-cap c: scores ← c·tanh(scores/c), before masking.</summary>
    public float? AttentionLogitSoftcap { get; init; }
    /// <summary>Gemma-2 final logit soft-cap.</summary>
    public float? FinalLogitSoftcap { get; init; }
    /// <summary>Sliding window length (keys allowed iff p − W &lt; q ≤ p) on layers flagged in <see cref="SlidingWindowLayers"/>.</summary>
    public int? SlidingWindow { get; init; }
    public bool[]? SlidingWindowLayers { get; init; }

    /// <summary>Token embeddings are multiplied by this before entering the residual (Gemma: sqrt(D) rounded to the model dtype).</summary>
    public float EmbeddingScale { get; init; } = 1f;
    public bool TiedEmbeddings { get; init; } = true;
    /// <summary>Element type of the stored weights (compute is fp32).</summary>
    public DType WeightDType { get; init; } = DType.F32;

    public int QueryWidth => Heads * HeadDim;
    public int KvWidth => KvHeads * HeadDim;

    public bool UsesSlidingWindow(int layer) => SlidingWindow is not null && SlidingWindowLayers is { } f && layer < f.Length && f[layer];

    /// <summary>Checks internal consistency; throws <see cref="CircuitInsightsException"/> naming the field.</summary>
    public void Validate(string source)
    {
        void Require(bool ok, string what) { if (!ok) throw new CircuitInsightsException($"{source}: invalid model config: {what}"); }
        Require(Layers > 0, $"layers = {Layers}");
        Require(DModel > 0, $"d_model = {DModel}");
        Require(Heads > 0 && KvHeads > 0 && Heads % KvHeads == 0, $"heads {Heads} must be a positive multiple of kv heads {KvHeads}");
        Require(HeadDim > 0, $"head_dim = {HeadDim}");
        Require(DMlp > 0, $"d_mlp = {DMlp}");
        Require(Vocab > 0, $"vocab = {Vocab}");
        Require(MaxPositions > 0, $"max positions = {MaxPositions}");
        Require(NormEps > 0, $"norm eps = {NormEps}");
        Require(Positions != PositionKind.Rotary || Rope is { RotaryDim: > 0 } r && r.RotaryDim <= HeadDim && r.RotaryDim % 2 == 0, "rotary dim must be even and ≤ head_dim");
        Require(SlidingWindow is null or > 0, $"sliding window = {SlidingWindow}");
    }
}
