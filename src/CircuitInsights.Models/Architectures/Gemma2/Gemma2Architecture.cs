using CircuitInsights.Formats;
using CircuitInsights.Models.Components;
using CircuitInsights.Tensors;

namespace CircuitInsights.Models.Architectures.Gemma2;

/// <summary>
/// Gemma-2 (HF <c>Gemma2ForCausalLM</c>, reference.md §1.2 / §2.2):
/// <code>
/// x0  = E[t] · round_dtype(sqrt(D))                                 embedding normaliser in the weights' dtype
/// RMS(x; w) = x / sqrt(mean(x²) + eps) ⊙ (1 + w)                    eps = rms_norm_eps
/// x  += RMS(Attn(RMS(x; input_layernorm)); post_attention_layernorm)
/// x  += RMS(Mlp(RMS(x; pre_feedforward_layernorm)); post_feedforward_layernorm)
/// Attn: GQA, RoPE (rotate-half over head_dim, rope_theta), scores · query_pre_attn_scalar^−½,
///       c·tanh(scores / c) with c = attn_logit_softcapping BEFORE the mask, causal mask, sliding window on sliding layers
/// Mlp:  down(gelu_tanh(gate(m)) ⊙ up(m))
/// logits = f·tanh(RMS(x; norm)·Eᵀ / f), f = final_logit_softcapping; tied unembedding
/// </code>
/// Sliding layers: <c>layer_types</c> when present (newer configs), else even layers 0, 2, 4, … as HF
/// (<c>not bool(layer_idx % 2)</c>) — not TransformerLens' inverted order (reference.md §0.5).
/// </summary>
public sealed class Gemma2Architecture : IArchitecture
{
    public IReadOnlyList<string> ModelTypes { get; } = ["gemma2"];

    public DecoderSpec ReadConfig(JsonConfig c)
    {
        int d = c.GetInt("hidden_size"), heads = c.GetInt("num_attention_heads"), layers = c.GetInt("num_hidden_layers");
        int kvHeads = c.GetInt("num_key_value_heads", heads);
        if (heads <= 0) throw new InvalidModelFileException(c.File, $"key 'num_attention_heads': expected a positive integer, found {heads}");
        int headDim = c.GetInt("head_dim", 256); // Gemma2Config default
        string act = c.GetOptionalString("hidden_activation") ?? c.GetString("hidden_act", "gelu_pytorch_tanh");
        if (act is not ("gelu_pytorch_tanh" or "gelu_new"))
            throw new InvalidModelFileException(c.File, $"hidden_activation '{act}' is not supported for gemma2 (expected gelu_pytorch_tanh)");
        if (c.GetBool("use_bidirectional_attention", false))
            throw new InvalidModelFileException(c.File, "use_bidirectional_attention = true is not supported (causal decoders only)");
        double queryScalar = c.GetDouble("query_pre_attn_scalar", 256);
        if (!(queryScalar > 0)) throw new InvalidModelFileException(c.File, $"key 'query_pre_attn_scalar': expected a positive number, found {queryScalar}");
        // Absent keys take Gemma2Config's defaults; an explicit null disables the feature (as in HF).
        float? attnCap = PositiveOrNull(c, "attn_logit_softcapping", 50f);
        float? finalCap = PositiveOrNull(c, "final_logit_softcapping", 30f);
        int? window = c.Has("sliding_window") ? c.GetOptionalInt("sliding_window") : 4096;
        var spec = new DecoderSpec
        {
            Architecture = "gemma2",
            Layers = layers,
            DModel = d,
            Heads = heads,
            KvHeads = kvHeads,
            HeadDim = headDim,
            DMlp = c.GetInt("intermediate_size"),
            Vocab = c.GetInt("vocab_size"),
            MaxPositions = c.GetInt("max_position_embeddings", 8192),
            Norm = NormKind.RmsNorm,
            NormEps = c.GetFloat("rms_norm_eps", 1e-6f),
            NormGainOffset = 1f,
            AttentionBias = c.GetBool("attention_bias", false),
            PostAttentionNorm = true,
            PostMlpNorm = true,
            Mlp = MlpKind.Gated,
            Activation = ActivationKind.GeluTanh,
            Positions = PositionKind.Rotary,
            Rope = RopeConfig.Read(c, headDim, 10000.0, allowLlama3: false),
            AttentionScale = (float)Math.Pow(queryScalar, -0.5),
            AttentionLogitSoftcap = attnCap,
            FinalLogitSoftcap = finalCap,
            SlidingWindow = window,
            SlidingWindowLayers = window is null ? null : SlidingLayers(c, layers),
            EmbeddingScale = EmbeddingNormalizer(d, DType.F32),
            TiedEmbeddings = true,
        };
        if (!c.GetBool("tie_word_embeddings", true))
            throw new InvalidModelFileException(c.File, "tie_word_embeddings = false is not supported for gemma2 (the unembedding is the token embedding)");
        spec.Validate(c.File);
        return spec;
    }

    /// <summary>HF's <c>normalizer = torch.tensor(hidden_size ** 0.5, dtype=hidden_states.dtype)</c>: sqrt(D) rounded to the
    /// model dtype (here the stored dtype of the embedding). 48.0 exactly for Gemma-2-2B in every dtype.</summary>
    public static float EmbeddingNormalizer(int dModel, DType dtype)
    {
        float value = (float)Math.Sqrt(dModel);
        return dtype switch
        {
            DType.BF16 => HalfPrecision.Bf16ToSingle(HalfPrecision.SingleToBf16(value)),
            DType.F16 => HalfPrecision.F16ToSingle(HalfPrecision.SingleToF16(value)),
            _ => value,
        };
    }

    /// <summary>Per layer: true where attention is local (sliding window).</summary>
    static bool[] SlidingLayers(JsonConfig c, int layers)
    {
        var types = c.GetOptionalStringList("layer_types");
        if (types is null) return Enumerable.Range(0, layers).Select(l => l % 2 == 0).ToArray();
        if (types.Count != layers)
            throw new InvalidModelFileException(c.File, $"key 'layer_types': {types.Count} entries for num_hidden_layers {layers}");
        return types.Select((t, i) => t switch
        {
            "sliding_attention" => true,
            "full_attention" => false,
            _ => throw new InvalidModelFileException(c.File, $"key 'layer_types[{i}]': expected 'sliding_attention' or 'full_attention', found '{t}'"),
        }).ToArray();
    }

    static float? PositiveOrNull(JsonConfig c, string key, float defaultValue)
    {
        if (!c.Has(key)) return defaultValue;
        double? v = c.GetOptionalDouble(key);
        if (v is null) return null;
        if (!(v > 0) || double.IsInfinity(v.Value)) throw new InvalidModelFileException(c.File, $"key '{key}': expected a positive number or null, found {v}");
        return (float)v.Value;
    }

    public IEnumerable<(string Name, int[] Shape)> ExpectedTensors(DecoderSpec spec) => Gemma2WeightMap.ExpectedTensors(spec);

    public DecoderWeights LoadWeights(ITensorSource source, DecoderSpec spec) => Gemma2WeightMap.Load(source, spec);

    /// <summary>The embedding normaliser follows the dtype the weights are stored in.</summary>
    public DecoderSpec WithWeights(DecoderSpec spec, DecoderWeights weights) => spec with
    {
        WeightDType = weights.TokenEmbedding.DType,
        EmbeddingScale = EmbeddingNormalizer(spec.DModel, weights.TokenEmbedding.DType),
    };
}
