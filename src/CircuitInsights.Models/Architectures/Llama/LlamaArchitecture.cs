using CircuitInsights.Formats;
using CircuitInsights.Models.Components;

namespace CircuitInsights.Models.Architectures.Llama;

/// <summary>
/// Llama / Llama-3 (HF <c>LlamaForCausalLM</c>, reference.md §1.3 / §2.3):
/// <code>
/// x0  = E[t]                                                   no embedding scale
/// RMS(x; w) = w ⊙ x / sqrt(mean(x²) + eps)                     eps = rms_norm_eps (gain offset 0)
/// x  += Attn(RMS(x; input_layernorm))                          hook_resid_mid
/// x  += Mlp(RMS(x; post_attention_layernorm))                  mlp.hook_in → mlp.hook_out (= hook_mlp_out)
/// Attn: GQA (num_key_value_heads), RoPE rotate-half over head_dim with rope_theta (+ "llama3" rope_scaling),
///       scores · head_dim^−½, causal
/// Mlp:  down(silu(gate(m)) ⊙ up(m))
/// logits = RMS(x; norm)·W_U, W_U = Eᵀ when tie_word_embeddings else lm_head.weightᵀ
/// </code>
/// <c>head_dim</c> defaults to hidden_size / num_attention_heads; <c>attention_bias</c> / <c>mlp_bias</c> add biases;
/// <c>tie_word_embeddings</c> defaults to false (LlamaConfig). RoPE types other than default and llama3 are rejected.
/// </summary>
public sealed class LlamaArchitecture : IArchitecture
{
    public IReadOnlyList<string> ModelTypes { get; } = ["llama"];

    public DecoderSpec ReadConfig(JsonConfig c)
    {
        int d = c.GetInt("hidden_size"), heads = c.GetInt("num_attention_heads");
        if (heads <= 0 || d % heads != 0 && !c.Has("head_dim"))
            throw new InvalidModelFileException(c.File, $"hidden_size {d} is not divisible by num_attention_heads {heads} and no head_dim is given");
        int headDim = c.GetOptionalInt("head_dim") ?? d / heads;
        string act = c.GetString("hidden_act", "silu");
        if (act != "silu")
            throw new InvalidModelFileException(c.File, $"hidden_act '{act}' is not supported for llama (expected silu)");
        var spec = new DecoderSpec
        {
            Architecture = "llama",
            Layers = c.GetInt("num_hidden_layers"),
            DModel = d,
            Heads = heads,
            KvHeads = c.GetInt("num_key_value_heads", heads),
            HeadDim = headDim,
            DMlp = c.GetInt("intermediate_size"),
            Vocab = c.GetInt("vocab_size"),
            MaxPositions = c.GetInt("max_position_embeddings", 2048),
            Norm = NormKind.RmsNorm,
            NormEps = c.GetFloat("rms_norm_eps", 1e-6f),
            NormGainOffset = 0f,
            AttentionBias = c.GetBool("attention_bias", false),
            MlpBias = c.GetBool("mlp_bias", false),
            Mlp = MlpKind.Gated,
            Activation = ActivationKind.Silu,
            Positions = PositionKind.Rotary,
            Rope = RopeConfig.Read(c, headDim, 10000.0, allowLlama3: true),
            AttentionScale = (float)Math.Pow(headDim, -0.5),
            TiedEmbeddings = c.GetBool("tie_word_embeddings", false),
        };
        spec.Validate(c.File);
        return spec;
    }

    public IEnumerable<(string Name, int[] Shape)> ExpectedTensors(DecoderSpec spec) => LlamaWeightMap.ExpectedTensors(spec);

    public DecoderWeights LoadWeights(ITensorSource source, DecoderSpec spec) => LlamaWeightMap.Load(source, spec);
}
