using CircuitInsights.Formats;
using CircuitInsights.Models.Components;

namespace CircuitInsights.Models.Architectures.Gpt2;

/// <summary>
/// GPT-2 (HF <c>GPT2LMHeadModel</c>, reference.md §1.1 / §2.1): learned positions, pre-LayerNorm blocks (biased variance,
/// eps <c>layer_norm_epsilon</c>), fused QKV, <c>gelu_new</c> MLP of width <c>n_inner</c> (default 4·n_embd), tied unembedding.
/// </summary>
public sealed class Gpt2Architecture : IArchitecture
{
    public IReadOnlyList<string> ModelTypes { get; } = ["gpt2"];

    public DecoderSpec ReadConfig(JsonConfig c)
    {
        int d = c.GetInt("n_embd"), heads = c.GetInt("n_head");
        string act = c.GetString("activation_function", "gelu_new");
        if (act is not ("gelu_new" or "gelu_pytorch_tanh"))
            throw new InvalidModelFileException(c.File, $"activation_function '{act}' is not supported for gpt2 (expected gelu_new)");
        if (c.GetBool("scale_attn_by_inverse_layer_idx", false))
            throw new InvalidModelFileException(c.File, "scale_attn_by_inverse_layer_idx = true is not supported");
        if (!c.GetBool("scale_attn_weights", true))
            throw new InvalidModelFileException(c.File, "scale_attn_weights = false is not supported");
        if (!c.GetBool("tie_word_embeddings", true))
            throw new InvalidModelFileException(c.File, "tie_word_embeddings = false is not supported for gpt2");
        if (heads <= 0 || d % heads != 0)
            throw new InvalidModelFileException(c.File, $"n_embd {d} is not divisible by n_head {heads}");
        var spec = new DecoderSpec
        {
            Architecture = "gpt2",
            Layers = c.GetInt("n_layer"),
            DModel = d,
            Heads = heads,
            KvHeads = heads,
            HeadDim = d / heads,
            DMlp = c.GetOptionalInt("n_inner") ?? 4 * d,
            Vocab = c.GetInt("vocab_size"),
            MaxPositions = c.GetInt("n_positions", c.GetInt("n_ctx", 1024)),
            Norm = NormKind.LayerNorm,
            NormEps = c.GetFloat("layer_norm_epsilon", 1e-5f),
            AttentionBias = true,
            MlpBias = true,
            Mlp = MlpKind.Plain,
            Activation = ActivationKind.GeluTanh,
            Positions = PositionKind.Learned,
            AttentionScale = 1f / MathF.Sqrt(d / heads),
        };
        spec.Validate(c.File);
        return spec;
    }

    public IEnumerable<(string Name, int[] Shape)> ExpectedTensors(DecoderSpec spec) => Gpt2WeightMap.ExpectedTensors(spec);

    public DecoderWeights LoadWeights(ITensorSource source, DecoderSpec spec) => Gpt2WeightMap.Load(source, spec);
}
